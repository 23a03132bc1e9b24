/**
 * Shapes of the Safeground HTTP API (docs: /api/v1/openapi.json). Register records are
 * described once in src/domain/records.ts; here only the envelope types the pages use.
 */
import type { Feature, FeatureCollection, Geometry } from 'geojson';

export interface User {
  id: string;
  email: string;
  name: string | null;
  role: string;
  organisationId: string | null;
  locale: string | null;
}

export interface LoginResponse {
  token: string;
  user: User;
}

/** Common properties every stored record carries, plus its register fields. */
export interface RecordProps {
  id: string;
  version: number;
  createdAt: string;
  updatedAt: string;
  createdBy: string | null;
  updatedBy: string | null;
  archived: boolean;
  code?: string;
  [field: string]: unknown;
}

export type RecordFeature = Feature<Geometry | null, RecordProps> & { id: string };

export interface FeaturePage extends FeatureCollection<Geometry | null, RecordProps> {
  features: RecordFeature[];
  nextCursor: string | null;
  /** The records the filters match (asked for with count=true). */
  total?: number;
}

export interface ItemPage {
  items: RecordProps[];
  nextCursor: string | null;
  total?: number;
}

export type RecordPage = FeaturePage | ItemPage;

export interface HistoryEntry {
  seq: number;
  at: string;
  actor: { id: string; email: string } | null;
  action: 'create' | 'update' | 'archive' | string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

export interface Attachment {
  id: string;
  filename: string;
  mediaType: string;
  sizeBytes: number;
  sha256: string;
  recordType: string;
  recordId: string;
  createdAt: string;
  /** Server-made JPEG thumbnail of an image; null for other files. */
  thumbnailUrl?: string | null;
  /** What the file's own metadata (EXIF/XMP) said on upload; null for files stored before it was read. */
  metadata?: AttachmentMetadata | null;
  /** The check against the record as it stands now (recomputed on every read). */
  evidence?: EvidenceCheck | null;
}

export interface AttachmentMetadata {
  readWith: string;
  takenLocal: string | null;
  takenOffset: string | null;
  gpsTime: string | null;
  position: { type: 'Point'; coordinates: [number, number] } | null;
  altitudeM: number | null;
  horizontalErrorM: number | null;
  dop: number | null;
  cameraMake: string | null;
  cameraModel: string | null;
  orientation: number | null;
  widthPx: number | null;
  heightPx: number | null;
}

export interface EvidenceCheck {
  limits: { distanceM: number; days: number };
  recordDate: string | null;
  recordDateField: string | null;
  distanceM: number | null;
  days: number | null;
  clockOffset: { offset: string; source: 'file' | 'gps' } | null;
  findings: Array<{
    code: string;
    status: 'consistent' | 'inconsistent' | 'undetermined' | 'note';
    params: Record<string, string | number>;
    /** In the language the request asked for. */
    message: string;
  }>;
}

export interface StatsSummary {
  openHazardAreaM2: number;
  openHazardCount: number;
  /** The hazards not closed, by status (older servers do not send it). */
  openHazardsByStatus?: Record<string, number>;
  releasedM2: { cancelled: number; reduced: number; cleared: number };
  findingsByCategory: Record<string, number>;
  casualtiesThisYear: { total: number; killed: number; injured: number };
  /** The calendar year asked for (absent when the period is from/to). */
  year?: number;
  /** The period, first and last day (YYYY-MM-DD). */
  from: string;
  to: string;
  /** The date the registers were read as at (absent: their present state). */
  asAt?: string;
  openHazardAreaByStatusM2?: Record<string, number>;
  hazardAreaTrend?: Array<{ month: string; areaM2: number }>;
  releasedCount?: Record<string, number>;
  releasedByMonth?: Array<{ month: string; outcome: string; areaM2: number; n: number }>;
  findingRecordsByCategory?: Record<string, number>;
  findingsByModel?: Array<{
    model: string | null;
    /** The catalogue model's ordnance record; null for a model as reported (model text). */
    ordnanceId?: string | null;
    category: string;
    quantity: number;
  }>;
  accidentCount?: number;
  casualties?: {
    byOutcome: Record<string, number>;
    byStatus: Record<string, number>;
    bySex: Record<string, number>;
    byAgeBand: Record<string, number>;
  };
  riskEducation?: {
    sessions: number;
    beneficiaries: number;
    beneficiariesBySex: Record<string, number>;
    beneficiariesByAgeBand: Record<string, number>;
  };
}

export interface ServerConfig {
  basemap: {
    url: string | null;
    type: 'raster' | 'vector' | null;
    attribution?: string | null;
    /** A PMTiles archive is served at /basemap. */
    archive?: boolean;
  };
  locales: string[];
  version: string;
}

/** Where a problem sits in the input: a JSON pointer and, for geometry, the vertex. */
export interface ProblemLocation {
  polygon?: number;
  ring?: number;
  vertex?: number;
  row?: number;
  field?: string;
  [k: string]: unknown;
}

export interface ProblemItem {
  code: string;
  detail?: string;
  pointer?: string;
  location?: ProblemLocation;
  params?: Record<string, unknown>;
}

export interface ProblemDocument extends ProblemItem {
  type?: string;
  title?: string;
  status: number;
  errors?: ProblemItem[];
}

/** One change of a report: a create, an update of an existing record, or an archive. */
export type ReportChange =
  | { op: 'create'; register: string; ref?: string; record: unknown }
  | { op: 'update'; register: string; id: string; record: unknown }
  | { op: 'archive'; register: string; id: string };

export interface Report {
  id: string;
  code: string;
  kind: string;
  status: 'draft' | 'submitted' | 'reviewed' | 'approved' | 'rejected' | string;
  organisationId: string | null;
  /** In lists: the name of the user who created the report (never their e-mail), its organisation's name and its hazards' codes. */
  createdByName?: string | null;
  organisationName?: string | null;
  hazardCodes?: string[];
  dateOfInformation: string;
  payload: { changes: ReportChange[] };
  /** Indexes of changes holding a casualty identity the reader may not see (left out of the change). */
  hiddenIdentities?: number[];
  reason: string | null;
  rejectionReason: string | null;
  submittedAt: string | null;
  reviewedAt: string | null;
  decidedAt: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
  createdBy: string | null;
}

/** A possible duplicate the approver confirms by id (409 report.warnings_unconfirmed). */
export interface ReportWarning {
  id: string;
  code: string;
  change: number;
  other: { id: string; code: string };
  params: Record<string, string | number>;
}

export interface ImportJob {
  id: string;
  register: string;
  filename: string;
  status: 'queued' | 'running' | 'done' | 'failed';
  progress: { read: number; total?: number; percent?: number };
  result: {
    read: number;
    imported: number;
    valid?: number;
    repaired: number;
    rejected: number;
    skipped: number;
    dryRun?: boolean;
    refused?: boolean;
    line?: string;
    rejectLines?: number;
    /** The first reject lines (the rejects file has them all). */
    rejects?: Array<{ index: number; row?: number; field?: string; code: string; message: string }>;
  } | null;
  error: { code: string; message?: string } | null;
  createdAt: string;
}
