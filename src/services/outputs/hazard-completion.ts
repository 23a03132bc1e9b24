import type { Geometry } from '../../io/types.ts';
import { OutputContext } from './context.ts';
import type { Block, Cell } from './document.ts';
import { round } from './operations-summary.ts';
import type { OutputModule } from './types.ts';

/**
 * Completion (handover) report of one hazard to the community: the hazard, its history, a map
 * of the land released and the devices found, the activities, QA visits, sources and a block
 * for the signatures of the handover.
 */
export const hazardCompletion: OutputModule = {
  name: 'hazard-completion',
  params: ['hazard'],
  required: ['hazard'],
  async build(ctx) {
    const id = ctx.params.hazard!;
    const hazards = ctx.service('hazards');
    const hazard = await hazards.get(ctx.actor, id);
    const [organisations, ordnance, released, findings, activities] = await Promise.all([
      ctx.byId('organisations'),
      ctx.byId('ordnance'),
      ctx.read('land-release', { equals: [['hazard_id', id]] }),
      ctx.read('findings', { equals: [['hazard_id', id]] }),
      ctx.read('activities', { equals: [['hazard_id', id]] }),
    ]);
    const activityIds = new Set(activities.map((a) => a.id as string));
    const qaVisits = (await ctx.read('qa-visits')).filter((q) => activityIds.has(q.activityId as string));
    const areas = await ctx.read('admin-areas', {
      adminAreaId: undefined,
      bbox: bboxAround(hazard.geometry as Geometry),
    });
    let history: Array<Record<string, unknown>> = [];
    let historyNote: string | undefined;
    try {
      history = (await hazards.history(ctx.actor, id)) as unknown as Array<Record<string, unknown>>;
    } catch {
      historyNote = ctx.t('outputs.history_not_permitted');
    }
    const sources = await hazards.sources(ctx.actor, id);
    const org = (oid: unknown) =>
      OutputContext.referenceLabel(organisations.get(oid as string)) || ctx.t('outputs.unknown');
    const released$ = (o: string) =>
      round(released.filter((r) => r.outcome === o).reduce((s, r) => s + Number(r.areaM2 ?? 0), 0));
    const blocks: Block[] = [
      {
        kind: 'facts',
        title: ctx.t('outputs.hazard.facts'),
        items: [
          [ctx.t('outputs.col.code'), hazard.code as string],
          [ctx.t('outputs.col.name'), (hazard.name as string | null) ?? ''],
          [ctx.t('outputs.col.type'), ctx.vocab(hazard.type)],
          [ctx.t('outputs.col.status'), ctx.vocab(hazard.status)],
          [ctx.t('outputs.col.organisation'), org(hazard.organisationId)],
          [ctx.t('outputs.col.date_of_information'), (hazard.dateOfInformation as string | null) ?? ''],
          [ctx.t('outputs.col.area_m2'), round(Number(hazard.areaM2 ?? 0)), 'm2'],
          [ctx.t('outputs.col.cancelled_m2'), released$('cancelled'), 'm2'],
          [ctx.t('outputs.col.reduced_m2'), released$('reduced'), 'm2'],
          [ctx.t('outputs.col.cleared_m2'), released$('cleared'), 'm2'],
          [ctx.t('outputs.col.remaining_m2'), round(Number(hazard.remainingAreaM2 ?? 0)), 'm2'],
          [ctx.t('outputs.col.devices'), findings.reduce((s, f) => s + Number(f.quantity ?? 1), 0)],
        ],
      },
      {
        kind: 'map',
        title: ctx.t('outputs.hazard.map'),
        layers: [
          {
            style: 'boundary',
            label: ctx.t('outputs.legend.admin_areas'),
            geometries: areas.map((a) => a.geometry as Geometry),
          },
          {
            style: 'hazard',
            label: ctx.t('outputs.legend.hazard'),
            geometries: [hazard.geometry as Geometry],
          },
          ...(['cancelled', 'reduced', 'cleared'] as const).map((o) => ({
            style: o,
            label: ctx.vocab(o),
            geometries: released.filter((r) => r.outcome === o).map((r) => r.geometry as Geometry),
          })),
          {
            style: 'finding',
            label: ctx.t('outputs.legend.findings'),
            geometries: findings.map((f) => f.geometry as Geometry),
          },
        ],
      },
      {
        kind: 'table',
        title: ctx.t('outputs.hazard.land_release'),
        sheet: ctx.t('outputs.sheet.land_release'),
        columns: [
          { key: 'code', label: ctx.t('outputs.col.code') },
          { key: 'outcome', label: ctx.t('outputs.col.outcome') },
          { key: 'method', label: ctx.t('outputs.col.method') },
          { key: 'releasedOn', label: ctx.t('outputs.col.date') },
          { key: 'areaM2', label: ctx.t('outputs.col.area_m2'), numeric: true, unit: 'm2' },
        ],
        rows: released.map((r) => [
          r.code as string,
          ctx.vocab(r.outcome),
          ctx.vocab(r.method),
          (r.releasedOn as string | null) ?? '',
          round(Number(r.areaM2 ?? 0)),
        ]),
      },
      {
        kind: 'table',
        title: ctx.t('outputs.hazard.activities'),
        sheet: ctx.t('outputs.sheet.activities'),
        columns: [
          { key: 'code', label: ctx.t('outputs.col.code') },
          { key: 'kind', label: ctx.t('outputs.col.kind') },
          { key: 'organisation', label: ctx.t('outputs.col.organisation'), width: 2 },
          { key: 'status', label: ctx.t('outputs.col.status') },
          { key: 'startDate', label: ctx.t('outputs.col.start') },
          { key: 'endDate', label: ctx.t('outputs.col.end') },
        ],
        rows: activities.map((a) => [
          a.code as string,
          ctx.vocab(a.kind),
          org(a.organisationId),
          ctx.vocab(a.status),
          (a.startDate as string | null) ?? '',
          (a.endDate as string | null) ?? '',
        ]),
      },
      {
        kind: 'table',
        title: ctx.t('outputs.hazard.findings'),
        sheet: ctx.t('outputs.sheet.findings'),
        columns: [
          { key: 'category', label: ctx.t('outputs.col.category') },
          { key: 'model', label: ctx.t('outputs.col.model'), width: 1.5 },
          { key: 'disposition', label: ctx.t('outputs.col.disposition'), width: 1.5 },
          { key: 'quantity', label: ctx.t('outputs.col.quantity'), numeric: true },
        ],
        rows: groupFindings(ctx, findings, ordnance),
      },
      {
        kind: 'table',
        title: ctx.t('outputs.hazard.qa'),
        sheet: ctx.t('outputs.sheet.qa'),
        columns: [
          { key: 'code', label: ctx.t('outputs.col.code') },
          { key: 'visitedOn', label: ctx.t('outputs.col.date') },
          { key: 'inspecting', label: ctx.t('outputs.col.inspecting'), width: 2 },
          { key: 'nonConformities', label: ctx.t('outputs.col.non_conformities'), numeric: true },
        ],
        rows: qaVisits.map((q) => [
          q.code as string,
          q.visitedOn as string,
          org(q.inspectingOrganisationId),
          Array.isArray(q.nonConformities) ? q.nonConformities.length : 0,
        ]),
      },
      {
        kind: 'table',
        title: ctx.t('outputs.hazard.history'),
        sheet: ctx.t('outputs.sheet.history'),
        note: historyNote,
        columns: [
          { key: 'at', label: ctx.t('outputs.col.date') },
          { key: 'op', label: ctx.t('outputs.col.change') },
          { key: 'report', label: ctx.t('outputs.col.report') },
          { key: 'fields', label: ctx.t('outputs.col.fields'), width: 3 },
        ],
        rows: history.map(historyRow(ctx)),
      },
      {
        kind: 'table',
        title: ctx.t('outputs.hazard.sources'),
        sheet: ctx.t('outputs.sheet.sources'),
        columns: [
          { key: 'code', label: ctx.t('outputs.col.code') },
          { key: 'title', label: ctx.t('outputs.col.title'), width: 3 },
          { key: 'symbol', label: ctx.t('outputs.col.document_symbol'), width: 1.5 },
          { key: 'publishedOn', label: ctx.t('outputs.col.date') },
        ],
        rows: sources.map((s) => [
          s.code as string,
          s.title as string,
          (s.documentSymbol as string | null) ?? '',
          (s.publishedOn as string | null) ?? '',
        ]),
      },
      {
        kind: 'signatures',
        title: ctx.t('outputs.hazard.signatures'),
        roles: [
          ctx.t('outputs.sign.operator'),
          ctx.t('outputs.sign.authority'),
          ctx.t('outputs.sign.community'),
        ],
        labels: {
          name: ctx.t('outputs.sign.name'),
          date: ctx.t('outputs.sign.date'),
          signature: ctx.t('outputs.sign.signature'),
        },
      },
    ];
    return blocks;
  },
};

/**
 * One history entry as a row: when (UTC), which change, under which report, the fields it
 * changed, each named as the web application names it. Example: `2026-12-07 18:10 · Imported ·
 * RP-000001 · Name, Type, …`.
 */
export const historyRow =
  (ctx: OutputContext) =>
  (h: Record<string, unknown>): Cell[] => {
    const before = (h.before ?? {}) as Record<string, unknown>;
    const after = (h.after ?? {}) as Record<string, unknown>;
    const changed = Object.keys(after).filter(
      (k) =>
        !['version', 'updatedAt', 'updatedBy', 'createdAt', 'createdBy'].includes(k) &&
        JSON.stringify(after[k]) !== JSON.stringify(before[k]),
    );
    const approval = h.approval as { reportCode?: string } | null;
    const action = String(h.action ?? '');
    return [
      String(h.at ?? '')
        .slice(0, 16)
        .replace('T', ' '),
      ctx.tk(`history.${action}`, action),
      approval?.reportCode ?? '',
      changed.map((k) => ctx.fieldLabel(k)).join(', '),
    ];
  };

function groupFindings(
  ctx: { vocab(v: unknown): string },
  findings: Array<Record<string, unknown>>,
  ordnance: Map<string, Record<string, unknown>>,
): Cell[][] {
  const groups = new Map<string, Cell[]>();
  for (const f of findings) {
    const model =
      (f.ordnanceId ? (ordnance.get(f.ordnanceId as string)?.model as string | undefined) : undefined) ??
      (f.modelText as string | null) ??
      '';
    const key = `${f.category}\u0000${model}\u0000${f.disposition}`;
    const row = groups.get(key) ?? [ctx.vocab(f.category), model, ctx.vocab(f.disposition), 0];
    row[3] = (row[3] as number) + Number(f.quantity ?? 1);
    groups.set(key, row);
  }
  return [...groups.values()].sort((a, b) => (b[3] as number) - (a[3] as number));
}

/** A box around a geometry, widened by half its size each way (the admin areas drawn as the map's base). */
function bboxAround(g: Geometry | null): [number, number, number, number] | undefined {
  if (!g) return undefined;
  let box = [Infinity, Infinity, -Infinity, -Infinity];
  const walk = (c: unknown) => {
    if (Array.isArray(c) && typeof c[0] === 'number')
      box = [
        Math.min(box[0]!, c[0]),
        Math.min(box[1]!, c[1] as number),
        Math.max(box[2]!, c[0]),
        Math.max(box[3]!, c[1] as number),
      ];
    else if (Array.isArray(c)) for (const x of c) walk(x);
  };
  walk(g.coordinates);
  const dx = (box[2]! - box[0]!) / 2 + 0.001;
  const dy = (box[3]! - box[1]!) / 2 + 0.001;
  return [box[0]! - dx, box[1]! - dy, box[2]! + dx, box[3]! + dy];
}
