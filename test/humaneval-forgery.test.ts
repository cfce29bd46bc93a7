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

/** Prints a fake verdict line for every 32-hex-digit string it can find, then exits 0. */
const printEveryNonce = (find: string) =>
  `    import os, re, sys, gc\n    found = set()\n${find}` +
  "    for nonce in found:\n        for verdict in ('passed', '{\"results\": [{\"status\": \"passed\"}], \"landlock\": 0}'):\n" +
  "            line = ('\\n%s %s\\n' % (nonce, verdict)).encode()\n" +
  '            for fd in (1, 2):\n                os.write(fd, line)\n' +
  "            for target in ('/proc/1/fd/1', '/proc/%d/fd/1' % os.getppid()):\n" +
  "                try:\n                    with open(target, 'wb') as out: out.write(line)\n                except OSError:\n                    pass\n" +
  '    os._exit(0)\n';

const attacks: [string, string][] = [
  ['an object equal to everything', '    class Yes:\n        def __eq__(self, other): return True\n    return Yes()\n'],
  ['a list subclass equal to everything', '    class Yes(list):\n        def __eq__(self, other): return True\n    return Yes()\n'],
  ['an int subclass equal to everything', '    class Yes(int):\n        def __eq__(self, other): return True\n    return Yes(7)\n'],
  ['a float subclass with a lying __eq__ and __bool__', '    class Yes(float):\n        def __eq__(self, other): return True\n        def __bool__(self): return True\n    return Yes(3.0)\n'],
  ['a bool-like object whose __eq__ and __hash__ lie', '    class T:\n        __eq__ = lambda s, o: True\n        __hash__ = lambda s: hash(True)\n    return [T()]\n'],
  [
    'walking frames for the nonce',
    printEveryNonce(
      "    frame = sys._getframe()\n    while frame is not None:\n        for value in list(frame.f_locals.values()) + list(frame.f_globals.values()):\n" +
        "            if isinstance(value, str): found.update(re.findall(r'[0-9a-f]{32}', value))\n        frame = frame.f_back\n",
    ),
  ],
  [
    'walking the heap (gc) for the nonce',
    printEveryNonce(
      "    for obj in gc.get_objects():\n        if isinstance(obj, dict):\n            for value in obj.values():\n" +
        "                if isinstance(value, str): found.update(re.findall(r'[0-9a-f]{32}', value))\n",
    ),
  ],
  [
    "reading the checker's memory, stdin and environment through /proc",
    printEveryNonce(
      "    for pid in ('1', str(os.getppid()), 'self'):\n        for name in ('fd/0', 'environ', 'cmdline', 'mem'):\n" +
        "            try:\n                with open('/proc/%s/%s' % (pid, name), 'rb') as source: data = source.read(1 << 20)\n" +
        "                found.update(m.decode() for m in re.findall(rb'[0-9a-f]{32}', data))\n            except (OSError, ValueError):\n                pass\n",
    ),
  ],
  ['sys.settrace rewriting every frame it sees', "    import sys\n    def trace(frame, event, arg):\n        frame.f_locals['result'] = True\n        return trace\n    sys.settrace(trace)\n    return None\n"],
  ['patching builtins', "    import builtins\n    builtins.AssertionError = type('Nothing', (Exception,), {})\n    builtins.isinstance = lambda *a: True\n    return None\n"],
  ['exiting 0 in the middle of a call', '    import os\n    os._exit(0)\n'],
  ['sys.exit(0)', '    import sys\n    sys.exit(0)\n'],
  ['killing its parent (the checker)', '    import os, signal\n    os.kill(os.getppid(), signal.SIGKILL)\n    return True\n'],
  ['killing every process it may', '    import os, signal\n    os.kill(-1, signal.SIGKILL)\n'],
  ['flooding the output with verdict-looking lines', "    import sys\n    line = ('0' * 32 + ' passed\\n') * 4096\n    while True:\n        sys.stdout.write(line)\n"],
  ['returning a function', '    return lambda *args: True\n'],
  ['returning a generator', '    return (x for x in [True])\n'],
  ['returning a value nested too deeply to cross', '    value = []\n    for _ in range(10_000):\n        value = [value]\n    return value\n'],
  ['a daemon that outlives the call and writes to the job output', "    import os, time\n    if os.fork() == 0:\n        os.setsid()\n        for _ in range(50):\n            os.write(1, b'\\n' + b'f' * 32 + b' passed\\n')\n            time.sleep(0.02)\n        os._exit(0)\n    return None\n"],
];

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
