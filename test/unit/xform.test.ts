import { DOMParser } from '@xmldom/xmldom';
import { beforeAll, describe, expect, it } from 'vitest';
import { Problem } from '../../src/domain/problem.ts';
import { FORM_LANGUAGES, FORMS, generateXForm, readGeometry, readSubmission } from '../../src/io/xform.ts';
import { formLabels } from '../../src/services/openrosa.ts';
import { odkEngine } from './odk-engine.ts';

const ordnance = [
  { id: '0b7e8a59-3c1e-4d55-9e7b-2d8c2f0d9a01', model: 'PMN-2', category: 'AP' },
  { id: '5f1c4c0e-8f6d-4f4b-a0a4-6a7d61c2b302', model: 'TM-62M', category: 'AV' },
];
const generated = FORMS.map((f) => generateXForm(f, { ordnance, labels: formLabels }));

let engine: Awaited<ReturnType<typeof odkEngine>>;
beforeAll(async () => {
  engine = await odkEngine();
});

type EngineNode = {
  nodeType: string;
  definition: { nodeset: string };
  currentState: { children: EngineNode[] | null; value?: unknown };
  setValue?: (v: unknown) => unknown;
  selectValue?: (v: string) => unknown;
  selectValues?: (v: string[]) => unknown;
  addInstances?: (after?: number, count?: number) => unknown;
};

function find(node: EngineNode, nodeset: string): EngineNode {
  if (node.definition?.nodeset === nodeset) return node;
  for (const c of node.currentState.children ?? []) {
    try {
      return find(c, nodeset);
    } catch {}
  }
  throw new Error(`no ${nodeset}`);
}

describe('XForms generated from the register schemas', () => {
  it.each(generated.map((g) => [g.formId, g]))('%s loads in ODK’s XForms engine', async (_id, form) => {
    const instance = await engine.createInstance(form.xml);
    expect(instance.root.nodeType).toBe('root');
    // Its languages are the three of the catalogues, named as ODK matches them to the device.
    const languages = (instance.root.languages as unknown as Array<{ language: string }>).map(
      (l) => l.language,
    );
    expect(languages).toEqual(FORM_LANGUAGES.map((l) => l.name));
  });

  it('has a text in every language for every label, and meta/instanceID made by the phone', () => {
    for (const form of generated) {
      const doc = new DOMParser().parseFromString(form.xml, 'text/xml');
      const translations = Array.from(doc.getElementsByTagName('translation'));
      expect(translations).toHaveLength(3);
      const ids = translations.map((tr) =>
        Array.from(tr.getElementsByTagName('text'))
          .map((e) => e.getAttribute('id'))
          .sort(),
      );
      expect(ids[1]).toEqual(ids[0]);
      expect(ids[2]).toEqual(ids[0]);
      for (const tr of translations)
        for (const v of Array.from(tr.getElementsByTagName('value')))
          expect(v.textContent?.trim()).not.toBe('');
      expect(form.xml).toContain('<bind nodeset="/data/meta/instanceID"');
      expect(form.xml).toContain('<upload ref="/data/photos/photo" mediatype="image/*">');
      expect(form.hash).toMatch(/^md5:[0-9a-f]{32}$/);
    }
    const activity = generated.find((g) => g.formId === 'safeground_activity')!.xml;
    // Findings and land release are repeats; models come from the catalogue, categories from the vocabulary.
    expect(activity).toContain('<repeat nodeset="/data/finding">');
    expect(activity).toContain('<repeat nodeset="/data/landRelease">');
    expect(activity).toContain(`<value>${ordnance[0]!.id}</value>`);
    expect(activity).toContain(
      '<bind nodeset="/data/landRelease/geometry" type="geoshape" required="true()"/>',
    );
    expect(activity).toContain(
      '<text id="/data/finding/category/AP:label"><value>Anti-personnel mine (AP)</value>',
    );
    expect(activity).toMatch(/<translation lang="Русский \(ru\)">.*Противопехотная/s);
    const hazard = generated.find((g) => g.formId === 'safeground_new_hazard')!.xml;
    expect(hazard).toContain('type="geotrace"');
    expect(hazard).toContain('<select ref="/data/hazard/deviceCategories">');
  });

  it('a new version when the catalogue changes, the same version when nothing does', () => {
    const form = FORMS[1]!;
    const again = generateXForm(form, { ordnance, labels: formLabels });
    const changed = generateXForm(form, { ordnance: ordnance.slice(0, 1), labels: formLabels });
    expect(again.version).toBe(generated[1]!.version);
    expect(again.hash).toBe(generated[1]!.hash);
    expect(changed.version).not.toBe(generated[1]!.version);
  });

  it('reads back what ODK’s engine submits for a filled form', async () => {
    const form = generated.find((g) => g.formId === 'safeground_new_hazard')!;
    const instance = await engine.createInstance(form.xml);
    const root = instance.root as unknown as EngineNode;
    find(root, '/data/hazard/name').setValue!('Orchard north of the school');
    find(root, '/data/hazard/type').selectValue!('SHA');
    find(root, '/data/hazard/deviceCategories').selectValues!(['AP', 'AV']);
    find(root, '/data/hazard/beneficiaries').setValue!(120);
    find(root, '/data/hazard/geometry').setValue!(
      '39.6 47.35 0 5;39.6 47.36 0 5;39.61 47.36 0 5;39.6 47.35 0 5',
    );
    const payload = await (
      instance.root as unknown as {
        prepareInstancePayload: () => Promise<{ status: string; data: Array<{ get: (k: string) => File }> }>;
      }
    ).prepareInstancePayload();
    expect(payload.status).toBe('ready');
    const xml = await payload.data[0]!.get('xml_submission_file').text();
    const parsed = readSubmission(xml, null);
    expect(parsed.formId).toBe('safeground_new_hazard');
    expect(parsed.instanceId).toMatch(/^uuid:[0-9a-f-]{36}$/);
    expect(parsed.dateOfInformation).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(parsed.changes).toEqual([
      {
        op: 'create',
        register: 'hazards',
        record: {
          type: 'Feature',
          geometry: {
            type: 'Polygon',
            coordinates: [
              [
                [47.35, 39.6],
                [47.36, 39.6],
                [47.36, 39.61],
                [47.35, 39.6],
              ],
            ],
          },
          properties: {
            name: 'Orchard north of the school',
            type: 'SHA',
            deviceCategories: ['AP', 'AV'],
            beneficiaries: 120,
          },
        },
      },
    ]);
  });

  it('reads ODK geometries in longitude, latitude order and closes a walked perimeter', () => {
    expect(readGeometry('geopoint', '39.61 47.35 812.5 4.2', '/p')).toEqual({
      type: 'Point',
      coordinates: [47.35, 39.61],
    });
    expect(readGeometry('geotrace', '1 2 0 0;1 3 0 0;2 3 0 0', '/p').coordinates[0]).toEqual([
      [2, 1],
      [3, 1],
      [3, 2],
      [2, 1],
    ]);
    const bad = (() => {
      try {
        readGeometry('geoshape', '1 2;1', '/hazard/geometry');
      } catch (e) {
        return e as Problem;
      }
    })();
    expect(bad).toBeInstanceOf(Problem);
    expect(bad?.code).toBe('openrosa.geometry_invalid');
    expect(bad?.where?.pointer).toBe('/hazard/geometry');
  });

  it('names the field of a value it cannot read', () => {
    const xml = `<data id="safeground_activity" version="x"><report><dateOfInformation>2025-08-01</dateOfInformation></report>
      <activity><kind>clearance</kind><startDate>1st of August</startDate></activity>
      <meta><instanceID>uuid:8a3e6a8e-0d4b-4a55-9a7f-1f6a0f1e2d3c</instanceID></meta></data>`;
    let problem: Problem | undefined;
    try {
      readSubmission(xml, 'a8f4bd4e-7d1f-4b8b-8b85-2f64f3c5a111');
    } catch (e) {
      problem = e as Problem;
    }
    expect(problem?.code).toBe('validation.format');
    expect(problem?.where?.pointer).toBe('/activity/startDate');
  });
});
