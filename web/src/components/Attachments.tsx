import { type FormEvent, useRef, useState } from 'react';
import { get, query, request } from '../api/client.ts';
import type { Attachment, AttachmentMetadata, EvidenceCheck } from '../api/types.ts';
import { useI18n } from '../i18n/index.tsx';
import { downloadFile } from '../lib/download.ts';
import { useCan } from '../lib/permissions.ts';
import { useAsync } from '../lib/useAsync.ts';
import { ErrorNote } from './ErrorNote.tsx';
import { LatLon } from './LatLon.tsx';

/**
 * The files attached to a record: each with its SHA-256 (the original is kept byte for byte),
 * a thumbnail made by the server, what its own metadata says (time, position, camera) and how
 * that compares with the record's place and date, in the server's words and thresholds.
 */
export function Attachments({ slug, id }: { slug: string; id: string }) {
  const { t, locale } = useI18n();
  // The check's messages come in the interface language: asked again when it changes.
  const list = useAsync(
    (signal) =>
      get<{ items: Attachment[] }>(`/api/v1/attachments${query({ recordType: slug, recordId: id })}`, signal),
    [slug, id, locale],
  );
  const fileInput = useRef<HTMLInputElement>(null);
  const mayUpload = useCan().can('record.write');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const upload = async (e: FormEvent) => {
    e.preventDefault();
    const file = fileInput.current?.files?.[0];
    if (!file) return;
    const form = new FormData();
    form.append('recordType', slug);
    form.append('recordId', id);
    form.append('file', file);
    setBusy(true);
    setError(null);
    try {
      await request('/api/v1/attachments', { method: 'POST', body: form });
      if (fileInput.current) fileInput.current.value = '';
      list.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const items = list.data?.items ?? [];
  return (
    <section className="linked" aria-labelledby="att-h" data-testid="attachments">
      <h2 id="att-h">{t('record.attachments')}</h2>
      {list.loading && <p className="muted">{t('app.loading')}</p>}
      {list.error ? <ErrorNote error={list.error} /> : null}
      {list.data && items.length === 0 && <p className="muted">{t('record.noAttachments')}</p>}
      {items.length > 0 && (
        <ul className="evidence-list">
          {items.map((a) => (
            <li key={a.id} data-testid="attachment-row">
              <AttachmentCard attachment={a} onError={setError} />
            </li>
          ))}
        </ul>
      )}
      {mayUpload && (
        <form className="inline-form no-print" onSubmit={upload}>
          <label>
            {t('attachment.choose')}
            <input ref={fileInput} type="file" name="file" />
          </label>
          <button type="submit" disabled={busy}>
            {busy ? t('attachment.uploading') : t('attachment.upload')}
          </button>
        </form>
      )}
      {error ? <ErrorNote error={error} /> : null}
    </section>
  );
}

function AttachmentCard({
  attachment: a,
  onError,
}: {
  attachment: Attachment;
  onError: (e: unknown) => void;
}) {
  const { t, num, dateTime } = useI18n();
  return (
    <article className="evidence-card" aria-label={a.filename}>
      {a.thumbnailUrl ? (
        <img
          className="evidence-thumb"
          data-testid="attachment-thumb"
          src={a.thumbnailUrl}
          alt={t('attachment.thumbnailOf', { filename: a.filename })}
          loading="lazy"
        />
      ) : null}
      <div className="evidence-body">
        <p className="evidence-file">
          <button
            type="button"
            className="link-button"
            onClick={() => downloadFile(`/api/v1/attachments/${a.id}/content`, a.filename).catch(onError)}
          >
            {a.filename}
          </button>{' '}
          <span className="muted">
            {t('unit.bytes', { value: num(a.sizeBytes) })} · {dateTime(a.createdAt)}
          </span>
        </p>
        <p className="evidence-hash">
          <span className="muted">{t('attachment.sha256')} </span>
          <code className="hash" dir="ltr">
            {a.sha256}
          </code>
        </p>
        {a.metadata ? <Metadata m={a.metadata} /> : null}
        {a.evidence ? <Check check={a.evidence} /> : null}
      </div>
    </article>
  );
}

function Metadata({ m }: { m: AttachmentMetadata }) {
  const { t, num } = useI18n();
  const unknown = <span className="muted">{t('attachment.unknown')}</span>;
  const camera = [m.cameraMake, m.cameraModel].filter(Boolean).join(' ');
  const said =
    m.takenLocal || m.position || camera || m.widthPx ? null : (
      <p className="muted">{t('attachment.noMetadata')}</p>
    );
  return (
    <div>
      <h3 className="evidence-h">{t('attachment.metadata')}</h3>
      {said ?? (
        <dl className="evidence-facts">
          <dt>{t('attachment.taken')}</dt>
          <dd>
            {m.takenLocal ? (
              <span dir="ltr">
                {m.takenLocal.replace('T', ' ')}
                {m.takenOffset ? ` ${t('attachment.utcOffset', { tz: m.takenOffset })}` : ''}
              </span>
            ) : (
              unknown
            )}
          </dd>
          <dt>{t('attachment.position')}</dt>
          <dd>
            {m.position ? (
              <LatLon lon={m.position.coordinates[0]} lat={m.position.coordinates[1]} />
            ) : (
              unknown
            )}
          </dd>
          {m.position && (
            <>
              <dt>{t('attachment.accuracy')}</dt>
              <dd>
                {m.horizontalErrorM !== null
                  ? t('attachment.errorM', { value: num(m.horizontalErrorM) })
                  : m.dop !== null
                    ? t('attachment.dop', { value: num(m.dop) })
                    : unknown}
              </dd>
            </>
          )}
          <dt>{t('attachment.camera')}</dt>
          <dd>{camera || unknown}</dd>
          {m.widthPx && m.heightPx ? (
            <>
              <dt>{t('attachment.imageSize')}</dt>
              <dd>{t('attachment.size.px', { width: num(m.widthPx), height: num(m.heightPx) })}</dd>
            </>
          ) : null}
        </dl>
      )}
    </div>
  );
}

function Check({ check }: { check: EvidenceCheck }) {
  const { t, num } = useI18n();
  return (
    <div>
      <h3 className="evidence-h">
        {t('attachment.check')}
        {check.distanceM !== null && (
          <span className="badge">{t('attachment.distance', { value: num(check.distanceM) })}</span>
        )}
        {check.days !== null && (
          <span className="badge">{t('attachment.days', { days: Math.abs(check.days) })}</span>
        )}
      </h3>
      <ul className="evidence-findings">
        {check.findings.map((f) => (
          <li key={f.code} className={`evidence-${f.status}`}>
            <span className="evidence-status">{t(`attachment.status.${f.status}`)}</span> {f.message}
          </li>
        ))}
      </ul>
      <p className="muted evidence-limits">
        {t('attachment.limits', { distanceM: num(check.limits.distanceM), days: check.limits.days })}
      </p>
    </div>
  );
}
