import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  apiTypes,
  compareApiTypes,
  GENERATED_FILE,
  openApiDocument,
} from '../../scripts/check-api-schema.ts';

const tiny = {
  openapi: '3.0.3',
  info: { title: 't', version: '1' },
  paths: {
    '/api/v1/health': {
      get: {
        responses: {
          200: {
            description: 'ok',
            content: {
              'application/json': { schema: { type: 'object', properties: { ok: { type: 'boolean' } } } },
            },
          },
        },
      },
    },
  },
};

describe('the check of web/src/api/schema.generated.ts', () => {
  it('accepts the types generated from the same document and refuses them for a changed one', async () => {
    const committed = await apiTypes(tiny);
    expect(await compareApiTypes(tiny, committed)).toEqual({ upToDate: true });
    const changed = structuredClone(tiny);
    changed.paths['/api/v1/health'].get.responses[200].content['application/json'].schema.properties = {
      ok: { type: 'string' } as unknown as { type: string },
    };
    const result = await compareApiTypes(changed, committed);
    expect(result.upToDate).toBe(false);
    expect(result).toMatchObject({
      found: expect.stringContaining('boolean'),
      expected: expect.stringContaining('string'),
    });
  });

  it('holds the committed file to the API, and would fail if a route went missing from it', {
    timeout: 180_000,
  }, async () => {
    const document = await openApiDocument();
    const committed = readFileSync(GENERATED_FILE, 'utf8');
    expect(await compareApiTypes(document, committed)).toEqual({ upToDate: true });
    const paths = { ...(document.paths as Record<string, unknown>) };
    delete paths['/api/v1/health'];
    expect((await compareApiTypes({ ...document, paths }, committed)).upToDate).toBe(false);
  });
});
