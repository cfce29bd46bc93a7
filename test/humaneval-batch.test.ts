/**
 * Several programs in one strict checker job (checker.py --programs N): each must get exactly the
 * verdict it gets alone, whatever the programs before it did. The forgery suite and its controls
 * are judged in one batch and one by one; programs that leave files, processes, IPC objects or a
 * tampered sibling behind are followed by programs that look for them; a flood that kills the
 * whole job sends every program to be judged alone.
 */
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import type {Verdict} from '../src/bench/bench.js';
import {runCheckerBatch} from '../src/bench/humaneval/checker.js';
import {loadHumanEval, type HumanEvalProblem} from '../src/bench/humaneval/index.js';
import {openSandbox, type Sandbox} from '../src/execute/index.js';
import {noDockerReason, usableDockerHosts} from './helpers/docker.js';
import {attacks} from './helpers/python-forgeries.js';

const problem: HumanEvalProblem = {
  id: 'batch/close-pair',
  prompt:
    'from typing import List\n\n\ndef close_pair(numbers: List[float], threshold: float) -> bool:\n' +
    '    """True when two of the numbers are closer to each other than threshold."""\n',
  entryPoint: 'close_pair',
  canonicalSolution: '    ordered = sorted(numbers)\n    return any(b - a < threshold for a, b in zip(ordered, ordered[1:]))\n',
  test:
    'def check(candidate):\n' +
    '    assert candidate([1.0, 2.0, 3.9, 4.0], 0.3) == True\n' +
    '    assert candidate([1.0, 2.0, 3.0], 0.5) == False\n' +
    '    assert candidate([], 1.0) == False\n',
};
const right = problem.canonicalSolution;
const wrong = '    return False\n';

/**
 * Right, unless something of an earlier program is still there: then it says what, and fails. The
 * candidate sees no /proc (Landlock), so a surviving process shows itself by what it keeps doing.
 */
const lookForLeftovers =
  '    import os, glob, time, ctypes\n' +
  '    time.sleep(0.1)\n' +
  "    seen = [p for d in ('/tmp', '/dev/shm', '/work') for p in glob.glob(d + '/*') if not p.endswith('checker.py')]\n" +
  "    if ctypes.CDLL(None).shmget(0x5e5e, 0, 0) >= 0:\n        seen.append('a SysV shared-memory segment')\n" +
  "    if seen:\n        raise RuntimeError('left behind: %r' % seen)\n" +
  right;

/** Leaves files in every scratch directory, a detached process that keeps writing one, and a SysV shared-memory segment. */
const leaveThingsBehind =
  '    import os, ctypes, subprocess\n' +
  "    for d in ('/tmp', '/dev/shm', '/work'):\n        open(d + '/left-behind', 'w').write('x')\n" +
  "    subprocess.Popen(['sh', '-c', 'while :; do : > /tmp/still-running; sleep 0.01; done'], start_new_session=True)\n" +
  "    ctypes.CDLL(None).shmget(0x5e5e, 4096, 0o1666)\n" +
  right;

/**
 * Takes all CPU time from the candidates waiting for their programs (forked after this
 * one's, so higher pids; no /proc to list them under Landlock) and gives them the lowest priority.
 */
const tamperWithSiblings =
  '    import os, resource\n' +
  '    for pid in range(os.getpid() + 1, os.getpid() + 64):\n' +
  "        for action in (lambda: resource.prlimit(pid, resource.RLIMIT_CPU, (0, 0)),\n" +
  "                       lambda: os.sched_setscheduler(pid, os.SCHED_IDLE, os.sched_param(0)),\n" +
  "                       lambda: os.setpriority(os.PRIO_PROCESS, pid, 19)):\n" +
  '            try:\n                action()\n            except OSError:\n                pass\n' +
  wrong;

const hosts = await usableDockerHosts();
if (hosts.length === 0) console.warn(`the Docker column of the batch tests is skipped: ${noDockerReason()}`);
const backends: [string, Sandbox | undefined][] = [
  ['bwrap', await openSandbox({backend: 'bwrap'})],
  ['docker', hosts.length > 0 ? await openSandbox({backend: 'docker', dockerHosts: hosts}) : undefined],
];
afterAll(() => Promise.all(backends.map(([, sandbox]) => sandbox?.close())));

const bench = await loadHumanEval({dataset: path.join(import.meta.dirname, '..', 'datasets', 'python-mini', 'problems.jsonl')});
const summary = (verdict: Verdict) => ({passed: verdict.passed, errored: verdict.errored ?? false, result: verdict.result});

describe.each(backends)('strict checker batches on %s', (_backend, sandbox) => {
  const many = (codes: string[], on: HumanEvalProblem[] = codes.map(() => problem)) =>
    bench.judgeMany!(codes.map((code, index) => ({problem: on[index]!, code})), {sandbox: sandbox!, mode: 'strict'});

  it.skipIf(!sandbox)('the forgery suite and its controls: every verdict in a batch is the verdict alone', async () => {
    const codes = [right, ...attacks.filter(([name]) => !name.startsWith('flooding')).map(([, code]) => code), wrong, right];
    const alone: Verdict[] = [];
    for (const code of codes) alone.push(await bench.judge(problem, code, {sandbox: sandbox!, mode: 'strict'}));
    const together = await many(codes);
    expect(together.map(summary)).toEqual(alone.map(summary));
    expect(together.filter((verdict) => verdict.passed)).toHaveLength(2);
  });

  it.skipIf(!sandbox)('programs of different problems, each with its own tests and its own share of the log', async () => {
    const others = bench.problems.slice(0, 3);
    const codes = [...others.map((p) => `    print('log of ${p.id}')\n${p.canonicalSolution}`), `    print('log of the wrong one')\n${wrong}`];
    const verdicts = await many(codes, [...others, problem]);
    expect(verdicts.map((verdict) => verdict.passed)).toEqual([true, true, true, false]);
    others.forEach((p, index) => {
      const log = String(verdicts[index]!.details?.stderrTail);
      expect(log).toContain(`log of ${p.id}`);
      expect(log).not.toContain('log of the wrong one');
    });
  });

  it.skipIf(!sandbox)('nothing of a program is left for the next: files, processes, shared memory', async () => {
    // The detector has teeth: run after the leftovers within one program, it sees them.
    const both = `${leaveThingsBehind.replace(right, '')}${lookForLeftovers}`;
    const [selfSeen] = await many([both]);
    expect(selfSeen!.result).toMatch(/RuntimeError: left behind/);
    const verdicts = await many([leaveThingsBehind, lookForLeftovers, leaveThingsBehind, lookForLeftovers]);
    expect(verdicts.map(summary)).toEqual(Array(4).fill({passed: true, errored: false, result: 'passed'}));
  });

  it.skipIf(!sandbox)('a program that lowers the waiting candidates\' limits and priority changes no later verdict', async () => {
    const verdicts = await many([tamperWithSiblings, right, wrong, right, right]);
    expect(verdicts.map((verdict) => verdict.passed)).toEqual([false, true, false, true, true]);
    expect(verdicts.some((verdict) => verdict.errored)).toBe(false);
  });

  it.skipIf(!sandbox)('a flood that kills the whole job: every program is judged again alone', async () => {
    const flood = attacks.find(([name]) => name.startsWith('flooding'))![1];
    const verdicts = await many([right, flood, wrong, right]);
    expect(verdicts.map((verdict) => verdict.passed)).toEqual([true, false, false, true]);
    expect(verdicts[1]!.result).toMatch(/OutputLimitExceeded/);
  });
});

it('an unconfined sandbox judges a batch one program at a time', async () => {
  const sandbox = await openSandbox({backend: 'unsafe'});
  try {
    expect(sandbox.confined).toBeFalsy();
    const spec = {program: `${problem.prompt}${right}`, entry: problem.entryPoint, prelude: problem.prompt, tests: [`${problem.test}\ncheck(close_pair)\n`], testTimeoutMs: 3000};
    const outcomes = await runCheckerBatch(sandbox, [spec, {...spec, program: `${problem.prompt}${wrong}`}]);
    expect(outcomes.map((o) => (o.kind === 'results' ? o.results[0]!.status : o.kind))).toEqual(['passed', 'failed']);
  } finally {
    await sandbox.close();
  }
});
