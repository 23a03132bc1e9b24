import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { Problem } from '../domain/problem.ts';

/**
 * Personal data (casualty identity fields) is encrypted at rest with AES-256-GCM. The key comes
 * from SAFEGROUND_SECRET (hashed to 256 bits) or from a key file created on first start with mode
 * 0600. A key file is a keyring so that keys can be rotated: every ciphertext names its key.
 *
 * Ciphertext form: `enc:v1:<keyId>:<iv>:<tag>:<data>` (base64url parts).
 */
export interface Keyring {
  current: string;
  keys: Record<string, Buffer>;
}

const PREFIX = 'enc:v1:';

export function isEncrypted(v: unknown): v is string {
  return typeof v === 'string' && v.startsWith(PREFIX);
}

function keyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 12);
}

export function keyringFromSecret(secret: string): Keyring {
  const key = createHash('sha256').update(`safeground-personal-data\n${secret}`).digest();
  return { current: keyId(key), keys: { [keyId(key)]: key } };
}

export function newKey(): Buffer {
  return randomBytes(32);
}

export function keyringFromKeys(keys: Buffer[], current: Buffer): Keyring {
  return { current: keyId(current), keys: Object.fromEntries(keys.map((k) => [keyId(k), k])) };
}

/** Reads the key file, creating it (mode 0600) with a fresh key when it does not exist. */
export function loadKeyFile(path: string): Keyring {
  if (!existsSync(path)) {
    const key = newKey();
    saveKeyFile(path, keyringFromKeys([key], key));
  }
  const doc = JSON.parse(readFileSync(path, 'utf8')) as { current: string; keys: Record<string, string> };
  const keys = Object.fromEntries(Object.entries(doc.keys).map(([id, k]) => [id, Buffer.from(k, 'base64')]));
  if (!keys[doc.current])
    throw new Problem('personal_data.key_missing', { keyId: doc.current }, { pointer: '' });
  return { current: doc.current, keys };
}

export function saveKeyFile(path: string, ring: Keyring): void {
  const tmp = `${path}.tmp`;
  const doc = {
    current: ring.current,
    keys: Object.fromEntries(Object.entries(ring.keys).map(([id, k]) => [id, k.toString('base64')])),
  };
  writeFileSync(tmp, `${JSON.stringify(doc, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

/** The keyring the settings name: derived from SAFEGROUND_SECRET when set, else the key file. */
export function loadKeyring(settings: { secret?: string; keyFile: string }): Keyring {
  if (settings.secret) return keyringFromSecret(settings.secret);
  return loadKeyFile(settings.keyFile);
}

export function encrypt(ring: Keyring, plain: string | null | undefined): string | null {
  if (plain === null || plain === undefined) return null;
  if (isEncrypted(plain)) return plain;
  const key = ring.keys[ring.current]!;
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return `${PREFIX}${ring.current}:${iv.toString('base64url')}:${tag.toString('base64url')}:${data.toString('base64url')}`;
}

export function decrypt(ring: Keyring, stored: string | null | undefined): string | null {
  if (stored === null || stored === undefined) return null;
  if (!isEncrypted(stored)) return stored;
  const [id, iv, tag, data] = stored.slice(PREFIX.length).split(':');
  const key = ring.keys[id ?? ''];
  if (!key || !iv || !tag || data === undefined)
    throw new Problem('personal_data.key_missing', { keyId: id ?? '' }, { pointer: '' });
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  try {
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString(
      'utf8',
    );
  } catch {
    throw new Problem('personal_data.decrypt_failed', { keyId: id }, { pointer: '' });
  }
}

export function keyOf(stored: string): string | undefined {
  return isEncrypted(stored) ? stored.slice(PREFIX.length).split(':')[0] : undefined;
}

type Identity = { name?: string | null; dateOfBirth?: string | null; address?: string | null };

export function encryptIdentity(ring: Keyring, identity: Identity | undefined): Identity | undefined {
  if (!identity) return identity;
  const out: Identity = {};
  for (const [k, v] of Object.entries(identity)) {
    // Only text is encrypted; anything else is refused here, before it could be kept in clear.
    if (v !== null && typeof v !== 'string')
      throw new Problem(
        'validation.type',
        { field: k, expected: 'string', got: Array.isArray(v) ? 'array' : typeof v },
        { pointer: `/identity/${k}` },
      );
    out[k as keyof Identity] = encrypt(ring, v);
  }
  return out;
}

export function decryptIdentity(ring: Keyring, identity: Identity | undefined): Identity | undefined {
  if (!identity) return identity;
  const out: Identity = {};
  for (const [k, v] of Object.entries(identity)) out[k as keyof Identity] = decrypt(ring, v as string | null);
  return out;
}

/**
 * Appends the read of a protected identity to the audit log (`read_identity`): who read it and
 * when, and what held one (`{fields}` of a record, `{changes}` of a report), never the values.
 * Called before the identity is decrypted, so an identity is never shown unlogged.
 */
export async function recordIdentityRead(
  database: import('../db/connect.ts').Database,
  actorId: string | null,
  entity: string,
  recordId: string,
  what: Record<string, unknown>,
): Promise<void> {
  const { appendAudit } = await import('../db/repositories/audit.ts');
  await database.db
    .transaction()
    .execute((trx) =>
      appendAudit(trx, { actorId, action: 'read_identity', entity, recordId, before: null, after: what }),
    );
}

/**
 * Re-encrypts every stored identity value (register rows, approved history, report drafts) from
 * the keys of `from` to the current key of `to`, in one transaction.
 */
export async function reencryptAll(
  database: import('../db/connect.ts').Database,
  from: Keyring,
  to: Keyring,
): Promise<{ casualties: number; historyEntries: number; reports: number }> {
  const repo = await import('../db/repositories/personal-data.ts');
  const move = (v: string | null | undefined) => encrypt(to, decrypt(from, v ?? null));
  const moveIdentity = (id: Record<string, string | null> | undefined) =>
    id ? Object.fromEntries(Object.entries(id).map(([k, v]) => [k, move(v)])) : id;
  return database.db.transaction().execute(async (trx) => {
    const rows = await repo.casualtyIdentities(trx);
    for (const r of rows) {
      await repo.setCasualtyIdentity(trx, r.id, {
        name: move(r.identityName),
        dateOfBirth: move(r.identityDateOfBirth),
        address: move(r.identityAddress),
      });
    }
    const patches = await repo.casualtyPatches(trx);
    for (const p of patches) {
      await repo.setPatch(trx, p.seq, {
        ...p.patch,
        identity: moveIdentity(p.patch.identity as Record<string, string | null>),
      });
    }
    const reports = await repo.reportPayloadsWithCasualties(trx);
    for (const r of reports) {
      const changes = r.payload.changes.map((c) => {
        const change = c as { register?: string; record?: Record<string, unknown> };
        if (change.register !== 'casualties' || !change.record?.identity) return c;
        return {
          ...change,
          record: {
            ...change.record,
            identity: moveIdentity(change.record.identity as Record<string, string | null>),
          },
        };
      });
      await repo.setReportPayload(trx, r.id, { ...r.payload, changes });
    }
    return { casualties: rows.length, historyEntries: patches.length, reports: reports.length };
  });
}
