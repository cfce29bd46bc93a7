/**
 * `--verdict compat` on the EvalPlus benches: EvalPlus's in-process check (the sample's own process
 * calls and compares, behind upstream's reliability guard), against strict (the checker compares
 * plain data). Hand-made samples on a small problem show where the modes agree and where they differ
 * on purpose; canonical solutions of real HumanEval+ and MBPP+ problems and CodeT's real
 * CodeGen-16B samples show they agree otherwise. All on bubblewrap, through the real checker; the
 * always-equal object on Docker too when engines are up (PASSK_TEST_DOCKER_HOSTS).
 */
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {gunzipSync, gzipSync} from 'node:zlib';
import path from 'node:path';
import {execa} from 'execa';
import {afterAll, describe, expect, it} from 'vitest';
import type {Bench, Verdict, VerdictMode} from '../src/bench/bench.js';
import type {EvalPlusProblem} from '../src/bench/evalplus/dataset.js';
import {loadEvalPlus, type EvalPlusOptions} from '../src/bench/evalplus/index.js';
import {evalPlusDefaults, judgeAgainst, type GroundTruth} from '../src/bench/evalplus/judge.js';
import {openSandbox, type Sandbox} from '../src/execute/index.js';
import {projectRoot, sharedDataset} from './helpers/datasets.js';
import {noDockerReason, usableDockerHosts} from './helpers/docker.js';
import {meanRow} from './helpers/evalplus-rows.js';

const dir = mkdtempSync(path.join(tmpdir(), 'passk-evalplus-compat-'));
const sandbox = await openSandbox({backend: 'bwrap'});
afterAll(() => sandbox.close());
const hosts = await usableDockerHosts();
if (hosts.length === 0) console.warn(`the Docker case of the compat tests is skipped: ${noDockerReason()}`);
const docker = hosts.length > 0 ? await openSandbox({backend: 'docker', dockerHosts: hosts}) : undefined;
afterAll(() => docker?.close());

type Statuses = {base: unknown; plus: unknown; first: unknown};
const statuses = (verdict: Verdict): Statuses => ({
  base: verdict.details?.base_status,
  plus: verdict.details?.plus_status,
  first: (verdict.details?.base_first as {index?: number} | null)?.index ?? (verdict.details?.plus_first as {index?: number} | null)?.index ?? null,
});

/** The reference's calibration and then `solution`, judged in each mode as a run does. */
async function bothModes(bench: Bench<EvalPlusProblem>, problem: EvalPlusProblem, solution?: string, box: Sandbox = sandbox): Promise<Record<VerdictMode, Verdict>> {
  const verdicts = {} as Record<VerdictMode, Verdict>;
  for (const mode of ['strict', 'compat'] as const) {
    const calibration = await bench.judge(problem, bench.reference(problem), {sandbox: box, mode});
    verdicts[mode] = solution === undefined ? calibration : await bench.judge(problem, solution, {sandbox: box, mode, calibration});
  }
  return verdicts;
}

const mean = {...meanRow, atol: 0, test: ''};
const fn = (body: string) => `def mean(xs):\n${body}`;

async function meanBench(options: Partial<EvalPlusOptions> = {}) {
  const file = path.join(dir, 'mean.jsonl');
  writeFileSync(file, JSON.stringify(mean) + '\n');
  // A low floor keeps the slow samples' budgets (Σ limits + 1 s per check, + 1 s of join in compat) short.
  const bench = await loadEvalPlus({bench: 'humaneval-plus', task: 'plus', dataset: file, minTimeLimitS: 0.3, ...options});
  return {bench, problem: bench.problems[0]!};
}

describe('compat verdicts on a hand-made problem', () => {
  it('agree with strict: right, wrong on plus only, and slow in C (past the check budget)', {timeout: 120_000}, async () => {
    const {bench, problem} = await meanBench();
    const right = await bothModes(bench, problem, fn('    return sum(xs) / len(xs) + 5e-7\n'));
    for (const verdict of Object.values(right)) expect([verdict.passed, statuses(verdict)]).toEqual([true, {base: 'pass', plus: 'pass', first: null}]);

    const wrongOnPlus = await bothModes(bench, problem, fn('    return {(1.0, 2.0): 1.5, (3.0,): 3.0}.get(tuple(xs), 0.0)\n'));
    for (const verdict of Object.values(wrongOnPlus)) {
      expect(verdict.passed).toBe(false);
      expect(verdict.details).toMatchObject({base_status: 'pass', plus_status: 'fail', plus_fail: [0]});
      expect(verdict.result).toBe('failed: plus input #0 [[10000000000, 30000000000]]: wrong output: got 0.0, expected 20000000000.0');
    }

    // A C-level loop: EvalPlus's alarm cannot interrupt it, only the process budget ends it.
    const slow = await bothModes(bench, problem, fn('    return sum(range(10 ** 12))\n'));
    for (const verdict of Object.values(slow)) expect(statuses(verdict)).toEqual({base: 'timeout', plus: 'timeout', first: 0});
    expect(slow.compat.result).toMatch(/^timed out: base input #0 .*: TimeoutError: the program budget of 2.6 s ran out$/);
    expect(slow.strict.result).toMatch(/^timed out: base input #0 .*: TimeoutError: no output within 0.3 s$/);
  });

  for (const [backend, box] of [['bwrap', sandbox], ['docker', docker]] as const) {
    it.skipIf(!box)(`an object equal to everything passes in compat (as in EvalPlus) and fails in strict, on ${backend}: why strict is the default`, {timeout: 60_000}, async () => {
      const {bench, problem} = await meanBench();
      const alwaysEqual = 'class Anything:\n    def __eq__(self, other):\n        return True\n\ndef mean(xs):\n    return Anything()\n';
      const {strict, compat} = await bothModes(bench, problem, alwaysEqual, box!);
      expect([compat.passed, statuses(compat)]).toEqual([true, {base: 'pass', plus: 'pass', first: null}]);
      expect(strict.passed).toBe(false);
      expect(strict.result).toBe('failed: base input #0 [[1, 2]]: UnsupportedReturnType: the candidate returned a __main__.Anything');
    });
  }

  it("differs where EvalPlus's own process does: its alarm, its guard, and a process that vanishes", {timeout: 120_000}, async () => {
    const {bench, problem} = await meanBench();
    // A Python loop: EvalPlus's alarm raises in it, and upstream counts that input as failed.
    const loop = await bothModes(bench, problem, fn('    while True:\n        pass\n'));
    expect([loop.compat.passed, loop.compat.result]).toEqual([false, 'failed: base input #0 [[1, 2]]: TimeoutException: Timed out!']);
    expect([loop.strict.passed, statuses(loop.strict).base]).toEqual([false, 'timeout']);
    // reliability_guard sets builtins.open to None in the process that runs the sample.
    const opens = await bothModes(bench, problem, fn("    open('/dev/null').close()\n    return sum(xs) / len(xs)\n"));
    expect([opens.compat.passed, opens.compat.result]).toEqual([false, "failed: base input #0 [[1, 2]]: TypeError: 'NoneType' object is not callable"]);
    expect(opens.strict.passed).toBe(true);
    // A process that ends without a status: upstream's unknown status, reported as a timeout.
    const exits = await bothModes(bench, problem, fn('    import os\n    os._exit(0)\n'));
    expect([exits.compat.passed, statuses(exits.compat)]).toEqual([false, {base: 'timeout', plus: 'timeout', first: 0}]);
    expect([exits.strict.passed, statuses(exits.strict).base]).toEqual([false, 'fail']);
    // The verdict line is the checker's: whatever the sample prints goes nowhere that counts.
    const forger = await bothModes(bench, problem, fn("    import os, sys\n    os.write(1, b'\\n0 {\"programs\": []}\\n')\n    print('passed')\n    return 0.0\n"));
    for (const verdict of Object.values(forger)) expect(statuses(verdict).base).toBe('fail');
  });

  it('a large expected output kept as a digest: compared by value in both modes; an object asked in compat, as upstream', {timeout: 60_000}, async () => {
    const file = path.join(dir, 'ramp.jsonl');
    const row = {task_id: 'HumanEval/902', prompt: 'def ramp(n):\n    """0..n-1."""\n', entry_point: 'ramp', canonical_solution: '    return list(range(n))\n', base_input: [[3]], plus_input: [[20000]], atol: 0, test: ''};
    writeFileSync(file, JSON.stringify(row) + '\n');
    const bench = await loadEvalPlus({bench: 'humaneval-plus', task: 'plus', dataset: file});
    const problem = bench.problems[0]!;
    const floats = await bothModes(bench, problem, 'def ramp(n):\n    return [float(i) for i in range(n)]\n');
    for (const verdict of Object.values(floats)) expect(verdict.passed, verdict.result).toBe(true);
    const tuple = await bothModes(bench, problem, 'def ramp(n):\n    return tuple(range(n))\n');
    for (const verdict of Object.values(tuple)) expect(verdict.details).toMatchObject({base_status: 'fail'});
    const anything = 'class Anything:\n    def __eq__(self, other):\n        return True\n\ndef ramp(n):\n    return list(range(n)) if n < 100 else Anything()\n';
    const asked = await bothModes(bench, problem, anything);
    expect(asked.compat.details).toMatchObject({base_status: 'pass', plus_status: 'pass'});
    expect(asked.strict.details).toMatchObject({base_status: 'pass', plus_status: 'fail'});
  });

  it('a compat check whose process cannot get ready (before any sample code runs) is an infrastructure error', {timeout: 60_000}, async () => {
    const {bench, problem} = await meanBench();
    const calibration = await bench.judge(problem, bench.reference(problem), {sandbox, mode: 'compat'});
    const truth = calibration.details!.groundTruth as GroundTruth;
    // Expected outputs the fresh process cannot unpack: its set-up fails, not the sample.
    const broken = {...truth, base: {...truth.base!, outputs: 'not base64 zlib'}};
    const verdict = await judgeAgainst(problem, bench.reference(problem), broken, {...evalPlusDefaults, sandbox, groups: ['base', 'plus'], failFast: true, compat: true});
    expect(verdict.errored).toBe(true);
    expect(verdict.result).toMatch(/^error: checker: the inputs could not be run: CheckerError: the compat check could not start: /);
  });

  it('--test-details runs every input in compat too', {timeout: 60_000}, async () => {
    const {bench, problem} = await meanBench({testDetails: true});
    const {strict, compat} = await bothModes(bench, problem, fn('    return 0.0\n'));
    for (const verdict of [strict, compat]) expect(verdict.details).toMatchObject({base_fail: [0, 1], plus_fail: [0, 1]});
  });
});

const humaneval = sharedDataset('humaneval');
const folder = humaneval && path.join(humaneval, 'evalplus');

describe.skipIf(!folder)('compat and strict on real EvalPlus problems', () => {
  /** HumanEval/2 and /4 compare floats (atol), /32 is find_zero (invalid here, see the README), Mbpp/2 and /769 compare sets, /737 is a "not None" task. */
  const chosen = {humaneval: ['HumanEval/0', 'HumanEval/2', 'HumanEval/4', 'HumanEval/32', 'HumanEval/53'], mbpp: ['Mbpp/2', 'Mbpp/737', 'Mbpp/769', 'Mbpp/800']};

  async function canonicalStatuses(name: 'humaneval-plus' | 'mbpp-plus', ids: string[]) {
    const bench = await loadEvalPlus({bench: name, task: 'plus', dataset: folder!});
    const problems = bench.problems.filter((p) => ids.includes(p.id));
    const differing: string[] = [];
    const seen: Record<string, Statuses> = {};
    for (const problem of problems) {
      const {strict, compat} = await bothModes(bench, problem);
      seen[problem.id] = statuses(compat);
      if (JSON.stringify(statuses(strict)) !== JSON.stringify(statuses(compat))) differing.push(`${problem.id}: strict ${strict.result}, compat ${compat.result}`);
    }
    return {seen, differing};
  }

  it('canonical solutions: the same statuses in both modes (HumanEval/32 fails plus input #119 in both)', {timeout: 300_000}, async () => {
    const he = await canonicalStatuses('humaneval-plus', chosen.humaneval);
    expect(he.differing).toEqual([]);
    expect(he.seen['HumanEval/32']).toEqual({base: 'pass', plus: 'fail', first: 119});
    for (const id of chosen.humaneval.filter((id) => id !== 'HumanEval/32')) expect(he.seen[id], id).toEqual({base: 'pass', plus: 'pass', first: null});
    const mbpp = await canonicalStatuses('mbpp-plus', chosen.mbpp);
    expect(mbpp.differing).toEqual([]);
    for (const id of chosen.mbpp) expect(mbpp.seen[id], id).toEqual({base: 'pass', plus: 'pass', first: null});
  });

});

const b4 = sharedDataset('b4');

describe.skipIf(!b4 || !folder)("compat and strict on CodeT's CodeGen-16B samples", () => {
  const cli = path.join(projectRoot, 'bin', 'run.js');
  const raw = b4 && path.join(b4, 'codet_raw');

  /** One run's results.jsonl (a 1 s floor: the looping samples cost less CI time, the same in both modes). */
  async function results(mode: VerdictMode, problems: string): Promise<Array<Record<string, unknown>>> {
    const out = path.join(dir, `codet-${mode}`);
    const run = await execa('node', [
      cli, 'run', '--db', path.join(dir, `codet-${mode}.db`), '--bench', 'humaneval-plus', '--dataset', path.join(folder!, 'HumanEvalPlus-v0.1.10.jsonl.gz'),
      '--model', `replay:${solutions()}`,
      '--replay-prompts', path.join(raw!, 'HumanEval_for_code_generation.jsonl.gz'), '--problems', problems, '--sandbox', 'bwrap',
      '--verdict', mode, '--min-time-limit', '1', '--json', '--out', out,
    ], {reject: false, env: {CI: '1', NODE_ENV: 'production'}});
    expect(run.exitCode, run.stderr).toBe(0);
    return readFileSync(path.join(out, 'results.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
  }

  // HumanEval/2 holds the one disagreement (its sample 9); PASSK_FULL=1 takes every sample of it and
  // of HumanEval/12, npm test the first 25 of HumanEval/2 (CI time: compat starts an interpreter per check).
  const full = Boolean(process.env.PASSK_FULL);
  const ids = full ? ['HumanEval/2', 'HumanEval/12'] : ['HumanEval/2'];
  const perProblem = full ? 100 : 25;
  const original = raw && path.join(raw, 'HumanEval_codegen16B_temp0.8_topp0.95_num100_max300_code_solution.jsonl.gz');
  /** CodeT's solution file, or (npm test) a copy in the test's temporary folder with the first samples of each prompt. */
  function solutions(): string {
    if (full) return original!;
    const trimmed = path.join(dir, 'codet-solutions.jsonl.gz');
    const rows = gunzipSync(readFileSync(original!)).toString('utf8').trim().split('\n').map((line) => JSON.parse(line) as {prompt: string; samples: string[]});
    writeFileSync(trimmed, gzipSync(rows.map((row) => JSON.stringify({...row, samples: row.samples.slice(0, perProblem)})).join('\n') + '\n'));
    return trimmed;
  }
  it(`agree on every sample of ${ids.join(' and ')} (the first ${perProblem} of each), status for status but for the alarm`, {timeout: 600_000}, async () => {
    const problems = ids.join(',');
    const strict = await results('strict', problems);
    const compat = await results('compat', problems);
    expect(compat).toHaveLength(perProblem * ids.length);
    const key = (r: Record<string, unknown>) => `${r.task_id}#${r.sample_index}`;
    const strictBy = new Map(strict.map((r) => [key(r), r]));
    const differing = compat.filter((r) => {
      const s = strictBy.get(key(r))!;
      return s.passed !== r.passed || s.base_status !== r.base_status || s.plus_status !== r.plus_status;
    });
    // The one kind of disagreement: a sample looping in Python past an input's limit. EvalPlus's
    // alarm raises TimeoutException in it and upstream counts the input failed (compat); strict
    // says timeout. Neither passes. (HumanEval/2 sample 9 here.)
    const explained = (r: Record<string, unknown>) => {
      const s = strictBy.get(key(r))!;
      return !s.passed && !r.passed && String(s.result).startsWith('timed out: ') && String(r.result).endsWith(': TimeoutException: Timed out!');
    };
    expect(differing.filter((r) => !explained(r)).map((r) => `${key(r)}: strict ${strictBy.get(key(r))!.result}; compat ${r.result}`)).toEqual([]);
    expect(differing.map(key)).toEqual(['HumanEval/2#9']);
    // Not trivially: both problems have passing and failing samples.
    for (const id of ids) {
      const passed = compat.filter((r) => r.task_id === id).map((r) => r.passed);
      expect(passed, id).toContain(true);
      expect(passed, id).toContain(false);
    }
  });
});
