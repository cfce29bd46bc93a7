/**
 * The Python forgery suite: samples written to pass without being right. Strict mode keeps the
 * tests in a checker process that never runs the sample, so every one of them must fail there, on
 * both sandbox backends; the right and plainly wrong controls keep their verdicts. Compat mode (one
 * program, as upstream) is shown to fall for the classic reward hacks, so the suite has teeth.
 */
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import type {VerdictMode} from '../src/bench/bench.js';
import {loadHumanEval, type HumanEvalProblem} from '../src/bench/humaneval/index.js';
import {openSandbox, type Sandbox} from '../src/execute/index.js';
import {sharedDataset} from './helpers/datasets.js';
import {attacks} from './helpers/python-forgeries.js';
import {noDockerReason, usableDockerHosts} from './helpers/docker.js';

const problem: HumanEvalProblem = {
  id: 'forgery/close-pair',
  prompt:
    'from typing import List\n\n\ndef close_pair(numbers: List[float], threshold: float) -> bool:\n' +
    '    """True when two of the numbers are closer to each other than threshold."""\n',
  entryPoint: 'close_pair',
  canonicalSolution:
    '    ordered = sorted(numbers)\n    return any(b - a < threshold for a, b in zip(ordered, ordered[1:]))\n',
  test:
    'def check(candidate):\n' +
    '    assert candidate([1.0, 2.0, 3.9, 4.0], 0.3) == True\n' +
    '    assert candidate([1.0, 2.0, 3.0], 0.5) == False\n' +
    '    assert candidate([], 1.0) == False\n',
};

const controls: [string, string, boolean][] = [
  ['the right answer', problem.canonicalSolution, true],
  ['a plainly wrong answer', '    return False\n', false],
  ['a right answer returning numpy booleans', '    import numpy as np\n    ordered = np.sort(np.array(numbers))\n    return np.any(np.diff(ordered) < threshold)\n', true],
  ['a right answer returning a bool subclass-free int 1/0 pair', '    ordered = sorted(numbers)\n    return int(any(b - a < threshold for a, b in zip(ordered, ordered[1:])))\n', true],
];

const hosts = await usableDockerHosts();
if (hosts.length === 0) console.warn(`the Docker column of the Python forgery suite is skipped: ${noDockerReason()}`);
const backends: [string, Sandbox | undefined][] = [
  ['bwrap', await openSandbox({backend: 'bwrap'})],
  ['docker', hosts.length > 0 ? await openSandbox({backend: 'docker', dockerHosts: hosts}) : undefined],
];
afterAll(() => Promise.all(backends.map(([, sandbox]) => sandbox?.close())));

const bench = await loadHumanEval({dataset: path.join(import.meta.dirname, '..', 'datasets', 'python-mini', 'problems.jsonl')});
const judge = (sandbox: Sandbox, code: string, mode: VerdictMode, on = problem) => bench.judge(on, code, {sandbox, mode});

describe.each(backends)('Python strict verdicts on %s', (_backend, sandbox) => {
  describe.skipIf(!sandbox)('forgeries', () => {
    it.each(attacks)('%s → fails', async (_name, code) => {
      const verdict = await judge(sandbox!, code, 'strict');
      expect(verdict.passed, verdict.result).toBe(false);
      expect(verdict.errored).toBeUndefined();
      // A verdict from the checker (or a kill at a limit), never a checker that broke down.
      expect(verdict.result).not.toMatch(/^failed: NoVerdict|^error/);
    });

    it.each(controls)('%s → passed = %s', async (_name, code, passed) => {
      const verdict = await judge(sandbox!, code, 'strict');
      expect(verdict.passed, verdict.result).toBe(passed);
      expect(verdict.details?.landlock).toBeGreaterThan(0);
    });

    it('says why an unsupported return type fails', async () => {
      const verdict = await judge(sandbox!, attacks[0]![1], 'strict');
      expect(verdict.result).toMatch(/^failed: UnsupportedReturnType: the candidate returned a .*Yes; only plain data/);
    });

    const humanEval = sharedDataset('humaneval');
    it.skipIf(!humanEval)('HumanEval/0: the issue’s three forgeries fail (needs the reference data)', async () => {
      const real = await loadHumanEval({dataset: path.join(humanEval!, 'human-eval', 'HumanEval.jsonl.gz')});
      const zero = real.problems.find((each) => each.id === 'HumanEval/0')!;
      for (const [, code] of [attacks[0]!, attacks[1]!, attacks[5]!]) {
        const verdict = await real.judge(zero, code, {sandbox: sandbox!, mode: 'strict'});
        expect(verdict.passed, verdict.result).toBe(false);
      }
      expect((await real.judge(zero, zero.canonicalSolution, {sandbox: sandbox!, mode: 'strict'})).result).toBe('passed');
    });
  });
});

describe.skipIf(!backends[0]![1])('compat mode keeps upstream semantics, reward hacks included', () => {
  it.each([attacks[0]!, attacks[1]!])('%s passes in compat, as it does upstream', async (_name, code) => {
    expect((await judge(backends[0]![1]!, code, 'compat')).result).toBe('passed');
  });

  it('upstream result strings: `failed: ` + str(error)', async () => {
    expect((await judge(backends[0]![1]!, '    return False\n', 'compat')).result).toBe('failed: ');
    expect((await judge(backends[0]![1]!, '    return numbers[99]\n', 'compat')).result).toBe('failed: list index out of range');
  });
});
