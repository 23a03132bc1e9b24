import type { IdentityChoice } from '../lib/report-changes.ts';
import type { EncryptedValue } from './drafts.ts';
import { getMeta, setMeta } from './store.ts';

/**
 * A casualty's identity is personal data: the field app keeps it only for roles that may read
 * identities, and then encrypted with AES-GCM under a key made on the device as non-extractable
 * (the page can use it but never read it out) and kept in IndexedDB, which sign-out and
 * revocation delete with everything else.
 */
async function identityKey(): Promise<CryptoKey> {
  const known = await getMeta('identityKey');
  if (known) return known;
  const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, [
    'encrypt',
    'decrypt',
  ]);
  await setMeta('identityKey', key);
  return key;
}

export interface IdentityInput {
  name: string;
  dateOfBirth: string;
  address: string;
}

export async function encryptIdentity(identity: IdentityInput): Promise<EncryptedValue> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv },
    await identityKey(),
    new TextEncoder().encode(JSON.stringify(identity)),
  );
  return { iv, data };
}

export async function decryptIdentity(value: EncryptedValue): Promise<IdentityChoice> {
  const plain = await crypto.subtle.decrypt(
    { name: 'AES-GCM', iv: value.iv },
    await identityKey(),
    value.data,
  );
  return JSON.parse(new TextDecoder().decode(plain)) as IdentityInput;
}
