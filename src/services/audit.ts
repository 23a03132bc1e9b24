import type { Database } from '../db/connect.ts';
import { readAuditChain } from '../db/repositories/audit.ts';
import { type ChainBreak, GENESIS_HASH, verifyChain } from '../domain/audit-chain.ts';

/** Checks the whole audit chain, streaming it in pages; names the first broken entry. */
export async function verifyAudit(
  database: Database,
  onProgress?: (checked: number) => void,
): Promise<{ entries: number; broken: ChainBreak | undefined }> {
  let entries = 0;
  let broken: ChainBreak | undefined;
  let prev = { prevHash: GENESIS_HASH, seq: 0 };
  const batch: Parameters<typeof verifyChain>[0] extends Iterable<infer T> ? T[] : never = [];
  const flush = () => {
    if (broken || !batch.length) return;
    broken = verifyChain(batch, prev);
    const last = batch[batch.length - 1]!;
    prev = { prevHash: last.hash, seq: last.seq };
    batch.length = 0;
  };
  for await (const entry of readAuditChain(database.db)) {
    entries++;
    batch.push(entry);
    if (batch.length >= 2000) {
      flush();
      onProgress?.(entries);
      if (broken) break;
    }
  }
  flush();
  onProgress?.(entries);
  return { entries, broken };
}
