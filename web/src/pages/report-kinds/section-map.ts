import type { Geometry } from 'geojson';

/** The map key of a new hazard's polygon and of an accident's position on the report's map. */
export const HAZARD_KEY = 'hz';
export const ACCIDENT_KEY = 'acc';

/**
 * The report's one map as a kind's section uses it: it asks the form to draw a polygon or place
 * a point for one of its items, and takes back what was drawn (`drawn`, a new object each time).
 */
export interface SectionMap {
  drawing: string | null;
  placing: string | null;
  startDrawing: (key: string, mode: 'replace' | 'add') => void;
  startPlacing: (key: string | null) => void;
  cancel: () => void;
  drawn: { key: string; geometry: Geometry } | null;
}
