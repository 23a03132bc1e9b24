import type { ProblemItem } from '../api/types.ts';

/**
 * Places the faults of a problem document: by JSON pointer on a form field
 * ("/properties/name" or "/name" → name), or on the geometry ("/geometry…", with
 * location.polygon/ring/vertex when the server names the vertex).
 */
export interface PlacedProblems {
  byField: Record<string, ProblemItem[]>;
  geometry: ProblemItem[];
  general: ProblemItem[];
}

export function fieldOfPointer(pointer: string | undefined): string | null {
  if (!pointer) return null;
  const parts = pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  // The request body may be named as a whole ("/record/…", "/body/…") before the record's own path.
  while (parts.length > 0 && (parts[0] === 'record' || parts[0] === 'body' || parts[0] === 'properties'))
    parts.shift();
  if (parts.length === 0 || !parts[0]) return null;
  return parts[0];
}

export function placeProblems(
  items: ProblemItem[],
  fieldNames: string[],
  pointFields: string[] = [],
): PlacedProblems {
  const placed: PlacedProblems = { byField: {}, geometry: [], general: [] };
  for (const item of items) {
    const f = fieldOfPointer(item.pointer);
    if (f === 'geometry' || (!item.pointer && item.code.startsWith('geometry.'))) placed.geometry.push(item);
    else if (f && (fieldNames.includes(f) || pointFields.includes(f))) {
      placed.byField[f] = [...(placed.byField[f] ?? []), item];
    } else placed.general.push(item);
  }
  return placed;
}
