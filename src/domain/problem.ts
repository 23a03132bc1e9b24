/**
 * A problem is an error a user can cause or meet: a stable `code` (clients and translators
 * key on it), parameters for the catalogue message, and where the fault is.
 * The sentence shown to people comes from the message catalogue (src/i18n), never from here.
 */
export interface ProblemLocation {
  /** JSON pointer into the request body or record, e.g. `/geometry` or `/properties/status`. */
  pointer?: string;
  /** 1-based row of an imported file, or 0-based feature index, as the importer says. */
  row?: number;
  field?: string;
  /** Polygon index within a MultiPolygon, ring index within a polygon, vertex index within a ring (0-based). */
  polygon?: number;
  ring?: number;
  vertex?: number;
}

export type ProblemParams = Record<string, string | number | boolean | null | undefined>;

export class Problem extends Error {
  readonly code: string;
  readonly params: ProblemParams;
  readonly where: ProblemLocation | undefined;
  /** Further problems found in the same input (validation reports them all, not just the first). */
  readonly others: Problem[];
  /** Structured detail sent with the problem (e.g. the duplicate warnings an approver must confirm). */
  data: Record<string, unknown> | undefined;

  constructor(code: string, params: ProblemParams = {}, where?: ProblemLocation, others: Problem[] = []) {
    super(`${code}${Object.keys(params).length ? ` ${JSON.stringify(params)}` : ''}`);
    this.name = 'Problem';
    this.code = code;
    this.params = params;
    this.where = where;
    this.others = others;
  }

  /** The same problem located under a parent pointer (e.g. a geometry problem under `/geometry`). */
  under(pointer: string): Problem {
    return new Problem(
      this.code,
      this.params,
      { ...this.where, pointer: pointer + (this.where?.pointer ?? '') },
      this.others.map((p) => p.under(pointer)),
    );
  }
}

/** A problem and the others found with it, each on its own (without others). */
export function eachProblem(p: Problem): Problem[] {
  return [p, ...p.others].map((q) => new Problem(q.code, q.params, q.where));
}

export function isProblem(e: unknown): e is Problem {
  return e instanceof Problem;
}
