import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { PriorityWeights, READINESS_LEVELS, ReadinessRules } from '../../domain/planning.ts';
import { taskOrders } from '../../domain/records.ts';
import { TASK_ORDER_STATES } from '../../domain/vocabularies.ts';
import type { TaskingService } from '../../services/planning/board.ts';
import type { PlanningService } from '../../services/planning/index.ts';
import { pathParam } from '../input.ts';
import { requireActor } from '../plugins/auth.ts';
import { requestLocale } from '../problems.ts';
import { ProblemSchema, type TypedRequests } from '../schemas.ts';
import { parseId, parseIfMatch } from './registers.ts';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

const AsAtQuery = Type.Object({
  asAt: Type.Optional(
    Type.String({ format: 'date', description: 'The date the answer is as at (YYYY-MM-DD); default today' }),
  ),
  version: Type.Optional(
    Type.String({
      pattern: '^[1-9][0-9]{0,5}$',
      description: 'Settings version to use; default the version in force on asAt (or the latest)',
    }),
  ),
  lang: Type.Optional(Type.String({ description: 'Language of the stated rules (en, ru, ar)' })),
});

const SettingsVersionSchema = <T extends Parameters<typeof Type.Object>[0]>(
  settings: ReturnType<typeof Type.Object<T>>,
) =>
  Type.Object({
    kind: Type.String(),
    version: Type.Integer(),
    settings,
    note: Nullable(Type.String()),
    createdAt: Type.String(),
    createdBy: Nullable(Type.String()),
  });

const Condition = Type.Object({
  condition: Type.String(),
  params: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()])),
  met: Type.Boolean(),
  because: Type.Array(Type.String(), { description: 'Codes of the records that break it' }),
  statement: Type.String(),
});

const ReadinessItem = Type.Object({
  settlement: Type.Object({
    id: Type.String(),
    name: Type.String(),
    pcode: Nullable(Type.String()),
    kind: Type.String(),
    population: Nullable(Type.Integer()),
    households: Nullable(Type.Integer()),
    displacedHouseholds: Nullable(Type.Integer()),
    returnedHouseholds: Nullable(Type.Integer()),
    geometry: Type.Object({ type: Type.Literal('Point'), coordinates: Type.Array(Type.Number()) }),
  }),
  level: Type.Enum([...READINESS_LEVELS]),
  rule: Type.Object({ version: Type.Integer(), index: Type.Integer(), statement: Type.String() }),
  checks: Type.Array(
    Type.Object({
      level: Type.Enum([...READINESS_LEVELS]),
      met: Type.Boolean(),
      conditions: Type.Array(Condition),
    }),
  ),
  bands: Type.Array(
    Type.Object({
      fromM: Type.Number(),
      toM: Type.Number(),
      hazards: Type.Array(Type.String()),
      remainingAreaM2: Type.Number(),
    }),
  ),
  hazards: Type.Array(
    Type.Object({
      id: Type.String(),
      code: Type.String(),
      type: Type.String(),
      status: Type.String(),
      distanceM: Type.Number(),
      band: Nullable(Type.Integer()),
      remainingAreaM2: Type.Number(),
      blockedLandUse: Type.Array(Type.String()),
    }),
  ),
  blockedLandUse: Type.Array(Type.String()),
  accidents: Type.Object({
    count: Type.Integer(),
    casualties: Type.Integer(),
    lastOn: Nullable(Type.String()),
    codes: Type.Array(Type.String()),
  }),
  riskEducation: Type.Object({
    sessions: Type.Integer(),
    beneficiaries: Type.Integer(),
    lastOn: Nullable(Type.String()),
  }),
});

const VersionRef = Type.Object({ version: Type.Integer(), createdAt: Type.String() });

const Productivity = Type.Object({
  method: Type.String({ description: 'Team kind or method, or all (every method pooled)' }),
  terrain: Nullable(Type.String({ description: "The hazards' terrain; null: every terrain pooled" })),
  samples: Type.Integer(),
  medianM2PerTeamDay: Type.Number(),
  q1M2PerTeamDay: Type.Number(),
  q3M2PerTeamDay: Type.Number(),
});

const PriorityItem = Type.Object({
  rank: Type.Integer(),
  score: Type.Number(),
  hazard: Type.Object({
    id: Type.String(),
    code: Type.String(),
    name: Nullable(Type.String()),
    status: Type.String(),
    remainingAreaM2: Type.Number(),
    blockedLandUse: Type.Array(Type.String()),
    settlements: Type.Integer(),
  }),
  factors: Type.Array(
    Type.Object({
      factor: Type.String(),
      value: Nullable(Type.Number()),
      share: Type.Number({ description: 'The value as a share between 0 and 1' }),
      weight: Type.Number(),
      contribution: Type.Number({ description: 'weight × share' }),
    }),
  ),
  effort: Nullable(
    Type.Object(
      {
        method: Type.String(),
        terrain: Nullable(Type.String()),
        samples: Type.Integer({ description: 'Samples of the productivity group used' }),
        days: Type.Number(),
        low: Type.Number(),
        high: Type.Number(),
      },
      { description: 'Days to release and the productivity group used (method, terrain, samples)' },
    ),
  ),
});

const NationalPriority = Type.Object({
  id: Type.String(),
  hazardId: Type.String(),
  level: Type.Integer(),
  effectiveFrom: Type.String(),
  reason: Nullable(Type.String()),
  createdAt: Type.String(),
  createdBy: Nullable(Type.String()),
});

const AreaProgress = Type.Object({
  totalM2: Type.Number(),
  releasedM2: Type.Number(),
  remainingM2: Type.Number(),
  releasedShare: Type.Number({ description: 'Released over total, 0 to 1' }),
});
const DatesProgress = Type.Object({
  plannedStart: Type.String(),
  plannedEnd: Type.String(),
  actualStart: Nullable(Type.String({ description: 'Start of the first linked activity' })),
  lastEnd: Nullable(Type.String({ description: 'End of the last linked activity ended by asAt' })),
  startDaysLate: Type.Integer(),
  daysLate: Type.Integer({
    description: 'Days past the planned end (to asAt, or to the last end once done)',
  }),
});
const EffortLeft = Nullable(
  Type.Object(
    { days: Type.Number(), low: Type.Number(), high: Type.Number() },
    { description: 'Estimated team-days left (docs/planning.md, "Estimated effort"); null when unknown' },
  ),
);
const TaskOrderProgress = Type.Object({
  id: Type.String(),
  code: Type.String(),
  state: Type.String(),
  asAt: Type.String(),
  area: AreaProgress,
  hazards: Type.Array(
    Type.Object({
      id: Type.String(),
      code: Type.String(),
      status: Type.String(),
      areaM2: Type.Number(),
      releasedM2: Type.Number(),
      remainingM2: Type.Number(),
    }),
  ),
  dates: DatesProgress,
  activities: Type.Integer(),
  effort: EffortLeft,
});
const PlanningBoard = Type.Object({
  asAt: Type.String(),
  from: Type.String(),
  to: Type.String(),
  months: Type.Array(Type.String()),
  rows: Type.Array(
    Type.Object({
      organisation: Type.Object({ id: Type.String(), name: Type.String() }),
      cells: Type.Array(
        Type.Object({
          month: Type.String(),
          orders: Type.Array(
            Type.Object({
              id: Type.String(),
              code: Type.String(),
              reference: Nullable(Type.String()),
              state: Type.String(),
              activityKind: Type.String(),
              plannedStart: Type.String(),
              plannedEnd: Type.String(),
              hazards: Type.Array(Type.String()),
              progress: Type.Object({ area: AreaProgress, dates: DatesProgress, activities: Type.Integer() }),
              effort: EffortLeft,
            }),
          ),
        }),
      ),
    }),
  ),
});

const query = (q: { asAt?: string; version?: string }, locale: string) => ({
  asAt: q.asAt,
  version: q.version === undefined ? undefined : Number(q.version),
  locale,
});

/** Readiness of settlements, priorities of hazards, the effort to release them, and their settings. */
export async function planningRoutes(
  instance: FastifyInstance,
  opts: { planning: PlanningService; tasking: TaskingService },
) {
  const app = instance.withTypeProvider<TypedRequests>();
  const planning = opts.planning;
  const tasking = opts.tasking;
  const errors = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema };
  const writeErrors = { ...errors, 412: ProblemSchema, 428: ProblemSchema };

  app.get(
    '/api/v1/readiness',
    {
      schema: {
        tags: ['planning'],
        summary: 'Readiness for return of every settlement as at a date, each with the rule that decided it',
        querystring: AsAtQuery,
        response: {
          200: Type.Object({ asAt: Type.String(), rules: VersionRef, items: Type.Array(ReadinessItem) }),
          ...errors,
        },
      },
    },
    async (request) =>
      planning.readiness(requireActor(request), query(request.query, requestLocale(request))),
  );

  app.get(
    '/api/v1/readiness/rules',
    {
      schema: {
        tags: ['planning'],
        summary: 'The readiness rules: a version, the one in force on asAt, or the latest',
        querystring: AsAtQuery,
        response: { 200: SettingsVersionSchema(ReadinessRules), ...errors },
      },
    },
    async (request, reply) => {
      const v = await planning.readinessRules(requireActor(request), query(request.query, 'en'));
      return reply.header('etag', `"${v.version}"`).send(v);
    },
  );

  app.get(
    '/api/v1/readiness/rules/versions',
    {
      schema: {
        tags: ['planning'],
        summary: 'Every version of the readiness rules, newest first',
        response: {
          200: Type.Object({ items: Type.Array(SettingsVersionSchema(ReadinessRules)) }),
          ...errors,
        },
      },
    },
    async (request) => ({ items: await planning.settingsHistory(requireActor(request), 'readiness_rules') }),
  );

  app.put(
    '/api/v1/readiness/rules',
    {
      schema: {
        tags: ['planning'],
        summary: 'Make a new version of the readiness rules (administrators; If-Match: the latest version)',
        headers: Type.Object({ 'if-match': Type.Optional(Type.String()) }),
        body: Type.Object(
          { rules: ReadinessRules, note: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))) },
          { additionalProperties: false },
        ),
        response: { 200: SettingsVersionSchema(ReadinessRules), ...writeErrors },
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      const expected = parseIfMatch(request.headers['if-match']);
      const v = await planning.setReadinessRules(
        actor,
        expected,
        request.body.rules,
        request.body.note ?? null,
      );
      return reply.header('etag', `"${v.version}"`).send(v);
    },
  );

  app.get(
    '/api/v1/readiness/:settlementId',
    {
      schema: {
        tags: ['planning'],
        summary:
          'Readiness of one settlement as at a date: hazards by band, blocked land uses, accidents, risk education',
        params: Type.Object({ settlementId: Type.String({ format: 'uuid' }) }),
        querystring: AsAtQuery,
        response: {
          200: Type.Object({ asAt: Type.String(), rules: VersionRef, item: ReadinessItem }),
          ...errors,
        },
      },
    },
    async (request) =>
      planning.settlement(
        requireActor(request),
        request.params.settlementId,
        query(request.query, requestLocale(request)),
      ),
  );

  app.get(
    '/api/v1/priorities',
    {
      schema: {
        tags: ['planning'],
        summary:
          'Every open hazard scored and ranked as at a date, each score with every factor (value, weight)',
        querystring: AsAtQuery,
        response: {
          200: Type.Object({
            asAt: Type.String(),
            weights: VersionRef,
            productivity: Type.Array(Productivity),
            items: Type.Array(PriorityItem),
          }),
          ...errors,
        },
      },
    },
    async (request) => planning.priorities(requireActor(request), query(request.query, 'en')),
  );

  app.get(
    '/api/v1/priorities/weights',
    {
      schema: {
        tags: ['planning'],
        summary: 'The priority weights: a version, the one in force on asAt, or the latest',
        querystring: AsAtQuery,
        response: { 200: SettingsVersionSchema(PriorityWeights), ...errors },
      },
    },
    async (request, reply) => {
      const v = await planning.priorityWeights(requireActor(request), query(request.query, 'en'));
      return reply.header('etag', `"${v.version}"`).send(v);
    },
  );

  app.get(
    '/api/v1/priorities/weights/versions',
    {
      schema: {
        tags: ['planning'],
        summary: 'Every version of the priority weights, newest first',
        response: {
          200: Type.Object({ items: Type.Array(SettingsVersionSchema(PriorityWeights)) }),
          ...errors,
        },
      },
    },
    async (request) => ({ items: await planning.settingsHistory(requireActor(request), 'priority_weights') }),
  );

  app.put(
    '/api/v1/priorities/weights',
    {
      schema: {
        tags: ['planning'],
        summary: 'Make a new version of the priority weights (administrators; If-Match: the latest version)',
        headers: Type.Object({ 'if-match': Type.Optional(Type.String()) }),
        body: Type.Object(
          { weights: PriorityWeights, note: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))) },
          { additionalProperties: false },
        ),
        response: { 200: SettingsVersionSchema(PriorityWeights), ...writeErrors },
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      const expected = parseIfMatch(request.headers['if-match']);
      const v = await planning.setPriorityWeights(
        actor,
        expected,
        request.body.weights,
        request.body.note ?? null,
      );
      return reply.header('etag', `"${v.version}"`).send(v);
    },
  );

  app.get(
    '/api/v1/priorities/:hazardId',
    {
      schema: {
        tags: ['planning'],
        summary: "One hazard's rank and score as at a date, with every factor: why it is ranked where it is",
        params: Type.Object({ hazardId: Type.String({ format: 'uuid' }) }),
        querystring: AsAtQuery,
        response: {
          200: Type.Object({
            asAt: Type.String(),
            weights: VersionRef,
            of: Type.Integer({ description: 'How many open hazards are ranked' }),
            item: PriorityItem,
          }),
          ...errors,
        },
      },
    },
    async (request) =>
      planning.hazardPriority(requireActor(request), request.params.hazardId, query(request.query, 'en')),
  );

  app.get(
    '/api/v1/priorities/:hazardId/national',
    {
      schema: {
        tags: ['planning'],
        summary: 'The national priorities set for a hazard, latest first',
        params: Type.Object({ hazardId: Type.String({ format: 'uuid' }) }),
        response: { 200: Type.Object({ items: Type.Array(NationalPriority) }), ...errors },
      },
    },
    async (request) => ({
      items: await planning.nationalPriorities(requireActor(request), request.params.hazardId),
    }),
  );

  app.post(
    '/api/v1/priorities/:hazardId/national',
    {
      schema: {
        tags: ['planning'],
        summary:
          'Set the national priority of a hazard (0 none … 3 highest) from a date on (authority roles)',
        params: Type.Object({ hazardId: Type.String({ format: 'uuid' }) }),
        body: Type.Object(
          {
            level: Type.Integer({ minimum: 0, maximum: 3 }),
            effectiveFrom: Type.Optional(Type.String({ format: 'date', description: 'default today' })),
            reason: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
          },
          { additionalProperties: false },
        ),
        response: { 201: NationalPriority, ...errors },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(
          await planning.setNationalPriority(requireActor(request), request.params.hazardId, request.body),
        ),
  );

  app.get(
    '/api/v1/effort',
    {
      schema: {
        tags: ['planning'],
        summary:
          'Productivity by method, and by method and terrain (m² per team-day: median and interquartile range) as at a date',
        querystring: AsAtQuery,
        response: {
          200: Type.Object({ asAt: Type.String(), methods: Type.Array(Productivity) }),
          ...errors,
        },
      },
    },
    async (request) => planning.productivity(requireActor(request), query(request.query, 'en')),
  );

  app.get(
    '/api/v1/task-orders/progress',
    {
      schema: {
        tags: ['planning'],
        summary:
          'The task orders you may see, each with its progress against plan as at a date (operators: their own organisation)',
        querystring: Type.Object({
          asAt: Type.Optional(Type.String({ format: 'date', description: 'default today' })),
          organisationId: Type.Optional(Type.String({ format: 'uuid' })),
          state: Type.Optional(Type.Enum([...TASK_ORDER_STATES])),
        }),
        response: {
          200: Type.Object({
            asAt: Type.String(),
            items: Type.Array(
              Type.Object(
                {
                  id: Type.String(),
                  code: Type.String(),
                  reference: Nullable(Type.String()),
                  organisationId: Type.String(),
                  activityKind: Type.String(),
                  hazardIds: Type.Array(Type.String()),
                  plannedStart: Type.String(),
                  plannedEnd: Type.String(),
                  state: Type.String(),
                  progress: TaskOrderProgress,
                },
                { additionalProperties: true },
              ),
            ),
          }),
          ...errors,
        },
      },
    },
    async (request) => tasking.list(requireActor(request), request.query),
  );

  app.get(
    '/api/v1/task-orders/:id/progress',
    {
      schema: {
        tags: ['planning'],
        summary:
          "A task order's progress against its plan as at a date: land released and remaining of its hazards, planned and actual dates, days late, estimated days left",
        params: Type.Object({ id: Type.String() }),
        querystring: Type.Object({
          asAt: Type.Optional(Type.String({ format: 'date', description: 'default today' })),
        }),
        response: { 200: TaskOrderProgress, ...errors },
      },
      config: {
        authorise: (request) =>
          tasking.authoriseRead(requireActor(request), parseId(pathParam(request, 'id'), taskOrders)),
      },
    },
    async (request) =>
      tasking.progress(requireActor(request), parseId(request.params.id, taskOrders), {
        asAt: request.query.asAt,
      }),
  );

  app.get(
    '/api/v1/planning/board',
    {
      schema: {
        tags: ['planning'],
        summary:
          'The planning board: a row per organisation, a column per month, in each cell the task orders planned to be under way then, with state, progress and estimated effort',
        querystring: Type.Object({
          from: Type.String({ pattern: '^\\d{4}-\\d{2}$', description: 'First month, YYYY-MM' }),
          to: Type.String({
            pattern: '^\\d{4}-\\d{2}$',
            description: 'Last month, YYYY-MM (at most 36 months)',
          }),
          organisationId: Type.Optional(Type.String({ format: 'uuid' })),
          asAt: Type.Optional(Type.String({ format: 'date', description: 'Progress as at; default today' })),
        }),
        response: { 200: PlanningBoard, ...errors },
      },
    },
    async (request) => tasking.board(requireActor(request), request.query),
  );
}
