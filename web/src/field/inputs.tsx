import { useEffect, useState } from 'react';
import { LatLon } from '../components/LatLon.tsx';
import { formatLatLon, parsePosition } from '../geo/coords.ts';
import { useI18n } from '../i18n/index.tsx';
import type { Position } from './drafts.ts';
import { averagedPosition, currentFix, round7 } from './gps.ts';
import { type FieldPhoto, fieldDb } from './store.ts';

/**
 * The field form's inputs, sized for gloved hands: a position from GPS (one fix, or the average
 * of several for a benchmark), typed in any notation, or tapped on the map; a polygon's corners
 * typed one per line, walked with the GPS or tapped on the map; photos from the camera.
 */

function useGpsError(): [string | null, (e: unknown) => void, () => void] {
  const { tk } = useI18n();
  const [error, setError] = useState<string | null>(null);
  return [error, (e) => setError(tk((e as Error).message, (e as Error).message)), () => setError(null)];
}

/**
 * A position as shown under its input: the coordinates, always left to right (as everywhere in
 * the application, so that latitude stays before longitude on a page in Arabic), then their source.
 */
export function PositionText({ p }: { p: Position | null }) {
  const { t } = useI18n();
  if (!p) return <>{t('fieldApp.position.none')}</>;
  const [lon, lat] = p.point.coordinates;
  const source =
    p.source === 'gps'
      ? t('fieldApp.position.gpsAccuracy', { accuracy: p.accuracyM ?? '?', fixes: p.fixes })
      : t(`fieldApp.position.${p.source}`);
  return (
    <>
      <LatLon lon={lon} lat={lat} /> ({source})
    </>
  );
}

export function PositionInput({
  id,
  value,
  onChange,
  averaging = 0,
  placing,
  onPlace,
}: {
  id: string;
  value: Position | null;
  onChange: (p: Position | null) => void;
  /** Offer the average of this many fixes (a benchmark). */
  averaging?: number;
  placing: boolean;
  onPlace: () => void;
}) {
  const { t } = useI18n();
  const [text, setText] = useState('');
  const [typedError, setTypedError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [gpsError, setGpsError, clearGps] = useGpsError();

  const fromGps = async () => {
    clearGps();
    setBusy(t('fieldApp.gps.waiting'));
    try {
      const f = await currentFix();
      onChange({
        point: { type: 'Point', coordinates: [round7(f.lon), round7(f.lat)] },
        source: 'gps',
        accuracyM: Math.round(f.accuracyM * 10) / 10,
        fixes: 1,
      });
    } catch (e) {
      setGpsError(e);
    } finally {
      setBusy(null);
    }
  };
  const average = async () => {
    clearGps();
    setBusy(t('fieldApp.gps.fixes', { n: 0, count: averaging }));
    try {
      onChange(
        await averagedPosition(averaging, (n) => setBusy(t('fieldApp.gps.fixes', { n, count: averaging }))),
      );
    } catch (e) {
      setGpsError(e);
    } finally {
      setBusy(null);
    }
  };
  const typed = () => {
    const r = parsePosition(text);
    if (!r.ok) {
      setTypedError(t(r.code));
      return;
    }
    setTypedError(null);
    onChange({
      point: { type: 'Point', coordinates: r.position },
      source: 'typed',
      accuracyM: null,
      fixes: 0,
    });
    setText('');
  };
  return (
    <div className="field-position">
      <output id={`${id}-value`} className="field-position-value" data-testid={`${id}-value`}>
        <PositionText p={value} />
      </output>
      <div className="field-buttons">
        <button type="button" onClick={fromGps} disabled={!!busy}>
          {t('fieldApp.gps.take')}
        </button>
        {averaging > 0 && (
          <button type="button" onClick={average} disabled={!!busy}>
            {t('fieldApp.gps.average', { count: averaging })}
          </button>
        )}
        <button
          type="button"
          className={placing ? 'primary' : undefined}
          aria-pressed={placing}
          onClick={onPlace}
        >
          {placing ? t('fieldApp.map.tapToPlace') : t('fieldApp.map.place')}
        </button>
        {value && (
          <button type="button" onClick={() => onChange(null)}>
            {t('fieldApp.clear')}
          </button>
        )}
      </div>
      <div className="field-typed">
        <label htmlFor={id}>{t('fieldApp.position.type')}</label>
        <input
          id={id}
          value={text}
          inputMode="decimal"
          dir="ltr"
          placeholder="40.110000, 46.810000"
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              typed();
            }
          }}
        />
        <button type="button" onClick={typed} disabled={!text.trim()}>
          {t('fieldApp.position.set')}
        </button>
      </div>
      {busy && <p role="status">{busy}</p>}
      {(typedError || gpsError) && <p className="error">{typedError ?? gpsError}</p>}
    </div>
  );
}

export function CornersInput({
  id,
  corners,
  onChange,
  placing,
  onPlace,
}: {
  id: string;
  corners: Array<[number, number]>;
  onChange: (c: Array<[number, number]>) => void;
  placing: boolean;
  onPlace: () => void;
}) {
  const { t } = useI18n();
  const [text, setText] = useState(() => corners.map(([lon, lat]) => formatLatLon(lon, lat)).join('\n'));
  const [shown, setShown] = useState(corners);
  const [errors, setErrors] = useState<string[]>([]);
  const [gpsError, setGpsError, clearGps] = useGpsError();
  // Corners added by GPS or the map are written back into the text.
  if (shown !== corners) {
    setShown(corners);
    setText(corners.map(([lon, lat]) => formatLatLon(lon, lat)).join('\n'));
  }
  const apply = (s: string) => {
    setText(s);
    const next: Array<[number, number]> = [];
    const bad: string[] = [];
    s.split(/\r?\n/).forEach((line, i) => {
      if (!line.trim()) return;
      const r = parsePosition(line);
      if (r.ok) next.push([r.position[0], r.position[1]]);
      else bad.push(t('fieldApp.corners.lineError', { line: i + 1, problem: t(r.code) }));
    });
    setErrors(bad);
    if (bad.length === 0) {
      setShown(next);
      onChange(next);
    }
  };
  const gpsCorner = async () => {
    clearGps();
    try {
      const f = await currentFix();
      onChange([...corners, [round7(f.lon), round7(f.lat)]]);
    } catch (e) {
      setGpsError(e);
    }
  };
  return (
    <div className="field-corners">
      <label htmlFor={id}>{t('fieldApp.corners.label')}</label>
      <textarea
        id={id}
        rows={Math.max(4, corners.length + 1)}
        value={text}
        onChange={(e) => apply(e.target.value)}
        dir="ltr"
        placeholder={'40.110000, 46.810000\n40.111000, 46.812000\n40.109000, 46.813000'}
        data-testid={`${id}-text`}
      />
      <p className="field-hint">{t('fieldApp.corners.hint', { count: corners.length })}</p>
      <div className="field-buttons">
        <button type="button" onClick={gpsCorner}>
          {t('fieldApp.corners.gps')}
        </button>
        <button
          type="button"
          className={placing ? 'primary' : undefined}
          aria-pressed={placing}
          onClick={onPlace}
        >
          {placing ? t('fieldApp.map.tapCorners') : t('fieldApp.map.draw')}
        </button>
        {corners.length > 0 && (
          <button type="button" onClick={() => onChange(corners.slice(0, -1))}>
            {t('fieldApp.corners.undo')}
          </button>
        )}
      </div>
      {[...errors, ...(gpsError ? [gpsError] : [])].map((e) => (
        <p key={e} className="error">
          {e}
        </p>
      ))}
    </div>
  );
}

async function sha256Hex(blob: Blob): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Photos of a draft, kept on the device as Blobs with their SHA-256 until they are sent. */
export function PhotosInput({
  draftId,
  photos,
  onChange,
  readOnly,
}: {
  draftId: string;
  photos: FieldPhoto[];
  onChange: () => void;
  readOnly: boolean;
}) {
  const { t, num } = useI18n();
  const add = async (files: File[]) => {
    const db = await fieldDb();
    for (const file of files) {
      const photo: FieldPhoto = {
        id: crypto.randomUUID(),
        draftId,
        fileName: file.name || 'photo.jpg',
        contentType: file.type || 'application/octet-stream',
        size: file.size,
        sha256: await sha256Hex(file),
        blob: file.slice(0, file.size, file.type),
        uploadId: null,
        offset: 0,
        attached: false,
      };
      await db.put('photos', photo);
    }
    onChange();
  };
  const remove = async (id: string) => {
    await (await fieldDb()).delete('photos', id);
    onChange();
  };
  return (
    <div className="field-photos">
      <ul>
        {photos.map((p) => (
          <li key={p.id} data-testid="field-photo">
            <PhotoThumb blob={p.blob} alt={p.fileName} />
            <span>
              {p.fileName} · {num(Math.ceil(p.size / 1024))} KiB
              {p.attached ? ` · ${t('fieldApp.photos.sent')}` : ''}
            </span>
            {!readOnly && !p.uploadId && (
              <button type="button" onClick={() => remove(p.id)}>
                {t('fieldApp.remove')}
              </button>
            )}
          </li>
        ))}
      </ul>
      {!readOnly && (
        <label className="field-file button-like">
          {t('fieldApp.photos.take')}
          <input
            type="file"
            accept="image/*"
            capture="environment"
            multiple
            data-testid="field-photo-input"
            onChange={(e) => {
              // The list is read before the input is emptied (emptying it empties the list).
              void add(Array.from(e.target.files ?? []));
              e.target.value = '';
            }}
          />
        </label>
      )}
    </div>
  );
}

function PhotoThumb({ blob, alt }: { blob: Blob; alt: string }) {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    const u = URL.createObjectURL(blob);
    setUrl(u);
    return () => URL.revokeObjectURL(u);
  }, [blob]);
  return url ? <img src={url} alt={alt} width={64} height={64} /> : null;
}
