import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { NotificationService } from '../../services/notifications.ts';
import type { ReportService } from '../../services/reports.ts';
import { pathParam } from '../input.ts';
import { requireActor } from '../plugins/auth.ts';
import { ProblemSchema, type TypedRequests } from '../schemas.ts';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Person = Type.Object({ id: Type.String(), name: Type.String() });

const NotificationSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  kind: Type.Enum([
    'report.submitted',
    'report.reviewed',
    'report.approved',
    'report.rejected',
    'report.commented',
  ]),
  reportId: Type.String({ format: 'uuid' }),
  reportCode: Type.String(),
  reportKind: Type.String(),
  reportStatus: Type.String(),
  actor: Nullable(Person),
  commentId: Nullable(Type.String()),
  createdAt: Type.String(),
  readAt: Nullable(Type.String()),
});

const CommentSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  reportId: Type.String({ format: 'uuid' }),
  author: Person,
  text: Type.String(),
  createdAt: Type.String(),
});

const TimelineEntrySchema = Type.Object({
  at: Type.String(),
  type: Type.Enum(['event', 'comment']),
  action: Type.Optional(
    Type.Enum(['created', 'edited', 'submitted', 'reviewed', 'approved', 'rejected'], {
      description: 'for an event',
    }),
  ),
  actor: Nullable(Person),
  reason: Type.Optional(Nullable(Type.String({ description: 'the reason given with a rejection' }))),
  comment: Type.Optional(Type.Object({ id: Type.String(), text: Type.String() })),
});

/** A user's notifications, and the comments and timeline of a report. */
export async function notificationRoutes(
  instance: FastifyInstance,
  opts: { notifications: NotificationService; reports: ReportService },
) {
  const app = instance.withTypeProvider<TypedRequests>();
  const errors = {
    400: ProblemSchema,
    401: ProblemSchema,
    403: ProblemSchema,
    404: ProblemSchema,
  };
  const idParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
  const mayReadReport = (request: Parameters<typeof pathParam>[0]) =>
    opts.reports.get(requireActor(request), pathParam(request, 'id'));

  app.get(
    '/api/v1/notifications',
    {
      schema: {
        tags: ['notifications'],
        summary: "The signed-in user's own notifications, newest first, and how many are unread",
        querystring: Type.Object({
          unread: Type.Optional(Type.Enum(['true', 'false'], { description: 'true: only unread ones' })),
          // A query string's values are text: the page size is a number written as one.
          limit: Type.Optional(
            Type.String({ pattern: '^(200|1[0-9]{2}|[1-9][0-9]?)$', description: '1–200, default 50' }),
          ),
        }),
        response: {
          200: Type.Object({ items: Type.Array(NotificationSchema), unread: Type.Integer() }),
          ...errors,
        },
      },
    },
    async (request) =>
      opts.notifications.list(requireActor(request), {
        unread: request.query.unread === 'true',
        limit: request.query.limit === undefined ? undefined : Number(request.query.limit),
      }),
  );

  app.post(
    '/api/v1/notifications/:id/read',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Mark one of my notifications read',
        params: idParams,
        response: { 200: NotificationSchema, ...errors },
      },
    },
    async (request) => opts.notifications.markRead(requireActor(request), request.params.id),
  );

  app.post(
    '/api/v1/notifications/read-all',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Mark all my notifications read',
        response: { 200: Type.Object({ marked: Type.Integer() }), ...errors },
      },
    },
    async (request) => opts.notifications.markAllRead(requireActor(request)),
  );

  app.post(
    '/api/v1/reports/:id/comments',
    {
      schema: {
        tags: ['reports'],
        summary: 'Comment on a report; its other participants are notified',
        params: idParams,
        body: Type.Object({ text: Type.String({ minLength: 1, maxLength: 4000 }) }),
        response: { 201: CommentSchema, ...errors },
      },
      config: { authorise: mayReadReport },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await opts.notifications.comment(requireActor(request), request.params.id, request.body.text)),
  );

  app.get(
    '/api/v1/reports/:id/timeline',
    {
      schema: {
        tags: ['reports'],
        summary:
          "A report's steps (created, edited, submitted, reviewed, approved, rejected) and comments, oldest first",
        params: idParams,
        response: { 200: Type.Object({ items: Type.Array(TimelineEntrySchema) }), ...errors },
      },
    },
    async (request) => opts.notifications.timeline(requireActor(request), request.params.id),
  );
}
