/**
 * The summary's problem accounting: passAtKValid and referenceCeiling count the same problems (those
 * whose reference passed), and run warnings say when almost nothing compiled and why.
 */
import {describe, expect, it} from 'vitest';
import type {Bench, Verdict} from '../src/bench/bench.js';
import type {RunConfig} from '../src/run/run.js';
import {summarize} from '../src/score/summary.js';
import type {SampleRow} from '../src/store/store.js';

const config = (bench: string, verdictMode: 'strict' | 'compat'): RunConfig => ({
  bench,
  task: 'human',
  dataset: 'd',
  datasetHash: 'h',
  benchOptions: {},
  model: 'replay:x',
  n: 1,
  params: {temperature: 0, topP: 1, maxTokens: 1024},
  seed: 0,
  verdictMode,
});

const verdict = (passed: boolean, extra: Partial<Verdict> = {}): Verdict => ({passed, result: passed ? 'passed' : 'failed: x', durationMs: 1, ...extra});

function sample(problemId: string, index: number, code: string, judged: Verdict): SampleRow {
  return {id: index, runId: 'r', problemId, sampleIndex: index, seed: index, code, verdict: judged};
}

function summaryOf(ids: string[], calibrations: Record<string, Verdict>, samples: SampleRow[], bench = 'verilog-eval-v1', mode: 'strict' | 'compat' = 'strict') {
  const problems = ids.map((id) => ({id}));
  const fakeBench = {name: bench, task: 'human', datasetHash: 'h', problems} as unknown as Bench;
  return summarize({
    runId: 'r',
    config: config(bench, mode),
    bench: fakeBench,
    problems,
    samples,
    calibrations: new Map(Object.entries(calibrations)),
    environment: {sandbox: {backend: 'bwrap'}, toolchain: {}},
    ks: [1],
  });
}

describe('valid problems', () => {
  it('leaves a problem whose reference could not be judged out of passAtKValid, as referenceCeiling does', () => {
    const summary = summaryOf(
      ['good', 'broken', 'unjudged'],
      {good: verdict(true), broken: verdict(false), unjudged: verdict(false, {errored: true, result: 'error: sandbox: lost'})},
      [sample('good', 0, 'x', verdict(true)), sample('broken', 0, 'x', verdict(false)), sample('unjudged', 0, 'x', verdict(false))],
    );
    expect(summary.referenceCeiling).toBeCloseTo(1 / 3, 12);
    expect(summary.uncalibrated).toEqual(['unjudged']);
    expect(summary.invalidProblems.map((p) => p.id)).toEqual(['broken']);
    // Only "good" counts as valid: the ceiling's problems.
    expect(summary.passAtKValid['1']?.value).toBe(1);
    expect(summary.passAtK['1']?.value).toBeCloseTo(1 / 3, 12);
  });
});

describe('run warnings', () => {
  const ids = Array.from({length: 10}, (_, index) => `p${index}`);
  const calibrations = Object.fromEntries(ids.map((id) => [id, verdict(true)]));
  const notCompiled = verdict(false, {result: 'failed: syntax error.', details: {compiled: false}});
  const wholeModules = ids.map((id, index) => sample(id, index, 'module top_module(output zero);\n  assign zero = 0;\nendmodule', notCompiled));

  it('says when almost no sample compiled, and names whole v1 modules judged in compat mode as the likely cause', () => {
    const [warning] = summaryOf(ids, calibrations, wholeModules, 'verilog-eval-v1', 'compat').warnings;
    expect(warning).toMatch(/^10 of 10 samples did not compile: most are whole modules/);
    expect(warning).toContain('--verdict strict');
  });

  it('names Markdown fences, and stays quiet when most samples compiled', () => {
    const fenced = ids.map((id, index) => sample(id, index, '```verilog\nassign zero = 0;\n```', notCompiled));
    expect(summaryOf(ids, calibrations, fenced, 'verilog-eval-v2').warnings).toEqual([
      '10 of 10 samples did not compile: most still hold Markdown code fences (were raw responses replayed as code?)',
    ]);
    const mostlyFine = wholeModules.map((row, index) => (index < 2 ? row : {...row, verdict: verdict(true, {details: {compiled: true}})}));
    expect(summaryOf(ids, calibrations, mostlyFine).warnings).toEqual([]);
  });
});
