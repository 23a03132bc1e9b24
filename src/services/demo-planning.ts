import type { Kysely } from 'kysely';
import type { Schema } from '../db/connect.ts';
import {
  DEMO_SEED,
  type DemoHazard,
  type DemoProgramme,
  type MultiPolygonGeometry,
  mulberry32,
  SYNTHETIC,
} from '../domain/demo-programme.ts';
import * as R from '../domain/records.ts';
import type { TaskOrderState } from '../domain/vocabularies.ts';
import type { Actor } from './actor.ts';
import type { ApplyContext } from './changes.ts';
import type { Keyring } from './personal-data.ts';
import { moveTaskOrder, startTaskOrder } from './register-hooks/task-orders.ts';

/**
 * The demo's capacity, funding and tasking (docs/planning.md): teams of every kind with their
 * machines and dogs, accreditations (one suspended, one expired, one limited to some admin
 * areas), two funded projects, and fifteen task orders over 2026 and early 2027 in every state,
 * with the activities and land release that moved them. Every date is fixed, so the demo is the
 * same on every load and its history can be read as at a date. The orders task open hazards the
 * programme left untouched (no land released), chosen by the demo's seeded random. They are
 * issued on five dates (the authority's tasking rounds), so their priority at issue is computed
 * five times, not fifteen.
 */

type Position = [number, number];

export interface DemoTeam {
  key: string;
  organisationKey: string;
  name: string;
  kind: 'manual' | 'mechanical' | 'mdd' | 'eod' | 'nts' | 'eore';
  size: number;
  activeFrom: string;
  assets: Array<{ kind: 'machine' | 'dog'; name: string; model: string; serial: string; from: string }>;
}

export interface DemoAccreditation {
  key: string;
  organisationKey: string;
  activityKinds: string[];
  /** Keys of the admin areas in scope; empty: the whole country. */
  adminAreaKeys: string[];
  validFrom: string;
  validTo: string | null;
  suspended: boolean;
  suspendedFrom: string | null;
  suspendedReason: string | null;
  notes: string;
}

export interface DemoProject {
  key: string;
  name: string;
  donors: Array<{ name: string; amount: number; currency: string }>;
  fundsAmount: number;
  fundsCurrency: string;
  periodFrom: string;
  periodTo: string;
  adminAreaKeys: string[];
  organisationKeys: string[];
  notes: string;
}

export interface DemoTaskOrder {
  key: string;
  reference: string;
  organisationKey: string;
  teamKey: string;
  projectKey: string;
  activityKind: 'TS' | 'clearance';
  hazardKeys: string[];
  issuedOn: string;
  plannedStart: string;
  plannedEnd: string;
  notes: string;
  /** The state it ends in, and how it gets there. */
  state: TaskOrderState;
  /** The activity done under it: started on `start`, completed on `end` (null: under way). */
  work: { start: string; end: string | null } | null;
  /** Land released by the work: the whole hazard (completing the order) or a part of it. */
  release: { on: string; share: 1 | 0.36 } | null;
  /** The authority's decision to suspend or cancel, on this date. */
  decision: { state: 'suspended' | 'cancelled'; on: string } | null;
}

export interface DemoPlanning {
  teams: DemoTeam[];
  accreditations: DemoAccreditation[];
  projects: DemoProject[];
  taskOrders: DemoTaskOrder[];
}

const TEAMS: Array<Omit<DemoTeam, 'key'>> = [
  {
    organisationKey: 'org:0',
    name: 'HDF Manual Team 1',
    kind: 'manual',
    size: 12,
    activeFrom: '2019-02-01',
    assets: [],
  },
  {
    organisationKey: 'org:0',
    name: 'HDF Manual Team 2',
    kind: 'manual',
    size: 8,
    activeFrom: '2021-03-01',
    assets: [],
  },
  {
    organisationKey: 'org:0',
    name: 'HDF Dog Team 1',
    kind: 'mdd',
    size: 5,
    activeFrom: '2020-05-01',
    assets: [
      { kind: 'dog', name: 'Rex', model: 'Belgian Malinois', serial: 'HDF-D-014', from: '2020-05-01' },
      { kind: 'dog', name: 'Luna', model: 'Belgian Malinois', serial: 'HDF-D-021', from: '2021-09-01' },
      { kind: 'dog', name: 'Bora', model: 'German Shepherd', serial: 'HDF-D-030', from: '2023-04-15' },
    ],
  },
  {
    organisationKey: 'org:0',
    name: 'HDF Survey Team',
    kind: 'nts',
    size: 3,
    activeFrom: '2019-01-15',
    assets: [],
  },
  {
    organisationKey: 'org:1',
    name: 'NCS Mechanical Team 1',
    kind: 'mechanical',
    size: 6,
    activeFrom: '2020-03-01',
    assets: [
      { kind: 'machine', name: 'Flail 1', model: 'MV-4', serial: 'NCS-M-0107', from: '2020-03-01' },
      { kind: 'machine', name: 'Tiller 1', model: 'Bozena 5', serial: 'NCS-M-0112', from: '2022-06-01' },
    ],
  },
  {
    organisationKey: 'org:1',
    name: 'NCS Manual Team 1',
    kind: 'manual',
    size: 10,
    activeFrom: '2020-03-01',
    assets: [],
  },
  {
    organisationKey: 'org:1',
    name: 'NCS EOD Team 1',
    kind: 'eod',
    size: 4,
    activeFrom: '2020-09-01',
    assets: [],
  },
  {
    organisationKey: 'org:2',
    name: 'EB7 Clearance Platoon',
    kind: 'manual',
    size: 20,
    activeFrom: '2019-06-01',
    assets: [],
  },
  {
    organisationKey: 'org:2',
    name: 'EB7 EOD Section',
    kind: 'eod',
    size: 6,
    activeFrom: '2019-06-01',
    assets: [],
  },
  {
    organisationKey: 'org:4',
    name: 'SSRE Community Team',
    kind: 'eore',
    size: 4,
    activeFrom: '2019-03-01',
    assets: [],
  },
];

/** Which team of its organisation each order names, by team name. */
type Spec = Omit<DemoTaskOrder, 'key' | 'reference' | 'hazardKeys' | 'teamKey' | 'projectKey'> & {
  team: string;
  project: 0 | 1;
  hazards: number;
};

const SPECS: Spec[] = [
  // Harmony Demining Foundation
  {
    organisationKey: 'org:0',
    team: 'HDF Manual Team 1',
    project: 0,
    hazards: 1,
    activityKind: 'clearance',
    issuedOn: '2026-04-06',
    plannedStart: '2026-04-20',
    plannedEnd: '2026-06-30',
    state: 'completed',
    work: { start: '2026-04-22', end: '2026-06-18' },
    release: { on: '2026-06-18', share: 1 },
    decision: null,
    notes: 'Clearance of the fields north of the village before the planting season.',
  },
  {
    organisationKey: 'org:0',
    team: 'HDF Manual Team 2',
    project: 0,
    hazards: 2,
    activityKind: 'clearance',
    issuedOn: '2026-06-01',
    plannedStart: '2026-07-15',
    plannedEnd: '2026-10-31',
    state: 'started',
    work: { start: '2026-07-20', end: null },
    release: { on: '2026-09-30', share: 0.36 },
    decision: null,
    notes: 'Two hazards along the access road to the returnee settlement.',
  },
  {
    organisationKey: 'org:0',
    team: 'HDF Dog Team 1',
    project: 0,
    hazards: 1,
    activityKind: 'TS',
    issuedOn: '2026-08-03',
    plannedStart: '2026-09-15',
    plannedEnd: '2027-01-31',
    state: 'started',
    work: { start: '2026-09-21', end: null },
    release: { on: '2026-11-10', share: 0.36 },
    decision: null,
    notes: 'Technical survey with dogs to reduce the suspected area.',
  },
  {
    organisationKey: 'org:0',
    team: 'HDF Manual Team 1',
    project: 0,
    hazards: 1,
    activityKind: 'clearance',
    issuedOn: '2026-11-02',
    plannedStart: '2026-12-07',
    plannedEnd: '2027-02-28',
    state: 'issued',
    work: null,
    release: null,
    decision: null,
    notes: 'Next task of the team after the northern fields.',
  },
  {
    organisationKey: 'org:0',
    team: 'HDF Manual Team 2',
    project: 0,
    hazards: 1,
    activityKind: 'clearance',
    issuedOn: '2026-11-02',
    plannedStart: '2027-01-11',
    plannedEnd: '2027-03-31',
    state: 'issued',
    work: null,
    release: null,
    decision: null,
    notes: 'School grounds; to start after the winter break.',
  },
  // Northfield Clearance Services
  {
    organisationKey: 'org:1',
    team: 'NCS Mechanical Team 1',
    project: 1,
    hazards: 1,
    activityKind: 'clearance',
    issuedOn: '2026-04-06',
    plannedStart: '2026-05-18',
    plannedEnd: '2026-08-31',
    state: 'completed',
    work: { start: '2026-05-20', end: '2026-08-12' },
    release: { on: '2026-08-12', share: 1 },
    decision: null,
    notes: 'Mechanical ground preparation and clearance of the road verge.',
  },
  {
    organisationKey: 'org:1',
    team: 'NCS Manual Team 1',
    project: 1,
    hazards: 1,
    activityKind: 'clearance',
    issuedOn: '2026-08-03',
    plannedStart: '2026-08-17',
    plannedEnd: '2026-12-18',
    state: 'started',
    work: { start: '2026-08-24', end: null },
    release: { on: '2026-10-20', share: 0.36 },
    decision: null,
    notes: 'Irrigation channel and the pumping station around it.',
  },
  {
    organisationKey: 'org:1',
    team: 'NCS Mechanical Team 1',
    project: 1,
    hazards: 1,
    activityKind: 'clearance',
    issuedOn: '2026-06-01',
    plannedStart: '2026-06-15',
    plannedEnd: '2026-10-15',
    state: 'suspended',
    work: { start: '2026-06-22', end: null },
    release: null,
    decision: { state: 'suspended', on: '2026-08-10' },
    notes: 'Suspended: the site cannot be reached while the bridge is repaired.',
  },
  {
    organisationKey: 'org:1',
    team: 'NCS Manual Team 1',
    project: 1,
    hazards: 1,
    activityKind: 'clearance',
    issuedOn: '2026-02-02',
    plannedStart: '2026-04-01',
    plannedEnd: '2026-05-31',
    state: 'cancelled',
    work: null,
    release: null,
    decision: { state: 'cancelled', on: '2026-03-25' },
    notes: 'Cancelled: re-tasked to the road verge, a higher priority.',
  },
  {
    organisationKey: 'org:1',
    team: 'NCS Mechanical Team 1',
    project: 1,
    hazards: 1,
    activityKind: 'clearance',
    issuedOn: '2026-11-02',
    plannedStart: '2026-12-01',
    plannedEnd: '2027-03-15',
    state: 'issued',
    work: null,
    release: null,
    decision: null,
    notes: 'Farmland west of the market town.',
  },
  // Engineer Battalion 7
  {
    organisationKey: 'org:2',
    team: 'EB7 Clearance Platoon',
    project: 1,
    hazards: 1,
    activityKind: 'clearance',
    issuedOn: '2026-02-02',
    plannedStart: '2026-02-16',
    plannedEnd: '2026-05-15',
    state: 'completed',
    work: { start: '2026-02-18', end: '2026-04-30' },
    release: { on: '2026-04-30', share: 1 },
    decision: null,
    notes: 'Former defensive position beside the main road.',
  },
  {
    organisationKey: 'org:2',
    team: 'EB7 Clearance Platoon',
    project: 1,
    hazards: 1,
    activityKind: 'clearance',
    issuedOn: '2026-06-01',
    plannedStart: '2026-07-01',
    plannedEnd: '2026-11-30',
    state: 'started',
    work: { start: '2026-07-06', end: null },
    release: { on: '2026-09-05', share: 0.36 },
    decision: null,
    notes: 'Trench line across the orchards.',
  },
  {
    organisationKey: 'org:2',
    team: 'EB7 Clearance Platoon',
    project: 1,
    hazards: 1,
    activityKind: 'clearance',
    issuedOn: '2026-08-03',
    plannedStart: '2026-08-15',
    plannedEnd: '2026-12-31',
    state: 'suspended',
    work: { start: '2026-08-20', end: null },
    release: null,
    decision: { state: 'suspended', on: '2026-09-15' },
    notes: 'Suspended with the battalion accreditation on 2026-09-15.',
  },
  {
    organisationKey: 'org:2',
    team: 'EB7 EOD Section',
    project: 1,
    hazards: 1,
    activityKind: 'clearance',
    issuedOn: '2026-08-03',
    plannedStart: '2026-10-01',
    plannedEnd: '2026-12-15',
    state: 'cancelled',
    work: null,
    release: null,
    decision: { state: 'cancelled', on: '2026-09-20' },
    notes: 'Cancelled: the accreditation is suspended.',
  },
  {
    organisationKey: 'org:2',
    team: 'EB7 Clearance Platoon',
    project: 1,
    hazards: 1,
    activityKind: 'clearance',
    issuedOn: '2026-11-02',
    plannedStart: '2027-01-04',
    plannedEnd: '2027-04-30',
    state: 'issued',
    work: null,
    release: null,
    decision: null,
    notes: 'To start once the accreditation is restored.',
  },
];

/** The demo's planning data, drawn from the programme (same seed, same data). */
export function demoPlanning(p: DemoProgramme): DemoPlanning {
  const rng = mulberry32(DEMO_SEED + 14);
  const teams = TEAMS.map((t, i) => ({ key: `team:${i}`, ...t }));
  const regions = p.adminAreas.filter((a) => a.level === 1).map((a) => a.key);
  const accreditations: DemoAccreditation[] = [
    {
      key: 'accreditation:0',
      organisationKey: 'org:0',
      activityKinds: ['NTS', 'TS', 'clearance', 'BAC', 'EOD_spot_task', 'road_clearance', 'EORE'],
      adminAreaKeys: [],
      validFrom: '2019-01-01',
      validTo: null,
      suspended: false,
      suspendedFrom: null,
      suspendedReason: null,
      notes: `${SYNTHETIC}. Full accreditation, the whole country.`,
    },
    {
      key: 'accreditation:1',
      organisationKey: 'org:1',
      activityKinds: ['TS', 'clearance', 'road_clearance', 'EOD_spot_task'],
      adminAreaKeys: regions.slice(0, 2),
      validFrom: '2020-01-01',
      validTo: '2027-12-31',
      suspended: false,
      suspendedFrom: null,
      suspendedReason: null,
      notes: `${SYNTHETIC}. Limited to two regions.`,
    },
    {
      key: 'accreditation:2',
      organisationKey: 'org:2',
      activityKinds: ['TS', 'clearance', 'BAC', 'EOD_spot_task'],
      adminAreaKeys: [],
      validFrom: '2019-06-01',
      validTo: null,
      suspended: true,
      suspendedFrom: '2026-09-15',
      suspendedReason: 'Quality management findings: medical support on site not as accredited.',
      notes: `${SYNTHETIC}. Suspended until the findings are closed.`,
    },
    {
      key: 'accreditation:3',
      organisationKey: 'org:4',
      activityKinds: ['EORE'],
      adminAreaKeys: [],
      validFrom: '2019-01-01',
      validTo: '2025-12-31',
      suspended: false,
      suspendedFrom: null,
      suspendedReason: null,
      notes: `${SYNTHETIC}. Expired; renewal under review.`,
    },
  ];
  const projects: DemoProject[] = [
    {
      key: 'project:0',
      name: 'Return to the northern villages (demo)',
      donors: [
        { name: 'Demo Humanitarian Fund', amount: 1_200_000, currency: 'USD' },
        { name: 'Ministry of Reconstruction (demo)', amount: 300_000, currency: 'USD' },
      ],
      fundsAmount: 1_500_000,
      fundsCurrency: 'USD',
      periodFrom: '2025-01-01',
      periodTo: '2027-06-30',
      adminAreaKeys: regions.slice(0, 2),
      organisationKeys: ['org:0', 'org:4'],
      notes: `${SYNTHETIC}. Survey, clearance and risk education so that displaced families can return.`,
    },
    {
      key: 'project:1',
      name: 'Safe roads and farmland (demo)',
      donors: [{ name: 'Example Development Bank', amount: 800_000, currency: 'EUR' }],
      fundsAmount: 800_000,
      fundsCurrency: 'EUR',
      periodFrom: '2025-07-01',
      periodTo: '2027-12-31',
      adminAreaKeys: regions.slice(1),
      organisationKeys: ['org:1', 'org:2'],
      notes: `${SYNTHETIC}. Roads, verges and farmland for the spring planting.`,
    },
  ];

  // Open hazards with no land released yet, each organisation's in a seeded random order.
  const released = new Set(p.landRelease.map((l) => l.hazardKey));
  const pool = new Map<string, DemoHazard[]>();
  for (const h of p.hazards) {
    if (h.status !== 'open' || released.has(h.key)) continue;
    pool.set(h.organisationKey, [...(pool.get(h.organisationKey) ?? []), h]);
  }
  for (const list of pool.values()) {
    for (let i = list.length - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [list[i], list[j]] = [list[j]!, list[i]!];
    }
  }
  const taskOrders = SPECS.map((s, i): DemoTaskOrder => {
    const own = pool.get(s.organisationKey)!;
    const hazardKeys = own.splice(0, s.hazards).map((h) => h.key);
    const { team, project, hazards: _n, ...rest } = s;
    return {
      key: `task-order:${i}`,
      reference: `DNMAA/TO/${s.issuedOn.slice(0, 4)}/${String(i + 1).padStart(3, '0')}`,
      teamKey: teams.find((t) => t.name === team)!.key,
      projectKey: `project:${project}`,
      hazardKeys,
      ...rest,
      notes: `${SYNTHETIC}. ${s.notes}`,
    };
  });
  return { teams, accreditations, projects, taskOrders };
}

/** The part of a hazard a partial release covers: its polygon shrunk towards its middle (36 % of it). */
function shrink(g: MultiPolygonGeometry, factor: number): MultiPolygonGeometry {
  return {
    type: 'MultiPolygon',
    coordinates: g.coordinates.map((polygon) => {
      const outer = polygon[0]!;
      const ring = outer.slice(0, -1);
      const cx = ring.reduce((s, q) => s + q[0], 0) / ring.length;
      const cy = ring.reduce((s, q) => s + q[1], 0) / ring.length;
      const at = (q: Position): Position => [
        Math.round((cx + (q[0] - cx) * factor) * 1e7) / 1e7,
        Math.round((cy + (q[1] - cy) * factor) * 1e7) / 1e7,
      ];
      return [outer.map(at)];
    }),
  };
}

const METHOD_OF_TEAM: Record<DemoTeam['kind'], string> = {
  manual: 'manual',
  mechanical: 'manual_mechanical',
  mdd: 'manual_mdd',
  eod: 'manual',
  nts: 'survey',
  eore: 'not_applicable',
};

/** What loadDemo lends this module: its write of one register and the ids of what it wrote. */
export interface DemoPlanningContext {
  trx: Kysely<Schema>;
  actor: Actor;
  keyring: Keyring;
  report: { id: string };
  programme: DemoProgramme;
  load: (
    def: R.RegisterDef,
    inputs: Array<{ key?: string; geometry?: unknown; properties: Record<string, unknown> }>,
  ) => Promise<void>;
  idOf: (key: string) => string;
  external: (key: string) => string;
}

/**
 * Writes the demo's teams, accreditations, projects and task orders through the one write path
 * (the loader's), then the work under the orders: each order's activity (naming its team,
 * project and order) starts it, dated by the activity's start; land released by it (the whole
 * hazard completes the order by the register's rule); the authority's suspensions and
 * cancellations are dated by their decision.
 */
export async function loadDemoPlanning(ctx: DemoPlanningContext): Promise<void> {
  const plan = demoPlanning(ctx.programme);
  const { idOf, external } = ctx;
  const hazards = new Map(ctx.programme.hazards.map((h) => [h.key, h]));
  await ctx.load(
    R.teams,
    plan.teams.map((t) => ({
      key: t.key,
      properties: {
        organisationId: idOf(t.organisationKey),
        name: t.name,
        kind: t.kind,
        size: t.size,
        activeFrom: t.activeFrom,
        assets: t.assets,
        notes: SYNTHETIC,
        externalId: external(t.key),
      },
    })),
  );
  await ctx.load(
    R.accreditations,
    plan.accreditations.map((a) => ({
      key: a.key,
      properties: {
        organisationId: idOf(a.organisationKey),
        activityKinds: a.activityKinds,
        adminAreaIds: a.adminAreaKeys.map(idOf),
        validFrom: a.validFrom,
        validTo: a.validTo,
        suspended: a.suspended,
        suspendedFrom: a.suspendedFrom,
        suspendedReason: a.suspendedReason,
        notes: a.notes,
        externalId: external(a.key),
      },
    })),
  );
  await ctx.load(
    R.projects,
    plan.projects.map((p) => ({
      key: p.key,
      properties: {
        name: p.name,
        donors: p.donors,
        fundsAmount: p.fundsAmount,
        fundsCurrency: p.fundsCurrency,
        periodFrom: p.periodFrom,
        periodTo: p.periodTo,
        adminAreaIds: p.adminAreaKeys.map(idOf),
        organisationIds: p.organisationKeys.map(idOf),
        notes: p.notes,
        externalId: external(p.key),
      },
    })),
  );
  await ctx.load(
    R.taskOrders,
    plan.taskOrders.map((o) => ({
      key: o.key,
      properties: {
        reference: o.reference,
        hazardIds: o.hazardKeys.map(idOf),
        organisationId: idOf(o.organisationKey),
        activityKind: o.activityKind,
        issuedOn: o.issuedOn,
        plannedStart: o.plannedStart,
        plannedEnd: o.plannedEnd,
        teamId: idOf(o.teamKey),
        projectId: idOf(o.projectKey),
        notes: o.notes,
        externalId: external(o.key),
      },
    })),
  );
  const worked = plan.taskOrders.filter((o) => o.work);
  await ctx.load(
    R.activities,
    worked.map((o) => {
      const team = plan.teams.find((t) => t.key === o.teamKey)!;
      const hazard = hazards.get(o.hazardKeys[0]!)!;
      return {
        key: `${o.key}:activity`,
        geometry: hazard.benchmark,
        properties: {
          kind: o.activityKind,
          organisationId: idOf(o.organisationKey),
          hazardId: idOf(hazard.key),
          method: METHOD_OF_TEAM[team.kind],
          status: o.work!.end ? 'completed' : o.decision?.state === 'suspended' ? 'suspended' : 'in_progress',
          startDate: o.work!.start,
          endDate: o.work!.end,
          teamId: idOf(team.key),
          projectId: idOf(o.projectKey),
          taskOrderId: idOf(o.key),
          description: `${SYNTHETIC}. Work under task order ${o.reference}.`,
          externalId: external(`${o.key}:activity`),
        },
      };
    }),
  );
  const at = (date: string): ApplyContext => ({
    trx: ctx.trx,
    actor: ctx.actor,
    keyring: ctx.keyring,
    report: { id: ctx.report.id, dateOfInformation: date, reason: null },
    pointer: () => '',
  });
  // The approved activity starts its order, as the activities' rule does for a report.
  for (const o of worked) await startTaskOrder(at(o.work!.start), idOf(o.key));
  // Land released by the work; releasing the whole of an order's hazards completes it.
  await ctx.load(
    R.landRelease,
    plan.taskOrders
      .filter((o) => o.release)
      .flatMap((o) =>
        o.hazardKeys.map((hk, k) => {
          const hazard = hazards.get(hk)!;
          const whole = o.release!.share === 1;
          return {
            key: `${o.key}:release:${k}`,
            geometry: whole ? hazard.geometry : shrink(hazard.geometry, 0.6),
            properties: {
              outcome: o.activityKind === 'TS' ? 'reduced' : 'cleared',
              hazardId: idOf(hk),
              activityId: idOf(`${o.key}:activity`),
              method: METHOD_OF_TEAM[plan.teams.find((t) => t.key === o.teamKey)!.kind],
              depthCm: o.activityKind === 'TS' ? null : 13,
              releasedOn: o.release!.on,
              externalId: external(`${o.key}:release:${k}`),
            },
          };
        }),
      ),
  );
  // The authority's decisions.
  for (const o of plan.taskOrders.filter((x) => x.decision)) {
    const id = idOf(o.key);
    const state = o.work ? 'started' : 'issued';
    await moveTaskOrder(at(o.decision!.on), { id, state }, o.decision!.state, 'authority_decision');
  }
}

/** How many records loadDemoPlanning writes (for the loader's progress). */
export function demoPlanningRows(p: DemoProgramme): number {
  const plan = demoPlanning(p);
  const worked = plan.taskOrders.filter((o) => o.work).length;
  const released = plan.taskOrders.filter((o) => o.release).reduce((n, o) => n + o.hazardKeys.length, 0);
  return (
    plan.teams.length +
    plan.accreditations.length +
    plan.projects.length +
    plan.taskOrders.length +
    worked +
    released
  );
}
