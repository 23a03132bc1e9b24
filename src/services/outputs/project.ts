import type { RecordOut } from '../registers.ts';
import { OutputContext } from './context.ts';
import type { Block, Cell, Column } from './document.ts';
import { round } from './operations-summary.ts';
import type { OutputModule } from './types.ts';

/**
 * What a funded project achieved, as at a date: land released by outcome, devices destroyed and
 * risk education beneficiaries, with the cost per m² released where its funds are recorded.
 * Land released and devices count for the project their activity names (`projectId` of the
 * activity in `activityId`); risk education sessions name their project themselves.
 */

/** Dispositions that count as destroyed. */
const DESTROYED = new Set(['destroyed_in_situ', 'removed_destroyed']);

export interface ProjectFigures {
  id: string;
  code: string;
  name: string;
  periodFrom: string | null;
  periodTo: string | null;
  activities: number;
  releasedM2: { cancelled: number; reduced: number; cleared: number; total: number };
  devicesDestroyed: number;
  riskEducationSessions: number;
  riskEducationBeneficiaries: number;
  funds: { amount: number; currency: string | null } | null;
  /** Funds over the area released (all outcomes); null without funds or without land released. */
  costPerM2: number | null;
  donors: Array<{
    organisationId: string | null;
    name: string;
    amount: number | null;
    currency: string | null;
  }>;
}

/** The figures of every project as at the report's date (only `projectId` when given). */
export async function projectFigures(ctx: OutputContext, projectId?: string): Promise<ProjectFigures[]> {
  const [projects, organisations, activities, released, findings, sessions] = await Promise.all([
    ctx.read('projects'),
    ctx.byId('organisations'),
    ctx.read('activities'),
    ctx.read('land-release'),
    ctx.read('findings'),
    ctx.read('risk-education'),
  ]);
  const chosen = projects.filter((p) => !projectId || p.id === projectId);
  const figures = new Map<string, ProjectFigures>(
    chosen.map((p) => [p.id as string, empty(p, organisations)]),
  );
  const projectOfActivity = new Map<string, string>();
  for (const a of activities) {
    const f = a.projectId ? figures.get(a.projectId as string) : undefined;
    if (!f) continue;
    projectOfActivity.set(a.id as string, f.id);
    f.activities += 1;
  }
  const via = (r: RecordOut) => {
    const p = r.activityId ? projectOfActivity.get(r.activityId as string) : undefined;
    return p ? figures.get(p) : undefined;
  };
  for (const lr of released) {
    const f = via(lr);
    if (!f) continue;
    const outcome = lr.outcome as 'cancelled' | 'reduced' | 'cleared';
    const m2 = Number(lr.areaM2 ?? 0);
    f.releasedM2[outcome] += m2;
    f.releasedM2.total += m2;
  }
  for (const d of findings) {
    const f = via(d);
    if (f && DESTROYED.has(d.disposition as string)) f.devicesDestroyed += Number(d.quantity ?? 1);
  }
  for (const s of sessions) {
    const f = s.projectId ? figures.get(s.projectId as string) : undefined;
    if (!f) continue;
    f.riskEducationSessions += 1;
    f.riskEducationBeneficiaries += Number(s.beneficiariesTotal ?? 0);
  }
  const out = [...figures.values()];
  for (const f of out) {
    f.releasedM2 = {
      cancelled: round(f.releasedM2.cancelled),
      reduced: round(f.releasedM2.reduced),
      cleared: round(f.releasedM2.cleared),
      total: round(f.releasedM2.total),
    };
    f.costPerM2 = f.funds && f.releasedM2.total > 0 ? round(f.funds.amount / f.releasedM2.total) : null;
  }
  return out.sort((a, b) => a.code.localeCompare(b.code));
}

function empty(p: RecordOut, organisations: Map<string, RecordOut>): ProjectFigures {
  const donors = (Array.isArray(p.donors) ? p.donors : []) as Array<Record<string, unknown>>;
  return {
    id: p.id as string,
    code: p.code as string,
    name: p.name as string,
    periodFrom: (p.periodFrom as string | null) ?? null,
    periodTo: (p.periodTo as string | null) ?? null,
    activities: 0,
    releasedM2: { cancelled: 0, reduced: 0, cleared: 0, total: 0 },
    devicesDestroyed: 0,
    riskEducationSessions: 0,
    riskEducationBeneficiaries: 0,
    funds:
      p.fundsAmount === null || p.fundsAmount === undefined
        ? null
        : { amount: Number(p.fundsAmount), currency: (p.fundsCurrency as string | null) ?? null },
    costPerM2: null,
    donors: donors.map((d) => {
      const organisationId = (d.organisationId as string | null | undefined) ?? null;
      const registered = organisationId ? organisations.get(organisationId) : undefined;
      return {
        organisationId,
        name: OutputContext.referenceLabel(registered) || (d.name as string | null) || organisationId || '',
        amount: d.amount === null || d.amount === undefined ? null : Number(d.amount),
        currency: (d.currency as string | null | undefined) ?? null,
      };
    }),
  };
}

export const projectOutput: OutputModule = {
  name: 'project',
  params: ['project'],
  async build(ctx) {
    const projects = await projectFigures(ctx, ctx.params.project);
    const unknown = ctx.t('outputs.unknown');
    const money = (amount: number | null | undefined, currency: string | null | undefined) =>
      amount === null || amount === undefined
        ? unknown
        : `${ctx.formatNumber(amount)} ${currency ?? ''}`.trim();
    const figureColumns: Column[] = [
      { key: 'cancelled', label: ctx.t('outputs.col.cancelled_m2'), numeric: true },
      { key: 'reduced', label: ctx.t('outputs.col.reduced_m2'), numeric: true },
      { key: 'cleared', label: ctx.t('outputs.col.cleared_m2'), numeric: true },
      { key: 'released', label: ctx.t('outputs.col.released_m2'), numeric: true },
      { key: 'destroyed', label: ctx.t('outputs.col.devices_destroyed'), numeric: true },
      { key: 'beneficiaries', label: ctx.t('outputs.col.re_beneficiaries'), numeric: true },
    ];
    const figureCells = (f: ProjectFigures): Cell[] => [
      f.releasedM2.cancelled,
      f.releasedM2.reduced,
      f.releasedM2.cleared,
      f.releasedM2.total,
      f.devicesDestroyed,
      f.riskEducationBeneficiaries,
    ];
    const label = (f: ProjectFigures) => `${f.code} · ${f.name}`;
    const blocks: Block[] = [];
    const single = ctx.params.project ? projects[0] : undefined;
    if (single)
      blocks.push({
        kind: 'facts',
        title: label(single),
        items: [
          [ctx.t('outputs.col.period'), `${single.periodFrom ?? '…'} – ${single.periodTo ?? '…'}`],
          [ctx.t('outputs.col.funds'), money(single.funds?.amount, single.funds?.currency)],
          [ctx.t('outputs.col.activities'), single.activities],
          [ctx.t('outputs.col.released_m2'), single.releasedM2.total],
          [ctx.t('outputs.col.cancelled_m2'), single.releasedM2.cancelled],
          [ctx.t('outputs.col.reduced_m2'), single.releasedM2.reduced],
          [ctx.t('outputs.col.cleared_m2'), single.releasedM2.cleared],
          [ctx.t('outputs.col.devices_destroyed'), single.devicesDestroyed],
          [ctx.t('outputs.col.re_beneficiaries'), single.riskEducationBeneficiaries],
          [
            ctx.t('outputs.col.cost_per_m2'),
            single.costPerM2 === null ? unknown : money(single.costPerM2, single.funds?.currency),
          ],
        ],
      });
    blocks.push({
      kind: 'table',
      title: ctx.t('outputs.project.by_project'),
      sheet: ctx.t('outputs.sheet.by_project'),
      note: ctx.t('outputs.project.note'),
      columns: [
        { key: 'project', label: ctx.t('outputs.col.project'), width: 2.4 },
        { key: 'funds', label: ctx.t('outputs.col.funds'), numeric: true },
        { key: 'currency', label: ctx.t('outputs.col.currency') },
        ...figureColumns,
        { key: 'costPerM2', label: ctx.t('outputs.col.cost_per_m2'), numeric: true },
      ],
      rows: projects.map((f) => [
        label(f),
        f.funds?.amount ?? null,
        f.funds?.currency ?? null,
        ...figureCells(f),
        f.costPerM2,
      ]),
    });
    const donorRows: Cell[][] = [];
    for (const f of projects)
      for (const d of f.donors)
        donorRows.push([d.name || unknown, label(f), d.amount, d.currency, ...figureCells(f)]);
    donorRows.sort(
      (a, b) =>
        String(a[0]).localeCompare(String(b[0]), ctx.locale) || String(a[1]).localeCompare(String(b[1])),
    );
    blocks.push({
      kind: 'table',
      title: ctx.t('outputs.project.by_donor'),
      sheet: ctx.t('outputs.sheet.by_donor'),
      note: ctx.t('outputs.project.donor_note'),
      columns: [
        { key: 'donor', label: ctx.t('outputs.col.donor'), width: 2 },
        { key: 'project', label: ctx.t('outputs.col.project'), width: 2.4 },
        { key: 'contribution', label: ctx.t('outputs.col.contribution'), numeric: true },
        { key: 'currency', label: ctx.t('outputs.col.currency') },
        ...figureColumns,
      ],
      rows: donorRows,
    });
    return blocks;
  },
};
