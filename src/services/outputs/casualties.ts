import * as V from '../../domain/vocabularies.ts';
import type { RecordOut } from '../registers.ts';
import { type Block, type Cell, type Column, totalsRow } from './document.ts';
import type { OutputModule } from './types.ts';

/**
 * Casualties of accidents in the period in the Landmine Monitor's categories: killed and
 * injured (and "unknown" outcome) by civilian/military/deminer status, sex, age group
 * (child under 18, adult, age unknown) and device type. "Unknown" is a column and a row of its
 * own everywhere, never left out or spread over the others.
 */

const CHILD_BANDS = new Set(['0-4', '5-12', '13-17']);
const ADULT_BANDS = new Set(['18-59', '60+']);

function ageGroup(c: RecordOut): 'child' | 'adult' | 'unknown' {
  const band = c.ageBand as string | undefined;
  if (typeof c.age === 'number') return c.age < 18 ? 'child' : 'adult';
  if (band && CHILD_BANDS.has(band)) return 'child';
  if (band && ADULT_BANDS.has(band)) return 'adult';
  return 'unknown';
}

export const casualtyTable: OutputModule = {
  name: 'casualties',
  params: ['from', 'to', 'area'],
  async build(ctx) {
    const accidents = await ctx.read('accidents', { ...ctx.period(), ...ctx.area() });
    const byId = new Map(accidents.map((a) => [a.id as string, a]));
    const casualties = (await ctx.read('casualties')).filter((c) => byId.has(c.accidentId as string));
    const outcomes = V.CASUALTY_OUTCOMES;
    const cols = (first: string): Column[] => [
      { key: 'group', label: first, width: 2 },
      ...outcomes.map((o) => ({ key: o, label: ctx.vocab(o), numeric: true })),
      { key: 'total', label: ctx.t('outputs.total'), numeric: true },
    ];
    const table = (
      title: string,
      sheet: string,
      first: string,
      values: readonly string[],
      of: (c: RecordOut) => string,
      label: (v: string) => string,
    ): Block => {
      const columns = cols(first);
      const rows: Cell[][] = values.map((v) => {
        const mine = casualties.filter((c) => of(c) === v);
        return [
          label(v),
          ...outcomes.map((o) => mine.filter((c) => (c.outcome ?? 'unknown') === o).length),
          mine.length,
        ];
      });
      return {
        kind: 'table',
        title,
        sheet,
        columns,
        rows,
        totals: totalsRow(columns, rows, ctx.t('outputs.total')),
      };
    };
    const deviceOf = (c: RecordOut) =>
      (byId.get(c.accidentId as string)?.deviceCategory as string | undefined) ?? 'unknown';
    return [
      {
        kind: 'facts',
        title: ctx.t('outputs.casualties.headline'),
        items: [
          [ctx.t('outputs.col.accidents'), accidents.length],
          [ctx.t('outputs.col.casualties'), casualties.length],
          [ctx.vocab('killed'), casualties.filter((c) => c.outcome === 'killed').length],
          [ctx.vocab('injured'), casualties.filter((c) => c.outcome === 'injured').length],
          [
            ctx.t('outputs.casualties.outcome_unknown'),
            casualties.filter((c) => (c.outcome ?? 'unknown') === 'unknown').length,
          ],
        ],
      },
      table(
        ctx.t('outputs.casualties.by_status'),
        ctx.t('outputs.sheet.by_status'),
        ctx.t('outputs.col.status'),
        V.CASUALTY_STATUSES,
        (c) => (c.casualtyStatus as string) ?? 'unknown',
        (v) => ctx.vocab(v),
      ),
      table(
        ctx.t('outputs.casualties.by_sex'),
        ctx.t('outputs.sheet.by_sex'),
        ctx.t('outputs.col.sex'),
        V.SEXES,
        (c) => (c.sex as string) ?? 'unknown',
        (v) => ctx.vocab(v),
      ),
      table(
        ctx.t('outputs.casualties.by_age'),
        ctx.t('outputs.sheet.by_age'),
        ctx.t('outputs.col.age_group'),
        ['child', 'adult', 'unknown'],
        ageGroup,
        (v) => ctx.t(`outputs.age.${v}`),
      ),
      table(
        ctx.t('outputs.casualties.by_device'),
        ctx.t('outputs.sheet.by_device'),
        ctx.t('outputs.col.device_type'),
        V.DEVICE_CATEGORIES,
        deviceOf,
        (v) => ctx.vocab(v),
      ),
    ];
  },
};
