/**
 * Asking a model for test samples with CodeT's test prompt, through the same Providers (retries,
 * response cache) as solution samples. A completion model continues the prompt, which ends in
 * "assert "; a chat model is shown the same code and asked for assert statements in a code block.
 */
import pLimit from 'p-limit';
import type {Prompt, PromptStyle} from '../bench/bench.js';
import {dropThinking, findFences} from '../bench/humaneval/extract.js';
import type {Provider, SamplingParams} from '../generate/provider.js';
import {codetTestPrompt} from './codet-tests.js';

export interface TestPromptProblem {
  id: string;
  /** Imports, signature and docstring (a HumanEval prompt). */
  prompt: string;
  entryPoint: string;
}

const chatSystem = 'You are an expert Python programmer who writes unit tests.';

export function testPrompt(problem: TestPromptProblem, style: PromptStyle): Prompt {
  const text = codetTestPrompt(problem.prompt, problem.entryPoint);
  // CodeT sampled raw continuations (max 300 tokens) with no stop sequence; extraction cuts them.
  if (style === 'completion') return {style, text, stop: []};
  const shown = text.slice(0, -'assert '.length);
  return {
    style,
    messages: [
      {role: 'system', content: chatSystem},
      {
        role: 'user',
        content: `Write assert statements that check the correctness of \`${problem.entryPoint}\` below. Answer with one \`\`\`python code block of assert statements only.\n\`\`\`python\n${shown}\`\`\`\n`,
      },
    ],
  };
}

/** The text asserts are extracted from, and whether it continues a prompt ending in "assert ". */
export function testSampleText(response: string, style: PromptStyle): {text: string; continuation: boolean} {
  if (style === 'completion') return {text: response, continuation: true};
  const answer = dropThinking(response);
  const fences = findFences(answer);
  return {text: fences.length > 0 ? fences.map((fence) => fence.code).join('\n') : answer, continuation: false};
}

export interface GeneratedTestSample {
  problemId: string;
  sampleIndex: number;
  seed: number;
  response?: string;
  finishReason?: string;
  latencyMs?: number;
  cached: boolean;
  attempts: number;
  /** The request failed after retries (an infrastructure error, not the model's answer). */
  error?: string;
}

export interface GenerateTestsOptions {
  provider: Provider;
  problems: TestPromptProblem[];
  n: number;
  params: SamplingParams;
  /** Sample i of a problem is requested with seed + i. */
  seed: number;
  concurrency: number;
  /** True for samples already stored (they are not asked for again). */
  have: (problemId: string, sampleIndex: number) => boolean;
  /** Called as each sample arrives, so it can be stored at once. */
  onSample: (sample: GeneratedTestSample) => void;
}

/** Asks for every missing test sample; failed requests are reported as samples with an error. */
export async function generateTestSamples(options: GenerateTestsOptions): Promise<void> {
  const {provider} = options;
  const limit = pLimit(Math.max(1, options.concurrency));
  const jobs = options.problems.flatMap((problem) =>
    Array.from({length: options.n}, (_, sampleIndex) => ({problem, sampleIndex})).filter(({sampleIndex}) => !options.have(problem.id, sampleIndex)),
  );
  await Promise.all(
    jobs.map(({problem, sampleIndex}) =>
      limit(async () => {
        const seed = options.seed + sampleIndex;
        try {
          const completion = await provider.complete({problemId: problem.id, prompt: testPrompt(problem, provider.style), sampleIndex, seed, params: options.params});
          options.onSample({
            problemId: problem.id,
            sampleIndex,
            seed,
            response: completion.text,
            finishReason: completion.finishReason,
            latencyMs: completion.latencyMs,
            cached: completion.cached,
            attempts: completion.attempts,
          });
        } catch (error) {
          options.onSample({problemId: problem.id, sampleIndex, seed, cached: false, attempts: 0, error: (error as Error).message});
        }
      }),
    ),
  );
}
