import { useEffect, useState } from 'react';
import { get } from '../api/client.ts';

/**
 * The routes the server offers, read from its OpenAPI document, so pages show features
 * (record sources, minefield records, reports) only when the API answers them, without
 * probing routes and logging 404s.
 */
let paths: Promise<Set<string>> | null = null;

export function loadApiPaths(): Promise<Set<string>> {
  paths ??= get<{ paths?: Record<string, unknown> }>('/api/v1/openapi.json')
    .then((doc) => new Set(Object.keys(doc.paths ?? {})))
    .catch(() => {
      paths = null;
      return new Set<string>();
    });
  return paths;
}

export function useApiPaths(): Set<string> | null {
  const [value, setValue] = useState<Set<string> | null>(null);
  useEffect(() => {
    let live = true;
    loadApiPaths().then((p) => live && setValue(p));
    return () => {
      live = false;
    };
  }, []);
  return value;
}
