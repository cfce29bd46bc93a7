/**
 * The LLM response cache (conventions §5). The key covers everything that shapes a reply, including
 * the sample index, so n samples at T > 0 stay n distinct samples; the API key is never part of it.
 */
import {createHash} from 'node:crypto';
import type {Prompt} from '../bench/bench.js';
import {normalizeBaseUrl} from './base-url.js';
import type {SamplingParams} from './provider.js';

export interface CachedCompletion {
  text: string;
  finishReason?: string;
  /** Latency of the original request, kept so replays do not look instantaneous. */
  latencyMs: number;
}

/** Storage behind the cache; synchronous so a better-sqlite3 table can back it directly. */
export interface ResponseCache {
  get(key: string): CachedCompletion | undefined;
  put(key: string, value: CachedCompletion): void;
}

export interface CacheKeyInput {
  baseUrl: string;
  model: string;
  prompt: Prompt;
  params: SamplingParams;
  seed: number;
  sampleIndex: number;
}

/** Bump when the key's contents change, so old entries stop matching instead of being misread. */
const KEY_VERSION = 1;

export function completionCacheKey(input: CacheKeyInput): string {
  const {prompt, params} = input;
  return sha256(
    canonicalJson({
      key_version: KEY_VERSION,
      base_url: normalizeBaseUrl(input.baseUrl),
      model: input.model,
      style: prompt.style,
      prompt: prompt.style === 'chat' ? {messages: prompt.messages} : {text: prompt.text, stop: prompt.stop},
      temperature: params.temperature,
      top_p: params.topP,
      max_tokens: params.maxTokens,
      seed: input.seed,
      sample_index: input.sampleIndex,
    }),
  );
}

/** JSON with object keys sorted at every level, so equal values always hash alike. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A cache that lives as long as the process: for tests and one-off runs. */
export class MemoryCache implements ResponseCache {
  private readonly entries = new Map<string, CachedCompletion>();

  get size(): number {
    return this.entries.size;
  }

  get(key: string): CachedCompletion | undefined {
    const hit = this.entries.get(key);
    return hit && {...hit};
  }

  put(key: string, value: CachedCompletion): void {
    this.entries.set(key, {...value});
  }
}
