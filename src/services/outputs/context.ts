import { t } from '../../i18n/catalogue.ts';
import type { Geometry } from '../../io/types.ts';
import type { Actor } from '../actor.ts';
import type { AttachmentService } from '../attachments.ts';
import type { RecordFilter } from '../list-query.ts';
import type { TaskingService } from '../planning/board.ts';
import type { PlanningService } from '../planning/index.ts';
import type { ProvenanceService } from '../provenance.ts';
import type { RecordOut, RegisterService } from '../registers.ts';
import type { OutputParams } from './document.ts';

/** Records per page of a report's reads (as at a date, each page is one fold of the history). */
const AS_AT_PAGE = 100_000;

/**
 * What a report module is given: the actor, the language, the parameters, and reads of the
 * registers — always through RegisterService (the one read path: permissions, organisation scope
 * and identity stripping), always with the as-at date, so every figure is the state as at it.
 */
export class OutputContext {
  private readonly cache = new Map<string, Promise<RecordOut[]>>();
  private readonly number: Intl.NumberFormat;

  constructor(
    readonly actor: Actor,
    readonly locale: string,
    readonly params: OutputParams,
    private readonly registers: ReadonlyMap<string, RegisterService>,
    readonly attachments?: AttachmentService,
    /** Device provenance (docs/provenance.md), computed through the same register services. */
    readonly provenance?: ProvenanceService,
    /** The planning reads (readiness, priorities, task order progress) for the planning tables. */
    readonly planning?: { planning: PlanningService; tasking: TaskingService },
  ) {
    this.number = new Intl.NumberFormat(`${locale}-u-nu-latn`, { maximumFractionDigits: 2 });
  }

  /** A message of the catalogue in the report's language. */
  t(key: string, params: Record<string, unknown> = {}): string {
    return t(key, params, this.locale);
  }

  /** A message by computed key (a code-list value, a field, a change), `fallback` when the catalogue has none. */
  tk(key: string, fallback: string): string {
    const text = this.t(key);
    return text === key ? fallback : text;
  }

  /** A code-list value as people read it (`vocab.<value>`), the value itself when unlisted; null → "unknown". */
  vocab(value: unknown): string {
    if (value === null || value === undefined || value === '') return this.t('outputs.unknown');
    return this.tk(`vocab.${String(value)}`, String(value));
  }

  /** What separates the items of a list in one cell: "; ", in Arabic "؛ ". */
  get separator(): string {
    return this.t('outputs.list_separator');
  }

  /** A field as people read it (`field.<name>`, the labels the web application shows), the name itself when unlisted. */
  fieldLabel(name: string): string {
    return this.tk(`field.${name}`, name);
  }

  formatNumber(n: number): string {
    return this.number.format(n);
  }

  service(slug: string): RegisterService {
    const s = this.registers.get(slug);
    if (!s) throw new Error(`no register ${slug}`);
    return s;
  }

  /**
   * Every record of a register matching `filter`, as at the report's date. Reads with the same
   * filter are made once per report.
   */
  read(slug: string, filter: Partial<RecordFilter> = {}): Promise<RecordOut[]> {
    const full: RecordFilter = {
      equals: [],
      includeArchived: false,
      ...filter,
      asAt: this.params.asAt,
    };
    const key = `${slug}\u0000${JSON.stringify(full)}`;
    let p = this.cache.get(key);
    if (!p) {
      p = (async () => {
        const out: RecordOut[] = [];
        // Every page of a read as at a date folds the register's history again, and the report
        // keeps every record in memory anyway: read in pages as large as the biggest register.
        for await (const r of this.service(slug).readOut(this.actor, full, { pageSize: AS_AT_PAGE }))
          out.push(r);
        return out;
      })();
      this.cache.set(key, p);
    }
    return p;
  }

  /** The period filter of a register's date column (from/to of the parameters). */
  period(): Partial<RecordFilter> {
    return { from: this.params.from, to: this.params.to };
  }

  /** The area filter (records intersecting the admin area of the parameters). */
  area(): Partial<RecordFilter> {
    return this.params.area ? { adminAreaId: this.params.area } : {};
  }

  /** Records of a register by id, e.g. organisations for names beside ids. */
  async byId(slug: string): Promise<Map<string, RecordOut>> {
    const rows = await this.read(slug);
    return new Map(rows.map((r) => [r.id as string, r]));
  }

  /** "Name (ACR)" of an organisation, "Name (PCODE)" of an admin area, the code of a coded record. */
  static referenceLabel(r: RecordOut | undefined): string {
    if (!r) return '';
    const name =
      (r.name as string | undefined) ?? (r.model as string | undefined) ?? (r.title as string | undefined);
    const extra =
      (r.acronym as string | undefined) ?? (r.pcode as string | undefined) ?? (r.code as string | undefined);
    if (name && extra) return `${name} (${extra})`;
    return name ?? extra ?? '';
  }
}

/** A point that stands for a geometry: the point itself, or the mean of a polygon's outer ring. */
export function representativePoint(g: Geometry | null | undefined): [number, number] | null {
  if (!g) return null;
  if (g.type === 'Point') return g.coordinates as [number, number];
  const ring =
    g.type === 'Polygon'
      ? (g.coordinates as number[][][])[0]
      : g.type === 'MultiPolygon'
        ? (g.coordinates as number[][][][])[0]?.[0]
        : undefined;
  if (!ring?.length) return null;
  let x = 0;
  let y = 0;
  const n = ring.length > 1 ? ring.length - 1 : 1;
  for (let i = 0; i < n; i++) {
    x += ring[i]![0]!;
    y += ring[i]![1]!;
  }
  return [x / n, y / n];
}

function inRing(p: [number, number], ring: number[][]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i] as [number, number];
    const [xj, yj] = ring[j] as [number, number];
    if (yi > p[1] !== yj > p[1] && p[0] < ((xj - xi) * (p[1] - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Whether a point lies in a (Multi)Polygon (holes excluded). */
export function pointInArea(p: [number, number], g: Geometry | null | undefined): boolean {
  if (!g) return false;
  const polygons =
    g.type === 'Polygon'
      ? [g.coordinates as number[][][]]
      : g.type === 'MultiPolygon'
        ? (g.coordinates as number[][][][])
        : [];
  return polygons.some(
    (rings) => rings[0] !== undefined && inRing(p, rings[0]) && !rings.slice(1).some((h) => inRing(p, h)),
  );
}

/** Admin areas of one level with a lookup of the one containing a geometry's representative point. */
export function areaLocator(areas: RecordOut[]): (g: Geometry | null | undefined) => RecordOut | undefined {
  const boxes = areas.map((a) => {
    const g = a.geometry as Geometry | undefined;
    let box = [Infinity, Infinity, -Infinity, -Infinity];
    const walk = (c: unknown) => {
      if (Array.isArray(c) && typeof c[0] === 'number') {
        box = [
          Math.min(box[0]!, c[0]),
          Math.min(box[1]!, c[1] as number),
          Math.max(box[2]!, c[0]),
          Math.max(box[3]!, c[1] as number),
        ];
      } else if (Array.isArray(c)) for (const x of c) walk(x);
    };
    walk(g?.coordinates);
    return { area: a, box, g };
  });
  return (geom) => {
    const p = representativePoint(geom);
    if (!p) return undefined;
    for (const { area, box, g } of boxes) {
      if (p[0] < box[0]! || p[0] > box[2]! || p[1] < box[1]! || p[1] > box[3]!) continue;
      if (pointInArea(p, g)) return area;
    }
    return undefined;
  };
}
