import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.ts';

/**
 * The audit chain: each entry's hash is SHA-256 over the previous entry's hash and the
 * canonical JSON of the entry, so changing, removing or reordering any entry breaks every
 * hash after it. The first entry's previous hash is 64 zeros.
 */
export const GENESIS_HASH = '0'.repeat(64);

export interface AuditEntry {
  seq: number;
  at: string;
  actorId: string | null;
  action: string;
  entity: string;
  recordId: string | null;
  reportId: string | null;
  before: unknown;
  after: unknown;
}

export function auditHash(prevHash: string, entry: AuditEntry): string {
  const body = canonicalJson({
    seq: entry.seq,
    at: entry.at,
    actorId: entry.actorId,
    action: entry.action,
    entity: entry.entity,
    recordId: entry.recordId,
    reportId: entry.reportId,
    before: entry.before ?? null,
    after: entry.after ?? null,
  });
  return createHash('sha256').update(prevHash).update('\n').update(body).digest('hex');
}

export type ChainBreak = { seq: number; reason: 'prev_hash' | 'hash' | 'sequence' };

/** Checks entries in order; returns the first broken entry, or undefined when the chain holds. */
export function verifyChain(
  entries: Iterable<AuditEntry & { prevHash: string; hash: string }>,
  start: { prevHash: string; seq: number } = { prevHash: GENESIS_HASH, seq: 0 },
): ChainBreak | undefined {
  let prev = start.prevHash;
  let expectedSeq = start.seq + 1;
  for (const e of entries) {
    if (e.seq !== expectedSeq) return { seq: e.seq, reason: 'sequence' };
    if (e.prevHash !== prev) return { seq: e.seq, reason: 'prev_hash' };
    if (auditHash(prev, e) !== e.hash) return { seq: e.seq, reason: 'hash' };
    prev = e.hash;
    expectedSeq++;
  }
  return undefined;
}
