/**
 * One HTTP exchange with an endpoint, body read in full, under one deadline. Transport failures
 * come back as retryable EndpointErrors; HTTP statuses are left to the caller.
 */
import {EndpointError} from './endpoint-error.js';

export interface HttpReply {
  status: number;
  statusText: string;
  headers: Headers;
  body: string;
}

export interface HttpRequest {
  method: 'GET' | 'POST';
  url: string;
  apiKey?: string;
  json?: unknown;
  timeoutMs: number;
  /** The caller gave up: rejects with its reason, not an EndpointError (nothing is wrong with the endpoint). */
  signal?: AbortSignal;
}

export async function sendRequest(request: HttpRequest): Promise<HttpReply> {
  const headers: Record<string, string> = {accept: 'application/json'};
  if (request.apiKey) headers.authorization = `Bearer ${request.apiKey}`;
  if (request.json !== undefined) headers['content-type'] = 'application/json';
  // The deadline covers the body too: a server that stalls mid-reply times out like one that never answers.
  const deadline = AbortSignal.timeout(request.timeoutMs);
  const signal = request.signal ? AbortSignal.any([deadline, request.signal]) : deadline;
  try {
    const response = await fetch(request.url, {
      method: request.method,
      headers,
      body: request.json === undefined ? undefined : JSON.stringify(request.json),
      signal,
    });
    return {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
      body: await response.text(),
    };
  } catch (err) {
    if (request.signal?.aborted) throw request.signal.reason;
    throw transportError(err, `${request.method} ${request.url}`, deadline.aborted, request.timeoutMs);
  }
}

function transportError(err: unknown, endpoint: string, timedOut: boolean, timeoutMs: number): EndpointError {
  if (timedOut) {
    return new EndpointError({kind: 'timeout', endpoint, detail: `no reply within ${timeoutMs} ms`, retryable: true, cause: err});
  }
  return new EndpointError({kind: 'network', endpoint, detail: `network error: ${describeNetworkError(err)}`, retryable: true, cause: err});
}

/** fetch reports every failure as "fetch failed"; the useful part (ECONNREFUSED, "other side closed") is in the cause. */
function describeNetworkError(err: unknown): string {
  const root = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  if (!(root instanceof Error)) return String(root);
  const code = (root as NodeJS.ErrnoException).code;
  return code && !root.message.includes(code) ? `${root.message} (${code})` : root.message;
}
