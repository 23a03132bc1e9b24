import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VectorTile } from '@mapbox/vector-tile';
import type { FastifyInstance } from 'fastify';
import { PbfReader } from 'pbf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connect.ts';
import { buildServer } from '../../src/http/server.ts';
import { encodeTile } from '../../src/io/mvt.ts';
import { testDatabase } from './helpers/db.ts';

/**
 * What the map loads besides the registers' tiles, all from Safeground itself: a deployment's
 * PMTiles basemap, the glyphs of its labels (Latin, Cyrillic, Arabic), and the right-to-left
 * text plugin.
 */

/** A one-tile PMTiles v3 archive (tile 0/0/0, uncompressed), written as the specification lays it out. */
function pmtilesArchive(tile: Uint8Array, metadata: object): Buffer {
  const varint = (n: number, out: number[]) => {
    while (n >= 0x80) {
      out.push((n & 0x7f) | 0x80);
      n = Math.floor(n / 128);
    }
    out.push(n);
  };
  // one entry: tile id 0, run length 1, its length, offset 0 (stored as offset + 1)
  const dir: number[] = [];
  for (const v of [1, 0, 1, tile.length, 1]) varint(v, dir);
  const meta = Buffer.from(JSON.stringify(metadata));
  const header = Buffer.alloc(127);
  header.write('PMTiles', 0, 'latin1');
  header.writeUInt8(3, 7);
  const rootOffset = 127;
  const metaOffset = rootOffset + dir.length;
  const dataOffset = metaOffset + meta.length;
  const u64 = (v: number, at: number) => header.writeBigUInt64LE(BigInt(v), at);
  u64(rootOffset, 8);
  u64(dir.length, 16);
  u64(metaOffset, 24);
  u64(meta.length, 32);
  u64(dataOffset, 40);
  u64(0, 48);
  u64(dataOffset, 56);
  u64(tile.length, 64);
  u64(1, 72);
  u64(1, 80);
  u64(1, 88);
  header.writeUInt8(1, 96); // clustered
  header.writeUInt8(1, 97); // internal compression: none
  header.writeUInt8(1, 98); // tile compression: none
  header.writeUInt8(1, 99); // tile type: MVT
  header.writeUInt8(0, 100);
  header.writeUInt8(0, 101);
  header.writeInt32LE(43.4e7, 102);
  header.writeInt32LE(38.3e7, 106);
  header.writeInt32LE(50.9e7, 110);
  header.writeInt32LE(42.0e7, 114);
  header.writeUInt8(0, 118);
  header.writeInt32LE(47e7, 119);
  header.writeInt32LE(40e7, 123);
  return Buffer.concat([header, Buffer.from(dir), meta, Buffer.from(tile)]);
}

interface Glyph {
  id: number;
  bitmap: Uint8Array;
  width: number;
  height: number;
  left: number;
  top: number;
  advance: number;
}

/** Reads a glyphs protobuf as MapLibre does (fontstacks → glyphs). */
function decodeGlyphs(bytes: Buffer): { name: string; range: string; glyphs: Glyph[] } {
  const pbf = new PbfReader(new Uint8Array(bytes));
  const out = { name: '', range: '', glyphs: [] as Glyph[] };
  pbf.readFields((tag, _r, p) => {
    if (tag !== 1) return;
    p.readFields(
      (t, _s, q) => {
        if (t === 1) out.name = q.readString();
        else if (t === 2) out.range = q.readString();
        else if (t === 3) {
          const g: Glyph = {
            id: 0,
            bitmap: new Uint8Array(0),
            width: 0,
            height: 0,
            left: 0,
            top: 0,
            advance: 0,
          };
          q.readFields(
            (u, gl, r) => {
              if (u === 1) gl.id = r.readVarint();
              else if (u === 2) gl.bitmap = r.readBytes();
              else if (u === 3) gl.width = r.readVarint();
              else if (u === 4) gl.height = r.readVarint();
              else if (u === 5) gl.left = r.readSVarint();
              else if (u === 6) gl.top = r.readSVarint();
              else if (u === 7) gl.advance = r.readVarint();
            },
            g,
            q.readVarint() + q.pos,
          );
          out.glyphs.push(g);
        }
      },
      null,
      p.readVarint() + p.pos,
    );
  }, null);
  return out;
}

let database: Database;
let plain: FastifyInstance;
let withArchive: FastifyInstance;

beforeAll(async () => {
  database = await testDatabase();
  const attachmentsDir = mkdtempSync(join(tmpdir(), 'safeground-att-'));
  plain = await buildServer({ database, settings: { attachmentsDir } });
  const land = encodeTile(
    'earth',
    [
      {
        type: 'polygon',
        polygons: [
          [
            [
              [100, 100],
              [4000, 100],
              [4000, 4000],
              [100, 100],
            ],
          ],
        ],
        properties: { kind: 'earth' },
      },
    ],
    4096,
  );
  const dir = mkdtempSync(join(tmpdir(), 'safeground-basemap-'));
  const path = join(dir, 'country.pmtiles');
  writeFileSync(
    path,
    pmtilesArchive(land, { vector_layers: [{ id: 'earth', fields: {} }], attribution: '© Test Map' }),
  );
  withArchive = await buildServer({ database, settings: { attachmentsDir, basemapPmtiles: path } });
  await Promise.all([plain.ready(), withArchive.ready()]);
}, 120_000);

afterAll(async () => {
  await plain?.close();
  await withArchive?.close();
});

describe('the basemap archive', () => {
  it('answers 404 basemap.not_configured when no archive is set, in the asked language', async () => {
    for (const url of ['/basemap/tiles.json', '/basemap/0/0/0.mvt']) {
      const r = await plain.inject({ method: 'GET', url, headers: { 'accept-language': 'ar' } });
      expect(r.statusCode, url).toBe(404);
      expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(r.json().code).toBe('basemap.not_configured');
      expect(r.json().detail).toMatch(/SAFEGROUND_BASEMAP_PMTILES/);
    }
  });

  it('describes the archive and serves its tiles by z/x/y, 204 where it has none', async () => {
    const info = await withArchive.inject({ method: 'GET', url: '/basemap/tiles.json' });
    expect(info.statusCode).toBe(200);
    expect(info.json()).toMatchObject({
      kind: 'vector',
      tiles: ['/basemap/{z}/{x}/{y}.mvt'],
      minzoom: 0,
      maxzoom: 0,
      vectorLayers: ['earth'],
      attribution: '© Test Map',
    });
    expect(info.json().bounds[0]).toBeCloseTo(43.4, 5);

    const tile = await withArchive.inject({ method: 'GET', url: '/basemap/0/0/0.mvt' });
    expect(tile.statusCode).toBe(200);
    expect(tile.headers['content-type']).toBe('application/vnd.mapbox-vector-tile');
    const layer = new VectorTile(new PbfReader(new Uint8Array(tile.rawPayload))).layers.earth!;
    expect(layer.length).toBe(1);
    expect(layer.feature(0).properties).toEqual({ kind: 'earth' });

    const none = await withArchive.inject({ method: 'GET', url: '/basemap/3/1/1.mvt' });
    expect(none.statusCode).toBe(204);
    // a vector archive has no .png tiles, and a tile outside the world is no tile
    expect((await withArchive.inject({ method: 'GET', url: '/basemap/0/0/0.png' })).statusCode).toBe(404);
    const outside = await withArchive.inject({ method: 'GET', url: '/basemap/1/2/0.mvt' });
    expect(outside.statusCode).toBe(400);
    expect(outside.json().code).toBe('tiles.coordinates_invalid');
  });
});

describe('glyphs and the right-to-left plugin', () => {
  it('serves SDF glyphs of Latin, Cyrillic and Arabic (with presentation forms) for the labels', async () => {
    const cases: Array<[string, string]> = [
      ['0-255', 'A'],
      ['1024-1279', 'Д'],
      ['1536-1791', 'ب'],
      // what the RTL plugin shapes Arabic into: the initial form of beh
      ['65024-65279', '\uFE91'],
    ];
    for (const [range, ch] of cases) {
      const r = await plain.inject({ method: 'GET', url: `/fonts/Noto%20Sans%20Regular/${range}.pbf` });
      expect(r.statusCode, range).toBe(200);
      expect(r.headers['content-type']).toBe('application/x-protobuf');
      const stack = decodeGlyphs(r.rawPayload);
      expect(stack.name).toBe('Noto Sans Regular');
      expect(stack.range).toBe(range);
      const g = stack.glyphs.find((x) => x.id === ch.codePointAt(0));
      expect(g, `${range} ${ch}`).toBeDefined();
      expect(g!.width).toBeGreaterThan(4);
      expect(g!.advance).toBeGreaterThan(4);
      expect(g!.bitmap.length).toBe((g!.width + 6) * (g!.height + 6));
      // inside the outline (255) and far outside it (0): a distance field, not a blank
      expect(Math.max(...g!.bitmap)).toBeGreaterThan(200);
      expect(Math.min(...g!.bitmap)).toBe(0);
    }
    // a space has an advance and no bitmap
    const latin = decodeGlyphs(
      (await plain.inject({ method: 'GET', url: '/fonts/Noto%20Sans%20Regular/0-255.pbf' })).rawPayload,
    );
    const space = latin.glyphs.find((x) => x.id === 32);
    expect(space?.advance).toBeGreaterThan(0);
    expect(space?.bitmap.length).toBe(0);
  });

  it('refuses an unknown font and a range that is not 256 code points, with coded problems', async () => {
    const font = await plain.inject({ method: 'GET', url: '/fonts/Comic%20Sans/0-255.pbf' });
    expect(font.statusCode).toBe(404);
    expect(font.json().code).toBe('fonts.unknown');
    const range = await plain.inject({
      method: 'GET',
      url: '/fonts/Noto%20Sans%20Regular/1-256.pbf',
      headers: { 'accept-language': 'ru' },
    });
    expect(range.statusCode).toBe(404);
    expect(range.json().code).toBe('fonts.range_invalid');
    expect(range.json().detail).toMatch(/диапазон/);
  });

  it('serves the right-to-left text plugin as a module MapLibre imports without eval', async () => {
    const r = await plain.inject({ method: 'GET', url: '/basemap/rtl-text.mjs' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/javascript/);
    expect(r.body).toContain('registerRTLTextPlugin');
    expect(r.body).toContain('applyArabicShaping');
  });

  it("keeps the web application's scripts to its own origin (WebAssembly allowed, eval not)", async () => {
    const r = await plain.inject({ method: 'GET', url: '/', headers: { accept: 'text/html' } });
    const csp = String(r.headers['content-security-policy']);
    const script = /script-src ([^;]*)/.exec(csp)?.[1] ?? '';
    expect(script.split(' ').sort()).toEqual(["'self'", "'wasm-unsafe-eval'"]);
    expect(/connect-src ([^;]*)/.exec(csp)?.[1]).toBe("'self'");
  });
});
