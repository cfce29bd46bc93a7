/**
 * The strict checker's contract, in a real sandbox: every allowed type crosses both ways unchanged
 * (type and value), exceptions cross as their builtin type so tests that expect them still work,
 * each test of a many-test job gets its own outcome and budget, and a candidate that died is
 * replaced for the next test.
 */
import {afterAll, describe, expect, it} from 'vitest';
import {runChecker, type CheckerSpec} from '../src/bench/humaneval/checker.js';
import {openSandbox} from '../src/execute/index.js';

const sandbox = await openSandbox({backend: 'bwrap'});
afterAll(() => sandbox.close());

const echo: Omit<CheckerSpec, 'tests'> = {
  program: 'def echo(x, *rest, **named):\n    return x\n',
  entry: 'echo',
  prelude: 'def echo(x, *rest, **named):\n    """Returns x."""\n',
  testTimeoutMs: 3_000,
};

async function results(spec: CheckerSpec) {
  const outcome = await runChecker(sandbox, spec);
  expect(outcome.kind, JSON.stringify(outcome)).toBe('results');
  return outcome.kind === 'results' ? outcome.results : [];
}

describe('the plain-data codec', () => {
  it('round-trips every allowed type, nested, with its exact type', async () => {
    const values = [
      'None', 'True', 'False', '0', '-7', '2 ** 200', '-(10 ** 5000)', '1.5', '-0.0', "float('inf')", "float('-inf')",
      '1e-300', '3+4j', "complex(float('inf'), -0.0)", "''", "'ünïcödé \\x00 \\ud800'", "b'\\x00\\xff'", '[]', '[1, [2, [3]]]',
      '()', '(1,)', "((1, 'a'), [None])", '{}', "{'a': 1, (1, 2): [3], 4: {5: 6}}", '{1, 2, 3}', "frozenset({'x', (1, 2)})",
      'set()', "__import__('collections').Counter('abracadabra')",
    ];
    const tests = values.map((value) => `v = ${value}\nr = echo(v)\nassert type(r) is type(v), (type(r), type(v))\n# Ints by value: repr of a 5000-digit int is refused by Python itself.\nassert r == v if type(v) is int else repr(r) == repr(v)\n`);
    expect(await results({...echo, tests})).toEqual(values.map(() => ({status: 'passed'})));
  });

  it('compares NaN as upstream does: a returned NaN is a float that equals nothing', async () => {
    const [result] = await results({...echo, tests: ["import math\nr = echo(float('nan'))\nassert type(r) is float and math.isnan(r) and r != r\n"]});
    expect(result).toEqual({status: 'passed'});
  });

  it('passes keyword arguments and the rest of the positional ones', async () => {
    const spec = {...echo, program: 'def echo(x, *rest, **named):\n    return [x, list(rest), named]\n'};
    expect(await results({...spec, tests: ["assert echo(1, 2, 3, k=(4,)) == [1, [2, 3], {'k': (4,)}]\n"]})).toEqual([{status: 'passed'}]);
  });
});

describe('the candidate process', () => {
  it('starts with its own random seed, as a fresh interpreter does (the checker starts warm, from the runner’s modules)', async () => {
    const spec = {...echo, program: 'import random\n\ndef echo(x):\n    return random.random()\n'};
    // The draw comes back as the failing test's message.
    const draws = await Promise.all([1, 2, 3].map(() => results({...spec, tests: ['assert False, repr(echo(0))\n']})));
    const values = draws.map(([result]) => result?.error ?? '');
    for (const value of values) expect(value).toMatch(/^AssertionError: 0\.\d+$/);
    expect(new Set(values).size).toBe(3);
  });
});

describe('exceptions, tests and budgets', () => {
  const picky: Omit<CheckerSpec, 'tests'> = {
    program:
      'import time\n\ndef picky(n):\n    if n < 0:\n        raise ValueError("negative")\n    if n == 0:\n        raise ZeroDivisionError("zero")\n' +
      '    if n == 99:\n        time.sleep(60)\n    if n == 98:\n        import os\n        os._exit(3)\n    return n * 2\n',
    entry: 'picky',
    prelude: 'def picky(n):\n    """Doubles n."""\n',
    testTimeoutMs: 1_000,
  };

  it('re-raises the candidate’s exception as its builtin type, so a test expecting it passes', async () => {
    const tests = ['try:\n    picky(-1)\n    assert False\nexcept ValueError as error:\n    assert str(error) == "negative"\n', 'picky(0)\n'];
    expect(await results({...picky, tests})).toEqual([{status: 'passed'}, {status: 'failed', error: 'ZeroDivisionError: zero'}]);
  });

  it('gives every test its own outcome; a hung or dead candidate is replaced for the next test', async () => {
    const tests = ['assert picky(2) == 4\n', 'picky(99)\n', 'assert picky(3) == 6\n', 'picky(98)\n', 'assert picky(4) == 8\n', 'assert picky(5) == 11\n'];
    expect(await results({...picky, tests})).toEqual([
      {status: 'passed'},
      {status: 'timed out'},
      {status: 'passed'},
      {status: 'failed', error: 'CandidateExited: the candidate process ended during the call'},
      {status: 'passed'},
      {status: 'failed', error: 'AssertionError'},
    ]);
  });

  it('stops at the first test that does not pass with failFast', async () => {
    expect(await results({...picky, failFast: true, tests: ['picky(0)\n', 'assert picky(2) == 4\n']})).toEqual([{status: 'failed', error: 'ZeroDivisionError: zero'}]);
  });

  it('holds a single call to callTimeoutMs within a larger test budget', async () => {
    const started = performance.now();
    expect(await results({...picky, testTimeoutMs: 10_000, callTimeoutMs: 500, tests: ['picky(99)\n']})).toEqual([{status: 'timed out'}]);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('reports a test the checker cannot run as an error, not as the sample’s failure', async () => {
    expect(await results({...picky, tests: ['picky(lambda: 1)\n']})).toEqual([
      {status: 'error', error: expect.stringMatching(/^an argument cannot be sent to the candidate: a builtins\.function/) as unknown as string},
    ]);
  });
});
