import { createReadStream } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { FileInput } from './types.ts';

/** Name of the input file, for format detection and messages. */
export function inputName(file: FileInput): string {
  return 'path' in file ? basename(file.path) : file.filename;
}

export async function inputSize(file: FileInput): Promise<number> {
  return 'path' in file ? (await stat(file.path)).size : file.bytes.byteLength;
}

/** The first `n` bytes (fewer if the file is shorter), for format and encoding sniffing. */
export async function inputHead(file: FileInput, n = 64 * 1024): Promise<Uint8Array> {
  if (!('path' in file)) return file.bytes.subarray(0, n);
  const handle = await open(file.path, 'r');
  try {
    const buf = new Uint8Array(n);
    const { bytesRead } = await handle.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** The whole file in memory: for formats whose libraries need it (zip, GeoPackage, KML). */
export async function inputBytes(file: FileInput): Promise<Uint8Array> {
  return 'path' in file ? new Uint8Array(await readFile(file.path)) : file.bytes;
}

/**
 * The file as a stream of chunks, never whole in memory when read from disk. Chunks of 64 KiB:
 * the percent of an import's progress counts the bytes read, so it runs at most one chunk ahead
 * of the rows (with chunks of 1 MiB, a 4 MB file showed 100 % with a fifth of its rows to go).
 */
export async function* inputChunks(file: FileInput, chunkBytes = 1 << 16): AsyncGenerator<Uint8Array> {
  if (!('path' in file)) {
    for (let at = 0; at < file.bytes.byteLength; at += chunkBytes)
      yield file.bytes.subarray(at, at + chunkBytes);
    return;
  }
  for await (const chunk of createReadStream(file.path, { highWaterMark: chunkBytes })) {
    yield chunk as Uint8Array;
  }
}

/** Calls `report` at most every `everyFeatures` features (and at the end), so progress costs nothing. */
export class ProgressMeter {
  bytesRead = 0;
  features = 0;
  private lastReported = 0;
  constructor(
    readonly bytesTotal: number,
    private readonly report:
      | ((p: { bytesRead: number; bytesTotal: number; features: number }) => void)
      | undefined,
    private readonly everyFeatures = 1000,
  ) {}

  feature(): void {
    this.features++;
    if (this.features - this.lastReported >= this.everyFeatures) this.emit();
  }

  emit(): void {
    if (!this.report) return;
    this.lastReported = this.features;
    this.report({
      bytesRead: Math.min(this.bytesRead, this.bytesTotal),
      bytesTotal: this.bytesTotal,
      features: this.features,
    });
  }

  done(): void {
    this.bytesRead = this.bytesTotal;
    this.emit();
  }

  /** The file's chunks, counted into `bytesRead` as they are read. */
  async *chunks(file: FileInput): AsyncGenerator<Uint8Array> {
    for await (const chunk of inputChunks(file)) {
      this.bytesRead += chunk.byteLength;
      yield chunk;
    }
  }
}
