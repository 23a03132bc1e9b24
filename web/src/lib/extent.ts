import { useEffect, useState } from 'react';
import { get, query } from '../api/client.ts';
import type { RecordPage } from '../api/types.ts';
import { type Bbox, bboxOf } from '../components/MapView.tsx';

/**
 * Where the programme is: the extent of its admin areas, else of its hazards. Maps open
 * there instead of a fixed region. Fetched once per page load.
 */
let extent: Promise<Bbox | null> | null = null;

async function loadExtent(): Promise<Bbox | null> {
  for (const slug of ['admin-areas', 'hazards']) {
    const page = await get<RecordPage>(`/api/v1/${slug}${query({ limit: 200 })}`).catch(() => null);
    if (page && 'features' in page) {
      const b = bboxOf(page.features.map((f) => f.geometry));
      if (b) return b;
    }
  }
  return null;
}

export function useProgrammeExtent(): Bbox | null {
  const [bbox, setBbox] = useState<Bbox | null>(null);
  useEffect(() => {
    let live = true;
    extent ??= loadExtent();
    extent.then((b) => live && setBbox(b));
    return () => {
      live = false;
    };
  }, []);
  return bbox;
}

/** Forget the extent after the programme's geometry changed (a new hazard far away). */
export function invalidateExtent(): void {
  extent = null;
}
