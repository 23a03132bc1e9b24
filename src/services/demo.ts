import type { Database } from '../db/connect.ts';
import { bulkInsert, externalIdsWithPrefix, ordnanceIdsByModel } from '../db/repositories/bulk.ts';
import { backdateDemoHistory, isDatabaseEmpty } from '../db/repositories/demo.ts';
import { snake } from '../db/repositories/registers.ts';
import { userByEmail } from '../db/repositories/users.ts';
import { type DemoProgramme, demoTerrain, generateDemoProgramme } from '../domain/demo-programme.ts';
import { isProblem, Problem } from '../domain/problem.ts';
import * as R from '../domain/records.ts';
import { SYSTEM_ACTOR } from './actor.ts';
import { createUser } from './auth.ts';
import {
  applyChangesBulk,
  BULK_BATCH_SIZE,
  type BulkContext,
  type BulkRecord,
  checkInputs,
  closeBulkReport,
  openBulkReport,
} from './changes.ts';
import { type DemoMinefieldRecord, demoMinefieldRecord } from './demo-minefield.ts';
import { demoPlanningRows, loadDemoPlanning } from './demo-planning.ts';
import { demoSiteVisitRows, loadDemoVisits } from './demo-visits.ts';
import type { Keyring } from './personal-data.ts';

/** Prefix of the external ids of demo records: the demo is loaded once per database. */
const DEMO_PREFIX = 'demo:';

/** The demo users, one per kind of work; the passwords are public, for trying the system. */
export const DEMO_USERS = [
  {
    email: 'admin@demo.safeground.org',
    password: 'demo-admin-2026',
    role: 'admin',
    name: 'Demo administrator',
  },
  {
    email: 'approver@demo.safeground.org',
    password: 'demo-approver-2026',
    role: 'approver',
    name: 'Demo approver',
  },
  { email: 'viewer@demo.safeground.org', password: 'demo-viewer-2026', role: 'viewer', name: 'Demo viewer' },
  {
    email: 'operator@demo.safeground.org',
    password: 'demo-operator-2026',
    role: 'operator_data_entry',
    name: 'Demo operator (data entry)',
    organisation: 'org:0',
  },
] as const;

/** True for a new installation: no register holds a record and no user exists (where the demo may load). */
export function isNewInstallation(database: Database): Promise<boolean> {
  return isDatabaseEmpty(database.db);
}

export interface LoadDemoOptions {
  onProgress?: (done: number, total: number, label: string) => void;
}

/** The demo carries no personal data: nothing is ever encrypted under this empty keyring. */
const NO_PERSONAL_DATA: Keyring = { keys: {}, current: '' };

/** A demo record as a client would send it, with the key other demo records know it by. */
interface DemoInput {
  key?: string;
  geometry?: unknown;
  properties: Record<string, unknown>;
}

/**
 * Loads the synthetic demo programme (domain/demo-programme.ts) and the demo users, in one
 * transaction: either all of it is stored or nothing. Every record goes through the one write
 * path, like an import: checked by checkInput, written by applyChangesBulk under one direct
 * report approved at once, with its approved history and the audit (`bulk_create` entries of
 * up to 1 000 records; land release record by record, so that the database computes each
 * hazard's remaining area and closes what is fully released). Returns the count of records per
 * register slug (and `users` for the demo users created).
 */
/**
 * Demo records checked and written between two turns of the event loop (see `load` in loadDemo):
 * one batch of the bulk write path, so each turn is one batch's statements.
 */
const DEMO_CHUNK = BULK_BATCH_SIZE;

export async function loadDemo(
  database: Database,
  opts: LoadDemoOptions = {},
): Promise<Record<string, number>> {
  const programme = generateDemoProgramme();
  const laid = demoMinefieldRecords(programme);
  const total =
    totalRows(programme) +
    laid.reduce((n, r) => n + 1 + r.found.length, 0) +
    demoSiteVisitRows(programme) +
    demoPlanningRows(programme);
  let done = 0;
  const report = (label: string) => opts.onProgress?.(done, total, label);
  report('demo');

  return database.db.transaction().execute(async (trx) => {
    if ((await externalIdsWithPrefix(trx, R.adminAreas.table, DEMO_PREFIX)).size > 0) {
      throw new Problem('demo.already_loaded', {});
    }
    const actor = SYSTEM_ACTOR;
    const bulkReport = await openBulkReport(trx, actor, new Date().toISOString().slice(0, 10), {
      import: { loader: 'demo' },
    });
    const ids = new Map<string, string>();
    const counts: Record<string, number> = {};
    const idOf = (key: string | null) => (key === null ? null : ids.get(key)!);
    const external = (key: string) => `${DEMO_PREFIX}${key}`;

    /**
     * Checks and writes one register's demo records, DEMO_CHUNK at a time, letting the event loop
     * run between chunks: the embedded database's WebAssembly holds the process during each
     * statement, so short statements are what lets health answer `loading` meanwhile. A record
     * refused is a fault of the demo itself.
     */
    const load = async (def: R.RegisterDef, all: DemoInput[]) => {
      for (let from = 0; from < all.length; from += DEMO_CHUNK) {
        await loadChunk(def, all.slice(from, from + DEMO_CHUNK));
        await new Promise((next) => setImmediate(next));
      }
    };
    const loadChunk = async (def: R.RegisterDef, inputs: DemoInput[]) => {
      const checked = await checkInputs(
        trx,
        def,
        inputs.map((input) => ({ geometry: input.geometry, properties: input.properties })),
        'create',
      );
      const records: BulkRecord[] = checked.map((values, k) => {
        if (isProblem(values)) throw values;
        return { values, externalId: String(inputs[k]!.properties.externalId) };
      });
      const ctx: BulkContext = {
        trx,
        actor,
        keyring: NO_PERSONAL_DATA,
        report: bulkReport,
        audit: { source: 'demo' },
      };
      const outcome = await applyChangesBulk(ctx, def, records);
      const refused = outcome.refused[0];
      if (refused) throw refused.problem;
      inputs.forEach((input, k) => {
        if (input.key) ids.set(input.key, outcome.ids[k]!);
      });
      done += inputs.length;
      counts[def.slug] = (counts[def.slug] ?? 0) + inputs.length;
      report(def.slug);
    };

    await load(
      R.organisations,
      programme.organisations.map((o) => ({
        key: o.key,
        properties: { name: o.name, acronym: o.acronym, kind: o.kind, externalId: external(o.key) },
      })),
    );
    // Parents before children, so every parent id is known.
    for (const level of [0, 1, 2]) {
      await load(
        R.adminAreas,
        programme.adminAreas
          .filter((a) => a.level === level)
          .map((a) => ({
            key: a.key,
            geometry: a.geometry,
            properties: {
              pcode: a.pcode,
              name: a.name,
              names: a.names,
              level: a.level,
              parentId: idOf(a.parentKey),
              externalId: external(a.key),
            },
          })),
      );
    }
    await load(
      R.settlements,
      programme.settlements.map((s) => ({
        key: s.key,
        geometry: s.geometry,
        properties: {
          name: s.name,
          names: s.names,
          pcode: s.pcode,
          kind: s.kind,
          adminAreaId: idOf(s.adminAreaKey),
          population: s.population,
          households: s.households,
          displacedHouseholds: s.displacedHouseholds,
          returnedHouseholds: s.returnedHouseholds,
          externalId: external(s.key),
        },
      })),
    );
    // A hazard's remaining geometry and areas are the database's to compute (they are read-only
    // to writers): each starts whole and shrinks as its land release is written below.
    await load(
      R.hazards,
      programme.hazards.map((h) => ({
        key: h.key,
        geometry: h.geometry,
        properties: {
          name: h.name,
          type: h.type,
          status: h.status,
          benchmark: h.benchmark,
          deviceCategories: h.deviceCategories,
          evidence: h.evidence,
          blockedLandUse: h.blockedLandUse,
          terrain: demoTerrain(h),
          beneficiaries: h.beneficiaries,
          organisationId: idOf(h.organisationKey),
          dateOfInformation: h.dateOfInformation,
          description: h.description,
          externalId: external(h.key),
        },
      })),
    );
    await load(
      R.activities,
      programme.activities.map((a) => ({
        key: a.key,
        geometry: a.geometry,
        properties: {
          kind: a.kind,
          organisationId: idOf(a.organisationKey),
          hazardId: idOf(a.hazardKey),
          method: a.method,
          status: a.status,
          startDate: a.startDate,
          endDate: a.endDate,
          description: a.description,
          externalId: external(a.key),
        },
      })),
    );
    await load(
      R.landRelease,
      programme.landRelease.map((l) => ({
        key: l.key,
        geometry: l.geometry,
        properties: {
          outcome: l.outcome,
          hazardId: idOf(l.hazardKey),
          activityId: idOf(l.activityKey),
          method: l.method,
          depthCm: l.depthCm,
          benchmark: l.benchmark,
          releasedOn: l.releasedOn,
          externalId: external(l.key),
        },
      })),
    );

    const models = await ordnanceIdsByModel(trx);
    const modelId = (model: string | null) => (model === null ? null : (models.get(model) ?? null));
    await load(
      R.findings,
      programme.findings.map((f, k) => ({
        geometry: f.geometry,
        properties: {
          category: f.category,
          ordnanceId: modelId(f.model),
          // A model missing from the catalogue is kept as text rather than lost.
          modelText: models.has(f.model) ? null : f.model,
          quantity: f.quantity,
          condition: f.condition,
          depthCm: f.depthCm,
          disposition: f.disposition,
          foundOn: f.foundOn,
          hazardId: idOf(f.hazardKey),
          activityId: idOf(f.activityKey),
          marking: f.marking,
          manufacturer: f.manufacturer,
          lot: f.lot,
          yearOfManufacture: f.yearOfManufacture,
          externalId: external(`finding:${k}`),
        },
      })),
    );
    await load(
      R.accidents,
      programme.accidents.map((a) => ({
        key: a.key,
        geometry: a.geometry,
        properties: {
          occurredOn: a.occurredOn,
          datePrecision: a.datePrecision,
          pointPrecision: a.pointPrecision,
          deviceCategory: a.deviceCategory,
          ordnanceId: modelId(a.model),
          demining: a.demining,
          hazardId: idOf(a.hazardKey),
          description: a.description,
          externalId: external(a.key),
        },
      })),
    );
    // The age band is derived from the age by the casualties' register module.
    await load(
      R.casualties,
      programme.casualties.map((c, k) => ({
        properties: {
          accidentId: idOf(c.accidentKey),
          sex: c.sex,
          age: c.age,
          casualtyStatus: c.casualtyStatus,
          outcome: c.outcome,
          activityAtTime: c.activityAtTime,
          tamperedWithDevice: c.tamperedWithDevice,
          displacementStatus: c.displacementStatus,
          referral: c.referral,
          externalId: external(`casualty:${k}`),
        },
      })),
    );
    // The total reached is derived from the breakdown by the risk-education register module.
    await load(
      R.riskEducation,
      programme.riskEducation.map((r, k) => ({
        geometry: r.geometry,
        properties: {
          organisationId: idOf(r.organisationKey),
          heldOn: r.heldOn,
          deliveryMethod: r.deliveryMethod,
          settlementId: idOf(r.settlementKey),
          beneficiaries: r.beneficiaries,
          description: r.description,
          externalId: external(`risk-education:${k}`),
        },
      })),
    );
    await load(
      R.qaVisits,
      programme.qaVisits.map((q, k) => ({
        properties: {
          visitedOn: q.visitedOn,
          activityId: idOf(q.activityKey),
          inspectedOrganisationId: idOf(q.inspectedOrganisationKey),
          inspectingOrganisationId: idOf(q.inspectingOrganisationKey),
          nonConformities: q.nonConformities,
          measuresTaken: q.measuresTaken,
          externalId: external(`qa-visit:${k}`),
        },
      })),
    );
    await load(
      R.sources,
      programme.sources.map((s) => ({
        key: s.key,
        properties: {
          kind: s.kind,
          title: s.title,
          issuingBody: s.issuingBody,
          documentSymbol: s.documentSymbol,
          publishedOn: s.publishedOn,
          language: s.language,
          notes: s.notes,
          externalId: external(s.key),
        },
      })),
    );
    // Handed-over minefield records round open hazards (their map polygon is decoded from the
    // record by the register's write hooks), and the devices found along them.
    await load(
      R.minefieldRecords,
      laid.map((r, i) => ({
        properties: {
          name: r.name,
          hazardId: idOf(r.hazardKey),
          sourceId: idOf('source:3'),
          record: r.record,
          externalId: external(`minefield-record:${i}`),
        },
      })),
    );
    await load(
      R.findings,
      laid.flatMap((r, i) =>
        r.found.map((p, k) => ({
          geometry: { type: 'Point', coordinates: p },
          properties: {
            category: 'AV',
            ordnanceId: modelId('TM-62M'),
            modelText: models.has('TM-62M') ? null : 'TM-62M',
            quantity: 1,
            condition: 'armed',
            depthCm: 15 + k,
            disposition: 'destroyed_in_situ',
            foundOn: '2024-05-20',
            hazardId: idOf(r.hazardKey),
            externalId: external(`minefield-record:${i}:finding:${k}`),
          },
        })),
      ),
    );
    await loadDemoVisits(trx, programme, load, idOf);
    // Teams, accreditations, projects and task orders, with the work done under the orders.
    await loadDemoPlanning({
      trx,
      actor,
      keyring: NO_PERSONAL_DATA,
      report: bulkReport,
      programme,
      load,
      idOf: (key) => idOf(key)!,
      external,
    });
    await bulkInsert(
      trx,
      'record_sources',
      programme.sources.flatMap((s) =>
        s.supports.map((link) => ({
          recordType: link.slug,
          recordId: idOf(link.key),
          sourceId: idOf(s.key),
        })),
      ),
      { ids: false },
    );
    await closeBulkReport(
      trx,
      actor,
      bulkReport.id,
      Object.entries(counts).map(([register, count]) => ({ register, count })),
    );

    // createUser joins the transaction it is given (withTransaction), so the users are stored
    // with the rest or not at all.
    const inTransaction: Database = { ...database, db: trx };
    let users = 0;
    for (const u of DEMO_USERS) {
      if (await userByEmail(trx, u.email)) continue;
      await createUser(inTransaction, {
        email: u.email,
        password: u.password,
        role: u.role,
        name: u.name,
        organisationId: 'organisation' in u ? idOf(u.organisation) : null,
      });
      users++;
    }
    counts.users = users;
    await backdateDemoHistory(
      trx,
      bulkReport.id,
      // Each record's creation is dated by the field its history is dated by (a task order's
      // issue date), else by the register's date filter.
      R.REGISTERS.map((def) => {
        const factField = R.factDateField(def);
        return {
          entity: def.entity,
          table: def.table,
          dateColumn: factField ? snake(factField) : def.filters.date,
        };
      }),
    );
    done = total;
    report('users');
    return counts;
  });
}

/** The demo's minefield records: one round each of the first three open CHAs. */
function demoMinefieldRecords(p: DemoProgramme): Array<DemoMinefieldRecord & { hazardKey: string }> {
  return p.hazards
    .filter((h) => h.type === 'CHA' && h.status === 'open')
    .slice(0, 3)
    .map((h, i) => ({
      hazardKey: h.key,
      ...demoMinefieldRecord(h.benchmark.coordinates as [number, number], i, '1993-06-15'),
    }));
}

function totalRows(p: DemoProgramme): number {
  return (
    p.organisations.length +
    p.adminAreas.length +
    p.settlements.length +
    p.hazards.length +
    p.activities.length +
    p.landRelease.length +
    p.findings.length +
    p.accidents.length +
    p.casualties.length +
    p.riskEducation.length +
    p.qaVisits.length +
    p.sources.length
  );
}
