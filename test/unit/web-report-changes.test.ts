import { describe, expect, it } from 'vitest';
import type { ReportChange } from '../../web/src/api/types.ts';
import {
  changeBlocks,
  formChanges,
  formOfChanges,
  type ReportFormContent,
  runFields,
} from '../../web/src/lib/report-changes.ts';

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

  it('sends a casualty identity only when given: left out to keep, replaced, or null to clear', () => {
    const point = { type: 'Point' as const, coordinates: [46.95, 39.94] };
    const content: ReportFormContent = {
      kind: 'accident',
      geometry: point,
      properties: { occurredOn: '2025-04-02', deviceCategory: 'AP', description: null },
      casualties: [
        {
          properties: { sex: 'male', age: 34, casualtyStatus: 'civilian', outcome: 'injured' },
          identity: 'keep',
        },
        {
          properties: { sex: 'female', casualtyStatus: 'civilian', outcome: 'killed', referral: null },
          identity: { name: ' Anna K. ', dateOfBirth: '', address: 'Village 3' },
        },
        {
          properties: { sex: 'unknown', casualtyStatus: 'unknown', outcome: 'unknown' },
          identity: null,
          ref: 'cas-3',
        },
      ],
    };
    const changes = formChanges(content);
    expect(changes[0]).toEqual({
      op: 'create',
      register: 'accidents',
      ref: 'acc',
      record: {
        type: 'Feature',
        geometry: point,
        properties: { occurredOn: '2025-04-02', deviceCategory: 'AP' },
      },
    });
    const props = changes.slice(1).map((c) => (c as { record: Record<string, unknown> }).record);
    expect(props.map((p) => p.accidentId)).toEqual(['@ref:acc', '@ref:acc', '@ref:acc']);
    expect('identity' in props[0]!).toBe(false);
    expect(props[1]!.identity).toEqual({ name: 'Anna K.', dateOfBirth: null, address: 'Village 3' });
    expect('referral' in props[1]!).toBe(false);
    expect(props[2]!.identity).toBeNull();
    expect((changes[3] as { ref?: string }).ref).toBe('cas-3');
    // Read back, no identity is shown and every casualty keeps what the server holds.
    const back = formOfChanges('accident', changes);
    expect(back?.kind).toBe('accident');
    if (back?.kind !== 'accident') return;
    expect(back.casualties.map((c) => c.identity)).toEqual(['keep', 'keep', 'keep']);
    // The second casualty's identity is held (seen by a reader who may read it), the others' not.
    expect(back.casualties.map((c) => c.recorded === true)).toEqual([false, true, false]);
    // A reader who may not see identities is told which changes hold one.
    const hidden = formOfChanges('accident', formChanges(back), [3]);
    expect(hidden?.kind === 'accident' && hidden.casualties.map((c) => c.recorded === true)).toEqual([
      false,
      false,
      true,
    ]);
    expect(back.casualties[2]!.ref).toBe('cas-3');
    expect(back.casualties[1]!.properties).toEqual({
      sex: 'female',
      casualtyStatus: 'civilian',
      outcome: 'killed',
    });
    expect(
      formChanges(back)
        .slice(1)
        .some((c) => 'identity' in (c as { record: object }).record),
    ).toBe(false);
  });

  it('makes and reads back a new hazard, other records and a correction', () => {
    const hazard: ReportFormContent = {
      kind: 'new_hazard',
      geometry: square,
      properties: {
        type: 'SHA',
        name: 'North field',
        deviceCategories: ['AP'],
        blockedLandUse: [],
        beneficiaries: null,
      },
    };
    const [h] = formChanges(hazard);
    expect(h).toEqual({
      op: 'create',
      register: 'hazards',
      record: {
        type: 'Feature',
        geometry: square,
        properties: { type: 'SHA', name: 'North field', deviceCategories: ['AP'] },
      },
    });
    expect(formOfChanges('new_hazard', formChanges(hazard))).toEqual({
      kind: 'new_hazard',
      geometry: square,
      properties: { type: 'SHA', name: 'North field', deviceCategories: ['AP'] },
    });

    const qa: ReportFormContent = {
      kind: 'other_records',
      record: {
        register: 'qa-visits',
        geometry: null,
        properties: {
          visitedOn: '2025-03-01',
          nonConformities: [{ description: 'No marking', severity: 'major' }],
        },
      },
    };
    expect(formChanges(qa)).toEqual([
      {
        op: 'create',
        register: 'qa-visits',
        // QA visits have no shape: the record is its plain fields.
        record: qa.record.properties,
      },
    ]);
    expect(formOfChanges('other_records', formChanges(qa))).toEqual(qa);

    const update: ReportFormContent = {
      kind: 'correction',
      correction: { register: 'accidents', id: hazardId, archive: false, properties: { description: null } },
    };
    expect(formChanges(update)).toEqual([
      {
        op: 'update',
        register: 'accidents',
        id: hazardId,
        record: { type: 'Feature', properties: { description: null } },
      },
    ]);
    expect(formOfChanges('correction', formChanges(update))).toEqual(update);
    const archive: ReportFormContent = {
      kind: 'correction',
      correction: { register: 'hazards', id: hazardId, archive: true, properties: {} },
    };
    expect(formChanges(archive)).toEqual([{ op: 'archive', register: 'hazards', id: hazardId }]);
    expect(formOfChanges('correction', formChanges(archive))).toEqual(archive);
    // A new-hazard report with two hazards is not one the form made.
    expect(formOfChanges('new_hazard', [...formChanges(hazard), ...formChanges(hazard)])).toBeNull();
  });
});

describe('a run of new records of one register (the review of a long report)', () => {
  const finding = (category: string): ReportChange =>
    ({
      op: 'create',
      register: 'findings',
      record: { category, hazardId, quantity: 1 },
    }) as unknown as ReportChange;
  const activity = {
    op: 'create',
    register: 'activities',
    ref: 'act',
    record: {},
  } as unknown as ReportChange;

  it('groups three or more consecutive new records of one register, and leaves shorter runs alone', () => {
    const changes = [
      activity,
      finding('AP'),
      finding('AV'),
      finding('AP'),
      activity,
      finding('AP'),
      finding('AP'),
    ];
    expect(changeBlocks(changes)).toEqual([
      { kind: 'one', index: 0 },
      { kind: 'run', start: 1, end: 4 },
      { kind: 'one', index: 4 },
      { kind: 'one', index: 5 },
      { kind: 'one', index: 6 },
    ]);
  });

  it('does not group updates or archives, however many', () => {
    const update = {
      op: 'update',
      register: 'findings',
      id: hazardId,
      record: {},
    } as unknown as ReportChange;
    expect(changeBlocks([update, update, update]).map((b) => b.kind)).toEqual(['one', 'one', 'one']);
  });

  it('shows once what every record shares and makes a column of what varies', () => {
    expect(
      runFields([
        { category: 'AP', hazardId, quantity: 1 },
        { category: 'AV', hazardId, quantity: 1, depthCm: 10 },
      ]),
    ).toEqual({ common: ['hazardId', 'quantity'], varying: ['category', 'depthCm'] });
  });
});
