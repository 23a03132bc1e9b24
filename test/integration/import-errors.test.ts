import { beforeAll, describe, expect, it } from 'vitest';
import { login, testApp, testDatabaseKind, unique } from './helpers/db.ts';

let app: Awaited<ReturnType<typeof testApp>>;
let admin: Record<string, string>;

async function upload(as: string, filename: string, body: string) {
  const r = await app.inject({
    method: 'POST',
    url: `/api/v1/imports?as=${as}`,
    headers: { ...admin, 'content-type': 'text/plain', 'x-filename': filename },
    payload: body,
  });
  expect(r.statusCode, r.body).toBe(202);
  for (let i = 0; i < 600; i++) {
    const j = await app.inject({ method: 'GET', url: `/api/v1/imports/${r.json().id}`, headers: admin });
    const job = j.json();
    if (job.status === 'done' || job.status === 'failed') return job;
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error('import job did not finish');
}

beforeAll(async () => {
  app = await testApp();
  admin = await login('admin');
});

describe(`import errors a user sees on ${testDatabaseKind()}`, () => {
  it('fails a text file of prose with the reason, not as done with nothing read', async () => {
    const job = await upload(
      'hazards',
      'notes.txt',
      'Meeting notes from the field\nNothing to import here\n',
    );
    expect(job.status).toBe('failed');
    expect(job.error.code).toBe('io.csv.columns');
    expect(job.error.message).toContain('Meeting notes from the field');
    expect(job.result).toBeNull();
  });

  it('fails a one-line text file, which has a header and no rows', async () => {
    const job = await upload('hazards', 'one-line.txt', 'just one line');
    expect(job.status).toBe('failed');
    expect(job.error.code).toBe('io.csv.columns');
  });

  it('fails a CSV without coordinates for a register that needs them', async () => {
    const job = await upload('settlements', 'villages.csv', `name,district\n${unique('Village ')},North\n`);
    expect(job.status).toBe('failed');
    expect(job.error.code).toBe('io.csv.columns');
  });

  it('gives the reasons of rejected rows with the job, for the page to show', async () => {
    const job = await upload(
      'settlements',
      'villages.csv',
      `name,lat,lon\n${unique('V ')},40.1,44.5\n,40.2,44.6\n`,
    );
    expect(job.status).toBe('done');
    expect(job.result).toMatchObject({ read: 2, imported: 1, rejected: 1, rejectLines: 1 });
    expect(job.result.rejects).toHaveLength(1);
    expect(job.result.rejects[0]).toMatchObject({ row: 3, field: 'name' });
    expect(job.result.rejects[0].message.length).toBeGreaterThan(0);
  });
});
