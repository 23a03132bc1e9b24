import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { link, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { deflateSync, inflateSync } from 'node:zlib';
import QRCode from 'qrcode';
import { type Database, withTransaction } from '../db/connect.ts';
import { attachmentsOf, insertAttachment, insertMetadata } from '../db/repositories/attachments.ts';
import { appendAudit } from '../db/repositories/audit.ts';
import * as repo from '../db/repositories/openrosa.ts';
import { REPORT_RECORD_TYPE } from '../db/repositories/report-attachments.ts';
import { reportById } from '../db/repositories/reports.ts';
import { userById } from '../db/repositories/users.ts';
import { can } from '../domain/permissions.ts';
import { Problem } from '../domain/problem.ts';
import { registerBySlug } from '../domain/records.ts';
import type { Change } from '../domain/reports.ts';
import { schemaProblems, withOthers } from '../domain/schema-check.ts';
import type { Role } from '../domain/vocabularies.ts';
import { t } from '../i18n/catalogue.ts';
import {
  FORM_LANGUAGES,
  FORMS,
  type GeneratedForm,
  generateXForm,
  readSubmission,
  submissionHeader,
} from '../io/xform.ts';
import { type Actor, assertCan } from './actor.ts';
import { type AttachmentService, writeHashed } from './attachments.ts';
import { newToken, tokenHash } from './auth.ts';
import { isUuid } from './list-query.ts';
import type { RegisterService } from './registers.ts';
import type { ReportService } from './reports.ts';

/** The largest submission XML read (ODK Collect splits a submission's files at 10 MB a POST). */
export const MAX_SUBMISSION_XML_BYTES = 10 * 1024 * 1024;
/** The name of the multipart part that holds the filled form (OpenRosa Form Submission API). */
export const XML_PART = 'xml_submission_file';
/** The field ODK Collect sets to "yes" on every POST of a split submission but the last. */
export const INCOMPLETE_PART = '*isIncomplete*';

/** One part of a submission POST, as the route reads it from multipart/form-data. */
export type SubmissionPart =
  | { kind: 'field'; name: string; value: string }
  | { kind: 'file'; name: string; filename: string; mediaType: string; content: Readable };

export interface SubmissionOutcome {
  /** 201: a report was made; 202: the instance was already received (files added, if any). */
  status: 201 | 202;
  reportId: string;
  reportCode: string;
  /** Files stored by this POST. */
  attached: number;
  incomplete: boolean;
}

/**
 * ODK Collect and KoboCollect over OpenRosa: the form list and XForms of the report kinds a user
 * may submit, and submissions turned into reports in the normal workflow, once per instance ID.
 */
export class OpenRosaService {
  constructor(
    private readonly database: Database,
    private readonly reports: ReportService,
    private readonly registers: Map<string, RegisterService>,
    private readonly attachmentsDir: string,
    private readonly attachments?: AttachmentService,
  ) {}

  /** The forms this user may fill and submit: every form for a role that may create and submit reports, else none. */
  async forms(actor: Actor): Promise<GeneratedForm[]> {
    if (!can(actor.role, 'report.create') || !can(actor.role, 'report.submit')) return [];
    const ordnance = await this.ordnance(actor);
    return FORMS.map((form) => generateXForm(form, { ordnance, labels: formLabels }));
  }

  /** One form's XForm, if the user may fill it. */
  async form(actor: Actor, formId: string): Promise<GeneratedForm> {
    const found = (await this.forms(actor)).find((f) => f.formId === formId);
    if (!found) throw new Problem('openrosa.form_unknown', { formId }, { pointer: '' });
    return found;
  }

  /** A form's title in a language (the form list's `name`). */
  formName(formId: string, locale: string): string {
    return t(`openrosa.form.${formId}`, {}, locale);
  }

  /**
   * Receives one POST of a submission. The filled form (its XML) and its files are read to the
   * end first, each file into a staging file of its own; then the form is read and checked; only
   * then are the files put in place (by their hash) and, in one transaction: a new instance ID
   * becomes a report created by the user and submitted at once, with the files attached to it;
   * an instance ID already received (the phone sent it again, or split it over several POSTs)
   * adds only the files the report does not have yet. Whatever fails — a body cut short, a form
   * that cannot be read, a value the register refuses, the transaction — leaves no report, no
   * attachment and no stored file behind: the staging files are always removed, and a file this
   * POST put in place that no attachment names afterwards is removed with its thumbnail.
   */
  async submit(actor: Actor, parts: AsyncIterable<SubmissionPart>): Promise<SubmissionOutcome> {
    if (!can(actor.role, 'report.create') || !can(actor.role, 'report.submit'))
      throw new Problem(
        'auth.forbidden',
        { action: 'report.submit', role: actor.role, entity: 'report' },
        { pointer: '' },
      );
    const staged: StagedFile[] = [];
    const placed = new Set<string>();
    try {
      let xml: string | undefined;
      let incomplete = false;
      const files: Array<StagedFile & { filename: string; mediaType: string }> = [];
      for await (const part of parts) {
        if (part.kind === 'field') {
          if (part.name === INCOMPLETE_PART) incomplete = part.value.trim().toLowerCase() === 'yes';
          else if (part.name === XML_PART) xml = part.value;
          continue;
        }
        if (part.name === XML_PART) {
          xml = await readText(part.content, MAX_SUBMISSION_XML_BYTES);
          continue;
        }
        const file = await stageContent(this.attachmentsDir, part.content, staged);
        if ((part.content as { truncated?: boolean }).truncated)
          throw new Problem('request.too_large', {}, { pointer: `/${part.name}` });
        files.push({
          ...file,
          filename: safeName(part.filename || part.name),
          mediaType: part.mediaType || 'application/octet-stream',
        });
      }
      if (xml === undefined) throw new Problem('openrosa.xml_missing', {}, { pointer: `/${XML_PART}` });
      const header = submissionHeader(xml);
      // Read and resolve before the transaction, so a bad form is refused without holding a lock.
      const existing = await repo.submissionByInstance(this.database.db, header.instanceId);
      if (existing && (existing.submittedBy !== actor.id || existing.formId !== header.formId))
        throw new Problem(
          'openrosa.instance_conflict',
          { instanceId: header.instanceId },
          { pointer: '/meta/instanceID' },
        );
      const body = existing ? undefined : await this.reportBody(actor, xml);
      const described = new Map<string, Awaited<ReturnType<AttachmentService['describe']>>>();
      for (const f of files) {
        if (await placeContent(this.attachmentsDir, f)) placed.add(f.sha256);
        const d = await this.attachments?.describe(f.sha256).catch(() => undefined);
        if (d) described.set(f.sha256, d);
      }

      const outcome = await this.database.db.transaction().execute(async (trx) => {
        await repo.lockInstance(trx, header.instanceId);
        const received = await repo.submissionByInstance(trx, header.instanceId);
        let reportId: string;
        let reportCode: string;
        let status: 201 | 202;
        if (received) {
          if (received.submittedBy !== actor.id || received.formId !== header.formId)
            throw new Problem(
              'openrosa.instance_conflict',
              { instanceId: header.instanceId },
              { pointer: '/meta/instanceID' },
            );
          const report = (await reportById(trx, received.reportId))!;
          reportId = report.id;
          reportCode = report.code;
          status = 202;
          await repo.touchSubmission(trx, header.instanceId, incomplete);
        } else {
          const report = await this.reports.createSubmitted(
            trx,
            actor,
            body ?? (await this.reportBody(actor, xml)),
          );
          reportId = report.id;
          reportCode = report.code;
          status = 201;
          await repo.insertSubmission(trx, {
            instanceId: header.instanceId,
            reportId,
            formId: header.formId,
            formVersion: header.version,
            submittedBy: actor.id!,
            incomplete,
          });
        }
        // A file already on the report (same name and content) is not attached twice.
        const have = new Set(
          (await attachmentsOf(trx, REPORT_RECORD_TYPE, reportId)).map(
            (a) => `${a.filename}\u0000${a.sha256}`,
          ),
        );
        let attached = 0;
        for (const f of files) {
          const key = `${f.filename}\u0000${f.sha256}`;
          if (have.has(key)) continue;
          have.add(key);
          const row = await insertAttachment(trx, {
            recordType: REPORT_RECORD_TYPE,
            recordId: reportId,
            filename: f.filename,
            mediaType: f.mediaType,
            sizeBytes: f.size,
            sha256: f.sha256,
            storageKey: f.sha256,
            createdBy: actor.id,
          });
          const d = described.get(f.sha256);
          if (d) await insertMetadata(trx, { attachmentId: row.id, ...d });
          await appendAudit(trx, {
            actorId: actor.id,
            action: 'report.attach',
            entity: 'report',
            recordId: reportId,
            reportId,
            before: null,
            after: {
              attachmentId: row.id,
              filename: row.filename,
              sha256: f.sha256,
              sizeBytes: f.size,
              via: 'openrosa',
            },
          });
          attached++;
        }
        return { status, reportId, reportCode, attached, incomplete };
      });
      // A file another request removed meanwhile (its own submission failed after finding this
      // file in place) is put back from this POST's staging copy.
      for (const f of files) await placeContent(this.attachmentsDir, f);
      return outcome;
    } finally {
      await this.removeUnused([...placed]).catch(() => undefined);
      await Promise.all(staged.map((f) => rm(f.path, { force: true })));
    }
  }

  /** Removes the stored files (and thumbnails) of these hashes that no attachment or upload names. */
  private async removeUnused(sha256s: string[]): Promise<void> {
    if (sha256s.length === 0) return;
    const inUse = await repo.hashesInUse(this.database.db, sha256s);
    for (const sha256 of sha256s) {
      if (inUse.has(sha256)) continue;
      await rm(join(this.attachmentsDir, sha256), { force: true });
      await rm(join(this.attachmentsDir, 'thumbnails', `${sha256}.jpg`), { force: true });
    }
  }

  /**
   * Makes an OpenRosa key for a user (their own, or anyone's for an administrator): the key is
   * returned this once, with the server URL a phone is given and the settings ODK Collect reads
   * from a QR code; only its SHA-256 is kept.
   */
  async createKey(
    actor: Actor,
    input: { label: string; userId?: string | undefined },
    base: string,
  ): Promise<{ key: OpenRosaKeyView; secret: string; serverUrl: string; settings: string; qrSvg: string }> {
    const userId = input.userId ?? actor.id;
    if (!actor.id || !userId) throw new Problem('auth.required', {}, { pointer: '' });
    if (userId !== actor.id) assertCan(actor, 'user.manage');
    const label = input.label.trim();
    if (!label || label.length > 100)
      throw new Problem(
        'validation.range',
        { field: 'label', value: input.label, rule: 'length', limit: '1–100' },
        { pointer: '/label' },
      );
    const user = await userById(this.database.db, userId);
    if (!user || user.disabledAt)
      throw new Problem('record.not_found', { entity: 'user', id: userId }, { pointer: '/userId' });
    if (!can(user.role as Role, 'report.create') || !can(user.role as Role, 'report.submit'))
      throw new Problem(
        'auth.forbidden',
        { action: 'report.submit', role: user.role, entity: 'report' },
        { pointer: '/userId' },
      );
    const secret = newToken();
    const row = await withTransaction(this.database.db, async (trx) => {
      const row = await repo.insertKey(trx, {
        userId,
        label,
        keySha256: tokenHash(secret),
        createdBy: actor.id!,
      });
      await appendAudit(trx, {
        actorId: actor.id,
        action: 'create',
        entity: 'openrosa_key',
        recordId: row.id,
        before: null,
        after: { id: row.id, userId, label },
      });
      return row;
    });
    const serverUrl = `${base}/openrosa/key/${secret}`;
    const settings = collectSettings({
      serverUrl,
      username: user.email,
      projectName: `Safeground: ${label}`,
    });
    const qrSvg = await QRCode.toString(settings, { type: 'svg', errorCorrectionLevel: 'L', margin: 4 });
    return {
      key: { ...row, userEmail: user.email, userName: user.name },
      secret,
      serverUrl,
      settings,
      qrSvg,
    };
  }

  /** OpenRosa keys: the user's own, or every user's for an administrator (`all`). */
  async keys(actor: Actor, all = false): Promise<OpenRosaKeyView[]> {
    if (!actor.id) throw new Problem('auth.required', {}, { pointer: '' });
    if (all) assertCan(actor, 'user.manage');
    return repo.keys(this.database.db, all ? undefined : actor.id);
  }

  /** Revokes a key (the user's own, or any for an administrator); a phone using it is refused at once. */
  async revokeKey(actor: Actor, id: string): Promise<void> {
    if (!actor.id) throw new Problem('auth.required', {}, { pointer: '' });
    const found = isUuid(id) ? await repo.keyById(this.database.db, id) : undefined;
    if (!found || (found.userId !== actor.id && !can(actor.role, 'user.manage')))
      throw new Problem('record.not_found', { entity: 'openrosa_key', id }, { pointer: '' });
    await withTransaction(this.database.db, async (trx) => {
      if ((await repo.revokeKey(trx, id, actor.id!)) === 0) return;
      await appendAudit(trx, {
        actorId: actor.id,
        action: 'revoke',
        entity: 'openrosa_key',
        recordId: id,
        before: { id, userId: found.userId, label: found.label },
        after: null,
      });
    });
  }

  /** The user an OpenRosa key signs in, if the key is known, not revoked and its user not disabled. */
  async keyUser(secret: string) {
    if (!/^[A-Za-z0-9_-]{20,100}$/.test(secret)) return undefined;
    const found = await repo.keyUser(this.database.db, tokenHash(secret));
    if (found) await repo.touchKey(this.database.db, found.keyId);
    return found?.user;
  }

  /** The report a submission makes: its form read, hazard codes found through the register. */
  private async reportBody(actor: Actor, xml: string) {
    const parsed = readSubmission(xml, actor.organisationId);
    if (
      parsed.form.sections.some((s) => Object.values(s.fixed ?? {}).includes('organisation')) &&
      !actor.organisationId
    )
      throw new Problem('openrosa.organisation_required', {}, { pointer: '' });
    const changes: Change[] = [];
    // The section where the hazard code is typed, named by a problem when no hazard has that code.
    const typedIn = parsed.form.sections.find((s) => s.fields.some((f) => f.hazardCode));
    const field = typedIn?.fields.find((f) => f.hazardCode)?.name;
    const pointer = `/${typedIn?.name}/${field}`;
    for (const c of parsed.changes) changes.push(await this.withHazardIds(actor, c, pointer));
    // The register's own checks (required fields, ranges, lengths), named by the form's fields;
    // references to records of the same report (`@ref:`) are checked when it is approved.
    const problems = changes.flatMap((c, i) => {
      const def = registerBySlug(c.register);
      if (c.op !== 'create' || !def) return [];
      const record = c.record as { properties?: Record<string, unknown> } & Record<string, unknown>;
      const props = (def.geometry ? record.properties : record) ?? {};
      const at = parsed.paths[i] ?? '';
      return schemaProblems(def.fields, props, at).filter((p) => {
        const field = (p.where?.pointer ?? '').slice(at.length + 1).split('/')[0] ?? '';
        const value = props[field];
        return !(typeof value === 'string' && value.startsWith('@ref:'));
      });
    });
    if (problems.length) throw withOthers(problems);
    return {
      kind: parsed.form.kind,
      dateOfInformation: parsed.dateOfInformation,
      reason: parsed.reason,
      payload: { changes },
    };
  }

  /** A change with the hazard codes typed on the phone (HA-000123) replaced by the hazards' ids. */
  private async withHazardIds(actor: Actor, c: Change, pointer: string): Promise<Change> {
    if (c.op === 'update') return { ...c, id: await this.hazardId(actor, c.id, pointer) };
    if (c.op !== 'create') return c;
    const record = c.record as { properties?: Record<string, unknown> } & Record<string, unknown>;
    const props = (record.properties ?? record) as Record<string, unknown>;
    if (typeof props.hazardId !== 'string') return c;
    const hazardId = await this.hazardId(actor, props.hazardId, pointer);
    const nextProps = { ...props, hazardId };
    return { ...c, record: record.properties ? { ...record, properties: nextProps } : nextProps };
  }

  private async hazardId(actor: Actor, code: string, pointer: string): Promise<string> {
    const typed = code.trim().toUpperCase();
    if (isUuid(code)) return code;
    const hazards = this.registers.get('hazards')!;
    const { records } = await hazards.list(actor, {
      equals: [['code', typed]],
      sortField: 'code',
      descending: false,
      limit: 1,
      includeArchived: false,
    });
    const found = records[0]?.id;
    if (typeof found !== 'string')
      throw new Problem('openrosa.hazard_not_found', { code: code.trim() }, { pointer });
    return found;
  }

  private async ordnance(actor: Actor) {
    const service = this.registers.get('ordnance');
    if (!service) return [];
    const { records } = await service.list(actor, {
      equals: [],
      sortField: 'model',
      descending: false,
      limit: 5000,
      includeArchived: false,
    });
    return records.map((r) => ({ id: String(r.id), model: String(r.model), category: String(r.category) }));
  }
}

export type OpenRosaKeyView = repo.OpenRosaKeyListRow;

/**
 * The settings ODK Collect (and KoboCollect) import from a QR code: the JSON of its settings
 * file (`general`, `admin`, `project`) deflated with zlib and written in base64, as Collect's
 * settings importer reads it (and ODK Central makes it for its app users).
 */
export function collectSettings(input: { serverUrl: string; username: string; projectName: string }): string {
  const json = JSON.stringify({
    general: { server_url: input.serverUrl, username: input.username },
    admin: {},
    project: { name: input.projectName, icon: 'S', color: '#1f5f8b' },
  });
  return deflateSync(Buffer.from(json, 'utf8')).toString('base64');
}

/** The JSON settings inside what `collectSettings` made (for checking what a phone reads). */
export function readCollectSettings(encoded: string): unknown {
  return JSON.parse(inflateSync(Buffer.from(encoded, 'base64')).toString('utf8'));
}

/**
 * HTTP Digest (RFC 7616) as ODK Collect's OkHttp digest authenticator speaks it: MD5, qop=auth.
 * Nonces are stateless — the time they were made and an HMAC of it with a server secret — so any
 * server process with the same secret accepts them; an expired one is answered with stale=true,
 * and the phone signs again without asking its user.
 */
export class DigestNonces {
  constructor(
    private readonly secret: Buffer,
    readonly lifetimeMs = 10 * 60_000,
  ) {}

  make(now = Date.now()): string {
    const at = now.toString(36);
    return `${at}.${createHmac('sha256', this.secret).update(at).digest('base64url')}`;
  }

  check(nonce: string, now = Date.now()): 'ok' | 'stale' | 'bad' {
    const [at, mac] = nonce.split('.');
    if (!at || !mac || !/^[0-9a-z]{1,12}$/.test(at)) return 'bad';
    const expected = createHmac('sha256', this.secret).update(at).digest('base64url');
    if (mac.length !== expected.length || !timingSafeEqual(Buffer.from(mac), Buffer.from(expected)))
      return 'bad';
    const made = Number.parseInt(at, 36);
    if (made > now + 60_000) return 'bad';
    return now - made > this.lifetimeMs ? 'stale' : 'ok';
  }
}

/** The parameters of an `Authorization: Digest …` header (quoted or bare values). */
export function parseDigest(header: string): Record<string, string> | undefined {
  const m = /^Digest\s+(.*)$/is.exec(header.trim());
  if (!m) return undefined;
  const out: Record<string, string> = {};
  const re = /([a-zA-Z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*(?:,|$)/g;
  for (const p of m[1]!.matchAll(re))
    out[p[1]!.toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3]!;
  return out;
}

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

/** The `response` a client computes (RFC 7616 §3.4.1, MD5, qop=auth, or none as RFC 2069). */
export function digestResponse(
  ha1: string,
  p: { nonce: string; nc?: string; cnonce?: string; qop?: string; method: string; uri: string },
): string {
  const ha2 = md5(`${p.method}:${p.uri}`);
  return p.qop
    ? md5(`${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:${p.qop}:${ha2}`)
    : md5(`${ha1}:${p.nonce}:${ha2}`);
}

/** Whether a Digest answer is right for this HA1, method and request URI (constant time). */
export function digestMatches(
  ha1: string,
  p: Record<string, string>,
  method: string,
  requestUri: string,
): boolean {
  // The URI as the request gave it (some clients leave the query out).
  if (p.uri !== requestUri && p.uri !== requestUri.split('?')[0]) return false;
  if (p.algorithm && p.algorithm.toUpperCase() !== 'MD5') return false;
  if (p.qop && (p.qop !== 'auth' || !p.nc || !p.cnonce)) return false;
  if (!p.nonce || !p.response || !/^[0-9a-f]{32}$/i.test(p.response)) return false;
  const expected = digestResponse(ha1, {
    nonce: p.nonce,
    nc: p.nc,
    cnonce: p.cnonce,
    qop: p.qop,
    method,
    uri: p.uri,
  });
  return timingSafeEqual(Buffer.from(expected), Buffer.from(p.response.toLowerCase()));
}

/** Labels of the forms in their three languages, from the server catalogues. */
export function formLabels(key: string, params: Record<string, string | number> = {}) {
  return Object.fromEntries(FORM_LANGUAGES.map((l) => [l.code, t(key, params, l.code)])) as Record<
    (typeof FORM_LANGUAGES)[number]['code'],
    string
  >;
}

/** A file name as the phone gave it, without any folder (Collect sends bare names). */
function safeName(name: string): string {
  return (name.split(/[\\/]/).pop() ?? 'file').slice(0, 200) || 'file';
}

/** A file received and kept under a staging name until its submission is accepted. */
interface StagedFile {
  path: string;
  sha256: string;
  size: number;
}

/**
 * Writes a received file to a staging file in the attachments folder (so it can be linked into
 * place on the same file system), hashing it on the way; the staging file is listed in `staged`
 * from the start, so it is removed even when the body ends in the middle of the file.
 */
async function stageContent(dir: string, content: Readable, staged: StagedFile[]): Promise<StagedFile> {
  await mkdir(dir, { recursive: true });
  const file: StagedFile = { path: join(dir, `.openrosa-${randomUUID()}`), sha256: '', size: 0 };
  staged.push(file);
  Object.assign(file, await writeHashed(file.path, content));
  return file;
}

/** Puts a staged file in place under its hash (a hard link); true when it was not there before. */
async function placeContent(dir: string, file: StagedFile): Promise<boolean> {
  try {
    await link(file.path, join(dir, file.sha256));
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}

async function readText(stream: Readable, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Problem('request.too_large', {}, { pointer: `/${XML_PART}` });
    chunks.push(chunk as Buffer);
  }
  if ((stream as { truncated?: boolean }).truncated)
    throw new Problem('request.too_large', {}, { pointer: `/${XML_PART}` });
  return Buffer.concat(chunks).toString('utf8');
}
