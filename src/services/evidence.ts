import { createRequire } from 'node:module';

/**
 * What a photo's own metadata says (EXIF, XMP), and how it compares with the record the photo is
 * attached to: how far from the record's place and how many days from its date it was taken, and
 * what the file does not say. The comparison is a statement of facts and thresholds, never a
 * verdict on the photo (docs/evidence.md).
 */

const EXIFR_VERSION = (createRequire(import.meta.url)('exifr/package.json') as { version: string }).version;

/** The metadata read from one file; a field is null when the file does not give it. */
export interface PhotoMetadata {
  readWith: string;
  /** Date and time the camera wrote (DateTimeOriginal), local to the camera's clock: 'YYYY-MM-DDTHH:MM:SS'. */
  takenLocal: string | null;
  /** The camera's offset from UTC as the file states it (OffsetTimeOriginal), e.g. '+04:00'. */
  takenOffset: string | null;
  /** Time of the GPS fix (GPSDateStamp, GPSTimeStamp), UTC, ISO 8601. */
  gpsTime: string | null;
  position: { type: 'Point'; coordinates: [number, number] } | null;
  altitudeM: number | null;
  /** Horizontal accuracy the receiver stated (GPSHPositioningError), metres. */
  horizontalErrorM: number | null;
  /** Dilution of precision of the fix (GPSDOP). */
  dop: number | null;
  cameraMake: string | null;
  cameraModel: string | null;
  /** EXIF orientation 1-8 (1: as stored; 6: turn 90° clockwise to view). */
  orientation: number | null;
  widthPx: number | null;
  heightPx: number | null;
}

export const NO_METADATA: Omit<PhotoMetadata, 'readWith'> = {
  takenLocal: null,
  takenOffset: null,
  gpsTime: null,
  position: null,
  altitudeM: null,
  horizontalErrorM: null,
  dop: null,
  cameraMake: null,
  cameraModel: null,
  orientation: null,
  widthPx: null,
  heightPx: null,
};

type Tags = Record<string, unknown>;

/** Reads EXIF and XMP of the file at `path` (any format exifr reads: JPEG, TIFF, HEIC, PNG, WebP). */
export async function readPhotoMetadata(path: string): Promise<PhotoMetadata> {
  let tags: Tags | undefined;
  try {
    const { default: exifr } = await import('exifr');
    tags = (await exifr.parse(path, {
      tiff: true,
      exif: true,
      gps: true,
      xmp: true,
      ifd1: false,
      reviveValues: false,
      translateValues: false,
      translateKeys: true,
      mergeOutput: true,
    })) as Tags | undefined;
  } catch {
    // Not a format exifr knows, or a damaged header: the file simply says nothing it can read.
    tags = undefined;
  }
  const size = await imageSize(path);
  return { readWith: `exifr ${EXIFR_VERSION}`, ...metadataFromTags(tags ?? {}), ...size };
}

/**
 * The metadata of exifr's raw tags (reviveValues off, so dates stay as written).
 *
 * @example metadataFromTags({ DateTimeOriginal: '2024:05:02 10:15:30', OffsetTimeOriginal: '+04:00' }).takenOffset // '+04:00'
 */
export function metadataFromTags(tags: Tags): Omit<PhotoMetadata, 'readWith'> {
  const taken = localDateTime(tags.DateTimeOriginal ?? tags.CreateDate ?? tags.DateTimeDigitized);
  const offset = utcOffset(tags.OffsetTimeOriginal) ?? taken?.offset ?? null;
  const lat = finite(tags.latitude);
  const lon = finite(tags.longitude);
  const position =
    lat !== null && lon !== null && Math.abs(lat) <= 90 && Math.abs(lon) <= 180 && !(lat === 0 && lon === 0)
      ? { type: 'Point' as const, coordinates: [round(lon, 7), round(lat, 7)] as [number, number] }
      : null;
  const orientation = finite(tags.Orientation);
  return {
    ...NO_METADATA,
    takenLocal: taken?.local ?? null,
    takenOffset: offset,
    gpsTime: gpsTime(tags.GPSDateStamp, tags.GPSTimeStamp),
    position,
    altitudeM: position ? altitude(tags.GPSAltitude, tags.GPSAltitudeRef) : null,
    horizontalErrorM: nonNegative(tags.GPSHPositioningError),
    dop: nonNegative(tags.GPSDOP),
    cameraMake: text(tags.Make),
    cameraModel: text(tags.Model),
    orientation:
      orientation !== null && orientation >= 1 && orientation <= 8 ? Math.round(orientation) : null,
  };
}

/** Width and height of an image sharp can decode (as stored, before any orientation), else nulls. */
async function imageSize(path: string): Promise<{ widthPx: number | null; heightPx: number | null }> {
  try {
    const m = await (await sharpModule())(path).metadata();
    return { widthPx: m.width ?? null, heightPx: m.height ?? null };
  } catch {
    return { widthPx: null, heightPx: null };
  }
}

/** The image library, loaded on first use so that commands which never touch images start without it. */
async function sharpModule() {
  return (await import('sharp')).default;
}

/** Longest side of a thumbnail, pixels. */
export const THUMBNAIL_PX = 320;

/**
 * Writes a JPEG thumbnail of the image at `source` to `target`, turned upright by its EXIF
 * orientation; false when the file is not an image sharp can decode. The original is never changed.
 */
export async function makeThumbnail(source: string, target: string): Promise<boolean> {
  try {
    const sharp = await sharpModule();
    await sharp(source, { failOn: 'none' })
      .rotate()
      .resize(THUMBNAIL_PX, THUMBNAIL_PX, { fit: 'inside', withoutEnlargement: true })
      .jpeg({ quality: 80 })
      .toFile(target);
    return true;
  } catch {
    return false;
  }
}

// --- the check against the record -------------------------------------------------------------

/** What the check compares the photo with: the record's place and date, and the thresholds. */
export interface EvidenceTarget {
  /** Distance in metres from the photo's position to the record's geometry (0 inside it); null: the record has no place. */
  distanceM: number | null;
  /** The record's date (its date of information or own date field), 'YYYY-MM-DD'; null: it has none. */
  recordDate: string | null;
  /** The field that date comes from, e.g. 'foundOn'. */
  recordDateField: string | null;
  /** The file's media type (`image/jpeg`, `application/pdf`): the messages name a photo, a document or a file by it. */
  mediaType?: string;
}

/** What a file is called in the check's messages, from its media type. */
export type FileKind = 'photo' | 'video' | 'document' | 'file';

const DOCUMENT_TYPES =
  /^(application\/(pdf|msword|rtf|vnd\.(openxmlformats|oasis\.opendocument|ms-excel|ms-powerpoint))|text\/)/;

/** `photo` for an image, `video`, `document` for PDF, office and text files, else `file`. */
export function fileKind(mediaType: string | undefined): FileKind {
  const type = (mediaType ?? '').toLowerCase();
  if (type.startsWith('image/')) return 'photo';
  if (type.startsWith('video/')) return 'video';
  if (DOCUMENT_TYPES.test(type)) return 'document';
  return type ? 'file' : 'photo';
}

export interface EvidenceLimits {
  distanceM: number;
  days: number;
}

/** consistent: within the limit; inconsistent: beyond it; undetermined: the facts cannot tell; note: a fact stated. */
export type CheckStatus = 'consistent' | 'inconsistent' | 'undetermined' | 'note';

export interface EvidenceFinding {
  /** Stable code; the message is the catalogue's (src/i18n/messages/<locale>/evidence.json). */
  code: string;
  status: CheckStatus;
  params: Record<string, string | number>;
}

export interface EvidenceCheck {
  limits: EvidenceLimits;
  recordDate: string | null;
  recordDateField: string | null;
  /** Metres from the record's place (0 inside it), rounded to 0.1 m; null when either has no place. */
  distanceM: number | null;
  /** Whole days between the photo's date and the record's date, positive when taken after; null when either has none. */
  days: number | null;
  /** The camera clock's offset from UTC: stated in the file, else derived from the GPS time; null: unknown. */
  clockOffset: { offset: string; source: 'file' | 'gps' } | null;
  /** One per question asked (place, time, clock, accuracy), in that order. */
  findings: EvidenceFinding[];
}

/**
 * Compares a photo's metadata with its record.
 *
 * Place: the distance to the record's geometry (0 inside it) against `limits.distanceM`; the
 * stated horizontal error is reported, not subtracted. Time: whole days between the calendar
 * date of the photo (the camera's local date) and the record's date against `limits.days`;
 * when the file has no time zone, the local date may be a day off, so one more day is
 * "undetermined" rather than "inconsistent".
 */
export function checkEvidence(
  metadata: Omit<PhotoMetadata, 'readWith'> | null,
  target: EvidenceTarget,
  limits: EvidenceLimits,
): EvidenceCheck {
  const m = metadata ?? NO_METADATA;
  const kind = fileKind(target.mediaType);
  const findings: EvidenceFinding[] = [];
  const limitM = limits.distanceM;
  const limitDays = limits.days;

  let distanceM: number | null = null;
  if (!m.position)
    findings.push({ code: 'evidence.place.no_position', status: 'undetermined', params: { kind } });
  else if (target.distanceM === null)
    findings.push({ code: 'evidence.place.record_without_place', status: 'undetermined', params: { kind } });
  else {
    distanceM = round(target.distanceM, 1);
    findings.push({
      code: distanceM <= limitM ? 'evidence.place.within' : 'evidence.place.beyond',
      status: distanceM <= limitM ? 'consistent' : 'inconsistent',
      params: { distanceM, limitM, kind },
    });
  }

  const clockOffset = m.takenOffset
    ? { offset: m.takenOffset, source: 'file' as const }
    : m.takenLocal && m.gpsTime
      ? gpsOffset(m.takenLocal, m.gpsTime)
      : null;

  let days: number | null = null;
  const takenDate = m.takenLocal?.slice(0, 10) ?? null;
  if (!takenDate) findings.push({ code: 'evidence.time.no_time', status: 'undetermined', params: { kind } });
  else if (!target.recordDate)
    findings.push({ code: 'evidence.time.record_without_date', status: 'undetermined', params: { kind } });
  else {
    days = daysBetween(target.recordDate, takenDate);
    const apart = Math.abs(days);
    const margin = clockOffset ? 0 : 1;
    const status: CheckStatus =
      apart <= limitDays ? 'consistent' : apart <= limitDays + margin ? 'undetermined' : 'inconsistent';
    const code =
      status === 'consistent'
        ? 'evidence.time.within'
        : status === 'undetermined'
          ? 'evidence.time.borderline'
          : days > 0
            ? 'evidence.time.after'
            : 'evidence.time.before';
    findings.push({
      code,
      status,
      params: { days: apart, limitDays, recordDate: target.recordDate, takenDate, kind },
    });
  }

  if (m.takenLocal) {
    if (clockOffset?.source === 'file')
      findings.push({
        code: 'evidence.clock.stated',
        status: 'note',
        params: { offset: clockOffset.offset },
      });
    else if (clockOffset?.source === 'gps')
      findings.push({
        code: 'evidence.clock.from_gps',
        status: 'note',
        params: { offset: clockOffset.offset, kind },
      });
    else findings.push({ code: 'evidence.clock.no_zone', status: 'note', params: {} });
    if (m.takenOffset && m.gpsTime) {
      const driftS = clockDriftS(m.takenLocal, m.takenOffset, m.gpsTime);
      if (driftS !== null && Math.abs(driftS) > 60)
        findings.push({ code: 'evidence.clock.drift', status: 'note', params: { seconds: driftS } });
    }
  }

  if (m.position) {
    if (m.horizontalErrorM !== null)
      findings.push({
        code: 'evidence.accuracy.stated',
        status: 'note',
        params: { errorM: round(m.horizontalErrorM, 1) },
      });
    else if (m.dop !== null)
      findings.push({ code: 'evidence.accuracy.dop_only', status: 'note', params: { dop: round(m.dop, 1) } });
    else findings.push({ code: 'evidence.accuracy.not_stated', status: 'note', params: {} });
  }

  return {
    limits,
    recordDate: target.recordDate,
    recordDateField: target.recordDateField,
    distanceM,
    days,
    clockOffset,
    findings,
  };
}

/** Days from `from` to `to` (calendar dates 'YYYY-MM-DD'), negative when `to` is earlier. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** The camera's offset from UTC from its local time and the GPS time of the same photo, to the quarter hour. */
function gpsOffset(local: string, gpsUtc: string): { offset: string; source: 'gps' } | null {
  const minutes = (Date.parse(`${local}Z`) - Date.parse(gpsUtc)) / 60_000;
  if (!Number.isFinite(minutes) || Math.abs(minutes) > 14 * 60 + 15) return null;
  return { offset: formatOffset(Math.round(minutes / 15) * 15), source: 'gps' };
}

/** Seconds by which the camera's clock (local time at its stated offset) was ahead of the GPS time. */
function clockDriftS(local: string, offset: string, gpsUtc: string): number | null {
  const camera = Date.parse(`${local}${offset}`);
  const gps = Date.parse(gpsUtc);
  return Number.isFinite(camera) && Number.isFinite(gps) ? Math.round((camera - gps) / 1000) : null;
}

function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

// --- tag values ---------------------------------------------------------------------------------

const EXIF_DATE =
  /^(\d{4})[:-](\d{2})[:-](\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/;

/** 'YYYY:MM:DD HH:MM:SS' (EXIF) or ISO 8601 (XMP) → local 'YYYY-MM-DDTHH:MM:SS' and any offset it carries. */
function localDateTime(value: unknown): { local: string; offset: string | null } | null {
  const s = typeof value === 'string' ? value.trim() : '';
  const m = EXIF_DATE.exec(s);
  if (!m || m[1] === '0000') return null;
  const local = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] ?? '00'}`;
  if (Number.isNaN(Date.parse(`${local}Z`))) return null;
  return { local, offset: m[7] ? utcOffset(m[7] === 'Z' ? '+00:00' : m[7]) : null };
}

function utcOffset(value: unknown): string | null {
  const m = typeof value === 'string' ? /^([+-])(\d{2}):?(\d{2})$/.exec(value.trim()) : null;
  if (!m) return null;
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  return minutes <= 14 * 60 ? `${m[1]}${m[2]}:${m[3]}` : null;
}

function gpsTime(date: unknown, time: unknown): string | null {
  const d = typeof date === 'string' ? /^(\d{4})[:-](\d{2})[:-](\d{2})$/.exec(date.trim()) : null;
  if (!d) return null;
  const parts = Array.isArray(time)
    ? time.map(Number)
    : typeof time === 'string'
      ? time.split(':').map(Number)
      : [];
  if (parts.length !== 3 || parts.some((p) => !Number.isFinite(p))) return null;
  const [h, min, s] = parts as [number, number, number];
  const ms = Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3]), h, min, 0) + Math.round(s * 1000);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

function altitude(value: unknown, ref: unknown): number | null {
  const v = finite(value);
  if (v === null) return null;
  return round(Number(ref) === 1 ? -v : v, 1);
}

function finite(value: unknown): number | null {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  return Number.isFinite(n) ? n : null;
}

function nonNegative(value: unknown): number | null {
  const n = finite(value);
  return n !== null && n >= 0 ? n : null;
}

function text(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: EXIF strings end in NUL padding
  const s = value.replace(/\u0000+$/g, '').trim();
  return s === '' ? null : s.slice(0, 200);
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
