import { describe, expect, it } from 'vitest';
import { registerBySlug } from '../../src/domain/records.ts';
import { QA_SEVERITIES } from '../../src/domain/vocabularies.ts';
import { fieldsOf } from '../../web/src/lib/registers.ts';

const field = (slug: string, name: string) => fieldsOf(registerBySlug(slug)!).find((f) => f.name === name)!;

describe('web register forms', () => {
  it('edits a list of objects with a code-list or date part as rows, not as JSON', () => {
    // An approver editing a QA visit once got a JSON box for its non-conformities.
    const ncs = field('qa-visits', 'nonConformities');
    expect(ncs.kind).toBe('objectList');
    expect(ncs.subfields).toEqual([
      { name: 'description', maxLength: 2000 },
      { name: 'severity', enumValues: [...QA_SEVERITIES] },
    ]);
    const assets = field('teams', 'assets');
    expect(assets.kind).toBe('objectList');
    expect(assets.subfields?.find((p) => p.name === 'kind')?.enumValues?.length).toBeGreaterThan(1);
    expect(assets.subfields?.find((p) => p.name === 'from')).toEqual({ name: 'from', date: true });
  });

  it('keeps JSON for a list with a part that is not text (a donor amount)', () => {
    expect(field('projects', 'donors').kind).toBe('json');
  });
});
