import type { TSchema } from 'typebox';
import { Problem } from '../../domain/problem.ts';
import {
  adminAreas,
  findings as findingsDef,
  hazards,
  REFERENCE_TARGETS,
  registerBySlug,
  siteVisits,
} from '../../domain/records.ts';
import { OutputContext } from './context.ts';
import type { Block, Cell } from './document.ts';
import { historyRow } from './hazard-completion.ts';
import type { OutputModule } from './types.ts';

/**
 * An evidence dossier of a selection of records (`records=hazards:<id>,accidents:<id>`): each
 * record's fields, its sources with their UN document symbols, its attachments with their
 * SHA-256, and its change history — the annex a letter to the United Nations cites. For a hazard
 * or an admin area, also the provenance of the devices found in it (docs/provenance.md): each
 * device's earliest possible laying date and flags, with the facts and assumptions behind them.
 */
export const evidenceDossier: OutputModule = {
  name: 'evidence-dossier',
  params: ['records'],
  required: ['records'],
  async build(ctx) {
    const blocks: Block[] = [];
    for (const ref of ctx.params.records ?? []) {
      const [slug, id] = ref.split(':') as [string, string];
      const def = registerBySlug(slug);
      if (!def || !id)
        throw new Problem('outputs.record_ref', { value: ref }, { pointer: '/records', field: 'records' });
      const service = ctx.service(slug);
      const record = await service.get(ctx.actor, id, { asAt: ctx.params.asAt });
      const items: Array<[string, Cell]> = [
        [ctx.t('outputs.col.register'), ctx.t(`outputs.register.${slug}`)],
      ];
      const shown = new Set<string>();
      for (const name of [
        'code',
        ...Object.keys(def.fields.properties as Record<string, TSchema>),
        ...Object.keys(def.readOnly),
      ]) {
        if (name === 'identity' || name === 'externalId' || (name === 'code' && shown.has('code'))) continue;
        const v = record[name];
        if (v === undefined || v === null || v === '') continue;
        shown.add(name);
        // An area in square metres says so: `areaM2` → "Area, m²".
        const label = name.endsWith('M2')
          ? ctx.t('outputs.field_m2', { field: ctx.fieldLabel(name) })
          : ctx.fieldLabel(name);
        items.push([label, await readable(ctx, name, v)]);
      }
      blocks.push({ kind: 'facts', title: `${(record.code as string | undefined) ?? id}`, items });
      const sources = await service.sources(ctx.actor, id);
      blocks.push({
        kind: 'table',
        title: ctx.t('outputs.dossier.sources', { code: (record.code as string) ?? id }),
        sheet: `${(record.code as string) ?? slug} ${ctx.t('outputs.sheet.sources')}`.slice(0, 31),
        columns: [
          { key: 'code', label: ctx.t('outputs.col.code') },
          { key: 'title', label: ctx.t('outputs.col.title'), width: 2.5 },
          { key: 'issuingBody', label: ctx.t('outputs.col.issuing_body'), width: 1.5 },
          { key: 'symbol', label: ctx.t('outputs.col.document_symbol'), width: 1.5 },
          { key: 'publishedOn', label: ctx.t('outputs.col.date') },
          { key: 'url', label: ctx.t('outputs.col.url'), width: 2 },
        ],
        rows: sources.map((s) => [
          s.code as string,
          s.title as string,
          (s.issuingBody as string | null) ?? '',
          (s.documentSymbol as string | null) ?? '',
          (s.publishedOn as string | null) ?? '',
          (s.url as string | null) ?? '',
        ]),
      });
      const attachments = ctx.attachments ? await ctx.attachments.list(ctx.actor, slug, id, ctx.locale) : [];
      blocks.push({
        kind: 'table',
        title: ctx.t('outputs.dossier.attachments', { code: (record.code as string) ?? id }),
        sheet: `${(record.code as string) ?? slug} ${ctx.t('outputs.sheet.attachments')}`.slice(0, 31),
        note: attachments.length ? ctx.t('outputs.dossier.attachments_note') : undefined,
        columns: [
          { key: 'filename', label: ctx.t('outputs.col.filename'), width: 2 },
          { key: 'sizeBytes', label: ctx.t('outputs.col.size_bytes'), numeric: true },
          { key: 'sha256', label: 'SHA-256', width: 4 },
          { key: 'taken', label: ctx.t('outputs.col.taken'), width: 1.5 },
          { key: 'position', label: ctx.t('outputs.col.position'), width: 1.5 },
          { key: 'distanceM', label: ctx.t('outputs.col.distance_m'), numeric: true },
          { key: 'days', label: ctx.t('outputs.col.days_apart'), numeric: true },
          { key: 'check', label: ctx.t('outputs.col.check'), width: 4 },
        ],
        rows: attachments.map((a) => attachmentRow(a)),
      });
      let history: Array<Record<string, unknown>> = [];
      let note: string | undefined;
      try {
        history = ((await service.history(ctx.actor, id)) as unknown as Array<Record<string, unknown>>)
          // Its changes: who read a casualty's identity is for the audit log, not for a dossier.
          .filter((h) => h.action !== 'read_identity');
      } catch {
        note = ctx.t('outputs.history_not_permitted');
      }
      blocks.push({
        kind: 'table',
        title: ctx.t('outputs.dossier.history', { code: (record.code as string) ?? id }),
        sheet: `${(record.code as string) ?? slug} ${ctx.t('outputs.sheet.history')}`.slice(0, 31),
        note,
        columns: [
          { key: 'at', label: ctx.t('outputs.col.date') },
          { key: 'op', label: ctx.t('outputs.col.change') },
          { key: 'report', label: ctx.t('outputs.col.report') },
          { key: 'fields', label: ctx.t('outputs.col.fields'), width: 3 },
        ],
        rows: history.map(historyRow(ctx)),
      });
      if (slug === hazards.slug) blocks.push(await siteVisitsBlock(ctx, id, record));
      if (slug === hazards.slug || slug === adminAreas.slug)
        blocks.push(
          ...(await provenanceBlocks(
            ctx,
            slug === hazards.slug ? { hazard: id } : { adminArea: id },
            record,
          )),
        );
    }
    return blocks;
  },
};

/**
 * The site visits to a hazard as at the report's date (docs/evidence.md): who visited, when,
 * which findings they were shown, and how many files are attached to each visit.
 */
async function siteVisitsBlock(
  ctx: OutputContext,
  hazardId: string,
  record: Record<string, unknown>,
): Promise<Block> {
  const code = (record.code as string | undefined) ?? hazardId;
  const visits = (await ctx.read(siteVisits.slug)).filter((v) =>
    ((v.hazardIds as string[] | null) ?? []).includes(hazardId),
  );
  const found = visits.some((v) => ((v.findingIds as string[] | null) ?? []).length)
    ? await ctx.byId(findingsDef.slug)
    : new Map<string, Record<string, unknown>>();
  const rows: Cell[][] = [];
  for (const v of [...visits].sort((a, b) => String(a.visitedOn).localeCompare(String(b.visitedOn)))) {
    const visitors = ((v.visitors as Array<Record<string, string | null>> | null) ?? [])
      .map((p) => {
        const extra = [p.role, p.organisation].filter(Boolean).join(', ');
        return `${p.name ?? ctx.t('outputs.unknown')}${extra ? ` (${extra})` : ''}`;
      })
      .join(ctx.separator);
    const shown = ((v.findingIds as string[] | null) ?? [])
      .map((f) => (found.get(f)?.code as string | undefined) ?? f)
      .join(', ');
    const files = ctx.attachments
      ? (await ctx.attachments.list(ctx.actor, siteVisits.slug, v.id as string)).length
      : 0;
    rows.push([v.code as string, String(v.visitedOn ?? ''), v.title as string, visitors, shown, files]);
  }
  return {
    kind: 'table',
    title: ctx.t('outputs.dossier.site_visits', { code }),
    sheet: `${code} ${ctx.t('outputs.sheet.site_visits')}`.slice(0, 31),
    columns: [
      { key: 'code', label: ctx.t('outputs.col.code') },
      { key: 'visitedOn', label: ctx.t('outputs.col.date') },
      { key: 'title', label: ctx.t('outputs.col.title'), width: 2 },
      { key: 'visitors', label: ctx.t('outputs.col.visitors'), width: 3 },
      { key: 'findingsShown', label: ctx.t('outputs.col.findings_shown'), width: 2 },
      { key: 'attachments', label: ctx.t('outputs.col.attachments'), numeric: true },
    ],
    rows,
  };
}

/**
 * The provenance section of a hazard or admin area: the method, then one row per flag raised on
 * a device found there (a device with no flag has one row saying so), with the flag's sentence,
 * its facts and the assumptions it rests on — as `/api/v1/provenance` gives them, as at the
 * report's date.
 */
async function provenanceBlocks(
  ctx: OutputContext,
  place: { hazard?: string; adminArea?: string },
  record: Record<string, unknown>,
): Promise<Block[]> {
  if (!ctx.provenance) return [];
  const code =
    (record.code as string | undefined) ?? (record.pcode as string | undefined) ?? String(record.id);
  const p = await ctx.provenance.provenance(ctx.actor, { ...place, asAt: ctx.params.asAt }, ctx.locale);
  const rows: Cell[][] = [];
  for (const f of p.findings) {
    const made = f.yearOfManufacture === null ? '' : String(f.yearOfManufacture);
    const lead: Cell[] = [
      f.code,
      f.model ?? ctx.t('outputs.unknown'),
      made,
      f.lot ?? '',
      f.earliestLayingDate ?? '',
    ];
    if (!f.flags.length) rows.push([...lead, ctx.t('outputs.dossier.no_flag'), '', '']);
    for (const flag of f.flags)
      rows.push([
        ...lead,
        flag.message,
        Object.entries(flag.facts)
          .filter(([, v]) => v !== null && v !== '')
          .map(([k, v]) => `${ctx.tk(`provenance.fact.${k}`, k)}: ${factValue(ctx, k, v)}`)
          .join(ctx.separator),
        flag.assumptionTexts.join(' '),
      ]);
  }
  return [
    { kind: 'text', title: ctx.t('outputs.dossier.provenance', { code }), text: p.method },
    {
      kind: 'table',
      title: ctx.t('outputs.dossier.provenance_flags', { code }),
      sheet: `${code} ${ctx.t('outputs.sheet.provenance')}`.slice(0, 31),
      note: ctx.t('outputs.dossier.provenance_note', { findings: p.findings.length }),
      columns: [
        { key: 'finding', label: ctx.t('outputs.col.finding') },
        { key: 'model', label: ctx.t('outputs.col.model') },
        { key: 'yearOfManufacture', label: ctx.t('outputs.col.year_of_manufacture') },
        { key: 'lot', label: ctx.t('outputs.col.lot') },
        { key: 'earliestLayingDate', label: ctx.t('outputs.col.earliest_laying_date') },
        { key: 'flag', label: ctx.t('outputs.col.flag'), width: 3 },
        { key: 'facts', label: ctx.t('outputs.col.facts'), width: 2.5 },
        { key: 'assumptions', label: ctx.t('outputs.col.assumptions'), width: 3 },
      ],
      rows,
    },
  ];
}

/** A fact's value as people read it: the basis of a bound by its name, a kind by its label. */
function factValue(ctx: OutputContext, key: string, v: unknown): string {
  if (key === 'basis') return ctx.tk(`provenance.basis.${String(v)}`, String(v));
  if (key === 'kind') return ctx.vocab(v);
  return typeof v === 'number' ? ctx.formatNumber(v) : String(v);
}

/** One attached file: its hash, what its metadata says (time, position) and the check against the record. */
function attachmentRow(a: {
  filename: unknown;
  sizeBytes: unknown;
  sha256: unknown;
  metadata: unknown;
  evidence: { distanceM: number | null; days: number | null; findings: Array<{ message: string }> } | null;
}): Cell[] {
  const m = a.metadata as {
    takenLocal?: string | null;
    takenOffset?: string | null;
    position?: { coordinates: [number, number] } | null;
  } | null;
  const taken = m?.takenLocal ? `${m.takenLocal}${m.takenOffset ?? ''}` : '';
  const position = m?.position ? latLon(m.position) : '';
  return [
    a.filename as string,
    Number(a.sizeBytes),
    a.sha256 as string,
    taken,
    position,
    a.evidence?.distanceM ?? '',
    a.evidence?.days ?? '',
    (a.evidence?.findings ?? []).map((f) => f.message).join(' '),
  ];
}

/** A point as `lat, lon` to six decimals (about 0.1 m), as the attachments' positions are written. */
function latLon(p: { coordinates: [number, number] | number[] }): string {
  return `${p.coordinates[1]!.toFixed(6)}, ${p.coordinates[0]!.toFixed(6)}`;
}

/**
 * One part of an item of a structured list as people read it: a code-list value by its label, a
 * point by its coordinates, a number in the report's language. Example: a hazard's evidence
 * `{type: 'fighting_position', location: Point}` → "Fighting position; 40.180000, 44.510000".
 */
function partText(ctx: OutputContext, p: unknown): string {
  if (typeof p === 'number') return ctx.formatNumber(p);
  if (typeof p === 'string') return ctx.tk(`vocab.${p}`, p);
  const point = p as { type?: string; coordinates?: number[] };
  if (point?.type === 'Point' && Array.isArray(point.coordinates))
    return latLon(point as { coordinates: number[] });
  return JSON.stringify(p);
}

/** Fields holding lists of record ids, and the register they name (shown by code and name). */
const ID_LISTS: Record<string, string> = {
  hazardIds: hazards.slug,
  findingIds: findingsDef.slug,
  adminAreaIds: adminAreas.slug,
};

/** A field's value as people read it: references by name and code, code lists by label, lists joined. */
async function readable(ctx: OutputContext, name: string, v: unknown): Promise<Cell> {
  const target = REFERENCE_TARGETS[name];
  if (target && typeof v === 'string') {
    const r = (await ctx.byId(target.slug)).get(v);
    return r ? `${OutputContext.referenceLabel(r)} [${v}]` : v;
  }
  if (typeof v === 'number') return v;
  const listTarget = ID_LISTS[name];
  if (listTarget && Array.isArray(v)) {
    const byId = await ctx.byId(listTarget);
    return v
      .map((x) => {
        const r = byId.get(String(x));
        return r ? OutputContext.referenceLabel(r) : String(x);
      })
      .join(ctx.separator);
  }
  if (Array.isArray(v))
    return v
      .map((x) =>
        typeof x === 'string'
          ? ctx.vocab(x)
          : x && typeof x === 'object'
            ? Object.values(x as Record<string, unknown>)
                .filter((p) => p !== null && p !== undefined && p !== '')
                .map((p) => partText(ctx, p))
                .join(' — ')
            : JSON.stringify(x),
      )
      .join(ctx.separator);
  if (typeof v === 'object')
    return (v as { type?: string }).type
      ? ctx.t('outputs.geometry', { type: (v as { type: string }).type })
      : JSON.stringify(v);
  if (typeof v === 'string' && ctx.t(`vocab.${v}`) !== `vocab.${v}`) return ctx.vocab(v);
  return String(v);
}
