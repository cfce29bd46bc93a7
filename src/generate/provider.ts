/**
 * A Provider turns a prompt into a sample. Model providers return a raw response that the bench
 * must extract code from; verbatim providers (reference, replay) return code as it is.
 */
import type {Prompt, PromptStyle} from '../bench/bench.js';

export interface SamplingParams {
  temperature: number;
  topP: number;
  maxTokens: number;
}

export interface CompletionRequest {
  problemId: string;
  prompt: Prompt;
  /** 0-based index of this sample among the n drawn for the problem. */
  sampleIndex: number;
  /** Per-sample seed (base seed + sample index), sent to the endpoint. */
  seed: number;
  params: SamplingParams;
  /** Abandons the request (and its retries) when aborted: the run is stopping. Rejects with the abort reason. */
  signal?: AbortSignal;
}

export interface Completion {
  text: string;
  /** 'stop' | 'length' | ... as the endpoint reported; undefined for verbatim providers. */
  finishReason?: string;
  latencyMs: number;
  /** Served from the response cache, not the endpoint. */
  cached: boolean;
  attempts: number;
}

export interface Provider {
  /** e.g. 'openai:gpt-4o', 'reference', 'replay:samples.jsonl' */
  readonly id: string;
  /** true: `text` is already code (skip extraction). */
  readonly verbatim: boolean;
  /** The prompt form this provider sends: chat messages or raw completion text. */
  readonly style: PromptStyle;
  /** Samples this provider has for a problem when it decides n itself (replay); undefined otherwise. */
  samplesFor?(problemId: string): number;
  complete(request: CompletionRequest): Promise<Completion>;
}
