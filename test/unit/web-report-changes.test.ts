import { describe, expect, it } from 'vitest';
import type { ReportChange } from '../../web/src/api/types.ts';
import { formChanges, formOfChanges, type ReportFormContent } from '../../web/src/lib/report-changes.ts';

const hazardId = '0b6f3c8e-1111-4222-8333-444455556666';
const square = {
  type: 'Polygon' as const,
  coordinates: [
    [
      [46.95, 39.94],
      [46.951, 39.94],
      [46.951, 39.941],
      [46.95, 39.94],
    ],
  ],
};

describe('report form content ↔ report changes', () => {
  it('reads back an activity report the form made, with its polygons and findings', () => {
    const content: ReportFormContent = {
      kind: 'activity',
      activity: {
        organisationId: 'org-1',
        hazardId,
        kind: 'clearance',
        method: 'manual',
        startDate: '2025-05-01',
        endDate: '2025-05-20',
        released: [
          { outcome: 'cleared', geometry: square },
          { outcome: 'reduced', geometry: square },
        ],
        found: [{ category: 'AP', quantity: 3, point: { type: 'Point', coordinates: [46.9505, 39.9405] } }],
      },
    };
    const changes = formChanges(content);
    expect(changes.map((c) => c.register)).toEqual([
      'activities',
      'land-release',
      'land-release',
      'findings',
    ]);
    expect(formOfChanges('activity', changes)).toEqual(content);
  });

  it('reads back a hazard status change', () => {
    const content: ReportFormContent = { kind: 'hazard_status_change', hazardId, status: 'in_progress' };
    expect(formOfChanges('hazard_status_change', formChanges(content))).toEqual(content);
  });

  it('refuses reports the form does not make, so the page sends them to the API', () => {
    const status = formChanges({ kind: 'hazard_status_change', hazardId, status: 'closed' });
    const withGeometry: ReportChange[] = [
      {
        op: 'update',
        register: 'hazards',
        id: hazardId,
        record: { type: 'Feature', geometry: square, properties: { status: 'closed' } },
      },
    ];
    const withOther: ReportChange[] = [
      {
        op: 'update',
        register: 'hazards',
        id: hazardId,
        record: { type: 'Feature', properties: { status: 'closed', blockedLandUse: ['agriculture'] } },
      },
    ];
    expect(formOfChanges('new_hazard', status)).toBeNull();
    expect(formOfChanges('hazard_status_change', [...status, ...status])).toBeNull();
    expect(formOfChanges('hazard_status_change', withOther)).toBeNull();
    // A status change that also moves the shape would lose the shape in the form.
    expect(formOfChanges('hazard_status_change', withGeometry)).toBeNull();
    const activity = formChanges({
      kind: 'activity',
      activity: {
        organisationId: 'org-1',
        hazardId,
        kind: 'clearance',
        method: '',
        startDate: '',
        endDate: '',
        released: [],
        found: [],
      },
    });
    expect(formOfChanges('activity', [...activity, ...status])).toBeNull();
    expect(formOfChanges('activity', status)).toBeNull();
  });
});
