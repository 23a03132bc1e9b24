import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import type { Database } from '../db/connect.ts';
import { appendBulkCreateAudits } from '../db/repositories/audit.ts';
import { bulkInsert, existingExternalIds, sourceIdByExternalId } from '../db/repositories/bulk.ts';
import {
  type AccidentFromEvent,
  EXTERNAL_ID_PREFIX,
  type FindingFromEvent,
  type HazardFromEvent,
  mapColombiaEvent,
  type RecordFromEvent,
  sharedPointKey,
} from '../domain/colombia-events.ts';
import { Problem } from '../domain/problem.ts';
import { accidents, findings, hazards } from '../domain/records.ts';
import { t } from '../i18n/catalogue.ts';

export interface EventReject {
  file: string;
  /** 0-based index of the feature in the file. */
  index: number;
  code: string;
  message: string;
}

export interface ImportEventsSummary {
  /** Features read from all files; always imported + skippedExisting + rejected. */
  read: number;
  imported: { accidents: number; findings: number; hazards: number };
  /** Features whose record an earlier run already stored (same external id). */
  skippedExisting: number;
  rejected: number;
  rejectsByCode: Record<string, number>;
  rejects: EventReject[];
}

export interface ImportEventsOptions {
  onProgress?: (done: number, total: number, label: string) => void;
  /** Language of the reject messages (default en). */
  locale?: string;
}

/** The source every imported record is linked to, made on the first run. */
const SOURCE_EXTERNAL_ID = `${EXTERNAL_ID_PREFIX}source`;

interface ParsedFile {
  path: string;
  stem: string;
  features: unknown[];
}

/**
 * Imports Colombian landmine/UXO event files (GeoJSON, one per year) as accidents, findings
 * and suspected hazardous areas, by the mapping of domain/colombia-events.ts. One transaction
 * for the run: all of it is stored, or none. Features already imported are skipped, so a run
 * can be repeated; rejected features are listed with a problem code and the reason.
 */
export async function importEvents(
  database: Database,
  files: string[],
  opts: ImportEventsOptions = {},
): Promise<ImportEventsSummary> {
  const locale = opts.locale ?? 'en';
  const parsed: ParsedFile[] = [];
  for (const path of files) parsed.push(await readEventFile(path));

  // How many events share each place, across every file of the run (point precision).
  const atPoint = new Map<string, number>();
  for (const f of parsed) {
    for (const feature of f.features) {
      const key = sharedPointKey(feature);
      if (key) atPoint.set(key, (atPoint.get(key) ?? 0) + 1);
    }
  }

  const records: Array<{ record: RecordFromEvent }> = [];
  const rejects: EventReject[] = [];
  const rejectsByCode: Record<string, number> = {};
  let read = 0;
  for (const f of parsed) {
    f.features.forEach((feature, index) => {
      read++;
      const key = sharedPointKey(feature);
      const outcome = mapColombiaEvent(
        feature,
        { fileStem: f.stem, index },
        key ? (atPoint.get(key) ?? 1) : 1,
      );
      if (outcome.ok) {
        records.push({ record: outcome.record });
      } else {
        const p = outcome.problem;
        rejectsByCode[p.code] = (rejectsByCode[p.code] ?? 0) + 1;
        rejects.push({ file: f.path, index, code: p.code, message: t(p.code, { ...p.params }, locale) });
      }
    });
  }

  const total = records.length;
  return database.db.transaction().execute(async (trx) => {
    const existing = new Set<string>();
    for (const table of [accidents.table, findings.table, hazards.table]) {
      for (const id of await existingExternalIds(trx, table, EXTERNAL_ID_PREFIX)) existing.add(id);
    }
    const fresh = records.map((r) => r.record).filter((r) => !existing.has(r.externalId));
    const skippedExisting = records.length - fresh.length;
    const byRegister = {
      accidents: fresh.filter((r): r is AccidentFromEvent => r.register === 'accidents'),
      findings: fresh.filter((r): r is FindingFromEvent => r.register === 'findings'),
      hazards: fresh.filter((r): r is HazardFromEvent => r.register === 'hazards'),
    };
    let done = skippedExisting;
    const progress = (label: string) => (n: number) => opts.onProgress?.(done + n, total, label);
    opts.onProgress?.(done, total, 'events');

    const sourceId = fresh.length > 0 ? await ensureSource(trx) : undefined;
    const links: Array<{ recordType: string; recordId: string; sourceId: string }> = [];

    const accidentIds = await bulkInsert(
      trx,
      accidents.table,
      byRegister.accidents.map(({ register: _r, geometry, ...rest }) => ({ ...rest, geom: geometry })),
      { geometry: { geom: { multi: false } }, onBatch: progress(accidents.slug) },
    );
    done += accidentIds.length;
    const findingIds = await bulkInsert(
      trx,
      findings.table,
      byRegister.findings.map(({ register: _r, geometry, ...rest }) => ({ ...rest, geom: geometry })),
      { geometry: { geom: { multi: false } }, onBatch: progress(findings.slug) },
    );
    done += findingIds.length;
    const hazardIds = await bulkInsert(
      trx,
      hazards.table,
      byRegister.hazards.map(({ register: _r, geometry, ...rest }) => ({ ...rest, geom: geometry })),
      {
        geometry: { geom: { multi: true } },
        json: ['deviceCategories', 'evidence'],
        onBatch: progress(hazards.slug),
      },
    );
    done += hazardIds.length;

    if (sourceId) {
      for (const [slug, ids] of [
        [accidents.slug, accidentIds],
        [findings.slug, findingIds],
        [hazards.slug, hazardIds],
      ] as const) {
        for (const recordId of ids) links.push({ recordType: slug, recordId, sourceId });
      }
      await bulkInsert(trx, 'record_sources', links, { ids: false, batchSize: 1000 });
    }

    await appendBulkCreateAudits(
      trx,
      [
        { entity: accidents.entity, count: accidentIds.length },
        { entity: findings.entity, count: findingIds.length },
        { entity: hazards.entity, count: hazardIds.length },
      ],
      'colombia-events',
    );
    opts.onProgress?.(total, total, 'events');
    return {
      read,
      imported: { accidents: accidentIds.length, findings: findingIds.length, hazards: hazardIds.length },
      skippedExisting,
      rejected: rejects.length,
      rejectsByCode,
      rejects,
    };
  });
}

async function readEventFile(path: string): Promise<ParsedFile> {
  let data: unknown;
  try {
    data = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new Problem('import.events.file_unreadable', {
      file: path,
      message: err instanceof Error ? err.message : String(err),
    });
  }
  const features = (data as { type?: unknown; features?: unknown } | null)?.features;
  if ((data as { type?: unknown } | null)?.type !== 'FeatureCollection' || !Array.isArray(features)) {
    throw new Problem('import.events.not_feature_collection', { file: path });
  }
  return { path, stem: basename(path, extname(path)), features };
}

async function ensureSource(trx: Database['db']): Promise<string> {
  const found = await sourceIdByExternalId(trx, SOURCE_EXTERNAL_ID);
  if (found) return found;
  const [id] = await bulkInsert(trx, 'sources', [
    {
      kind: 'government_report',
      title: 'Landmine and UXO events in Colombia, 1990–2019 (open data)',
      issuingBody:
        'Government of Colombia, Descontamina Colombia (Office of the High Commissioner for Peace)',
      url: 'https://github.com/hpuentes/eventos-minas-antipersonas-colombia',
      language: 'es',
      notes:
        'Open data as republished in the repository at the URL (MIT licence), one GeoJSON file per year. ' +
        'Imported by `safeground import-events`; see docs/colombia-events.md for the mapping.',
      externalId: SOURCE_EXTERNAL_ID,
    },
  ]);
  return id!;
}
