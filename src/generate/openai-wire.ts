/** The OpenAI wire format: request bodies for both endpoints, and reading replies and error bodies. */
import {STATUS_CODES} from 'node:http';
import type {Prompt} from '../bench/bench.js';
import {EndpointError} from './endpoint-error.js';
import type {HttpReply} from './http.js';
import type {CompletionRequest} from './provider.js';
import {retryAfterMs} from './retry.js';

/** One request per sample (n = 1): vLLM, llama.cpp and Ollama disagree on n > 1. */
export function requestBody(model: string, request: CompletionRequest): Record<string, unknown> {
  const {params} = request;
  return {
    model,
    ...promptFields(request.prompt),
    temperature: params.temperature,
    top_p: params.topP,
    max_tokens: params.maxTokens,
    seed: request.seed,
    n: 1,
  };
}

function promptFields(prompt: Prompt): Record<string, unknown> {
  if (prompt.style === 'chat') return {messages: prompt.messages};
  // Some servers reject an empty stop list; leaving it out means the same.
  return prompt.stop.length > 0 ? {prompt: prompt.text, stop: prompt.stop} : {prompt: prompt.text};
}

export interface Reply {
  text: string;
  finishReason?: string;
}

/**
 * Reads the text out of a 200 reply; a reply that is not a completion is an EndpointError. An empty
 * answer or a refusal is the model's answer (judged, and failing, like any other), not an error.
 */
export function parseReply(body: string, style: Prompt['style'], endpoint: string): Reply {
  const malformed = (detail: string) => new EndpointError({kind: 'malformed', endpoint, detail, retryable: true});
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw malformed(`reply is not JSON: ${snippet(body)}`);
  }
  const choices = isRecord(json) ? json.choices : undefined;
  const choice = Array.isArray(choices) ? choices[0] : undefined;
  if (!isRecord(choice)) {
    const message = errorMessage(json);
    throw malformed(message ? `reply has no choices: ${message}` : `reply has no choices: ${snippet(body)}`);
  }
  const finishReason = typeof choice.finish_reason === 'string' ? choice.finish_reason : undefined;
  let text: unknown;
  if (style === 'chat') {
    if (!isRecord(choice.message)) throw malformed('reply choice has no message');
    text = choice.message.content;
    // A null content is legal (refusals, tool calls): the model's answer is its refusal text, or nothing.
    if (text === null || text === undefined) {
      const refusal = choice.message.refusal;
      return {text: typeof refusal === 'string' ? refusal : '', finishReason};
    }
  } else {
    text = choice.text;
  }
  if (typeof text !== 'string') throw malformed(`reply text is ${text === null ? 'null' : typeof text}, not a string`);
  return {text, finishReason};
}

/** 408, 429 and 5xx are worth retrying; any other status is a request the endpoint will keep refusing. */
export function httpError(reply: HttpReply, endpoint: string): EndpointError {
  const {status} = reply;
  const reason = reply.statusText || STATUS_CODES[status] || 'HTTP error';
  const wait = retryAfterMs(reply.headers);
  const message = errorMessage(parseJson(reply.body)) ?? (reply.body.trim() ? snippet(reply.body) : undefined);
  const waitNote = wait === undefined ? '' : ` (retry after ${formatSeconds(wait)})`;
  return new EndpointError({
    kind: 'http',
    endpoint,
    status,
    detail: `${status} ${reason}${message ? `: ${message}` : ''}${waitNote}`,
    retryable: status === 408 || status === 429 || status >= 500,
    retryAfterMs: wait,
  });
}

/** The error text in the shapes OpenAI, vLLM, llama.cpp, Ollama and FastAPI servers use. */
function errorMessage(json: unknown): string | undefined {
  if (!isRecord(json)) return undefined;
  const {error} = json;
  const candidates = [isRecord(error) ? error.message : error, json.message, json.detail];
  const found = candidates.find((c): c is string => typeof c === 'string' && c.trim() !== '');
  return found === undefined ? undefined : snippet(found);
}

/** The parsed body, or undefined when it is not JSON. */
export function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/** One line, at most 200 characters: error details must not flood a terminal. */
function snippet(text: string, max = 200): string {
  const line = text.replace(/\s+/g, ' ').trim();
  if (line === '') return '(empty body)';
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

function formatSeconds(ms: number): string {
  return ms < 10_000 ? `${Number((ms / 1000).toFixed(3))} s` : `${Math.ceil(ms / 1000)} s`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
