import type { LightMyRequestResponse } from 'fastify';
import { testApp } from './db.ts';

/**
 * One request to the test application, signed in with `headers` (from `login`); the body is
 * sent only when there is one: `await call('POST', '/api/v1/reports', operator, body)`.
 */
export async function call(
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  headers: Record<string, string>,
  payload?: unknown,
): Promise<LightMyRequestResponse> {
  const app = await testApp();
  return app.inject({
    method,
    url,
    headers,
    ...(payload !== undefined ? { payload: payload as object } : {}),
  });
}
