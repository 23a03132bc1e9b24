import type { Readable } from 'node:stream';
import type { Database } from '../db/connect.ts';
import { attachmentsOf, insertAttachment, insertMetadata } from '../db/repositories/attachments.ts';
import { appendAudit } from '../db/repositories/audit.ts';
import * as repo from '../db/repositories/openrosa.ts';
import { REPORT_RECORD_TYPE } from '../db/repositories/report-attachments.ts';
import { reportById } from '../db/repositories/reports.ts';
import { can } from '../domain/permissions.ts';
import { Problem } from '../domain/problem.ts';
import { registerBySlug } from '../domain/records.ts';
import type { Change } from '../domain/reports.ts';
import { schemaProblems, withOthers } from '../domain/schema-check.ts';
import { t } from '../i18n/catalogue.ts';
import {
  FORM_LANGUAGES,
  FORMS,
  type GeneratedForm,
  generateXForm,
  readSubmission,
  submissionHeader,
} from '../io/xform.ts';
import type { Actor } from './actor.ts';
import { type AttachmentService, storeContent } from './attachments.ts';
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
   * end first, the files kept by their hash; then, in one transaction: a new instance ID becomes
   * a report created by the user and submitted at once, with the files attached to it; an
   * instance ID already received (the phone sent it again, or split it over several POSTs) adds
   * only the files the report does not have yet. A body that cannot be read stores nothing.
   */
  async submit(actor: Actor, parts: AsyncIterable<SubmissionPart>): Promise<SubmissionOutcome> {
    if (!can(actor.role, 'report.create') || !can(actor.role, 'report.submit'))
      throw new Problem(
        'auth.forbidden',
        { action: 'report.submit', role: actor.role, entity: 'report' },
        { pointer: '' },
      );
    let xml: string | undefined;
    let incomplete = false;
    const files: Array<{ filename: string; mediaType: string; sha256: string; size: number }> = [];
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
      const { sha256, size } = await storeContent(this.attachmentsDir, part.content);
      if ((part.content as { truncated?: boolean }).truncated)
        throw new Problem('request.too_large', {}, { pointer: `/${part.name}` });
      files.push({
        filename: safeName(part.filename || part.name),
        mediaType: part.mediaType || 'application/octet-stream',
        sha256,
        size,
      });
    }
    if (xml === undefined) throw new Problem('openrosa.xml_missing', {}, { pointer: `/${XML_PART}` });
    const header = submissionHeader(xml);
    // Read and resolve before the transaction, so a bad form is refused without holding a lock.
    const existing = await repo.submissionByInstance(this.database.db, header.instanceId);
    const body = existing ? undefined : await this.reportBody(actor, xml);
    const described = new Map<string, Awaited<ReturnType<AttachmentService['describe']>>>();
    for (const f of files) {
      const d = await this.attachments?.describe(f.sha256).catch(() => undefined);
      if (d) described.set(f.sha256, d);
    }

    return this.database.db.transaction().execute(async (trx) => {
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
        (await attachmentsOf(trx, REPORT_RECORD_TYPE, reportId)).map((a) => `${a.filename}\u0000${a.sha256}`),
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
