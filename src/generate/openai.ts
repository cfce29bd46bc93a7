/**
 * Providers for OpenAI-compatible endpoints (OpenAI, vLLM, llama.cpp, Ollama, ...): chat models via
 * /chat/completions, base models via /completions. Plain fetch, one request per sample, retries and
 * the response cache built in. The API key comes from the caller and goes nowhere but the header.
 */
import type {PromptStyle} from '../bench/bench.js';
import {UserError} from '../errors.js';
import {endpointUrl, parseBaseUrl} from './base-url.js';
import {completionCacheKey, type ResponseCache} from './cache.js';
import {EndpointError} from './endpoint-error.js';
import {sendRequest} from './http.js';
import {httpError, parseJson, parseReply, requestBody, type Reply} from './openai-wire.js';
import type {Completion, CompletionRequest, Provider} from './provider.js';
import {redactSecrets} from './redact.js';
import {withRetries} from './retry.js';

export interface OpenAIProviderOptions {
  model: string;
  baseUrl: string;
  apiKey?: string;
  style: PromptStyle;
  /** Per request, body included. Be generous: local servers load the model on the first request. */
  timeoutMs: number;
  /** Retries after the first request for 408, 429, 5xx, network errors and timeouts. */
  maxRetries: number;
  cache?: ResponseCache;
  /** First backoff step, doubling per retry (default 1 s). */
  retryBaseMs?: number;
  /** Largest backoff step (default 60 s). */
  retryCapMs?: number;
}

const DEFAULT_RETRY_BASE_MS = 1_000;
const DEFAULT_RETRY_CAP_MS = 60_000;

export function openAIProvider(options: OpenAIProviderOptions): Provider {
  const {model, apiKey, style, timeoutMs, maxRetries, cache} = options;
  if (model.trim() === '') throw new UserError('no model name given (e.g. openai:gpt-4o)');
  if (!(timeoutMs > 0)) throw new UserError(`the request timeout must be positive, got ${timeoutMs}`);
  if (!Number.isInteger(maxRetries) || maxRetries < 0) {
    throw new UserError(`the retry count must be a whole number ≥ 0, got ${maxRetries}`);
  }
  const url = endpointUrl(parseBaseUrl(options.baseUrl), style === 'chat' ? '/chat/completions' : '/completions');
  const endpoint = `POST ${url}`;
  const policy = {
    maxRetries,
    baseMs: options.retryBaseMs ?? DEFAULT_RETRY_BASE_MS,
    capMs: options.retryCapMs ?? DEFAULT_RETRY_CAP_MS,
  };
  const id = `${style === 'chat' ? 'openai' : 'openai-completions'}:${model}`;

  /** One request; latency is the successful request's own, not the backoff around it. */
  async function requestOnce(request: CompletionRequest): Promise<Reply & {latencyMs: number}> {
    const started = performance.now();
    try {
      const sent = await sendRequest({method: 'POST', url, apiKey, json: requestBody(model, request), timeoutMs, signal: request.signal});
      // Before anything is quoted from it: a quote cut short could otherwise keep part of the key.
      const reply = {...sent, body: redactSecrets(sent.body, apiKey)};
      if (reply.status < 200 || reply.status >= 300) throw httpError(reply, endpoint);
      const parsed = parseReply(reply.body, style, endpoint);
      return {...parsed, latencyMs: Math.round(performance.now() - started)};
    } catch (error) {
      throw redacted(error, apiKey);
    }
  }

  return {
    id,
    verbatim: false,
    style,
    async complete(request: CompletionRequest): Promise<Completion> {
      if (request.prompt.style !== style) {
        throw new Error(`${id} sends ${style} prompts but was given a ${request.prompt.style} prompt`);
      }
      const key =
        cache &&
        completionCacheKey({
          baseUrl: options.baseUrl,
          model,
          prompt: request.prompt,
          params: request.params,
          seed: request.seed,
          sampleIndex: request.sampleIndex,
        });
      const hit = key === undefined ? undefined : cache?.get(key);
      // attempts counts requests made now: a replay made none.
      if (hit) return {...hit, cached: true, attempts: 0};
      const {value, attempts} = await withRetries(() => requestOnce(request), {...policy, signal: request.signal});
      // An empty answer is kept as the sample but never cached (conventions §5): asking again may do better.
      if (key !== undefined && value.text !== '') cache?.put(key, value);
      return {...value, cached: false, attempts};
    },
  };
}

/** Every endpoint failure leaves the provider with secrets taken out: replies may echo the request. */
function redacted<E>(error: E, apiKey: string | undefined): E {
  return error instanceof EndpointError ? (error.withDetail((detail) => redactSecrets(detail, apiKey)) as E) : error;
}

export interface EndpointInfo {
  /** Model ids the endpoint lists; undefined when it has no usable /models. */
  models?: string[];
}

/**
 * Fails fast, before a run, with a one-line UserError when nothing answers at the base URL or the key
 * is refused. Any other answer means a server is there (some lack /models or are still loading).
 */
export async function checkEndpoint(baseUrl: string, apiKey?: string, timeoutMs = 10_000): Promise<EndpointInfo> {
  const url = endpointUrl(parseBaseUrl(baseUrl), '/models');
  let reply;
  try {
    reply = await sendRequest({method: 'GET', url, apiKey, timeoutMs});
  } catch (err) {
    if (!(err instanceof EndpointError)) throw err;
    throw new UserError(`cannot reach the model endpoint: ${redacted(err, apiKey).message}; is the server running at ${baseUrl}?`);
  }
  if (reply.status === 401 || reply.status === 403) {
    const refusal = httpError({...reply, body: redactSecrets(reply.body, apiKey)}, `GET ${url}`);
    throw new UserError(`${redacted(refusal, apiKey).message} (check OPENAI_API_KEY)`);
  }
  if (reply.status < 200 || reply.status >= 300) return {};
  return {models: modelIds(parseJson(reply.body))};
}

function modelIds(json: unknown): string[] | undefined {
  const data = json !== null && typeof json === 'object' ? (json as {data?: unknown}).data : undefined;
  if (!Array.isArray(data)) return undefined;
  return data.flatMap((m: unknown) =>
    m !== null && typeof m === 'object' && typeof (m as {id?: unknown}).id === 'string' ? [(m as {id: string}).id] : [],
  );
}
