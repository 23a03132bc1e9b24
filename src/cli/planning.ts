import type { Command } from 'commander';
import type { Settings } from '../config.ts';
import { t } from '../i18n/catalogue.ts';
import { SYSTEM_ACTOR } from '../services/actor.ts';
import { createServices } from '../services/index.ts';
import { PlanningService } from '../services/planning/index.ts';
import { withDatabase } from './context.ts';
import { helpLocale } from './help-locale.ts';

/** Columns padded to their widest cell, numbers right-aligned: a table for a terminal. */
export function formatTable(header: string[], rows: Array<Array<string | number>>): string {
  const cells = [header, ...rows.map((r) => r.map((c) => String(c)))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number'));
  return cells
    .map((r) =>
      r
        .map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

const VERSION = /^[1-9]\d{0,5}$/;

function planningOptions(cmd: Command): Command {
  return cmd
    .option('--as-at <date>', t('cli.help.planning.as_at', {}, helpLocale))
    .option('--version <n>', t('cli.help.planning.version', {}, helpLocale))
    .option('--json', t('cli.help.planning.json', {}, helpLocale));
}

interface PlanningOpts {
  asAt?: string;
  version?: string;
  json?: boolean;
}

const query = (o: PlanningOpts, locale: string) => ({
  asAt: o.asAt,
  version: o.version !== undefined && VERSION.test(o.version) ? Number(o.version) : undefined,
  locale,
});

export function registerPlanningCommands(program: Command, settings: Settings): void {
  const locale = settings.locale;
  planningOptions(program.command('readiness').description(t('cli.help.readiness', {}, helpLocale)))
    .option('--settlement <id>', t('cli.help.planning.settlement', {}, helpLocale))
    .action(async (o: PlanningOpts & { settlement?: string }) => {
      const out = await withDatabase(
        settings,
        async (database) =>
          new PlanningService(database).readiness(SYSTEM_ACTOR, {
            ...query(o, locale),
            settlementId: o.settlement,
          }),
        { quiet: o.json },
      );
      if (o.json) return console.log(JSON.stringify(out, null, 2));
      console.log(t('cli.planning.readiness.title', { asAt: out.asAt, version: out.rules.version }, locale));
      console.log(
        formatTable(
          ['settlement', 'level', '0-band', 'band 2+', 'displaced', 'accidents', 'RE', 'rule'].map((c) =>
            t(`cli.planning.readiness.column.${c}`, {}, locale),
          ),
          out.items.map((i) => [
            i.settlement.name,
            t(`planning.level.${i.level}`, {}, locale),
            i.bands[0]?.hazards.length ?? 0,
            i.bands.slice(1).reduce((s, b) => s + b.hazards.length, 0),
            i.settlement.displacedHouseholds ?? '',
            i.accidents.count,
            i.riskEducation.sessions,
            i.rule.statement,
          ]),
        ),
      );
    });

  planningOptions(program.command('priorities').description(t('cli.help.priorities', {}, helpLocale)))
    .option('--limit <n>', t('cli.help.planning.limit', {}, helpLocale), '50')
    .action(async (o: PlanningOpts & { limit: string }) => {
      const out = await withDatabase(
        settings,
        async (database) => new PlanningService(database).priorities(SYSTEM_ACTOR, query(o, locale)),
        { quiet: o.json },
      );
      if (o.json) return console.log(JSON.stringify(out, null, 2));
      const limit = Math.max(1, Number.parseInt(o.limit, 10) || 50);
      console.log(
        t('cli.planning.priorities.title', { asAt: out.asAt, version: out.weights.version }, locale),
      );
      console.log(
        formatTable(
          ['rank', 'hazard', 'score', 'remaining', 'days', 'factors'].map((c) =>
            t(`cli.planning.priorities.column.${c}`, {}, locale),
          ),
          out.items.slice(0, limit).map((i) => [
            i.rank,
            i.hazard.code,
            i.score,
            Math.round(i.hazard.remainingAreaM2),
            i.effort ? i.effort.days : '',
            i.factors
              .filter((f) => f.contribution > 0)
              .sort((a, b) => b.contribution - a.contribution)
              .map((f) => `${t(`planning.factor.${f.factor}`, {}, locale)} ${f.value} × ${f.weight}`)
              .join('; '),
          ]),
        ),
      );
    });

  const tasking = program.command('task-orders').description(t('cli.help.task_orders', {}, helpLocale));
  tasking
    .command('list')
    .description(t('cli.help.task_orders.list', {}, helpLocale))
    .option('--as-at <date>', t('cli.help.planning.as_at', {}, helpLocale))
    .option('--organisation <id>', t('cli.help.task_orders.organisation', {}, helpLocale))
    .option('--state <state>', t('cli.help.task_orders.state', {}, helpLocale))
    .option('--json', t('cli.help.planning.json', {}, helpLocale))
    .action(async (o: { asAt?: string; organisation?: string; state?: string; json?: boolean }) => {
      const out = await withDatabase(
        settings,
        async (database) =>
          createServices(database, settings).tasking.list(SYSTEM_ACTOR, {
            asAt: o.asAt,
            organisationId: o.organisation,
            state: o.state,
          }),
        { quiet: o.json },
      );
      if (o.json) return console.log(JSON.stringify(out, null, 2));
      console.log(t('cli.task_orders.list.title', { asAt: out.asAt, count: out.items.length }, locale));
      console.log(
        formatTable(
          ['order', 'reference', 'kind', 'state', 'planned', 'released', 'remaining', 'late', 'left'].map(
            (c) => t(`cli.task_orders.column.${c}`, {}, locale),
          ),
          out.items.map((i) => [
            i.code as string,
            (i.reference as string | null) ?? '',
            t(`vocab.${i.activityKind as string}`, {}, locale),
            t(`vocab.${i.state as string}`, {}, locale),
            `${i.plannedStart as string} – ${i.plannedEnd as string}`,
            `${Math.round(i.progress.area.releasedShare * 100)}%`,
            Math.round(i.progress.area.remainingM2),
            i.progress.dates.daysLate,
            i.progress.effort ? i.progress.effort.days : '',
          ]),
        ),
      );
    });
  tasking
    .command('board')
    .description(t('cli.help.task_orders.board', {}, helpLocale))
    .requiredOption('--from <month>', t('cli.help.task_orders.from', {}, helpLocale))
    .requiredOption('--to <month>', t('cli.help.task_orders.to', {}, helpLocale))
    .option('--as-at <date>', t('cli.help.planning.as_at', {}, helpLocale))
    .option('--organisation <id>', t('cli.help.task_orders.organisation', {}, helpLocale))
    .option('--json', t('cli.help.planning.json', {}, helpLocale))
    .action(async (o: { from: string; to: string; asAt?: string; organisation?: string; json?: boolean }) => {
      const out = await withDatabase(
        settings,
        async (database) =>
          createServices(database, settings).tasking.board(SYSTEM_ACTOR, {
            from: o.from,
            to: o.to,
            asAt: o.asAt,
            organisationId: o.organisation,
          }),
        { quiet: o.json },
      );
      if (o.json) return console.log(JSON.stringify(out, null, 2));
      console.log(t('cli.task_orders.board.title', { from: out.from, to: out.to, asAt: out.asAt }, locale));
      console.log(
        formatTable(
          [t('cli.task_orders.column.organisation', {}, locale), ...out.months],
          out.rows.map((r) => [
            r.organisation.name,
            ...r.cells.map((c) =>
              c.orders.map((x) => `${x.code} ${t(`vocab.${x.state}`, {}, locale)}`).join(', '),
            ),
          ]),
        ),
      );
    });
}
