import { type FormEvent, useRef, useState } from 'react';
import { query, request } from '../api/client.ts';
import { useI18n } from '../i18n/index.tsx';
import { downloadFile } from '../lib/download.ts';
import { useAsync } from '../lib/useAsync.ts';
import { ErrorNote } from './ErrorNote.tsx';

/** An attachment as the API lists it, on a record or on a report. */
export interface AttachmentItem {
  id: string;
  filename: string;
  mediaType: string;
  sizeBytes: number;
  sha256: string;
  createdAt: string;
}

/** Picture types every browser the application supports draws in an <img> (no SVG: it is a document). */
const SHOWN_IMAGES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif', 'image/bmp'];

export function isShownImage(mediaType: string): boolean {
  return SHOWN_IMAGES.includes(mediaType.split(';')[0]!.trim().toLowerCase());
}

/** A file size in the one unit that suits it: bytes, kB or MB. */
export function useFileSize(): (bytes: number) => string {
  const { t, num } = useI18n();
  return (bytes) => {
    if (bytes < 1024) return t('unit.bytes', { value: num(bytes) });
    if (bytes < 1024 * 1024) return t('unit.kilobytes', { value: num(Math.round((bytes / 1024) * 10) / 10) });
    return t('unit.megabytes', { value: num(Math.round((bytes / 1024 / 1024) * 10) / 10) });
  };
}

/**
 * The table of a record's or a report's attachments: a thumbnail for pictures the browser can
 * draw, the name (downloads the file), type, size, SHA-256 and when it was added; and a remove
 * button when `onRemove` is given.
 */
export function AttachmentTable({
  items,
  contentUrl,
  onRemove,
  busy,
  onError,
}: {
  items: AttachmentItem[];
  contentUrl: (a: AttachmentItem) => string;
  onRemove?: (a: AttachmentItem) => void;
  busy?: boolean;
  onError: (err: unknown) => void;
}) {
  const { t, dateTime } = useI18n();
  const size = useFileSize();
  return (
    <div className="table-scroll">
      <table className="records attachments" data-testid="attachments">
        <thead>
          <tr>
            <th scope="col">
              <span className="visually-hidden">{t('attachment.preview')}</span>
            </th>
            <th scope="col">{t('attachment.file')}</th>
            <th scope="col">{t('attachment.type')}</th>
            <th scope="col">{t('attachment.size')}</th>
            <th scope="col">{t('attachment.sha256')}</th>
            <th scope="col">{t('attachment.added')}</th>
            {onRemove && (
              <th scope="col">
                <span className="visually-hidden">{t('attachment.remove')}</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          {items.map((a) => (
            <tr key={a.id} data-testid="attachment-row">
              <td className="thumb-cell">
                {isShownImage(a.mediaType) ? (
                  <img
                    className="attachment-thumb"
                    src={contentUrl(a)}
                    alt={a.filename}
                    loading="lazy"
                    width={64}
                    height={64}
                    data-testid="attachment-thumb"
                  />
                ) : (
                  <span className="attachment-icon" aria-hidden="true">
                    {(a.filename.split('.').pop() ?? '').slice(0, 4).toUpperCase()}
                  </span>
                )}
              </td>
              <td>
                <button
                  type="button"
                  className="link-button"
                  onClick={() => downloadFile(contentUrl(a), a.filename).catch(onError)}
                >
                  {a.filename}
                </button>
              </td>
              <td>
                <code dir="ltr">{a.mediaType}</code>
              </td>
              <td className="num">{size(a.sizeBytes)}</td>
              <td>
                <code className="hash" dir="ltr" title={a.sha256}>
                  {a.sha256}
                </code>
              </td>
              <td>{dateTime(a.createdAt)}</td>
              {onRemove && (
                <td>
                  <button
                    type="button"
                    disabled={busy}
                    onClick={() => onRemove(a)}
                    data-testid="attachment-remove"
                  >
                    {t('attachment.remove')}
                  </button>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * Photos and documents of a report: listed for whoever may read it, added and removed while it
 * may be edited. On approval they follow the records the report creates or changes.
 */
export function ReportAttachments({ reportId, editable }: { reportId: string; editable: boolean }) {
  const { t } = useI18n();
  const list = useAsync(
    (signal) => request<{ items: AttachmentItem[] }>(`/api/v1/reports/${reportId}/attachments`, { signal }),
    [reportId],
  );
  const fileInput = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const base = `/api/v1/reports/${reportId}/attachments`;

  const upload = async (e: FormEvent) => {
    e.preventDefault();
    const files = [...(fileInput.current?.files ?? [])];
    if (files.length === 0) return;
    setBusy(true);
    setError(null);
    try {
      for (const file of files) {
        const form = new FormData();
        form.append('file', file);
        await request(base, { method: 'POST', body: form });
      }
      if (fileInput.current) fileInput.current.value = '';
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
      list.reload();
    }
  };

  const remove = async (a: AttachmentItem) => {
    setBusy(true);
    setError(null);
    try {
      await request(`${base}/${a.id}`, { method: 'DELETE' });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
      list.reload();
    }
  };

  const items = list.data?.data.items ?? [];
  return (
    <section
      className="linked report-attachments"
      aria-labelledby="report-att-h"
      data-testid="report-attachments"
    >
      <h2 id="report-att-h">
        {t('record.attachments')} <span className="count">{items.length}</span>
      </h2>
      <p className="hint">{t('attachment.reportHint')}</p>
      {list.loading && !list.data && <p className="muted">{t('app.loading')}</p>}
      {list.error ? <ErrorNote error={list.error} onRetry={list.reload} /> : null}
      {list.data && items.length === 0 && <p className="muted">{t('record.noAttachments')}</p>}
      {items.length > 0 && (
        <AttachmentTable
          items={items}
          contentUrl={(a) => `${base}/${a.id}/content`}
          onRemove={editable ? remove : undefined}
          busy={busy}
          onError={setError}
        />
      )}
      {editable && (
        <form className="inline-form no-print" onSubmit={upload}>
          <label>
            {t('attachment.chooseMany')}
            <input
              ref={fileInput}
              type="file"
              name="file"
              multiple
              accept="image/*,application/pdf,.doc,.docx,.odt,.xls,.xlsx,.ods,.csv,.txt,.kml,.kmz,.gpx,.zip"
              data-testid="attachment-input"
            />
          </label>
          <button type="submit" disabled={busy} data-testid="attachment-upload">
            {busy ? t('attachment.uploading') : t('attachment.upload')}
          </button>
        </form>
      )}
      {error ? <ErrorNote error={error} /> : null}
    </section>
  );
}

/** The attachments of a record, as `GET /api/v1/attachments` lists them. */
export function recordAttachmentsPath(slug: string, id: string): string {
  return `/api/v1/attachments${query({ recordType: slug, recordId: id })}`;
}
