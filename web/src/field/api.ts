import { ApiError, type ApiResponse, type RequestOptions, request, writeHeaders } from '../api/client.ts';
import { deviceId } from './store.ts';

/**
 * The field app's calls to the API: every request names the device (`X-Safeground-Device`), and
 * a 401 `device.revoked` is raised to the app, which then wipes the device and signs out.
 */
export const DEVICE_HEADER = 'X-Safeground-Device';
export const REVOKED = 'device.revoked';

const revokedListeners = new Set<() => void>();
export function onRevoked(listener: () => void): () => void {
  revokedListeners.add(listener);
  return () => revokedListeners.delete(listener);
}

function raise(err: unknown): never {
  if (err instanceof ApiError && err.status === 401 && err.code === REVOKED)
    for (const l of revokedListeners) l();
  throw err;
}

export async function fieldRequest<T>(path: string, opts: RequestOptions = {}): Promise<ApiResponse<T>> {
  const headers = { ...(opts.headers ?? {}), [DEVICE_HEADER]: await deviceId() };
  return request<T>(path, { ...opts, headers, quiet401: true }).catch(raise);
}

/** A request with a raw body (an upload's bytes), answered with its headers. */
export async function fieldRaw(
  path: string,
  method: 'HEAD' | 'PATCH',
  headers: Record<string, string>,
  body?: Blob,
): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: writeHeaders(method, { ...headers, [DEVICE_HEADER]: await deviceId() }),
      body,
      credentials: 'same-origin',
    });
  } catch (err) {
    throw new ApiError({ status: 0, code: 'network.unreachable', detail: (err as Error).message });
  }
  if (!res.ok) {
    const json = (await res.json().catch(() => ({}))) as { code?: string; detail?: string; title?: string };
    raise(new ApiError({ ...json, status: res.status, code: json.code ?? `http.${res.status}` }));
  }
  return res;
}

/** Whether a failure means "try again later" (no network, server busy or down) rather than a refusal. */
export function isTransient(err: unknown): boolean {
  if (!(err instanceof ApiError)) return true;
  return err.status === 0 || err.status === 408 || err.status === 429 || err.status >= 500;
}
