/**
 * The one error type a model endpoint call fails with, so callers can tell a transient failure
 * (worth a later retry) from a configuration problem (bad key, unknown model) without parsing text.
 */

export type EndpointErrorKind =
  /** The endpoint answered with an HTTP error status. */
  | 'http'
  /** No usable connection: refused, reset, or the body was cut off. */
  | 'network'
  /** No complete reply within the request timeout. */
  | 'timeout'
  /** HTTP 200, but the body is not a completion (not JSON, no choices, content not a string). */
  | 'malformed';

export interface EndpointErrorInfo {
  kind: EndpointErrorKind;
  /** `POST http://host/v1/chat/completions` */
  endpoint: string;
  /** One line: what went wrong, including the endpoint's own error message when it sent one. */
  detail: string;
  /** Sending the same request again may succeed. */
  retryable: boolean;
  status?: number;
  /** The wait the server asked for (Retry-After), in ms. */
  retryAfterMs?: number;
  /** Requests made before giving up. */
  attempts?: number;
  cause?: unknown;
}

export class EndpointError extends Error {
  readonly kind: EndpointErrorKind;
  readonly endpoint: string;
  readonly detail: string;
  readonly retryable: boolean;
  readonly status?: number;
  readonly retryAfterMs?: number;
  readonly attempts: number;

  constructor(info: EndpointErrorInfo) {
    const attempts = info.attempts ?? 1;
    super(`${info.endpoint}: ${info.detail}${attempts > 1 ? ` (after ${attempts} attempts)` : ''}`, {
      cause: info.cause,
    });
    this.name = 'EndpointError';
    this.kind = info.kind;
    this.endpoint = info.endpoint;
    this.detail = info.detail;
    this.retryable = info.retryable;
    this.status = info.status;
    this.retryAfterMs = info.retryAfterMs;
    this.attempts = attempts;
  }

  /** The same failure, reported as the last of `attempts` requests. */
  afterAttempts(attempts: number): EndpointError {
    return new EndpointError({...this.info(), attempts});
  }

  /** The same failure with its detail rewritten (e.g. secrets taken out). */
  withDetail(rewrite: (detail: string) => string): EndpointError {
    return new EndpointError({...this.info(), detail: rewrite(this.detail)});
  }

  private info(): EndpointErrorInfo {
    const {kind, endpoint, detail, retryable, status, retryAfterMs, attempts, cause} = this;
    return {kind, endpoint, detail, retryable, status, retryAfterMs, attempts, cause};
  }
}
