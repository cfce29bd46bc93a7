/**
 * Constructed run summaries with known effects, for compare/gate/report tests that need no sandbox:
 * `summaryOf` turns per-problem (n, passed) counts into the document `passk run` stores.
 */
import {aggregatePassAtK} from '../../src/score/passk.js';
import {summarySchemaVersion, type Summary} from '../../src/score/summary.js';

export interface Counts {
  id: string;
  n: number;
  passed: number;
}

export function summaryOf(runId: string, problems: Counts[], overrides: Partial<Summary> = {}): Summary {
  const counted = problems.filter((p) => p.n > 0).map((p) => ({n: p.n, c: p.passed}));
  const passAtK = aggregatePassAtK(counted, [1, 5, 10]);
  const samples = problems.reduce((sum, p) => sum + p.n, 0);
  const passed = problems.reduce((sum, p) => sum + p.passed, 0);
  return {
    schemaVersion: summarySchemaVersion,
    runId,
    bench: 'humaneval',
    task: 'base',
    dataset: {path: 'HumanEval.jsonl.gz', sha256: 'd'.repeat(64)},
    model: `model-${runId}`,
    n: Math.max(0, ...problems.map((p) => p.n)),
    benchOptions: {},
    params: {temperature: 0.8, topP: 0.95, maxTokens: 512},
    seed: 0,
    verdictMode: 'strict',
    passAtK,
    passAtKValid: passAtK,
    problems: problems.length,
    samples,
    referenceCeiling: 1,
    invalidProblems: [],
    classes: {passed, failed: samples - passed},
    errors: 0,
    complete: true,
    uncalibrated: [],
    toolchain: {python: 'Python 3.13'},
    sandbox: {backend: 'bwrap'},
    perProblem: problems.map((p) => ({...p, invalid: false})),
    ...overrides,
  };
}

/** `count` problems named P0…, each with n samples of which `passed(i)` pass. */
export function problemsWith(count: number, n: number, passed: (index: number) => number): Counts[] {
  return Array.from({length: count}, (_, i) => ({id: `P${i}`, n, passed: passed(i)}));
}
