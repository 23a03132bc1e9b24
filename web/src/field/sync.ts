import { ApiError } from '../api/client.ts';
import type { ProblemItem, Report, User } from '../api/types.ts';
import { fieldRaw, fieldRequest, isTransient, REVOKED } from './api.ts';
import { decryptIdentity } from './crypto.ts';
import { draftChanges, type FieldDraft, placeOfPointer, type Refusal } from './drafts.ts';
import { deviceId, type FieldPhoto, fieldDb } from './store.ts';

/**
 * Sending the queue. Drafts go one at a time in the order they were queued, each in steps that
 * are all safe to repeat: create the report with the draft's clientId (a replay returns the same
 * report), upload each photo resumably (the upload is found again by the photo's id and continues
 * from the offset the server holds), attach it (idempotent), ask the server's check (the dry run
 * of the approval, nothing written), submit (idempotent). Each step's result is written to the
 * device before the next, so a cut anywhere resumes where it stopped. A refusal (a problem that
 * is not about the network, or problems the check finds) marks the draft refused with the
 * server's problems, each placed in the form; the report stays a draft on the server, and the
 * corrected draft is sent again into that same report (never a second one). A network failure
 * stops the queue until the next try. One device sends from one tab at a time (a Web Lock).
 */
export const APP_VERSION = '1.0.0';
/** Bytes sent per PATCH: small enough that a cut costs little on a poor link. */
export const CHUNK_BYTES = 256 * 1024;

export interface SyncOutcome {
  sent: number;
  refused: number;
  pending: number;
  /** The network or server stopped the queue (try again later). */
  stopped: boolean;
}

async function saveDraft(draft: FieldDraft): Promise<void> {
  await (await fieldDb()).put('drafts', { ...draft, updatedAt: new Date().toISOString() });
}

async function savePhoto(photo: FieldPhoto): Promise<void> {
  await (await fieldDb()).put('photos', photo);
}

async function uploadPhoto(photo: FieldPhoto): Promise<FieldPhoto> {
  let p = photo;
  if (!p.uploadId) {
    const r = await fieldRequest<{ id: string; offset: number }>('/api/v1/uploads', {
      method: 'POST',
      body: {
        clientId: p.id,
        fileName: p.fileName,
        contentType: p.contentType,
        size: p.size,
        sha256: p.sha256,
      },
    });
    p = { ...p, uploadId: r.data.id, offset: r.data.offset };
    await savePhoto(p);
  } else {
    // Where the server stands (a chunk may have arrived before the cut, or not).
    const head = await fieldRaw(`/api/v1/uploads/${p.uploadId}`, 'HEAD', {});
    p = { ...p, offset: Number(head.headers.get('Upload-Offset') ?? 0) };
    await savePhoto(p);
  }
  while (p.offset < p.size) {
    const chunk = p.blob.slice(p.offset, Math.min(p.offset + CHUNK_BYTES, p.size));
    try {
      const res = await fieldRaw(
        `/api/v1/uploads/${p.uploadId}`,
        'PATCH',
        { 'Upload-Offset': String(p.offset), 'Content-Type': 'application/offset+octet-stream' },
        chunk,
      );
      p = { ...p, offset: Number(res.headers.get('Upload-Offset') ?? p.offset + chunk.size) };
    } catch (err) {
      // The server holds another offset (an earlier chunk did arrive): ask it and go on from there.
      if (!(err instanceof ApiError && err.status === 409)) throw err;
      const head = await fieldRaw(`/api/v1/uploads/${p.uploadId}`, 'HEAD', {});
      p = { ...p, offset: Number(head.headers.get('Upload-Offset') ?? 0) };
    }
    await savePhoto(p);
  }
  return p;
}

/** Sends one draft through every step it has not yet finished. */
async function sendDraft(draft: FieldDraft, user: User): Promise<FieldDraft> {
  let d = draft;
  let status: string | null = null;
  if (!d.reportId || d.resend) {
    const identities = await Promise.all(
      d.content.casualties.map((k) =>
        k.identity ? decryptIdentity(k.identity) : Promise.resolve('keep' as const),
      ),
    );
    const body = {
      kind: d.kind,
      dateOfInformation: d.dateOfInformation,
      ...(d.reason.trim() ? { reason: d.reason.trim() } : {}),
      payload: { changes: draftChanges(d, user.organisationId ?? '', identities) },
    };
    if (!d.reportId) {
      const r = await fieldRequest<Report>('/api/v1/reports', {
        method: 'POST',
        body: { clientId: d.clientId, ...body },
      });
      d = { ...d, reportId: r.data.id, reportCode: r.data.code };
      status = r.data.status;
    } else {
      // Corrected after a refusal: the report the server holds gets the new content.
      const held = await fieldRequest<Report>(`/api/v1/reports/${d.reportId}`);
      const put = await fieldRequest<Report>(`/api/v1/reports/${d.reportId}`, {
        method: 'PUT',
        body,
        headers: { 'If-Match': `"${held.data.version}"` },
      });
      d = { ...d, resend: false };
      status = put.data.status;
    }
    await saveDraft(d);
  }
  const db = await fieldDb();
  const photos = await db.getAllFromIndex('photos', 'draftId', d.clientId);
  for (const photo of photos) {
    if (photo.attached) continue;
    const uploaded = await uploadPhoto(photo);
    await fieldRequest(`/api/v1/reports/${d.reportId}/attachments`, {
      method: 'POST',
      body: { uploadId: uploaded.uploadId },
    });
    await savePhoto({ ...uploaded, attached: true });
  }
  // The report as the server holds it: already submitted (an earlier try's answer was lost) or
  // still a draft to check first.
  const held = status ?? (await fieldRequest<Report>(`/api/v1/reports/${d.reportId}`)).data.status;
  if (held === 'draft' || held === 'rejected') {
    const check = await fieldRequest<{ problems?: ProblemItem[] }>(`/api/v1/reports/${d.reportId}/check`, {
      method: 'POST',
      body: {},
    });
    const problems = check.data.problems ?? [];
    if (problems.length > 0)
      throw new ApiError({
        status: 422,
        code: problems[0]!.code,
        detail: problems[0]!.detail,
        errors: problems,
      });
    await fieldRequest(`/api/v1/reports/${d.reportId}/submit`, { method: 'POST', body: {} });
  }
  d = { ...d, state: 'sent', problem: null };
  await saveDraft(d);
  return d;
}

/** The server's problems as the draft keeps them, each placed in the form. */
export function refusalOf(draft: FieldDraft, err: ApiError): Refusal {
  const items = err.items.map((i) => ({
    code: i.code,
    detail: i.detail ?? i.code,
    ...(i.pointer ? { pointer: i.pointer } : {}),
    at: placeOfPointer(draft, i.pointer),
  }));
  return { code: err.code, detail: items.map((i) => i.detail).join(' '), items };
}

export async function queuedDrafts(): Promise<FieldDraft[]> {
  return (await (await fieldDb()).getAllFromIndex('drafts', 'queuedAt')).filter((d) => d.state === 'pending');
}

/**
 * Sends every queued draft in order, then tells the server how the device stands (once the device
 * is registered, which it is when an area is downloaded).
 */
export async function syncQueue(
  user: User,
  registered: boolean,
  onDraft: (d: FieldDraft) => void,
): Promise<SyncOutcome> {
  // Two tabs of the app on one device must not send the same queue at once.
  if (typeof navigator !== 'undefined' && navigator.locks)
    return navigator.locks.request(SYNC_LOCK, { ifAvailable: true }, async (lock) =>
      lock ? sendQueue(user, registered, onDraft) : { ...(await draftCounts()), stopped: true },
    );
  return sendQueue(user, registered, onDraft);
}

const SYNC_LOCK = 'safeground-field-sync';

async function sendQueue(
  user: User,
  registered: boolean,
  onDraft: (d: FieldDraft) => void,
): Promise<SyncOutcome> {
  let stopped = false;
  for (const draft of await queuedDrafts()) {
    try {
      onDraft(await sendDraft(draft, user));
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) throw err;
      if (isTransient(err)) {
        stopped = true;
        break;
      }
      // The steps done before the refusal (the report made, photos attached) are kept.
      const db = await fieldDb();
      const now = (await db.get('drafts', draft.clientId)) ?? draft;
      const refused: FieldDraft = { ...now, state: 'refused', problem: refusalOf(now, err as ApiError) };
      await saveDraft(refused);
      onDraft(refused);
    }
  }
  const counts = await draftCounts();
  if (!stopped && registered) {
    await fieldRequest(`/api/v1/devices/${await deviceId()}/status`, {
      method: 'PUT',
      body: { appVersion: APP_VERSION, ...counts },
    }).catch((err) => {
      if (err instanceof ApiError && err.code === REVOKED) throw err;
    });
  }
  return { ...counts, stopped };
}

export async function draftCounts(): Promise<{ pending: number; sent: number; refused: number }> {
  const all = await (await fieldDb()).getAll('drafts');
  return {
    pending: all.filter((d) => d.state === 'pending').length,
    sent: all.filter((d) => d.state === 'sent').length,
    refused: all.filter((d) => d.state === 'refused').length,
  };
}
