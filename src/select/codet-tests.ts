/**
 * Generated tests the way CodeT makes them (microsoft/CodeT src/postprocess.py, MIT): the model
 * continues a prompt of signature + docstring + `pass` + `# check the correctness of <f>` +
 * `assert `; the continuation is split at every "assert ", pieces naming the entry point are kept,
 * each is cut at CodeT's stop tokens and stripped, and it must compile inside a try block. The
 * first `limit` (CodeT: 5) valid asserts of each sample are kept.
 */
import {strip} from '../bench/verilog/pystr.js';

/** CodeT's STOP_TOKEN (no trailing spaces, unlike the Codex stops of the HumanEval bench). */
export const codetStopTokens = ['\nclass', '\ndef', '\n#', '\nif', '\nprint'];

/** CodeT's default --test_case_limit. */
export const codetTestLimit = 5;

/**
 * CodeT's test-generation prompt for a problem prompt that ends after the docstring. CodeT's own
 * HumanEval prompts also had the docstring examples removed; passk uses the prompt as given.
 */
export function codetTestPrompt(prompt: string, entryPoint: string): string {
  return `${prompt}    pass\n\n# check the correctness of ${entryPoint}\nassert `;
}

/**
 * A solution sample post-processed as CodeT does (postprocess.py `solution_extract`): cut at the
 * first of its stop tokens, nothing stripped.
 */
export function codetSolution(sample: string): string {
  let end = sample.length;
  for (const stop of codetStopTokens) {
    const at = sample.indexOf(stop);
    if (at !== -1 && at < end) end = at;
  }
  return sample.slice(0, end);
}

const cutAtStops = (text: string) => strip(codetSolution(text));

/**
 * The assert statements a sample proposes, before the syntax check. `continuation`: the sample
 * continues a prompt ending in "assert " (a completion model), so its first piece is an assert too.
 */
export function assertCandidates(sample: string, entryPoint: string, continuation = true): string[] {
  const pieces = (continuation ? `assert ${sample}` : sample).split('assert ');
  // Before the first "assert " there is either nothing (a continuation) or prose, never an assert.
  return pieces
    .slice(1)
    .filter((piece) => piece.includes(strip(entryPoint)) && strip(piece).length > 0)
    .map((piece) => cutAtStops(strip(`assert ${piece}`)))
    .filter((candidate) => candidate.length > 0 && candidate.includes('assert'));
}

/** The program CodeT compiles to decide whether a candidate is valid. */
export function syntaxCheckSource(candidate: string): string {
  return `try:\n    ${candidate.replaceAll('\n', '\n    ')}\nexcept:\n    pass\n`;
}

/** Compiles Python sources (never runs them); true per source that compiles. */
export type SyntaxChecker = (sources: string[]) => Promise<boolean[]>;

export interface TestSamples {
  entryPoint: string;
  samples: string[];
}

/**
 * Valid asserts per task and sample, in order (all of them: the per-sample limit applies when
 * tests are kept). One syntax-check batch for all tasks.
 */
export async function extractAsserts(tasks: TestSamples[], check: SyntaxChecker, continuation = true): Promise<string[][][]> {
  const candidates = tasks.map(({entryPoint, samples}) => samples.map((sample) => assertCandidates(sample, entryPoint, continuation)));
  const verdicts = await check(candidates.flat(2).map(syntaxCheckSource));
  let next = 0;
  return candidates.map((perSample) => perSample.map((list) => list.filter(() => verdicts[next++])));
}

/** The tests of a task: the first `limit` asserts of each sample, unique in order of first appearance, with their counts. */
export function keptTests(assertsPerSample: string[][], limit = codetTestLimit): {tests: string[]; testCount: number[]} {
  const counts = new Map<string, number>();
  for (const asserts of assertsPerSample) for (const test of asserts.slice(0, limit)) counts.set(test, (counts.get(test) ?? 0) + 1);
  return {tests: [...counts.keys()], testCount: [...counts.values()]};
}
