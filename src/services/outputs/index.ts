import { createHash } from 'node:crypto';
import type { Database } from '../../db/connect.ts';
import * as repo from '../../db/repositories/outputs.ts';
import type { Json } from '../../db/schema.ts';
import { Problem } from '../../domain/problem.ts';
import { minefieldRecords } from '../../domain/records.ts';
import { withOthers } from '../../domain/schema-check.ts';
import { t } from '../../i18n/catalogue.ts';
import { type Actor, assertCan } from '../actor.ts';
import type { AttachmentService } from '../attachments.ts';
import { isUuid } from '../list-query.ts';
import { MinefieldRecordService } from '../minefield-records.ts';
import type { TaskingService } from '../planning/board.ts';
import type { PlanningService } from '../planning/index.ts';
import { ProvenanceService } from '../provenance.ts';
import type { RegisterService } from '../registers.ts';
import { casualtyTable } from './casualties.ts';
import { OutputContext } from './context.ts';
import { contentHash, type OutputDocument, type OutputParams, type Provenance } from './document.ts';
import { evidenceDossier } from './evidence-dossier.ts';
import { hazardCompletion } from './hazard-completion.ts';
import { operationsSummary } from './operations-summary.ts';
import { prioritiesTable, readinessTable, taskOrdersTable } from './planning.ts';
import { type ProjectFigures, projectFigures, projectOutput } from './project.ts';
import { renderPdf } from './render/pdf.ts';
import { renderCsv, renderXlsx } from './render/tables.ts';
import { article7, ccw } from './treaty.ts';
import type { OutputModule, OutputParamName } from './types.ts';

export type { OutputDocument, OutputParams } from './document.ts';

/** The standard reports, in the order the Outputs page lists them. Add a module here to add one. */
export const OUTPUTS: readonly OutputModule[] = [
  operationsSummary,
  hazardCompletion,
  article7,
  ccw,
  casualtyTable,
  evidenceDossier,
  projectOutput,
  readinessTable,
  prioritiesTable,
  taskOrdersTable,
];

export const OUTPUT_FORMATS = ['pdf', 'xlsx', 'csv', 'json'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export const PERIOD_RULES = [
  'none',
  'last_month',
  'last_quarter',
  'last_year',
  'month_to_date',
  'year_to_date',
] as const;
export type PeriodRule = (typeof PERIOD_RULES)[number];

const MEDIA: Record<OutputFormat, string> = {
  pdf: 'application/pdf',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
  json: 'application/json',
};

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function outputModule(name: string): OutputModule {
  const m = OUTPUTS.find((o) => o.name === name);
  if (!m)
    throw new Problem(
      'outputs.output_unknown',
      { name, outputs: OUTPUTS.map((o) => o.name).join(', ') },
      { pointer: '/name', field: 'name' },
    );
  return m;
}

export function outputFormat(format: string): OutputFormat {
  if (!(OUTPUT_FORMATS as readonly string[]).includes(format))
    throw new Problem(
      'outputs.format_unknown',
      { format, formats: OUTPUT_FORMATS.join(', ') },
      { pointer: '/format', field: 'format' },
    );
  return format as OutputFormat;
}

function validDate(s: string): boolean {
  if (!DATE.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** Today's date (UTC), the as-at date when none is given. */
export function today(): string {
  return new Date().toISOString().slice(0, 10);
}

/**
 * The parameters of a report from a query string or the CLI's options, checked: dates as
 * YYYY-MM-DD, ids as UUIDs, `records` as `register:id` pairs; those the report needs present.
 * Example: `parseOutputParams('operations-summary', { asAt: '2025-12-31', from: '2025-12-01', to: '2025-12-31' })`.
 */
export function parseOutputParams(
  name: string,
  q: Record<string, string | number | string[] | undefined>,
): OutputParams {
  const m = outputModule(name);
  const problems: Problem[] = [];
  const where = (field: string) => ({ pointer: `/${field}`, field });
  const str = (k: string) => {
    const v = q[k];
    return v === undefined || v === '' ? undefined : Array.isArray(v) ? v.join(',') : String(v);
  };
  const asAt = str('asAt') ?? today();
  if (!validDate(asAt))
    problems.push(
      new Problem('validation.format', { field: 'asAt', value: asAt, format: 'date' }, where('asAt')),
    );
  const out: OutputParams = { asAt };
  const allowed = new Set<OutputParamName>(m.params);
  for (const k of ['from', 'to'] as const) {
    const v = str(k);
    if (v === undefined || !allowed.has(k)) continue;
    if (!validDate(v))
      problems.push(new Problem('validation.format', { field: k, value: v, format: 'date' }, where(k)));
    else out[k] = v;
  }
  for (const k of ['area', 'organisation', 'hazard', 'project'] as const) {
    const v = str(k);
    if (v === undefined || !allowed.has(k)) continue;
    if (!isUuid(v))
      problems.push(new Problem('validation.format', { field: k, value: v, format: 'uuid' }, where(k)));
    else out[k] = v;
  }
  const level = str('level');
  if (level !== undefined && allowed.has('level')) {
    const n = Number(level);
    if (!Number.isInteger(n) || n < 0 || n > 5)
      problems.push(
        new Problem(
          'validation.range',
          { field: 'level', value: level, rule: 'between', limit: '0–5' },
          where('level'),
        ),
      );
    else out.level = n;
  }
  const records = str('records');
  if (records !== undefined && allowed.has('records')) {
    out.records = records
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    for (const r of out.records) {
      const [slug, id] = r.split(':');
      if (!slug || !id || !isUuid(id))
        problems.push(new Problem('outputs.record_ref', { value: r }, where('records')));
    }
  }
  if (out.from && out.to && out.from > out.to)
    problems.push(
      new Problem(
        'validation.range',
        { field: 'from', value: out.from, rule: 'max', limit: out.to },
        where('from'),
      ),
    );
  for (const k of m.required ?? []) {
    if (out[k] === undefined) problems.push(new Problem('validation.required', { field: k }, where(k)));
  }
  if (problems.length) throw withOthers(problems);
  return out;
}

/**
 * The period a rule gives on a day: `last_month` on 2026-03-14 → 2026-02-01 … 2026-02-28, as at
 * its last day (so a file made from a saved definition can be made again, identical, later).
 */
export function periodOf(rule: PeriodRule, on: string): { from?: string; to?: string; asAt: string } {
  const d = new Date(`${on}T00:00:00Z`);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const iso = (date: Date) => date.toISOString().slice(0, 10);
  const day = (yy: number, mm: number, dd: number) => new Date(Date.UTC(yy, mm, dd));
  switch (rule) {
    case 'last_month':
      return { from: iso(day(y, m - 1, 1)), to: iso(day(y, m, 0)), asAt: iso(day(y, m, 0)) };
    case 'last_quarter': {
      const q = Math.floor(m / 3);
      return { from: iso(day(y, (q - 1) * 3, 1)), to: iso(day(y, q * 3, 0)), asAt: iso(day(y, q * 3, 0)) };
    }
    case 'last_year':
      return { from: `${y - 1}-01-01`, to: `${y - 1}-12-31`, asAt: `${y - 1}-12-31` };
    case 'month_to_date':
      return { from: iso(day(y, m, 1)), to: on, asAt: on };
    case 'year_to_date':
      return { from: `${y}-01-01`, to: on, asAt: on };
    default:
      return { asAt: on };
  }
}

export interface GeneratedFile {
  bytes: Uint8Array;
  mediaType: string;
  filename: string;
  /** SHA-256 of the report's content (document.ts contentHash). */
  contentSha256: string;
  /** SHA-256 of the file's bytes. */
  fileSha256: string;
  document: OutputDocument;
  provenance: Provenance;
}

export class OutputService {
  constructor(
    private readonly database: Database,
    private readonly registers: ReadonlyMap<string, RegisterService>,
    private readonly attachments?: AttachmentService,
    private readonly planning?: { planning: PlanningService; tasking: TaskingService },
  ) {}

  /** The standard reports with the parameters each takes. */
  list(locale: string) {
    return OUTPUTS.map((m) => ({
      name: m.name,
      title: t(`outputs.name.${m.name}`, {}, locale),
      description: t(`outputs.description.${m.name}`, {}, locale),
      params: ['asAt', ...m.params],
      required: m.required ?? [],
      formats: [...OUTPUT_FORMATS],
    }));
  }

  /** The report as a document (what every format draws). */
  async build(actor: Actor, name: string, params: OutputParams, locale: string): Promise<OutputDocument> {
    assertCan(actor, 'data.export');
    const m = outputModule(name);
    const minefield = this.registers.get(minefieldRecords.slug);
    const provenance = minefield
      ? new ProvenanceService(this.registers, new MinefieldRecordService(this.database, minefield))
      : undefined;
    const ctx = new OutputContext(
      actor,
      locale,
      params,
      this.registers,
      this.attachments,
      provenance,
      this.planning,
    );
    const blocks = await m.build(ctx);
    return {
      output: m.name,
      locale,
      title: ctx.t(`outputs.name.${m.name}`),
      params,
      filters: await this.filterLabels(ctx),
      blocks,
    };
  }

  /**
   * One project's figures as at a date (the `project` output's figures as data): 404 when the
   * project does not exist (as at that date).
   */
  async projectSummary(
    actor: Actor,
    id: string,
    asAt: string = today(),
    locale = 'en',
  ): Promise<{ asAt: string } & ProjectFigures> {
    assertCan(actor, 'record.read');
    const ctx = new OutputContext(actor, locale, { asAt }, this.registers, this.attachments);
    const [figures] = await projectFigures(ctx, id);
    if (!figures) throw new Problem('record.not_found', { entity: 'project', id }, { pointer: '' });
    return { asAt, ...figures };
  }

  /** The report in a format, with its content hash and provenance. */
  async generate(
    actor: Actor,
    name: string,
    params: OutputParams,
    format: OutputFormat,
    locale: string,
  ): Promise<GeneratedFile> {
    const document = await this.build(actor, name, params, locale);
    const hash = contentHash(document);
    const provenance: Provenance = { generatedBy: actor.email, generatedAt: new Date().toISOString() };
    let bytes: Uint8Array;
    switch (format) {
      case 'pdf':
        bytes = await renderPdf(document, hash, provenance);
        break;
      case 'xlsx':
        bytes = await renderXlsx(document, hash, provenance);
        break;
      case 'csv':
        bytes = renderCsv(document, hash, provenance);
        break;
      case 'json':
        bytes = new TextEncoder().encode(JSON.stringify({ document, contentSha256: hash, provenance }));
        break;
    }
    const ext = format === 'json' ? 'json' : format;
    return {
      bytes,
      mediaType: MEDIA[format],
      filename: `${name}-${params.asAt}.${ext}`,
      contentSha256: hash,
      fileSha256: createHash('sha256').update(bytes).digest('hex'),
      document,
      provenance,
    };
  }

  private async filterLabels(ctx: OutputContext): Promise<Array<[string, string]>> {
    const p = ctx.params;
    const out: Array<[string, string]> = [];
    if (p.from || p.to) out.push([ctx.t('outputs.filter.period'), `${p.from ?? '…'} – ${p.to ?? '…'}`]);
    const label = async (slug: string, id: string) => {
      try {
        return `${OutputContext.referenceLabel(await ctx.service(slug).get(ctx.actor, id))} [${id}]`;
      } catch {
        return id;
      }
    };
    if (p.area) out.push([ctx.t('outputs.filter.area'), await label('admin-areas', p.area)]);
    if (p.organisation)
      out.push([ctx.t('outputs.filter.organisation'), await label('organisations', p.organisation)]);
    if (p.level !== undefined) out.push([ctx.t('outputs.filter.level'), String(p.level)]);
    if (p.hazard) out.push([ctx.t('outputs.filter.hazard'), await label('hazards', p.hazard)]);
    if (p.records) out.push([ctx.t('outputs.filter.records'), p.records.join(', ')]);
    if (p.project) out.push([ctx.t('outputs.filter.project'), await label('projects', p.project)]);
    return out;
  }

  // Saved definitions and generated files

  async saveDefinition(
    actor: Actor,
    body: {
      name: string;
      output: string;
      params?: Record<string, string | number | string[] | undefined>;
      periodRule?: string;
      locale?: string;
    },
  ) {
    assertCan(actor, 'output.save');
    const periodRule = (body.periodRule ?? 'none') as PeriodRule;
    if (!(PERIOD_RULES as readonly string[]).includes(periodRule))
      throw new Problem(
        'outputs.period_rule',
        { value: periodRule, rules: PERIOD_RULES.join(', ') },
        { pointer: '/periodRule', field: 'periodRule' },
      );
    const params = parseOutputParams(body.output, { ...body.params, asAt: today() });
    const { asAt: _a, ...kept } = params;
    if (periodRule !== 'none') {
      delete kept.from;
      delete kept.to;
    }
    return repo.insertDefinition(this.database.db, {
      name: body.name.trim(),
      output: body.output,
      params: kept as unknown as Json,
      periodRule,
      locale: body.locale ?? 'en',
      createdBy: actor.id,
    });
  }

  async definitions(actor: Actor) {
    assertCan(actor, 'data.export');
    return repo.listDefinitions(this.database.db);
  }

  async removeDefinition(actor: Actor, id: string): Promise<void> {
    assertCan(actor, 'output.save');
    if (!(await repo.archiveDefinition(this.database.db, id)))
      throw new Problem('record.not_found', { entity: 'output_definition', id }, { pointer: '' });
  }

  /**
   * Generates a saved definition on a day (its period rule resolved on it; default today) and
   * keeps the file with its content and file hashes.
   */
  async generateSaved(actor: Actor, id: string, format: OutputFormat, on: string = today()) {
    assertCan(actor, 'output.save');
    const def = await repo.getDefinition(this.database.db, id);
    if (!def) throw new Problem('record.not_found', { entity: 'output_definition', id }, { pointer: '' });
    const period = periodOf(def.periodRule as PeriodRule, on);
    const params = parseOutputParams(def.output, { ...(def.params as Record<string, string>), ...period });
    return this.keep(actor, def.id, def.output, params, format, def.locale);
  }

  /** Generates a report and keeps the file (from a saved definition or not). */
  async keep(
    actor: Actor,
    definitionId: string | null,
    name: string,
    params: OutputParams,
    format: OutputFormat,
    locale: string,
  ) {
    assertCan(actor, 'output.save');
    const file = await this.generate(actor, name, params, format, locale);
    const row = await repo.insertGenerated(this.database.db, {
      definitionId,
      output: name,
      params: params as unknown as Json,
      format,
      locale,
      contentSha256: file.contentSha256,
      fileSha256: file.fileSha256,
      content: file.bytes,
      generatedBy: actor.id,
    });
    return {
      id: row.id,
      generatedAt: row.generatedAt,
      output: name,
      params,
      format,
      locale,
      contentSha256: file.contentSha256,
      fileSha256: file.fileSha256,
      sizeBytes: file.bytes.byteLength,
    };
  }

  async generated(actor: Actor, opts: { definitionId?: string; limit?: number } = {}) {
    assertCan(actor, 'data.export');
    return (
      await repo.listGenerated(this.database.db, {
        definitionId: opts.definitionId,
        limit: opts.limit ?? 100,
      })
    ).map((r) => ({
      ...r,
      sizeBytes: Number(r.sizeBytes),
    }));
  }

  /** A kept file as it was generated. */
  async generatedFile(actor: Actor, id: string) {
    assertCan(actor, 'data.export');
    const row = await repo.getGenerated(this.database.db, id);
    if (!row) throw new Problem('record.not_found', { entity: 'generated_output', id }, { pointer: '' });
    const ext = row.format;
    return {
      row,
      bytes: new Uint8Array(row.content),
      mediaType: MEDIA[row.format as OutputFormat],
      filename: `${row.output}-${(row.params as { asAt?: string }).asAt ?? ''}.${ext}`,
    };
  }

  /**
   * Makes a kept file's report again with the same parameters and language and compares: the
   * same content hash means the figures, rows and texts are unchanged.
   */
  async compare(actor: Actor, id: string) {
    const { row } = await this.generatedFile(actor, id);
    const params = row.params as unknown as OutputParams;
    const document = await this.build(actor, row.output, params, row.locale);
    const now = contentHash(document);
    return {
      id: row.id,
      output: row.output,
      params,
      keptContentSha256: row.contentSha256,
      currentContentSha256: now,
      identical: now === row.contentSha256,
    };
  }
}
