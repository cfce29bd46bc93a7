/**
 * A job shares its uid with passk's runner (PID 1 of the sandbox), its zygote and, in strict
 * Python, the checker. Without a seccomp filter it may re-limit, renice or re-schedule them
 * (prlimit, setpriority, sched_*): the runner then breaks mid-job, the sample's verdict becomes an
 * infrastructure error and leaves pass@k's n, so a wrong sample raised pass@k. Each attack here
 * must be refused (EPERM, printed by the sample), end as a plain verdict, and leave the sandbox
 * working for the next job; the job must still be able to do all of this to itself.
 * On bubblewrap always, on Docker when an engine with this passk's image answers.
 */
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {loadHumanEval} from '../src/bench/humaneval/index.js';
import {defaultLimits, openSandbox, type JobResult, type Limits, type Sandbox} from '../src/execute/index.js';
import {noDockerReason, usableDockerHosts} from './helpers/docker.js';

const limits: Limits = {...defaultLimits, timeoutMs: 10_000, maxOutputBytes: 1024 ** 2};

const [host] = await usableDockerHosts();
if (!host) console.warn(`the Docker column of the tamper tests is skipped: ${noDockerReason()}`);
// One warm sandbox each, so the job after an attack runs where the attack ran.
const backends: [string, Sandbox | undefined][] = [
  ['bwrap', await openSandbox({backend: 'bwrap', poolSize: 1})],
  ['docker', host ? await openSandbox({backend: 'docker', dockerHosts: [host], poolSize: 1}) : undefined],
];
afterAll(() => Promise.all(backends.map(([, sandbox]) => sandbox?.close())));

/** Python that tries `action` under `label` and prints the outcome: `done`, or the errno's name. */
const attempt = String.raw`
import ctypes, errno, os, platform, resource
def attempt(label, action):
    try:
        action()
        print(label, 'done')
    except OSError as error:
        print(label, errno.errorcode.get(error.errno, error.errno))
libc = ctypes.CDLL(None, use_errno=True)
IOPRIO_SET = {'x86_64': 251, 'aarch64': 30}[platform.machine()]
def ioprio_set(which, who):
    # Class idle (3) at level 7: what an attacker would give the runner.
    if libc.syscall(IOPRIO_SET, which, who, (3 << 13) | 7) != 0:
        raise OSError(ctypes.get_errno(), 'ioprio_set')
def zygote():
    return next(int(pid) for pid in os.listdir('/proc') if pid.isdigit() and b'--zygote' in open(f'/proc/{pid}/cmdline', 'rb').read())
`;

/** Every way in to another process of the uid, against `target` (a Python expression for its pid). */
const tamperWith = (target: string) =>
  attempt +
  String.raw`
pid = ${target}
attempt('nofile', lambda: resource.prlimit(pid, resource.RLIMIT_NOFILE, (3, 3)))
attempt('as', lambda: resource.prlimit(pid, resource.RLIMIT_AS, (1 << 20, 1 << 20)))
attempt('nproc', lambda: resource.prlimit(pid, resource.RLIMIT_NPROC, (1, 1)))
attempt('cpu', lambda: resource.prlimit(pid, resource.RLIMIT_CPU, (1, 1)))
attempt('renice', lambda: os.setpriority(os.PRIO_PROCESS, pid, 19))
attempt('affinity', lambda: os.sched_setaffinity(pid, {min(os.sched_getaffinity(0))}))
attempt('sched_idle', lambda: os.sched_setscheduler(pid, os.SCHED_IDLE, os.sched_param(0)))
attempt('sched_param', lambda: os.sched_setparam(pid, os.sched_param(0)))
attempt('ioprio', lambda: ioprio_set(1, pid))
# Reading stays allowed.
print('reads', resource.prlimit(pid, resource.RLIMIT_NOFILE)[0] > 3, os.getpriority(os.PRIO_PROCESS, pid), os.sched_getscheduler(pid))
`;

const refused = (labels: string[]) => labels.map((label) => `${label} EPERM`);
const everyAttack = refused(['nofile', 'as', 'nproc', 'cpu', 'renice', 'affinity', 'sched_idle', 'sched_param', 'ioprio']);

/** Renicing or re-prioritising every process of the uid at once (PRIO_USER / IOPRIO_WHO_USER with who = 0: "my own uid"). */
const tamperWithUid =
  attempt +
  String.raw`
attempt('renice_user', lambda: os.setpriority(os.PRIO_USER, 0, 19))
attempt('ioprio_user', lambda: ioprio_set(3, 0))
`;

/** What ordinary programs (numpy, build tools) do to themselves, which must keep working. */
const selfTuning =
  attempt +
  String.raw`
cpu = min(os.sched_getaffinity(0))
attempt('setrlimit', lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64)))
attempt('prlimit_self', lambda: resource.prlimit(0, resource.RLIMIT_AS, (1 << 30, 1 << 30)))
attempt('nice', lambda: os.nice(1))
attempt('renice_self', lambda: os.setpriority(os.PRIO_PROCESS, 0, 3))
attempt('renice_group', lambda: os.setpriority(os.PRIO_PGRP, 0, 4))
attempt('affinity_self', lambda: os.sched_setaffinity(0, {cpu}))
attempt('sched_batch_self', lambda: os.sched_setscheduler(0, os.SCHED_BATCH, os.sched_param(0)))
attempt('ioprio_self', lambda: ioprio_set(1, 0))
print('now', resource.getrlimit(resource.RLIMIT_NOFILE), os.getpriority(os.PRIO_PROCESS, 0), os.sched_getaffinity(0) == {cpu}, os.sched_getscheduler(0) == os.SCHED_BATCH)
`;

function python(source: string, argv = ['python3', '-I', 'main.py']) {
  return {files: {'main.py': source}, steps: [{argv}], limits};
}

/** The one step of a job that ran as a plain job: no infrastructure error. */
function only(result: JobResult) {
  expect(result.error).toBeUndefined();
  expect(result.steps).toHaveLength(1);
  return result.steps[0]!;
}

/** The runner and its zygote answer the next job as before, unlimited and at normal priority. */
async function stillWorks(sandbox: Sandbox) {
  const step = only(await sandbox.run(python('import os, resource\nprint(os.getpriority(os.PRIO_PROCESS, 0), resource.getrlimit(resource.RLIMIT_NOFILE)[0] > 3, len(os.listdir("/proc")) > 0)')));
  expect(step.stdout).toBe('0 True True\n');
}

const bench = await loadHumanEval({dataset: path.join(import.meta.dirname, '..', 'datasets', 'python-mini', 'problems.jsonl')});
const problem = bench.problems.find((each) => each.id === 'PythonMini/0')!;
const wrong = '    return []\n';

describe.each(backends)('a job tampering with the sandbox on %s', (_backend, sandbox) => {
  describe.skipIf(!sandbox)('is refused and harms nothing', () => {
    it.each([
      ['the runner (PID 1)', '1', ['python3', '-I', 'main.py']],
      ['the zygote', 'zygote()', ['python3', '-I', 'main.py']],
      ['the runner, from an exec\'d program', '1', ['python3', 'main.py']],
      ['the runner, from a grandchild', '1', ['sh', '-c', 'python3 main.py | cat']],
    ])('%s', async (_name, target, argv) => {
      const step = only(await sandbox!.run(python(tamperWith(target), argv)));
      expect(step.exitCode, step.stderr).toBe(0);
      expect(step.stdout.split('\n').slice(0, -2)).toEqual(everyAttack);
      expect(step.stdout).toMatch(/^reads True 0 0$/m);
      await stillWorks(sandbox!);
    });

    it('every process of the uid at once (PRIO_USER, IOPRIO_WHO_USER)', async () => {
      const step = only(await sandbox!.run(python(tamperWithUid)));
      expect(step.stdout.trim().split('\n')).toEqual(refused(['renice_user', 'ioprio_user']));
      await stillWorks(sandbox!);
    });

    it('ptrace and cross-process memory and descriptor access', async () => {
      const source =
        attempt +
        String.raw`
import platform
numbers = {'x86_64': (101, 310, 438), 'aarch64': (117, 270, 438)}[platform.machine()]
def call(number, *args):
    if libc.syscall(number, *args) < 0:
        raise OSError(ctypes.get_errno(), str(number))
attempt('ptrace_attach', lambda: call(numbers[0], 16, 1, 0, 0))  # PTRACE_ATTACH to PID 1
attempt('process_vm_readv', lambda: call(numbers[1], 1, 0, 0, 0, 0, 0))
attempt('pidfd_getfd', lambda: call(numbers[2], os.pidfd_open(1), 1, 0))
`;
      const step = only(await sandbox!.run(python(source)));
      expect(step.stdout.trim().split('\n')).toEqual(refused(['ptrace_attach', 'process_vm_readv', 'pidfd_getfd']));
      await stillWorks(sandbox!);
    });

    it('while a job still tunes itself: rlimits, nice, affinity, scheduling policy, I/O priority', async () => {
      const step = only(await sandbox!.run(python(selfTuning)));
      expect(step.stdout.trim().split('\n')).toEqual([
        'setrlimit done',
        'prlimit_self done',
        'nice done',
        'renice_self done',
        'renice_group done',
        'affinity_self done',
        'sched_batch_self done',
        'ioprio_self done',
        'now (64, 64) 4 True True',
      ]);
      await stillWorks(sandbox!);
    });
  });

  describe.skipIf(!sandbox)('in strict HumanEval, from the candidate', () => {
    const judge = (code: string) => bench.judge(problem, code, {sandbox: sandbox!, mode: 'strict'});
    /** A function body that raises what the attack got (or carries on when it is swallowed). */
    const attack = (body: string, answer: string, swallow = false) =>
      `    import os, resource\n` + (swallow ? `    try:\n${body.replace(/^/gm, '    ')}\n    except OSError:\n        pass\n` : `${body}\n`) + answer;

    it.each([
      ['limits the runner (PID 1) to three descriptors', '    resource.prlimit(1, resource.RLIMIT_NOFILE, (3, 3))'],
      ['limits the checker (its parent) to three descriptors', '    resource.prlimit(os.getppid(), resource.RLIMIT_NOFILE, (3, 3))'],
      ["shrinks the checker's address space", '    resource.prlimit(os.getppid(), resource.RLIMIT_AS, (1 << 20, 1 << 20))'],
      ['gives the checker one second of CPU', '    resource.prlimit(os.getppid(), resource.RLIMIT_CPU, (1, 1))'],
      ['starves the checker (SCHED_IDLE)', '    os.sched_setscheduler(os.getppid(), os.SCHED_IDLE, os.sched_param(0))'],
      ['renices the runner', '    os.setpriority(os.PRIO_PROCESS, 1, 19)'],
    ])('a wrong answer that %s fails, refused, and the next sample is judged', async (_name, body) => {
      const verdict = await judge(attack(body, wrong));
      expect(verdict.errored).toBeUndefined();
      expect(verdict.result).toBe('failed: PermissionError: [Errno 1] Operation not permitted');
      const right = await judge(attack(body, problem.canonicalSolution, true));
      expect(right.errored).toBeUndefined();
      expect(right.result).toBe('passed');
      expect((await judge(problem.canonicalSolution)).result).toBe('passed');
    });
  });
});
