/**
 * `--model` values → providers:
 *   openai:<model>              chat model at an OpenAI-compatible /chat/completions
 *   openai-completions:<model>  base model at /completions
 *   reference                   the benchmark's own solutions
 *   replay:<file>               a JSONL samples file ({task_id, completion}, or CodeT's {prompt, samples})
 * Only the first colon separates the scheme, so `openai:llama3:8b` names model `llama3:8b`.
 */
import type {Bench} from '../bench/bench.js';
import {UserError} from '../errors.js';
import type {ResponseCache} from './cache.js';
import {openAIProvider} from './openai.js';
import type {Provider} from './provider.js';
import {referenceProvider} from './reference.js';
import {replayProvider} from './replay.js';

export {MemoryCache, completionCacheKey, type CachedCompletion, type ResponseCache} from './cache.js';
export {EndpointError, type EndpointErrorKind} from './endpoint-error.js';
export {checkEndpoint, openAIProvider, type EndpointInfo, type OpenAIProviderOptions} from './openai.js';
export {referenceProvider} from './reference.js';
export {replayProvider} from './replay.js';

export const DEFAULT_BASE_URL = 'https://api.openai.com/v1';
/** Generous: local servers load the model on the first request. */
export const DEFAULT_TIMEOUT_MS = 300_000;
export const DEFAULT_MAX_RETRIES = 3;

export interface ProviderOptions {
  /** Needed by `reference` and `replay:` to look problems up and validate task ids. */
  bench: Bench;
  baseUrl?: string;
  apiKey?: string;
  timeoutMs?: number;
  maxRetries?: number;
  /** Omit for --no-cache. */
  cache?: ResponseCache;
  retryBaseMs?: number;
  /** replay: CodeT's dataset file joining a CodeT generation file's records to tasks by prompt. */
  replayPrompts?: string;
}

const SPEC_FORMS = 'openai:<model>, openai-completions:<model>, reference or replay:<file>';

export function createProvider(spec: string, options: ProviderOptions): Provider {
  if (spec === 'reference') return referenceProvider(options.bench);
  const colon = spec.indexOf(':');
  const scheme = colon < 0 ? spec : spec.slice(0, colon);
  const rest = colon < 0 ? '' : spec.slice(colon + 1);
  switch (scheme) {
    case 'openai':
    case 'openai-completions':
      if (rest.trim() === '') throw new UserError(`--model ${spec}: no model name after "${scheme}:"`);
      return openAIProvider({
        model: rest,
        style: scheme === 'openai' ? 'chat' : 'completion',
        baseUrl: options.baseUrl ?? DEFAULT_BASE_URL,
        apiKey: options.apiKey,
        timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        maxRetries: options.maxRetries ?? DEFAULT_MAX_RETRIES,
        cache: options.cache,
        retryBaseMs: options.retryBaseMs,
      });
    case 'replay':
      if (rest.trim() === '') throw new UserError(`--model ${spec}: no file after "replay:"`);
      return replayProvider(rest, options.bench, {prompts: options.replayPrompts});
    default:
      throw new UserError(`--model ${spec}: unknown model spec; use ${SPEC_FORMS}`);
  }
}
