import {describe, expect, it} from 'vitest';
import {EndpointError} from '../src/generate/endpoint-error.js';
import {backoffDelayMs, retryAfterMs, withRetries} from '../src/generate/retry.js';

describe('backoffDelayMs', () => {
  const policy = {baseMs: 1_000, capMs: 60_000};

  it('doubles the ceiling per retry up to the cap', () => {
    const ceiling = (retry: number) => backoffDelayMs(retry, policy, () => 1);
    expect([1, 2, 3, 4, 7, 8, 20].map(ceiling)).toEqual([1_000, 2_000, 4_000, 8_000, 60_000, 60_000, 60_000]);
  });

  it('draws uniformly below the ceiling (full jitter)', () => {
    expect(backoffDelayMs(3, policy, () => 0)).toBe(0);
    expect(backoffDelayMs(3, policy, () => 0.5)).toBe(2_000);
  });
});

describe('retryAfterMs', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');

  it('prefers retry-after-ms', () => {
    expect(retryAfterMs(new Headers({'retry-after-ms': '250', 'retry-after': '9'}), now)).toBe(250);
  });

  it('reads Retry-After as seconds', () => {
    expect(retryAfterMs(new Headers({'retry-after': '2'}), now)).toBe(2_000);
    expect(retryAfterMs(new Headers({'retry-after': '0.5'}), now)).toBe(500);
  });

  it('reads Retry-After as an HTTP date', () => {
    expect(retryAfterMs(new Headers({'retry-after': 'Wed, 01 Jan 2025 00:00:30 GMT'}), now)).toBe(30_000);
    expect(retryAfterMs(new Headers({'retry-after': 'Tue, 31 Dec 2024 23:00:00 GMT'}), now)).toBe(0);
  });

  it('ignores absent or unreadable values', () => {
    expect(retryAfterMs(new Headers(), now)).toBeUndefined();
    expect(retryAfterMs(new Headers({'retry-after': 'soon'}), now)).toBeUndefined();
    expect(retryAfterMs(new Headers({'retry-after-ms': 'x', 'retry-after': '1'}), now)).toBe(1_000);
  });
});

describe('withRetries', () => {
  const policy = {maxRetries: 3, baseMs: 1, capMs: 1};
  const failure = (extra: Partial<ConstructorParameters<typeof EndpointError>[0]> = {}) =>
    new EndpointError({kind: 'http', endpoint: 'POST http://x/v1/chat/completions', detail: '503 Service Unavailable', retryable: true, status: 503, ...extra});

  it('counts attempts up to success', async () => {
    let calls = 0;
    const result = await withRetries(async () => {
      if (++calls < 3) throw failure();
      return 'done';
    }, policy);
    expect(result).toEqual({value: 'done', attempts: 3});
  });

  it('rethrows anything that is not an EndpointError at once', async () => {
    let calls = 0;
    const bug = new TypeError('bug');
    await expect(
      withRetries(async () => {
        calls++;
        throw bug;
      }, policy),
    ).rejects.toBe(bug);
    expect(calls).toBe(1);
  });

  it('gives up at once when the server asks for a wait that means an exhausted quota', async () => {
    let calls = 0;
    const error = await withRetries(async () => {
      calls++;
      throw failure({status: 429, retryAfterMs: 3_600_000});
    }, policy).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EndpointError);
    expect(calls).toBe(1);
  });

  it('reports the number of attempts in the final error', async () => {
    const error = (await withRetries(async () => {
      throw failure();
    }, policy).catch((e: unknown) => e)) as EndpointError;
    expect(error.attempts).toBe(4);
    expect(error.message).toBe('POST http://x/v1/chat/completions: 503 Service Unavailable (after 4 attempts)');
  });
});
