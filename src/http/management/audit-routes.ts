import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { listAuditEvents } from '../../domain/management/audit-log.js';
import type { Services } from '../services.js';
import { addManagementRoute } from './management-route.js';
import { Id, PageQuery, pageOf } from './schemas.js';
import { auditEventView, pageView } from './views.js';

// /api/v1/audit-events: who did what, when and from where, newest first, filterable.

const AuditQuery = Type.Object({
  ...PageQuery.properties,
  type: Type.Optional(Type.String({ maxLength: 100 })),
  actorUserId: Type.Optional(Id),
  userId: Type.Optional(Id),
  applicationId: Type.Optional(Id),
  subscriptionId: Type.Optional(Id),
  apiId: Type.Optional(Type.String({ maxLength: 63 })),
  since: Type.Optional(Type.String({ format: 'date-time' })),
  until: Type.Optional(Type.String({ format: 'date-time' })),
});

export function auditRoutes(app: FastifyInstance, services: Services): void {
  addManagementRoute(app, services, {
    method: 'GET', url: '/audit-events', tag: 'audit', summary: 'The audit log, newest first (admin)',
    querystring: AuditQuery, response: pageOf('AuditEvent'),
    handle: async (context, { query }) => {
      const { limit, cursor, since, until, ...filter } = query;
      const range = { ...(since ? { since: Date.parse(since) } : {}), ...(until ? { until: Date.parse(until) } : {}) };
      const page = await listAuditEvents(context, { ...filter, ...range }, { ...(limit ? { limit } : {}), ...(cursor ? { cursor } : {}) });
      return pageView(page, auditEventView);
    },
  });
}
