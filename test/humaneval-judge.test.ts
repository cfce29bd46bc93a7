/**
 * Verdicts from real sandboxed runs: the upstream fixtures, all canonical solutions, and samples
 * that try to pass by the exit status instead of by check() returning.
 */
import {readFileSync} from 'node:fs';
import path from 'node:path';
import pLimit from 'p-limit';
import {afterAll, describe, expect, it} from 'vitest';
import type {Bench, Verdict} from '../src/bench/bench.js';
import {loadHumanEval, type HumanEvalProblem} from '../src/bench/humaneval/index.js';
import {openSandbox, type Sandbox} from '../src/execute/index.js';
import {passAtK} from '../src/score/passk.js';
import {projectRoot, sharedDataset} from './helpers/datasets.js';
import {sweep, sweepLabel} from './helpers/sweep.js';

// No catch: a sandbox that fails to open must fail the suite, not turn its tests into skips.
const sandbox: Sandbox | undefined = await openSandbox();
afterAll(() => sandbox?.close());

/** Two cores: two programs at a time. */
const limit = pLimit(2);

function judgeAll(bench: Bench<HumanEvalProblem>, items: {problem: HumanEvalProblem; code: string}[]): Promise<Verdict[]> {
  return Promise.all(items.map(({problem, code}) => limit(() => bench.judge(problem, code, {sandbox: sandbox!, mode: 'strict'}))));
}

function readJsonl<T>(file: string): T[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as T);
}

const shared = sharedDataset('humaneval');
const upstream = shared && path.join(shared, 'human-eval');

describe.skipIf(!sandbox)('HumanEval judge in the sandbox', () => {
  describe.skipIf(!upstream)('upstream fixtures', () => {
    it('example_samples.jsonl: 3 passed, 1 timed out, 2 failed → pass@1 = 0.5', async () => {
      const bench = await loadHumanEval({dataset: path.join(upstream!, 'example_problem.jsonl')});
      const problem = bench.problems[0]!;
      const samples = readJsonl<{completion: string}>(path.join(upstream!, 'example_samples.jsonl'));
      const verdicts = await judgeAll(bench, samples.map((sample) => ({problem, code: sample.completion})));
      const results = verdicts.map((verdict) => verdict.result);
      expect(results[0]).toMatch(/^failed: FileNotFoundError: /); // subprocess: no shell, and no network or host anyway
      expect(results[1]).toBe('timed out'); // time.sleep(10)
      expect(verdicts[1]!.durationMs).toBeLessThan(4_000);
      expect(results[2]).toBe('failed: EOFError: EOF when reading a line'); // input()
      expect(results.slice(3)).toEqual(['passed', 'passed', 'passed']); // 4 spaces, 2 spaces, a tab
      const passed = verdicts.filter((verdict) => verdict.passed).length;
      expect(passAtK(samples.length, passed, 1)).toBeCloseTo(0.5, 12);
    });

    it(`all 164 canonical solutions pass as completions, and as chat answers (${sweepLabel(164, 40)})`, async () => {
      const bench = await loadHumanEval({dataset: path.join(upstream!, 'HumanEval.jsonl.gz')});
      expect(bench.problems).toHaveLength(164);
      const asCompletion = bench.problems.map((problem) => ({problem, code: bench.reference(problem)}));
      // A chat model restating the whole function: extraction must yield a program that still runs the prompt's helpers.
      const asChat = sweep(bench.problems, 40).map((problem) => ({
        problem,
        code: bench.extract(problem, `Sure:\n\`\`\`python\n${problem.prompt}${problem.canonicalSolution}\n\`\`\`\n`, 'chat').code,
      }));
      const verdicts = await judgeAll(bench, [...asCompletion, ...asChat]);
      const failures = verdicts.flatMap((verdict, index) => (verdict.passed ? [] : [`${index}: ${verdict.result}`]));
      expect(failures).toEqual([]);
    }, 600_000);
  });

  describe('verdicts come from check() returning, never from the exit status', () => {
    const problem: HumanEvalProblem = {
      id: 'forgery/0',
      prompt: 'def add(a, b):\n    """Return a + b."""\n',
      entryPoint: 'add',
      canonicalSolution: '    return a + b\n',
      test: 'def check(candidate):\n    assert candidate(2, 3) == 5\n    assert candidate(-1, 1) == 0\n',
    };
    const wrong = '    return a - b\n';
    const benchWith = async (timeoutMs: number) => {
      const bench = await loadHumanEval({dataset: path.join(projectRoot, 'datasets', 'python-mini', 'problems.jsonl'), timeoutMs});
      return (code: string) => bench.judge(problem, code, {sandbox: sandbox!, mode: 'strict'});
    };

    it.each([
      ['sys.exit(0)', '    import sys\n    sys.exit(0)\n', /^failed: SystemExit: 0$/],
      ['raise SystemExit at module level', `${wrong}\nraise SystemExit(0)\n`, /^failed: SystemExit: 0$/],
      ['os._exit(0)', '    import os\n    os._exit(0)\n', /^failed: CandidateExited: /],
      ['atexit hook exiting 0 after a failed assert', `    import atexit, os\n    atexit.register(os._exit, 0)\n${wrong}`, /^failed: AssertionError$/],
      ['printing a fake verdict, then exiting 0', "    import os\n    print('passed')\n    print('0' * 32 + ' passed', flush=True)\n    os._exit(0)\n", /^failed: CandidateExited: /],
      [
        'patching os.write to rewrite the verdict',
        `    import os\n    real = os.write\n    os.write = lambda fd, data: real(fd, data.replace(b'failed: AssertionError', b'passed'))\n${wrong}`,
        /^failed: AssertionError$/,
      ],
      ['shadowing builtins the driver uses', `    import builtins\n    builtins.BaseException = KeyError\n    builtins.str = lambda error: 'passed'\n${wrong}`, /^failed: (AssertionError|CandidateExited: .*)$/],
      ['reading stdin for the nonce', '    import sys\n    return len(sys.stdin.read()) + 5\n', /^failed: AssertionError$/],
      ['a syntax error', '    return a +\n', /^failed: SyntaxError: /],
      ['KeyboardInterrupt', '    raise KeyboardInterrupt\n', /^failed: KeyboardInterrupt$/],
    ])('%s → failed', async (_name, code, result) => {
      const judge = await benchWith(3_000);
      const verdict = await judge(code);
      expect(verdict.passed).toBe(false);
      expect(verdict.errored).toBeUndefined();
      expect(verdict.result).toMatch(result);
    });

    it('a failure carries the test traceback in details.stderrTail, and the sample’s own for its exceptions', async () => {
      const verdict = await (await benchWith(3_000))(wrong);
      expect(verdict.details?.stderrTail).toMatch(/File "test\.py", line \d+, in check\nAssertionError/);
      const raised = await (await benchWith(3_000))('    return [][a]\n');
      expect(raised.result).toBe('failed: IndexError: list index out of range');
      expect(raised.details?.stderrTail).toMatch(/File "program\.py", line 3, in add\n\s+return \[\]\[a\]/);
    });

    it.each([
      ['the right answer', '    return a + b\n'],
      ['a right answer that closes file descriptor 1', '    import os\n    try:\n        os.close(1)\n    except OSError:\n        pass\n    return a + b\n'],
      ['a right answer that leaves a thread running forever', '    import threading, time\n    threading.Thread(target=time.sleep, args=(60,)).start()\n    return a + b\n'],
      ['a right answer with a main block at top level', '    return a + b\n\nif __name__ == "__main__":\n    print(add(1, 2))\n'],
    ])('%s → passed', async (_name, code) => {
      const verdict = await (await benchWith(3_000))(code);
      expect(verdict.result).toBe('passed');
      expect(verdict.durationMs).toBeLessThan(2_000);
    });

    it.each([
      ['a Python loop', '    while True:\n        pass\n'],
      ['a C-level loop that ignores signals', '    return sum(range(10 ** 12))\n'],
    ])('%s → timed out at the configured limit', async (_name, code) => {
      const verdict = await (await benchWith(1_000))(code);
      expect(verdict.result).toBe('timed out');
      expect(verdict.passed).toBe(false);
      expect(verdict.durationMs).toBeGreaterThanOrEqual(1_000);
      expect(verdict.durationMs).toBeLessThan(2_500);
    });
  });

  describe('python-mini (our own suite)', () => {
    const dataset = path.join(projectRoot, 'datasets', 'python-mini', 'problems.jsonl');

    it('every canonical solution passes', async () => {
      const bench = await loadHumanEval({dataset});
      const verdicts = await judgeAll(bench, bench.problems.map((problem) => ({problem, code: bench.reference(problem)})));
      expect(verdicts.map((verdict, index) => `${bench.problems[index]!.id}: ${verdict.result}`)).toEqual(bench.problems.map((problem) => `${problem.id}: passed`));
    });

    it('the demo samples give a realistic mix of verdicts', async () => {
      const bench = await loadHumanEval({dataset});
      const byId = new Map(bench.problems.map((problem) => [problem.id, problem]));
      const samples = readJsonl<{task_id: string; completion: string}>(path.join(projectRoot, 'datasets', 'demo', 'python-samples.jsonl'));
      const verdicts = await judgeAll(bench, samples.map((sample) => ({problem: byId.get(sample.task_id)!, code: sample.completion})));
      const kinds = verdicts.map((verdict) => verdict.result.replace(/^failed: (\w+).*$/, '$1'));
      const count = (kind: string) => kinds.filter((each) => each === kind).length;
      expect(count('passed')).toBe(18);
      expect(count('timed out')).toBe(1);
      expect(count('SystemExit')).toBe(1);
      expect(count('CandidateExited')).toBe(1);
      expect(count('SyntaxError')).toBe(1);
      expect(count('IndentationError')).toBe(1);
      expect(count('AssertionError')).toBeGreaterThan(10);
      expect(verdicts.some((verdict) => verdict.errored)).toBe(false);
      // At least one problem no sample solves, so pass@k stays below 1 for every k.
      const solved = new Map<string, number>();
      samples.forEach((sample, index) => solved.set(sample.task_id, (solved.get(sample.task_id) ?? 0) + (verdicts[index]!.passed ? 1 : 0)));
      expect([...solved.values()]).toContain(0);
    });
  });
});
