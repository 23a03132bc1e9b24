import type { ProblemDocument, ProblemItem } from './types.ts';

/**
 * A thin fetch wrapper for /api/v1: the session travels in the HttpOnly cookie (no token is
 * ever kept by the page), writes echo the sg_csrf cookie in X-CSRF-Token, messages come in
 * the interface language, and turns RFC 9457 problem
 * documents into ApiError so pages can place each fault next to its field or vertex.
 */

let currentLocale = 'en';

export function setApiLocale(locale: string): void {
  currentLocale = locale;
}

/** The readable anti-forgery cookie the server sets beside the HttpOnly session cookie. */
export const CSRF_COOKIE = 'sg_csrf';

/** Value of a cookie of this page, or null: `cookieValue('a=1; sg_csrf=x', 'sg_csrf')` → `'x'`. */
export function cookieValue(cookies: string, name: string): string | null {
  for (const part of cookies.split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    if (part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return null;
}

/** The anti-forgery token, present exactly while the browser holds a session. */
export function csrfToken(): string | null {
  return typeof document === 'undefined' ? null : cookieValue(document.cookie, CSRF_COOKIE);
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly pointer?: string;
  readonly problem: ProblemDocument;

  constructor(problem: ProblemDocument) {
    super(problem.detail ?? problem.title ?? problem.code);
    this.name = 'ApiError';
    this.status = problem.status;
    this.code = problem.code;
    this.pointer = problem.pointer;
    this.problem = problem;
  }

  /** Every fault the server found: `errors` when given, else the problem itself. */
  get items(): ProblemItem[] {
    if (this.problem.errors && this.problem.errors.length > 0) return this.problem.errors;
    return [this.problem];
  }
}

/** Authenticated-session listeners (the app signs out when the server says 401). */
const unauthorisedListeners = new Set<() => void>();
export function onUnauthorised(listener: () => void): () => void {
  unauthorisedListeners.add(listener);
  return () => unauthorisedListeners.delete(listener);
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Do not broadcast a 401 (the sign-in call itself). */
  quiet401?: boolean;
}

export interface ApiResponse<T> {
  data: T;
  etag: string | null;
  status: number;
}

export function apiHeaders(extra: Record<string, string> = {}): Record<string, string> {
  return { 'Accept-Language': currentLocale, ...extra };
}

/** Headers of a write: the double-submit anti-forgery token the server checks for cookie sessions. */
export function writeHeaders(method: string, extra: Record<string, string> = {}): Record<string, string> {
  const headers = apiHeaders(extra);
  const csrf = csrfToken();
  if (method !== 'GET' && method !== 'HEAD' && csrf) headers['X-CSRF-Token'] = csrf;
  return headers;
}

export async function request<T>(path: string, opts: RequestOptions = {}): Promise<ApiResponse<T>> {
  const headers = writeHeaders(opts.method ?? 'GET', {
    Accept: 'application/json, application/problem+json',
    ...(opts.headers ?? {}),
  });
  let body: BodyInit | undefined;
  if (opts.body instanceof FormData) body = opts.body;
  else if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  let res: Response;
  try {
    res = await fetch(path, {
      method: opts.method ?? 'GET',
      headers,
      body,
      signal: opts.signal,
      credentials: 'same-origin',
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError({ status: 0, code: 'network.unreachable', detail: (err as Error).message });
  }
  const etag = res.headers.get('ETag');
  if (!res.ok) {
    let problem: ProblemDocument;
    const type = res.headers.get('Content-Type') ?? '';
    if (type.includes('json')) {
      const json = (await res.json().catch(() => ({}))) as Partial<ProblemDocument>;
      problem = { ...json, status: res.status, code: json.code ?? `http.${res.status}` };
    } else {
      problem = { status: res.status, code: `http.${res.status}`, detail: await res.text().catch(() => '') };
    }
    if (res.status === 401 && !opts.quiet401) for (const l of unauthorisedListeners) l();
    throw new ApiError(problem);
  }
  if (res.status === 204) return { data: undefined as T, etag, status: res.status };
  const type = res.headers.get('Content-Type') ?? '';
  const data = (type.includes('json') ? await res.json() : await res.text()) as T;
  return { data, etag, status: res.status };
}

export async function get<T>(path: string, signal?: AbortSignal): Promise<T> {
  return (await request<T>(path, { signal })).data;
}

/** Builds a query string from defined, non-empty values. */
export function query(params: Record<string, string | number | boolean | null | undefined>): string {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    sp.set(k, String(v));
  }
  const s = sp.toString();
  return s ? `?${s}` : '';
}

/** Strips the quotes of an ETag: `"3"` → `3`. */
export function versionFromEtag(etag: string | null): number | null {
  if (!etag) return null;
  const m = /"?(\d+)"?/.exec(etag.replace(/^W\//, ''));
  return m ? Number(m[1]) : null;
}
