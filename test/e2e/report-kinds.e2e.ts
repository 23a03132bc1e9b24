import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  apiCall,
  DEMO_USERS,
  type DemoUser,
  launch,
  mapCanvases,
  newSession,
  type Session,
  screenshot,
  signIn,
  tokenOf,
  waitForMap,
} from './browser.ts';

// The report form's other kinds in the browser: an accident with a casualty whose identity the
// operator enters once and never sees again (kept across an edit, intact after approval), and a
// new hazard typed corner by corner.
const baseUrl = inject('baseUrl');
const OPERATOR = DEMO_USERS.operator;
const APPROVER = DEMO_USERS.approver;
const victim = `Test Person ${Date.now()}`;

let browser: Browser;
let op: Session;
let ap: Session;
let accidentReportId = '';

const token = (who: DemoUser) => tokenOf(baseUrl, who);
const api = (bearer: string, method: string, path: string, body?: unknown) =>
  apiCall(baseUrl, bearer, method, path, body);

beforeAll(async () => {
  for (const who of [OPERATOR, APPROVER])
    await api(await token(who), 'PATCH', '/api/v1/auth/me', { locale: 'en' });
  browser = await launch();
  op = await newSession(browser, baseUrl, 1280, 800);
  ap = await newSession(browser, baseUrl, 1280, 800);
  await signIn(op.page, OPERATOR);
  await signIn(ap.page, APPROVER);
});

afterAll(async () => {
  await browser?.close();
});

describe('report kinds in the browser', () => {
  it('an operator enters an accident with a casualty and an identity, reopens it, edits it and submits it', async () => {
    const p = op.page;
    await p.goto('/reports/new?kind=accident');
    await p.getByRole('heading', { name: 'New report' }).waitFor();
    expect(await p.locator('#r-kind').inputValue()).toBe('accident');
    // The position is placed on the report's one map (no map of its own), then typed exactly.
    await waitForMap(p);
    expect(await mapCanvases(p)).toBe(1);
    await p.getByTestId('place-on-map').click();
    await p.getByTestId('map-mode').waitFor();
    const box = await p.locator('.report-map canvas').boundingBox();
    if (!box) throw new Error('no map canvas');
    await p.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await expect.poll(() => p.locator('#r-acc-point').inputValue()).toMatch(/\d/);
    await p.locator('#r-acc-point').fill('39.935, 46.935');
    await p.locator('#r-acc-point').press('Tab');
    await p.locator('#r-acc-occurredOn').fill('2025-04-02');
    await p.locator('#r-acc-datePrecision').selectOption('day');
    await p.locator('#r-acc-deviceCategory').selectOption('AP');
    await p.getByTestId('add-casualty').click();
    const cas = p.getByTestId('casualty-0');
    await cas.locator('select[id$="-sex"]').selectOption('male');
    await cas.locator('input[id$="-age"]').fill('34');
    await cas.locator('select[id$="-casualtyStatus"]').selectOption('civilian');
    await cas.locator('select[id$="-outcome"]').selectOption('injured');
    await cas.getByTestId('identity-enter').click();
    await cas.locator('input[id$="-id-name"]').fill(victim);
    await cas.locator('input[id$="-id-address"]').fill('Village 3, house 12');
    await screenshot(p, '30-report-accident-form');
    await p.getByTestId('save-report').click();
    await p.waitForURL(/\/reports\/[0-9a-f-]{36}$/);
    accidentReportId = /\/reports\/([0-9a-f-]{36})$/.exec(p.url())?.[1] ?? '';
    expect(accidentReportId).not.toBe('');

    // The operator's own read of the draft never holds the identity, only that there is one.
    const opToken = await token(OPERATOR);
    const draft = await api(opToken, 'GET', `/api/v1/reports/${accidentReportId}`);
    expect(JSON.stringify(draft.body)).not.toContain(victim);
    expect(draft.body.hiddenIdentities).toEqual([1]);

    // Reopened, the form says an identity is recorded and shows none of it.
    await p.getByTestId('edit-report').click();
    await p.waitForURL(/\/edit$/);
    const again = p.getByTestId('casualty-0');
    await again.getByTestId('identity-hidden').waitFor();
    expect(await again.getByTestId('identity-hidden').textContent()).toMatch(/Identity recorded \(hidden\)/);
    expect(await p.content()).not.toContain(victim);
    expect(await again.locator('input[id$="-age"]').inputValue()).toBe('34');
    await again.locator('select[id$="-outcome"]').selectOption('killed');
    await p.locator('#r-acc-description').fill('Tractor driver on the track to the orchard.');
    await screenshot(p, '31-report-accident-edit');
    await p.setViewportSize({ width: 390, height: 844 });
    await again.getByTestId('identity-hidden').scrollIntoViewIfNeeded();
    await screenshot(p, '32-report-accident-edit-phone');
    await p.setViewportSize({ width: 1280, height: 800 });
    await p.getByTestId('save-report').click();
    await p.waitForURL(new RegExp(`/reports/${accidentReportId}$`));
    await p.getByRole('button', { name: 'Submit' }).click();
    await expect
      .poll(async () => (await p.getByTestId('report-title').textContent()) ?? '', { timeout: 20_000 })
      .toMatch(/submitted/);
    const submitted = await api(opToken, 'GET', `/api/v1/reports/${accidentReportId}`);
    expect(submitted.body.hiddenIdentities).toEqual([1]);
  });

  it('the approver approves it, and the casualty keeps its name', async () => {
    const p = ap.page;
    await p.goto(`/reports/${accidentReportId}`);
    await p.getByTestId('report-title').waitFor();
    // The casualty's identity is not on the page until the approver asks for it.
    const identity = p.getByTestId('change-identity');
    await identity.waitFor();
    expect(await p.content()).not.toContain(victim);
    await identity.getByTestId('identity-show').click();
    await expect.poll(() => identity.getByTestId('identity-shown').textContent()).toContain(victim);
    await p.getByRole('button', { name: 'Approve' }).click();
    await expect
      .poll(async () => (await p.getByTestId('report-title').textContent()) ?? '', { timeout: 20_000 })
      .toMatch(/approved/);
    const apToken = await token(APPROVER);
    const report = await api(apToken, 'GET', `/api/v1/reports/${accidentReportId}?identity=true`);
    // A casualty has no shape: its record is its plain fields, and the approver's read asked for holds the identity.
    const changes = (report.body.payload as { changes: Array<{ record: Record<string, unknown> }> }).changes;
    expect(changes[1]?.record.outcome).toBe('killed');
    expect(changes[1]?.record.identity).toMatchObject({ name: victim });
    const list = await api(apToken, 'GET', '/api/v1/casualties?sort=-code&limit=1');
    const row = (
      (list.body.items ?? (list.body.features as Array<{ properties: unknown }>)?.map((f) => f.properties)) as
        | Array<{ id: string }>
        | undefined
    )?.[0];
    expect(row?.id).toBeTruthy();
    const casualty = await api(apToken, 'GET', `/api/v1/casualties/${row?.id}?identity=true`);
    const props = (casualty.body.properties ?? casualty.body) as Record<string, unknown>;
    expect(props.outcome).toBe('killed');
    expect(props.identity).toMatchObject({ name: victim, address: 'Village 3, house 12' });
  });

  it('an operator types a new hazard and submits it', async () => {
    const p = op.page;
    await p.goto('/reports/new');
    await p.getByRole('heading', { name: 'New report' }).waitFor();
    await p.locator('#r-kind').selectOption('new_hazard');
    const name = `E2E typed hazard ${Date.now()}`;
    await p.locator('#r-hz-name').fill(name);
    await p.locator('#r-hz-type').selectOption('SHA');
    await p.locator('#r-hz-deviceCategories').getByLabel('Anti-personnel mine (AP)').check();
    await p.locator('#r-hz-beneficiaries').fill('120');
    // Evidence with the place it was seen, typed in its own row (the register form's rows).
    await p.getByRole('button', { name: 'Add evidence' }).click();
    const evidence = p.getByTestId('evidence-row').last();
    await evidence.getByLabel('Type').selectOption({ label: 'Informant' });
    await evidence.getByLabel('Description').fill('A shepherd saw a tripwire');
    await evidence.getByLabel('Location').fill('39.951, 46.951');
    await evidence.getByLabel('Location').press('Tab');
    const polygon = p.getByTestId('hazard-polygon');
    await polygon
      .getByTestId('coordinates-text')
      .fill(['39.950, 46.950', '39.950, 46.952', '39.952, 46.952', '39.952, 46.950'].join('\n'));
    await polygon.getByTestId('apply-coordinates').click();
    // The polygon is drawn on the report's one map.
    await waitForMap(p);
    expect(await mapCanvases(p)).toBe(1);
    expect(await polygon.locator('canvas').count()).toBe(0);
    // Where the evidence was seen is on the same map, with its own entry in the legend.
    await p.getByTestId('legend-evidence').waitFor();
    await screenshot(p, '33-report-new-hazard');
    await p.setViewportSize({ width: 390, height: 844 });
    await screenshot(p, '34-report-new-hazard-phone');
    await p.setViewportSize({ width: 1280, height: 800 });
    await p.getByTestId('save-report').click();
    await p.waitForURL(/\/reports\/[0-9a-f-]{36}$/);
    const id = /\/reports\/([0-9a-f-]{36})$/.exec(p.url())?.[1] ?? '';
    await p.getByRole('button', { name: 'Submit' }).click();
    await expect
      .poll(async () => (await p.getByTestId('report-title').textContent()) ?? '', { timeout: 20_000 })
      .toMatch(/submitted/);
    // And on the report's page, as its approver will see it.
    await p.getByTestId('legend-evidence').waitFor();
    const r = await api(await token(OPERATOR), 'GET', `/api/v1/reports/${id}`);
    expect(r.body.kind).toBe('new_hazard');
    const [change] = (
      r.body.payload as {
        changes: Array<{
          register: string;
          record: { properties: Record<string, unknown>; geometry: { type: string } };
        }>;
      }
    ).changes;
    expect(change?.register).toBe('hazards');
    expect(change?.record.properties).toMatchObject({ name, type: 'SHA', beneficiaries: 120 });
    expect(change?.record.properties.evidence).toEqual([
      {
        type: 'informant',
        description: 'A shepherd saw a tripwire',
        location: { type: 'Point', coordinates: [46.951, 39.951] },
      },
    ]);
    expect(change?.record.geometry.type).toBe('Polygon');
  });

  it("an operator counts a risk education session's beneficiaries in the report's table, a row per band where columns do not fit", async () => {
    const p = op.page;
    await p.goto('/reports/new?kind=other_records');
    const table = p.getByTestId('beneficiaries-table');
    await table.waitFor();
    // The report form's column is too narrow for six bands across: the bands run down instead.
    const firstColumn = await table.locator('tbody th').allTextContents();
    expect(firstColumn).toEqual(['0–4', '5–12', '13–17', '18–59', '60 and over', 'Unknown']);
    await table.getByLabel('Female, 5–12', { exact: true }).fill('12');
    await table.getByLabel('Male, 60 and over', { exact: true }).fill('3');
    await expect.poll(() => p.getByTestId('beneficiaries-total').textContent()).toBe('15');
    await p.locator('#r-re-heldOn').fill('2026-11-30');
    await p.locator('#r-re-deliveryMethod').selectOption('face_to_face');
    await expect.poll(() => p.locator('#r-re-organisationId option').count()).toBeGreaterThan(1);
    await p.locator('#r-re-organisationId').selectOption({ index: 1 });
    await p.locator('#r-re-point').fill('39.935, 46.935');
    await p.locator('#r-re-point').press('Tab');
    await p.getByTestId('save-report').click();
    await p.waitForURL(/\/reports\/[0-9a-f-]{36}$/);
    const id = /\/reports\/([0-9a-f-]{36})$/.exec(p.url())?.[1] ?? '';
    const r = await api(await token(OPERATOR), 'GET', `/api/v1/reports/${id}`);
    const [change] = (
      r.body.payload as { changes: Array<{ record: { properties: Record<string, unknown> } }> }
    ).changes;
    expect(change?.record.properties.beneficiaries).toEqual({ female: { '5-12': 12 }, male: { '60+': 3 } });
  });

  it("an operator records a QA visit's non-conformities as rows, each severity from its list", async () => {
    const p = op.page;
    await p.goto('/reports/new?kind=other_records');
    await p.locator('#r-other-register').selectOption('qa-visits');
    await p.locator('#r-qa-visitedOn').fill('2026-11-30');
    for (const org of ['#r-qa-inspectedOrganisationId', '#r-qa-inspectingOrganisationId']) {
      await expect.poll(() => p.locator(`${org} option`).count()).toBeGreaterThan(1);
      await p.locator(org).selectOption({ index: 1 });
    }
    await p.getByRole('button', { name: 'Add a non-conformity' }).click();
    const row = p.getByTestId('nonConformities-row').last();
    await row.getByLabel('Description').fill('Marking poles missing on the north side');
    await row.getByLabel('Severity').selectOption({ label: 'Major' });
    await p.getByTestId('save-report').click();
    await p.waitForURL(/\/reports\/[0-9a-f-]{36}$/);
    const id = /\/reports\/([0-9a-f-]{36})$/.exec(p.url())?.[1] ?? '';
    const r = await api(await token(OPERATOR), 'GET', `/api/v1/reports/${id}`);
    // A record without a geometry is its properties.
    const [change] = (r.body.payload as { changes: Array<{ record: Record<string, unknown> }> }).changes;
    expect(change?.record.nonConformities).toEqual([
      { description: 'Marking poles missing on the north side', severity: 'major' },
    ]);
  });

  it('an operator corrects an accreditation: suspended, a yes/no field, is a box to tick', async () => {
    const p = op.page;
    await p.goto('/reports/new?kind=correction');
    await p.locator('#r-cor-register').selectOption('accreditations');
    await expect.poll(() => p.locator('#r-cor-record option').count()).toBeGreaterThan(1);
    await p.locator('#r-cor-record').selectOption({ index: 1 });
    const recordId = await p.locator('#r-cor-record').inputValue();
    await p.locator('#r-cor-suspended').check();
    await p.locator('#r-cor-suspendedReason').fill('Expired insurance');
    // A list of records (the admin areas it covers) is chosen record by record.
    await expect.poll(() => p.locator('#r-cor-adminAreaIds option').count()).toBeGreaterThan(1);
    await p.locator('#r-cor-adminAreaIds').selectOption({ index: 1 });
    const area = await p.locator('#r-cor-adminAreaIds option').nth(1).getAttribute('value');
    await expect.poll(() => p.getByTestId('id-list-item').count()).toBe(1);
    await p.locator('#r-reason').fill('Suspended by the authority on 2026-12-01');
    await p.getByTestId('save-report').click();
    await p.waitForURL(/\/reports\/[0-9a-f-]{36}$/);
    const id = /\/reports\/([0-9a-f-]{36})$/.exec(p.url())?.[1] ?? '';
    const r = await api(await token(OPERATOR), 'GET', `/api/v1/reports/${id}`);
    const [change] = (r.body.payload as { changes: Array<{ id: string; record: Record<string, unknown> }> })
      .changes;
    expect(change).toMatchObject({
      id: recordId,
      record: { suspended: true, suspendedReason: 'Expired insurance', adminAreaIds: [area] },
    });
  });

  it('logs no console errors and no refused requests', () => {
    expect([...op.failedResponses, ...ap.failedResponses]).toEqual([]);
    expect([...op.errors, ...ap.errors]).toEqual([]);
  });
});
