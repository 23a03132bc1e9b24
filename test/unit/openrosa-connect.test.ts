import { createHash } from 'node:crypto';
import jsQRModule from 'jsqr';
import QRCode from 'qrcode';
import { describe, expect, it } from 'vitest';
import {
  collectSettings,
  DigestNonces,
  digestMatches,
  digestResponse,
  parseDigest,
  readCollectSettings,
} from '../../src/services/openrosa.ts';

type Reader = (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;
// jsQR is CommonJS with a default export: under Node's ESM the function may sit one level down.
const jsQR: Reader =
  typeof jsQRModule === 'function'
    ? (jsQRModule as unknown as Reader)
    : (jsQRModule as unknown as { default: Reader }).default;

/** The QR code drawn as RGBA pixels (4 pixels a module, with its quiet zone), as a camera would see it. */
function qrPixels(text: string) {
  const qr = QRCode.create(text, { errorCorrectionLevel: 'L' });
  const n = qr.modules.size;
  const scale = 4;
  const quiet = 4;
  const side = (n + quiet * 2) * scale;
  const data = new Uint8ClampedArray(side * side * 4).fill(255);
  for (let y = 0; y < n; y++)
    for (let x = 0; x < n; x++) {
      if (!qr.modules.get(x, y)) continue;
      for (let dy = 0; dy < scale; dy++)
        for (let dx = 0; dx < scale; dx++) {
          const i = (((y + quiet) * scale + dy) * side + (x + quiet) * scale + dx) * 4;
          data[i] = data[i + 1] = data[i + 2] = 0;
        }
    }
  return { data, side };
}

describe('Connecting ODK Collect', () => {
  it('makes a QR code whose text inflates to the settings ODK Collect imports', () => {
    const serverUrl = `https://mine-action.example.org/openrosa/key/${'k'.repeat(43)}`;
    const encoded = collectSettings({
      serverUrl,
      username: 'field@example.org',
      projectName: 'Safeground: Tablet 3',
    });
    const { data, side } = qrPixels(encoded);
    const read = jsQR(data, side, side);
    expect(read?.data).toBe(encoded);
    expect(readCollectSettings(read!.data)).toEqual({
      general: { server_url: serverUrl, username: 'field@example.org' },
      admin: {},
      project: { name: 'Safeground: Tablet 3', icon: 'S', color: '#1f5f8b' },
    });
    // zlib (RFC 1950) stream, as Collect's Inflater expects: header 0x78.
    expect(Buffer.from(encoded, 'base64')[0]).toBe(0x78);
  });

  it('checks an HTTP Digest answer computed as a client does (RFC 7616 example, MD5, qop=auth)', () => {
    // RFC 7616 §3.9.1, with MD5: user Mufasa, password "Circle of Life".
    const ha1 = createHash('md5').update('Mufasa:http-auth@example.org:Circle of Life').digest('hex');
    const header =
      'Digest username="Mufasa", realm="http-auth@example.org", uri="/dir/index.html", algorithm=MD5, ' +
      'nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", nc=00000001, ' +
      'cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", qop=auth, ' +
      'response="8ca523f5e9506fed4657c9700eebdbec", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"';
    const p = parseDigest(header)!;
    expect(p.username).toBe('Mufasa');
    expect(digestMatches(ha1, p, 'GET', '/dir/index.html')).toBe(true);
    expect(digestMatches(ha1, p, 'POST', '/dir/index.html')).toBe(false);
    expect(digestMatches(ha1, p, 'GET', '/dir/other.html')).toBe(false);
    expect(digestMatches(ha1, { ...p, response: '0'.repeat(32) }, 'GET', '/dir/index.html')).toBe(false);
    expect(
      digestResponse(ha1, {
        nonce: p.nonce!,
        nc: p.nc,
        cnonce: p.cnonce,
        qop: 'auth',
        method: 'GET',
        uri: p.uri!,
      }),
    ).toBe('8ca523f5e9506fed4657c9700eebdbec');
  });

  it('makes stateless nonces that expire as stale and refuses forged ones', () => {
    const now = 1_800_000_000_000;
    const nonces = new DigestNonces(Buffer.from('server secret'), 600_000);
    const n = nonces.make(now);
    expect(nonces.check(n, now + 1000)).toBe('ok');
    expect(nonces.check(n, now + 600_001)).toBe('stale');
    expect(new DigestNonces(Buffer.from('another secret')).check(n, now)).toBe('bad');
    expect(nonces.check(`${(now + 5000).toString(36)}.${n.split('.')[1]}`, now)).toBe('bad');
    expect(nonces.check('garbage', now)).toBe('bad');
  });
});
