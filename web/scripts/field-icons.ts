import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

/**
 * Draws the field app's PNG icons (web/public/field-icon-192.png, -512.png and the maskable one,
 * with the margin the maskable safe zone needs) from web/public/field-icon.svg.
 * Run: `node bin/run-ts.js web/scripts/field-icons.ts`.
 */
const pub = (name: string) => fileURLToPath(new URL(`../public/${name}`, import.meta.url));
const svg = readFileSync(pub('field-icon.svg'));

for (const size of [192, 512]) await sharp(svg).resize(size, size).png().toFile(pub(`field-icon-${size}.png`));
const inner = await sharp(svg).resize(410, 410).png().toBuffer();
await sharp({ create: { width: 512, height: 512, channels: 4, background: '#0b2545' } })
  .composite([{ input: inner, gravity: 'centre' }])
  .png()
  .toFile(pub('field-icon-maskable-512.png'));
