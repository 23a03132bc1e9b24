import { fault } from './types.ts';

/**
 * Text encodings of tables from the field: UTF-8 with or without BOM, UTF-16 with BOM, and the
 * Windows code pages older spreadsheets save (1251 for Cyrillic, 1252 for Western European).
 * Node's TextDecoder (full ICU) does the decoding; here we only decide which one.
 */

export interface SniffedEncoding {
  encoding: string;
  /** Bytes of byte-order mark to skip. */
  bomBytes: number;
}

/**
 * Guesses the encoding from the first bytes of a file.
 * Example: `sniffEncoding(new Uint8Array([0xef, 0xbb, 0xbf, 0x61]))` → `{ encoding: 'utf-8', bomBytes: 3 }`.
 */
export function sniffEncoding(head: Uint8Array): SniffedEncoding {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf-8', bomBytes: 3 };
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', bomBytes: 2 };
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', bomBytes: 2 };
  if (isUtf8(head) || mostlyUtf8(head)) return { encoding: 'utf-8', bomBytes: 0 };
  return { encoding: guessWindowsCodePage(head), bomBytes: 0 };
}

/** Valid UTF-8, allowing a multi-byte sequence cut by the end of the sample. */
export function isUtf8(bytes: Uint8Array): boolean {
  let i = 0;
  const n = bytes.length;
  while (i < n) {
    const b = bytes[i]!;
    let extra: number;
    if (b < 0x80) {
      i++;
      continue;
    }
    if (b >= 0xc2 && b <= 0xdf) extra = 1;
    else if (b >= 0xe0 && b <= 0xef) extra = 2;
    else if (b >= 0xf0 && b <= 0xf4) extra = 3;
    else return false;
    for (let k = 1; k <= extra; k++) {
      if (i + k >= n) return true;
      const c = bytes[i + k]!;
      if (c < 0x80 || c > 0xbf) return false;
    }
    i += extra + 1;
  }
  return true;
}

/**
 * UTF-8 text with a few damaged bytes (a truncated copy, one pasted cell) is still UTF-8: the
 * damaged cells are reported as `io.encoding.invalid` rather than the whole file misread.
 */
export function mostlyUtf8(bytes: Uint8Array): boolean {
  let valid = 0;
  let invalid = 0;
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    const extra = b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    let ok = extra > 0;
    for (let k = 1; ok && k <= extra; k++) ok = i + k < bytes.length && (bytes[i + k]! & 0xc0) === 0x80;
    if (ok) {
      valid++;
      i += extra + 1;
    } else {
      invalid++;
      i++;
    }
  }
  return valid > 0 && valid >= 4 * invalid;
}

/**
 * Windows-1251 or 1252 for bytes that are not UTF-8. Cyrillic text is made of runs of bytes
 * ≥ 0xC0 (whole words), while Western text has single accented letters between ASCII ones,
 * so the share of high bytes that follow another high byte tells them apart.
 */
export function guessWindowsCodePage(bytes: Uint8Array): 'windows-1251' | 'windows-1252' {
  let high = 0;
  let highAfterHigh = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i]! >= 0xc0) {
      high++;
      if (i > 0 && bytes[i - 1]! >= 0xc0) highAfterHigh++;
    }
  }
  return high > 0 && highAfterHigh / high > 0.4 ? 'windows-1251' : 'windows-1252';
}

/** Makes a TextDecoder, or throws `io.encoding.unknown` for a name ICU does not know. */
export function decoderFor(encoding: string): TextDecoder {
  try {
    return new TextDecoder(encoding, { fatal: false, ignoreBOM: false });
  } catch {
    throw fault('io.encoding.unknown', { encoding });
  }
}

/** Decodes a stream of byte chunks to text, keeping multi-byte characters split across chunks whole. */
export async function* decodeChunks(
  chunks: AsyncIterable<Uint8Array>,
  decoder: TextDecoder,
): AsyncGenerator<string> {
  for await (const chunk of chunks) {
    const text = decoder.decode(chunk, { stream: true });
    if (text) yield text;
  }
  const tail = decoder.decode();
  if (tail) yield tail;
}

/** U+FFFD marks bytes the decoder could not read. */
export const REPLACEMENT_CHAR = '\uFFFD';
