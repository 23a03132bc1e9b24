import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { JSDOM } from 'jsdom';

/**
 * ODK's own XForms engine (@getodk/xforms-engine, the engine of ODK Web Forms), loaded in Node:
 * it expects a browser's DOM, which jsdom gives, and its bundled XPath parser looks for
 * `__dirname`, which an ES module does not have.
 */
export async function odkEngine(): Promise<typeof import('@getodk/xforms-engine')> {
  const g = globalThis as Record<string, unknown>;
  if (!g.document) {
    const { window } = new JSDOM('');
    for (const name of [
      'DOMParser',
      'XMLSerializer',
      'document',
      'Node',
      'Element',
      'Document',
      'NodeFilter',
      'Attr',
      'Text',
      'DocumentFragment',
      'XPathResult',
    ])
      g[name] = (window as unknown as Record<string, unknown>)[name];
  }
  g.__dirname ??= dirname(createRequire(import.meta.url).resolve('@getodk/xforms-engine'));
  return import('@getodk/xforms-engine');
}
