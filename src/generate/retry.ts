/**
 * Retrying endpoint calls (conventions §6): exponential backoff with full jitter, capped, and the
 * server's own Retry-After when it sends one.
 */
import {setTimeout as sleep} from 'node:timers/promises';
import {EndpointError} from './endpoint-error.js';

export interface RetryPolicy {
  /** Retries after the first request; 0 disables retrying. */
  maxRetries: number;
  /** First backoff step; doubles per retry. */
  baseMs: number;
  /** Largest backoff step. */
  capMs: number;
  /** Stops waiting between retries when aborted (rejects with its reason). */
  signal?: AbortSignal;
}

/** A garbled 200 reply rarely fixes itself; retry it a little, not the full budget. */
const MALFORMED_RETRIES = 2;

/**
 * Waits longer than this mean an exhausted quota rather than a transient limit; failing at once
 * with the server's figure beats stalling the run.
 */
const MAX_SERVER_WAIT_MS = 120_000;

export interface Attempted<T> {
  value: T;
  attempts: number;
}

/**
 * Runs `request` until it succeeds, fails with a non-retryable error, or the retries run out.
 * Garbled replies have their own, smaller budget, counted in garbled replies only: a transient 429
 * before them must not use it up.
 */
export async function withRetries<T>(request: () => Promise<T>, policy: RetryPolicy): Promise<Attempted<T>> {
  let malformed = 0;
  for (let attempt = 1; ; attempt++) {
    try {
      return {value: await request(), attempts: attempt};
    } catch (err) {
      if (!(err instanceof EndpointError)) throw err;
      if (err.kind === 'malformed') malformed++;
      const outOfRetries = attempt > policy.maxRetries || malformed > Math.min(policy.maxRetries, MALFORMED_RETRIES);
      const serverWait = err.retryAfterMs;
      if (!err.retryable || outOfRetries || (serverWait !== undefined && serverWait > MAX_SERVER_WAIT_MS)) {
        throw attempt > 1 ? err.afterAttempts(attempt) : err;
      }
      await sleep(serverWait ?? backoffDelayMs(attempt, policy), undefined, {signal: policy.signal}).catch(() => {
        throw policy.signal?.reason;
      });
    }
  }
}

/** Full jitter: uniform in [0, min(cap, base·2^(retry−1))], so clients throttled together spread out. */
export function backoffDelayMs(
  retry: number,
  policy: Pick<RetryPolicy, 'baseMs' | 'capMs'>,
  random: () => number = Math.random,
): number {
  return Math.round(random() * Math.min(policy.capMs, policy.baseMs * 2 ** (retry - 1)));
}

/** The wait a server asked for: `retry-after-ms` (OpenAI, Azure) first, else `Retry-After` in seconds or as an HTTP date. */
export function retryAfterMs(headers: Headers, now: number = Date.now()): number | undefined {
  const ms = headers.get('retry-after-ms');
  if (ms !== null && isNumber(ms)) return Math.max(0, Number(ms));
  const value = headers.get('retry-after');
  if (value === null) return undefined;
  if (isNumber(value)) return Math.max(0, Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function isNumber(text: string): boolean {
  return /^\s*\d+(\.\d+)?\s*$/.test(text);
}
