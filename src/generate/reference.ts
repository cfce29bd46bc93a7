/** The benchmark's own solutions as a "model": calibrates the sandbox and the bench's judge. */
import type {Bench} from '../bench/bench.js';
import {UserError} from '../errors.js';
import type {Completion, CompletionRequest, Provider} from './provider.js';

export function referenceProvider(bench: Bench): Provider {
  const problems = new Map(bench.problems.map((p) => [p.id, p]));
  return {
    id: 'reference',
    verbatim: true,
    // Verbatim providers ignore the prompt; completion style is the form sample files are in.
    style: 'completion',
    async complete(request: CompletionRequest): Promise<Completion> {
      const problem = problems.get(request.problemId);
      if (!problem) throw new UserError(`reference: no problem "${request.problemId}" in ${bench.name}`);
      // attempts counts endpoint requests: none here.
      return {text: bench.reference(problem), latencyMs: 0, cached: false, attempts: 0};
    },
  };
}
