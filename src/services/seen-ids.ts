import * as crypto from 'node:crypto';

/**
 * A set of strings held as their 128-bit MD5 fingerprints in one typed array (open addressing,
 * linear probing, at most three quarters full): 16 to 32 bytes a string, where a Set of the
 * strings themselves takes some 50 (ids like `EO-123456`) to 160 (the SHA-256 content ids of
 * rows without one). Two different strings share a fingerprint with a probability of about
 * n²/2¹²⁹, some 10⁻²⁷ for a million strings: the same trust the importer already puts in the
 * content hash that identifies a row without an id. Written here because the libraries at hand
 * keep the strings themselves (Set, mnemonist) or answer only "probably" (Bloom filters).
 *
 * Example: `const s = new FingerprintSet(); s.add('H-1')` → true; `s.add('H-1')` → false;
 * `s.has('H-2')` → false.
 */
export class FingerprintSet {
  private slots: Uint32Array;
  private mask: number;
  /** Strings held. */
  size = 0;

  constructor(capacity = 1 << 12) {
    let slots = 1 << 4;
    while (slots < capacity) slots *= 2;
    this.slots = new Uint32Array(slots * 4);
    this.mask = slots - 1;
  }

  /** Bytes the set holds (its typed array). */
  get bytes(): number {
    return this.slots.byteLength;
  }

  /** Adds the string; true when it was not held before. */
  add(s: string): boolean {
    const [a, b, c, d] = fingerprint(s);
    let i = this.find(a, b, c, d);
    if (i >= 0) return false;
    if ((this.size + 1) * 4 > (this.mask + 1) * 3) {
      this.grow();
      i = this.find(a, b, c, d);
    }
    this.put(-i - 1, a, b, c, d);
    this.size++;
    return true;
  }

  has(s: string): boolean {
    const [a, b, c, d] = fingerprint(s);
    return this.find(a, b, c, d) >= 0;
  }

  /** The slot's offset when the fingerprint is held, else -(offset of the free slot it would take) - 1. */
  private find(a: number, b: number, c: number, d: number): number {
    const slots = this.slots;
    for (let i = a & this.mask; ; i = (i + 1) & this.mask) {
      const at = i * 4;
      const a0 = slots[at]!;
      const b0 = slots[at + 1]!;
      const c0 = slots[at + 2]!;
      const d0 = slots[at + 3]!;
      if ((a0 | b0 | c0 | d0) === 0) return -at - 1;
      if (a0 === a && b0 === b && c0 === c && d0 === d) return at;
    }
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Uint32Array(old.length * 2);
    this.mask = this.mask * 2 + 1;
    for (let at = 0; at < old.length; at += 4) {
      const a = old[at]!;
      const b = old[at + 1]!;
      const c = old[at + 2]!;
      const d = old[at + 3]!;
      if ((a | b | c | d) === 0) continue;
      this.put(-this.find(a, b, c, d) - 1, a, b, c, d);
    }
  }

  private put(at: number, a: number, b: number, c: number, d: number): void {
    this.slots[at] = a;
    this.slots[at + 1] = b;
    this.slots[at + 2] = c;
    this.slots[at + 3] = d;
  }
}

/** A string's MD5: `crypto.hash` where Node has it (20.12 and later), else a Hash object. */
const md5: (s: string) => Buffer =
  typeof crypto.hash === 'function'
    ? (s) => crypto.hash('md5', s, 'buffer') as unknown as Buffer
    : (s) => crypto.createHash('md5').update(s).digest();

/** A string's MD5 as four unsigned 32-bit words, never all zero (the mark of a free slot). */
function fingerprint(s: string): [number, number, number, number] {
  const h = md5(s);
  const a = h.readUInt32LE(0);
  const b = h.readUInt32LE(4);
  const c = h.readUInt32LE(8);
  const d = h.readUInt32LE(12);
  return (a | b | c | d) === 0 ? [1, 0, 0, 0] : [a, b, c, d];
}
