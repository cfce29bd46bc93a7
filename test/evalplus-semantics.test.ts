/**
 * EvalPlus's judging rules, one hand-made problem per rule, through the real strict checker in
 * bubblewrap: the ground truth is recorded from the reference in the sandbox, the sample is judged
 * against it. Then the Python forgery suite on both benches (HumanEval+ and MBPP+ flavours), on
 * bubblewrap and, when engines are up, Docker.
 */
import {mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import type {Bench, Verdict} from '../src/bench/bench.js';
import type {EvalPlusProblem} from '../src/bench/evalplus/dataset.js';
import {loadEvalPlus, type EvalPlusOptions} from '../src/bench/evalplus/index.js';
import {openSandbox, type Sandbox} from '../src/execute/index.js';
import {noDockerReason, usableDockerHosts} from './helpers/docker.js';
import {meanRow, type Row} from './helpers/evalplus-rows.js';
import {attacks} from './helpers/python-forgeries.js';


const dir = mkdtempSync(path.join(tmpdir(), 'passk-evalplus-'));
let files = 0;

/** A one-file EvalPlus dataset of the given rows, opened as a bench. */
async function benchOf(rows: Row[], options: Partial<EvalPlusOptions> = {}): Promise<Bench<EvalPlusProblem>> {
  const file = path.join(dir, `${files++}.jsonl`);
  const flavour = rows[0]!.task_id.startsWith('Mbpp/') ? 'mbpp' : 'humaneval';
  writeFileSync(file, rows.map((row) => JSON.stringify({atol: 0, test: '', assertion: '', ...row})).join('\n') + '\n');
  return loadEvalPlus({bench: flavour === 'mbpp' ? 'mbpp-plus' : 'humaneval-plus', task: 'plus', dataset: file, ...options});
}

const sandbox = await openSandbox({backend: 'bwrap'});
afterAll(() => sandbox.close());

/** Calibrates (records the ground truth), then judges `solution` with it, as a run does. */
async function judge(bench: Bench<EvalPlusProblem>, solution: string, on = bench.problems[0]!, box = sandbox): Promise<Verdict> {
  const calibration = await bench.judge(on, bench.reference(on), {sandbox: box, mode: 'strict'});
  expect(calibration.passed, calibration.result).toBe(true);
  return bench.judge(on, solution, {sandbox: box, mode: 'strict', calibration});
}

const mean = meanRow;
const fn = (body: string, name = 'mean', args = 'xs') => `def ${name}(${args}):\n${body}`;

describe('EvalPlus comparison rules', () => {
  it('float outputs: atol defaults to 1e-6 with rtol 1e-7, and a type change is no match', async () => {
    const bench = await benchOf([mean]);
    expect((await judge(bench, fn('    return sum(xs) / len(xs) + 5e-7\n'))).passed).toBe(true);
    const tooFar = await judge(bench, fn('    return sum(xs) / len(xs) + 5e-6\n'));
    expect(tooFar.passed).toBe(false);
    expect(tooFar.details?.base_status).toBe('fail');
    // 2e10 ± 500 is within rtol 1e-7 (2000), ± 5000 is not.
    expect((await judge(bench, fn('    m = sum(xs) / len(xs)\n    return m + 500 if m > 1e9 else m\n'))).passed).toBe(true);
    expect((await judge(bench, fn('    m = sum(xs) / len(xs)\n    return m + 5000 if m > 1e9 else m\n'))).details?.plus_status).toBe('fail');
    // 1.5 as a string never matches, 2 == 2.0 does (exact equality comes first).
    expect((await judge(bench, fn('    return str(sum(xs) / len(xs))\n'))).passed).toBe(false);
  });

  it('HumanEval/32: find_zero is judged by |poly(xs, x)| <= atol, not by equality', async () => {
    const bench = await benchOf([
      {
        task_id: 'HumanEval/32',
        prompt: 'import math\n\ndef find_zero(xs):\n    """A zero of the polynomial xs."""\n',
        entry_point: 'find_zero',
        canonical_solution: '    lo, hi = 0.5, 1.5\n    for _ in range(100):\n        mid = (lo + hi) / 2\n        if sum(c * mid ** i for i, c in enumerate(xs)) * sum(c * lo ** i for i, c in enumerate(xs)) > 0: lo = mid\n        else: hi = mid\n    return lo\n',
        base_input: [[[-6, 11, -6, 1]]],
        plus_input: [[[-6, 11, -6, 1]]],
        atol: 1e-4,
      },
    ]);
    // The reference finds 1.0; 3.0 is another root, 2.5 is none.
    expect((await judge(bench, fn('    return 3.0\n', 'find_zero'))).passed).toBe(true);
    expect((await judge(bench, fn('    return 2.5\n', 'find_zero'))).passed).toBe(false);
  });

  it('MBPP set-equality tasks compare set(out) == set(exp); other tasks keep order', async () => {
    const row = (id: string, entry: string): Row => ({
      task_id: id,
      prompt: '"""\nShared elements.\n"""\n',
      entry_point: entry,
      canonical_solution: `def ${entry}(a, b):\n    return tuple(sorted(set(a) & set(b)))\n`,
      base_input: [[[3, 4, 5, 6], [5, 7, 4, 10]]],
      plus_input: [[[1, 2, 3], [3, 2, 9]]],
    });
    const reversed = (entry: string) => `def ${entry}(a, b):\n    return tuple(sorted(set(a) & set(b), reverse=True))\n`;
    expect((await judge(await benchOf([row('Mbpp/2', 'similar_elements')]), reversed('similar_elements'))).passed).toBe(true);
    expect((await judge(await benchOf([row('Mbpp/9002', 'shared_sorted')]), reversed('shared_sorted'))).passed).toBe(false);
  });

  it('MBPP "not None" tasks: a re.Match is judged by `is not None`, the object never crosses', async () => {
    const bench = await benchOf([
      {
        task_id: 'Mbpp/787',
        prompt: '"""\nMatch an a followed by three b.\n"""\n',
        entry_point: 'text_match_three',
        canonical_solution: 'import re\ndef text_match_three(text):\n    return re.search(r"ab{3}?", text)\n',
        base_input: [['ac'], ['abbbba']],
        plus_input: [['xabbb'], ['']],
      },
    ]);
    expect((await judge(bench, 'import re\ndef text_match_three(text):\n    return re.search("abbb", text)\n')).passed).toBe(true);
    expect((await judge(bench, 'def text_match_three(text):\n    return "abbb" in text\n')).passed).toBe(true);
    const wrong = await judge(bench, 'import re\ndef text_match_three(text):\n    return re.search("a", text)\n');
    expect(wrong.passed).toBe(false);
    expect(wrong.result).toMatch(/^failed: base input #0 \['ac'\]: wrong output/);
  });

  it('a sample right on base and wrong on plus: base passes, plus fails, plus-correct needs both', async () => {
    const cheat = fn("    return {(1.0, 2.0): 1.5, (3.0,): 3.0}.get(tuple(xs), 0.0)\n");
    const plusVerdict = await judge(await benchOf([mean]), cheat);
    expect(plusVerdict.details).toMatchObject({base_status: 'pass', plus_status: 'fail', plus_fail: [0]});
    expect(plusVerdict.passed).toBe(false);
    expect(plusVerdict.result).toMatch(/^failed: plus input #0 \[\[10000000000, 30000000000\]\]: wrong output: got 0\.0, expected 20000000000\.0$/);
    const baseVerdict = await judge(await benchOf([mean], {task: 'base'}), cheat);
    expect(baseVerdict).toMatchObject({passed: true, details: {base_status: 'pass', plus_status: null}});
  });

  it('fail-fast stops at the first failing input; --test-details runs them all', async () => {
    const wrongEverywhere = fn('    return -1.0\n');
    const fast = await judge(await benchOf([mean]), wrongEverywhere);
    expect(fast.details).toMatchObject({base_fail: [0], plus_fail: [0]});
    const all = await judge(await benchOf([mean], {testDetails: true}), wrongEverywhere);
    expect(all.details).toMatchObject({base_fail: [0, 1], plus_fail: [0, 1]});
  });

  it('time limits are max(floor, factor × the reference time on that input)', async () => {
    const slow: Row = {
      task_id: 'HumanEval/901',
      prompt: 'import time\n\ndef nap(seconds):\n    """Sleeps, returns the seconds."""\n',
      entry_point: 'nap',
      canonical_solution: '    time.sleep(seconds)\n    return seconds\n',
      base_input: [[0.01]],
      plus_input: [[0.4]],
    };
    // Floor 0.2 s, factor 4: base limit 0.2 s, plus limit about 1.6 s.
    const bench = await benchOf([slow], {minTimeLimitS: 0.2, factor: 4});
    const nap = (body: string) => `import time\ndef nap(seconds):\n${body}`;
    expect((await judge(bench, nap('    time.sleep(seconds * 1.5)\n    return seconds\n'))).passed).toBe(true);
    const late = await judge(bench, nap('    time.sleep(seconds * 6 + 0.3)\n    return seconds\n'));
    expect(late.details).toMatchObject({base_status: 'timeout', plus_status: 'timeout'});
    expect(late.result).toMatch(/^timed out: base input #0/);
    const loop = await judge(bench, nap('    while True:\n        pass\n'));
    expect(loop.details).toMatchObject({base_status: 'timeout'});
  });

  it('a reference that raises on its own input makes the problem invalid, with the reason', async () => {
    const bench = await benchOf([{...mean, plus_input: [[[1.0]], [[]]]}]);
    const problem = bench.problems[0]!;
    const calibration = await bench.judge(problem, bench.reference(problem), {sandbox, mode: 'strict'});
    expect(calibration.passed).toBe(false);
    expect(calibration.errored).toBeUndefined();
    expect(calibration.result).toBe('failed: the reference fails its own input: plus input #1 [[]]: ZeroDivisionError: division by zero');
    // The other inputs still judge samples.
    const sample = await bench.judge(problem, fn('    return sum(xs) / len(xs)\n'), {sandbox, mode: 'strict', calibration});
    expect(sample.passed).toBe(true);
  });

  it('a large output is kept as a digest and still compared by value (1 == 1.0)', async () => {
    const bench = await benchOf([
      {
        task_id: 'HumanEval/902',
        prompt: 'def ramp(n):\n    """0..n-1, the even ones as floats."""\n',
        entry_point: 'ramp',
        // Not all floats: EvalPlus's atol stays 0, so plain equality is the rule.
        canonical_solution: '    return [i if i % 2 else float(i) for i in range(n)]\n',
        base_input: [[3]],
        plus_input: [[20000]],
      },
    ]);
    const problem = bench.problems[0]!;
    const calibration = await bench.judge(problem, bench.reference(problem), {sandbox, mode: 'strict'});
    expect(calibration.passed, calibration.result).toBe(true);
    const judgeIt = (code: string) => bench.judge(problem, code, {sandbox, mode: 'strict', calibration});
    expect((await judgeIt('def ramp(n):\n    return list(range(n))\n')).passed).toBe(true);
    const off = await judgeIt('def ramp(n):\n    return list(range(n)) if n < 100 else list(range(n - 1)) + [0]\n');
    expect(off.result).toMatch(/^failed: plus input #0 \[20000\]: wrong output: got .*expected <a large output with sha256/);
    expect((await judgeIt('def ramp(n):\n    return tuple(range(n))\n')).passed).toBe(false);
  });
});

const hosts = await usableDockerHosts();
if (hosts.length === 0) console.warn(`the Docker column of the EvalPlus forgery suite is skipped: ${noDockerReason()}`);
const docker = hosts.length > 0 ? await openSandbox({backend: 'docker', dockerHosts: hosts}) : undefined;
afterAll(() => docker?.close());

const closePair = (taskId: string): Row => ({
  task_id: taskId,
  prompt: 'def close_pair(numbers, threshold):\n    """True when two of the numbers are closer than threshold."""\n',
  entry_point: 'close_pair',
  canonical_solution: '    ordered = sorted(numbers)\n    return any(b - a < threshold for a, b in zip(ordered, ordered[1:]))\n',
  base_input: [[[1.0, 2.0, 3.9, 4.0], 0.3], [[1.0, 2.0, 3.0], 0.5]],
  plus_input: [[[], 1.0], [[5.0, 5.05], 0.1]],
});

describe.each([
  ['humaneval-plus', 'HumanEval/903'],
  ['mbpp-plus', 'Mbpp/9003'],
])('the Python forgery suite on %s fails in strict mode', (_bench, taskId) => {
  describe.each([
    ['bwrap', sandbox],
    ['docker', docker],
  ] as [string, Sandbox | undefined][])('on %s', (_backend, box) => {
    it.skipIf(!box).each(attacks)('%s → fails', async (_name, body) => {
      const bench = await benchOf([closePair(taskId)]);
      const verdict = await judge(bench, `def close_pair(numbers, threshold):\n${body}`, bench.problems[0], box);
      expect(verdict.passed, verdict.result).toBe(false);
      expect(verdict.errored).toBeUndefined();
      expect(verdict.result).not.toMatch(/^error/);
    });
  });
});
