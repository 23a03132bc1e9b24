import { afterAll, describe, expect, it } from 'vitest';
import { testApp } from './helpers/db.ts';

/** The server listens before the demo loads; health says so until it is in. */
describe('GET /api/v1/health while the demo loads', () => {
  afterAll(async () => {
    (await testApp()).system.setLoading(undefined);
  });

  it('answers loading while something loads, ok once it is done', async () => {
    const app = await testApp();
    const ok = await app.inject({ method: 'GET', url: '/api/v1/health' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().status).toBe('ok');
    expect(ok.json().loading).toBeUndefined();
    app.system.setLoading('demo');
    const loading = await app.inject({ method: 'GET', url: '/api/v1/health' });
    expect(loading.statusCode).toBe(200);
    expect(loading.json()).toMatchObject({ status: 'loading', loading: 'demo' });
    app.system.setLoading(undefined);
    expect((await app.inject({ method: 'GET', url: '/api/v1/health' })).json().status).toBe('ok');
  });
});
