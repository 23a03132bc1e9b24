import { appendAudit } from '../../db/repositories/audit.ts';
import { insertChange } from '../../db/repositories/reports.ts';
import { hazardState, landReleaseFit } from '../../db/repositories/rules.ts';
import { Problem } from '../../domain/problem.ts';
import { withOthers } from '../../domain/schema-check.ts';
import type { ApplyContext, Row } from '../changes.ts';
import type { WriteHooks } from './hooks.ts';
import { completeTaskOrders } from './task-orders.ts';

/** Land released may stick out of its hazard by this much (GPS and digitising error). */
export const LAND_RELEASE_TOLERANCE_M = 1;
/** Released area may exceed the hazard's by this much before it is refused (rounding). */
export const LAND_RELEASE_AREA_TOLERANCE_M2 = 1;

/**
 * Land release: the polygon lies within its hazard and released land never adds up to more
 * than the hazard's area, checked here so the fault names its size and place (the database
 * checks them again); a release that leaves nothing of its hazard closes it, and that closure
 * enters the hazard's history and the audit log.
 */
export const landReleaseHooks: WriteHooks = {
  recordByRecord: true,
  async beforeWrite(ctx, state, recordId, pointer) {
    const hazardId = state.hazardId as string;
    const before = await checkLandRelease(ctx, state, recordId, pointer);
    return async () => {
      await recordAutoClose(ctx, hazardId, before);
      await completeTaskOrders(ctx, hazardId);
    };
  },
};

async function checkLandRelease(ctx: ApplyContext, values: Row, excludeId: string | null, pointer: string) {
  const hazardId = values.hazardId as string;
  const fit = await landReleaseFit(ctx.trx, hazardId, values.geometry, LAND_RELEASE_TOLERANCE_M, excludeId);
  if (!fit)
    throw new Problem(
      'record.reference_not_found',
      { field: 'hazardId', id: hazardId },
      { pointer: `${pointer}/properties/hazardId` },
    );
  const problems: Problem[] = [];
  if (fit.outsideM2 > 0.01) {
    problems.push(
      new Problem(
        'land_release.outside_hazard',
        {
          hazard: fit.hazardCode,
          outsideM2: round1(fit.outsideM2),
          farthestM: round1(fit.farthestOutsideM),
          toleranceM: LAND_RELEASE_TOLERANCE_M,
        },
        { pointer: `${pointer}/geometry` },
      ),
    );
  }
  const total = fit.otherReleasedM2 + fit.areaM2;
  if (total > fit.hazardAreaM2 + LAND_RELEASE_AREA_TOLERANCE_M2) {
    problems.push(
      new Problem(
        'land_release.area_exceeds_hazard',
        {
          hazard: fit.hazardCode,
          releasedM2: round1(total),
          hazardM2: round1(fit.hazardAreaM2),
          excessM2: round1(total - fit.hazardAreaM2),
        },
        { pointer: `${pointer}/geometry` },
      ),
    );
  }
  if (problems.length) throw withOthers(problems);
  return hazardState(ctx.trx, hazardId);
}

/**
 * The database closes a hazard whose remaining area reaches zero; that change is part of the
 * hazard's history too, dated like the report that released the last of it.
 */
async function recordAutoClose(
  ctx: ApplyContext,
  hazardId: string,
  before: Awaited<ReturnType<typeof hazardState>>,
) {
  const after = await hazardState(ctx.trx, hazardId);
  if (!before || !after || before.status === after.status) return;
  await insertChange(ctx.trx, {
    entity: 'hazard',
    recordId: hazardId,
    reportId: ctx.report.id,
    dateOfInformation: ctx.report.dateOfInformation,
    op: 'update',
    patch: { status: after.status },
  });
  await appendAudit(ctx.trx, {
    actorId: ctx.actor.id,
    action: 'update',
    entity: 'hazard',
    recordId: hazardId,
    reportId: ctx.report.id,
    before: { status: before.status, remainingAreaM2: before.remainingAreaM2 },
    after: { status: after.status, remainingAreaM2: after.remainingAreaM2, reason: 'no_remaining_area' },
  });
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
