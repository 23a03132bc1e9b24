import { useEffect, useState } from 'react';
import { get, query } from '../api/client.ts';
import type { RecordPage, RecordProps } from '../api/types.ts';
import { recordLabel } from './registers.ts';

/** Records of a register as choices for a select (organisations, hazards …), cached per page load. */
export interface Option {
  id: string;
  label: string;
}

const cache = new Map<string, Promise<Option[]>>();

export function rowsOf(page: RecordPage): RecordProps[] {
  return 'features' in page
    ? page.features.map((f) => ({ ...f.properties, id: String(f.id ?? f.properties.id) }))
    : page.items;
}

export function loadOptions(slug: string): Promise<Option[]> {
  let p = cache.get(slug);
  if (!p) {
    p = get<RecordPage>(`/api/v1/${slug}${query({ limit: 1000 })}`)
      .then((page) => rowsOf(page).map((r) => ({ id: r.id, label: recordLabel(r) })))
      .catch((err) => {
        cache.delete(slug);
        throw err;
      });
    cache.set(slug, p);
  }
  return p;
}

const labels = new Map<string, Promise<string>>();

/** The label (code and name) of one record, fetched by id and cached per page load. */
export function loadLabel(slug: string, id: string): Promise<string> {
  const key = `${slug}/${id}`;
  let p = labels.get(key);
  if (!p) {
    p = get<RecordProps & { type?: string; properties?: RecordProps }>(`/api/v1/${slug}/${id}`)
      .then((r) => recordLabel(r.type === 'Feature' && r.properties ? r.properties : r))
      .catch((err) => {
        labels.delete(key);
        throw err;
      });
    labels.set(key, p);
  }
  return p;
}

/** A record's label once loaded (null until then, or when it cannot be read). */
export function useLabel(slug: string, id: string | null | undefined): string | null {
  const [label, setLabel] = useState<string | null>(null);
  useEffect(() => {
    setLabel(null);
    if (!id) return;
    let live = true;
    loadLabel(slug, id).then(
      (l) => live && setLabel(l),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [slug, id]);
  return label;
}

/** Forget cached choices after a create, so the new record shows up in selects. */
export function invalidateOptions(slug: string): void {
  cache.delete(slug);
}

export function useOptions(slug: string | undefined): Option[] | null {
  const [opts, setOpts] = useState<Option[] | null>(null);
  useEffect(() => {
    if (!slug) return;
    let live = true;
    loadOptions(slug).then(
      (o) => live && setOpts(o),
      () => live && setOpts([]),
    );
    return () => {
      live = false;
    };
  }, [slug]);
  return opts;
}
