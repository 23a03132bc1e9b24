import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import type { Database } from '../db/connect.ts';
import { bulkInsert, externalIdsWithPrefix, sourceIdByExternalId } from '../db/repositories/bulk.ts';
import {
  EXTERNAL_ID_PREFIX,
  mapColombiaEvent,
  type RecordFromEvent,
  sharedPointKey,
} from '../domain/colombia-events.ts';
import { isProblem, Problem } from '../domain/problem.ts';
import { accidents, findings, hazards, type RegisterDef, sources } from '../domain/records.ts';
import { t } from '../i18n/catalogue.ts';
import { type Actor, SYSTEM_ACTOR } from './actor.ts';
import {
  applyChangesBulk,
  type BulkContext,
  type BulkRecord,
  checkInput,
  closeBulkReport,
  openBulkReport,
} from './changes.ts';
import type { Keyring } from './personal-data.ts';

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
  /** Who loads the events (default: the system itself). */
  actor?: Actor;
  /** Key of personal data; the events carry none, so none is needed unless a later mapping adds some. */
  keyring?: Keyring;
}

/** The events carry no personal data: nothing is ever encrypted under this empty keyring. */
const NO_PERSONAL_DATA: Keyring = { keys: {}, current: '' };

/** The source every imported record is linked to, made on the first run. */
const SOURCE_EXTERNAL_ID = `${EXTERNAL_ID_PREFIX}source`;

interface ParsedFile {
  path: string;
  stem: string;
  features: unknown[];
}

/**
 * Imports Colombian landmine/UXO event files (GeoJSON, one per year) as accidents, findings
 * and suspected hazardous areas, by the mapping of domain/colombia-events.ts, through the bulk
 * form of the one write path (the same checks, approved history and audit as any write, under
 * one direct report approved at once). One transaction for the run: all of it is stored, or
 * none. Features already imported are skipped, so a run can be repeated; rejected features
 * are listed with a problem code and the reason.
 */
export async function importEvents(
  database: Database,
  files: string[],
  opts: ImportEventsOptions = {},
): Promise<ImportEventsSummary> {
  const actor = opts.actor ?? SYSTEM_ACTOR;
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

  const records: Array<{ record: RecordFromEvent; file: string; index: number }> = [];
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
        records.push({ record: outcome.record, file: f.path, index });
      } else {
        const p = outcome.problem;
        rejectsByCode[p.code] = (rejectsByCode[p.code] ?? 0) + 1;
        rejects.push({ file: f.path, index, code: p.code, message: t(p.code, { ...p.params }, locale) });
      }
    });
  }

  const reject = (file: string, index: number, p: Problem) => {
    rejectsByCode[p.code] = (rejectsByCode[p.code] ?? 0) + 1;
    rejects.push({ file, index, code: p.code, message: t(p.code, { ...p.params, ...p.where }, locale) });
  };
  const total = records.length;
  return database.db.transaction().execute(async (trx) => {
    const existing = new Set<string>();
    for (const table of [accidents.table, findings.table, hazards.table]) {
      for (const id of await externalIdsWithPrefix(trx, table, EXTERNAL_ID_PREFIX)) existing.add(id);
    }
    const fresh = records.filter((r) => !existing.has(r.record.externalId));
    const skippedExisting = records.length - fresh.length;
    let done = skippedExisting;
    opts.onProgress?.(done, total, 'events');
    const imported = { accidents: 0, findings: 0, hazards: 0 };
    if (fresh.length === 0) {
      opts.onProgress?.(total, total, 'events');
      return { read, imported, skippedExisting, rejected: rejects.length, rejectsByCode, rejects };
    }

    const report = await openBulkReport(trx, actor, new Date().toISOString().slice(0, 10), {
      import: { loader: 'colombia-events', files: parsed.map((f) => basename(f.path)) },
    });
    const ctx = (def: RegisterDef): BulkContext => ({
      trx,
      actor,
      keyring: opts.keyring ?? NO_PERSONAL_DATA,
      report,
      audit: { source: 'colombia-events', register: def.slug },
    });
    const sourceId = await ensureSource(trx, ctx(sources));
    const links: Array<{ recordType: string; recordId: string; sourceId: string }> = [];
    for (const def of [accidents, findings, hazards]) {
      const mine = fresh.filter((r) => r.record.register === def.slug);
      // The same checks as every write (schema, geometry, references), record by record.
      const checked: Array<BulkRecord & { at: (typeof mine)[number] }> = [];
      for (const r of mine) {
        const { register: _r, geometry, ...properties } = r.record;
        try {
          const values = await checkInput(trx, def, { geometry, properties }, 'create');
          checked.push({ values, externalId: r.record.externalId, at: r });
        } catch (err) {
          if (!isProblem(err)) throw err;
          reject(r.file, r.index, err);
        }
      }
      const outcome = await applyChangesBulk(ctx(def), def, checked);
      for (const { index, problem } of outcome.refused)
        reject(checked[index]!.at.file, checked[index]!.at.index, problem);
      for (const id of outcome.ids) {
        if (id === undefined) continue;
        imported[def.slug as keyof typeof imported]++;
        links.push({ recordType: def.slug, recordId: id, sourceId });
      }
      done += mine.length;
      opts.onProgress?.(done, total, def.slug);
    }
    await bulkInsert(trx, 'record_sources', links, { ids: false, batchSize: 1000 });
    await closeBulkReport(trx, actor, report.id, [
      { register: accidents.slug, count: imported.accidents },
      { register: findings.slug, count: imported.findings },
      { register: hazards.slug, count: imported.hazards },
    ]);
    opts.onProgress?.(total, total, 'events');
    return { read, imported, skippedExisting, rejected: rejects.length, rejectsByCode, rejects };
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

/** The source every imported record is linked to: made on the first run, through the one path too. */
async function ensureSource(trx: Database['db'], ctx: BulkContext): Promise<string> {
  const found = await sourceIdByExternalId(trx, SOURCE_EXTERNAL_ID);
  if (found) return found;
  const values = await checkInput(
    trx,
    sources,
    {
      properties: {
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
    },
    'create',
  );
  const { ids } = await applyChangesBulk(ctx, sources, [{ values, externalId: SOURCE_EXTERNAL_ID }]);
  return ids[0]!;
}
