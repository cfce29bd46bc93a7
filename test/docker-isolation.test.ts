/**
 * What the warm pool must guarantee between jobs that share a container: the next job finds
 * nothing of the last one (files, processes, IPC objects), a container that hits a limit or dies
 * is replaced without failing any job, and the Python fast path (forking `python3 -I <file>` from
 * the runner's zygote) is indistinguishable from starting python3.
 */
import {setTimeout as sleep} from 'node:timers/promises';
import {afterAll, describe, expect, it} from 'vitest';
import {connectEngine} from '../src/execute/docker/engines.js';
import type {DockerSandbox} from '../src/execute/docker/index.js';
import {labels, ownerLabel} from '../src/execute/docker/settings.js';
import {defaultLimits, openSandbox, type Job, type JobResult, type Limits} from '../src/execute/index.js';
import {noDockerReason, usableDockerHosts} from './helpers/docker.js';

const [host] = await usableDockerHosts();
if (!host) console.warn(`skipping the Docker isolation tests: ${noDockerReason()}`);

const limits: Limits = {...defaultLimits, timeoutMs: 5000, maxOutputBytes: 1024 ** 2};
const opened: DockerSandbox[] = [];

async function open(options: {poolSize: number; fastPython?: boolean}): Promise<DockerSandbox> {
  const sandbox = (await openSandbox({backend: 'docker', dockerHosts: [host!], ...options})) as DockerSandbox;
  opened.push(sandbox);
  return sandbox;
}

afterAll(async () => {
  await Promise.all(opened.map((sandbox) => sandbox.close()));
});

function python(source: string, args: string[] = [], extra: Partial<Job> = {}): Job {
  return {files: {'main.py': source}, steps: [{argv: ['python3', '-I', 'main.py', ...args]}], limits, ...extra};
}

function only(result: JobResult) {
  expect(result.error).toBeUndefined();
  expect(result.steps).toHaveLength(1);
  return result.steps[0]!;
}

function ok(result: JobResult) {
  const step = only(result);
  expect(step.exitCode, step.stderr).toBe(0);
  return step;
}

/** Leaves as much behind as it can: files everywhere writable, a locked directory, IPC objects, processes. */
const litter = String.raw`
import ctypes, os, subprocess
for directory in ('/work', '/tmp', '/dev/shm'):
    with open(f'{directory}/litter-{os.getpid()}', 'w') as file:
        file.write('secret of the previous job')
os.makedirs('locked/inner')
os.chmod('locked', 0)
open('/dev/mqueue/litter', 'w').close()
libc = ctypes.CDLL(None, use_errno=True)
assert libc.shmget(0x5eed, 4096, 0o1600) >= 0
assert libc.semget(0x5eed, 1, 0o1600) >= 0
assert libc.msgget(0x5eed, 0o1600) >= 0
subprocess.Popen(['sleep', '300'], start_new_session=True)
if os.fork() == 0:
    os.setsid()
    os.execvp('sleep', ['sleep', '301'])
print('littered')
`;

/** Reports everything of another job it can find, as JSON. */
const inspect = String.raw`
import json, os
def listing(directory):
    try:
        return sorted(os.listdir(directory))
    except OSError as error:
        return [f'error {error.errno}']
def ipc(kind):
    return open(f'/proc/sysvipc/{kind}').read().splitlines()[1:]
processes = {}
for pid in os.listdir('/proc'):
    if pid.isdigit() and int(pid) != os.getpid():
        try:
            processes[pid] = open(f'/proc/{pid}/cmdline').read().replace('\0', ' ').strip()
        except OSError:
            pass
print(json.dumps({'work': listing('/work'), 'tmp': listing('/tmp'), 'shm': listing('/dev/shm'), 'mqueue': listing('/dev/mqueue'),
                  'shm_segments': ipc('shm'), 'semaphores': ipc('sem'), 'message_queues': ipc('msg'), 'processes': processes}))
`;

describe.skipIf(!host)('Docker sandbox: one container, many jobs', () => {
  it('gives the next job an empty container: no files, no processes, no IPC objects of the last one', async () => {
    const sandbox = await open({poolSize: 1});
    const started = sandbox.stats().runnersStarted;
    expect(ok(await sandbox.run(python(litter))).stdout).toBe('littered\n');
    const seen = JSON.parse(ok(await sandbox.run(python(inspect))).stdout) as Record<string, unknown>;
    // Same container (no replacement in between), and it is as good as new.
    expect(sandbox.stats().runnersStarted).toBe(started);
    expect(seen).toMatchObject({work: ['main.py'], tmp: [], shm: [], mqueue: [], shm_segments: [], semaphores: [], message_queues: []});
    // Only the runner (pid 1) and its Python zygote remain.
    const others = Object.values(seen.processes as Record<string, string>);
    expect(others.every((cmdline) => cmdline.startsWith('python3 -I /opt/passk/runner.py') || cmdline.includes('/opt/passk/runner.py --zygote')), others.join('; ')).toBe(true);
  });

  it('replaces a container after a timeout, an output flood or a memory kill, and every job still gets its result', async () => {
    const sandbox = await open({poolSize: 1});
    // One shape for all (a job with other limits would get a container of its own shape).
    const small = {limits: {...limits, memoryBytes: 256 * 1024 ** 2}};
    const offenders: Job[] = [
      python('while True: pass', [], {...small, steps: [{argv: ['python3', '-I', 'main.py'], timeoutMs: 500}]}),
      python('import sys\nwhile True: sys.stdout.write("x" * 65536)', [], small),
      python('blocks = []\nwhile True: blocks.append(bytearray(64 * 1024 ** 2))', [], small),
    ];
    const fine = python('print("fine")', [], small);
    expect(ok(await sandbox.run(fine)).stdout).toBe('fine\n');
    const started = sandbox.stats().runnersStarted;
    const results = await Promise.all(offenders.flatMap((job) => [sandbox.run(job), sandbox.run(fine)]));
    expect(results.map((result) => result.error)).toEqual(results.map(() => undefined));
    const [timeout, , flood, , memory] = results.map((result) => result.steps[0]!);
    expect(timeout).toMatchObject({timedOut: true, signal: 'SIGKILL'});
    expect(flood).toMatchObject({truncated: true});
    expect(memory).toMatchObject({oom: true});
    for (const index of [1, 3, 5]) expect(results[index]!.steps[0]).toMatchObject({exitCode: 0, stdout: 'fine\n'});
    // One replacement per offender (its successor was started in the background, after the offence).
    expect(sandbox.stats().runnersStarted - started).toBe(3);
  });

  it('does not let a job slow down or re-limit the jobs after it (through the runner or its zygote)', async () => {
    const sandbox = await open({poolSize: 1});
    ok(await sandbox.run(python('print("zygote warm")')));
    const started = sandbox.stats().runnersStarted;
    // Same uid as the runner and the zygote: the runner's seccomp filter refuses renicing and
    // re-limiting them (test/sandbox-tamper.test.ts), but stopping the zygote is allowed.
    const tamper = String.raw`
import os, resource, signal
zygote = next(int(pid) for pid in os.listdir('/proc') if pid.isdigit() and b'--zygote' in open(f'/proc/{pid}/cmdline', 'rb').read())
for pid in (1, zygote):
    for tamper in (lambda: os.setpriority(os.PRIO_PROCESS, pid, 19), lambda: resource.prlimit(pid, resource.RLIMIT_NOFILE, (16, 16))):
        try:
            tamper()
        except PermissionError:
            print('refused')
os.kill(zygote, signal.SIGSTOP)
print('stopped')
`;
    expect(ok(await sandbox.run(python(tamper))).stdout).toBe('refused\n'.repeat(4) + 'stopped\n');
    const after = ok(await sandbox.run(python('import os, resource\nprint(os.getpriority(os.PRIO_PROCESS, 0), resource.getrlimit(resource.RLIMIT_NOFILE))')));
    expect(after.stdout).toBe('0 (256, 256)\n');
    expect(after.durationMs).toBeLessThan(1000);
    // The stopped zygote is replaced; the runner itself was left as it was.
    expect(sandbox.stats().runnersStarted - started).toBe(0);
  });

  it('runs a job again when its container is killed under it', async () => {
    // Exec'd, so that the job's command line names it (a forked one shows the zygote's).
    const sandbox = await open({poolSize: 1, fastPython: false});
    const marker = `killme-${process.pid}-${Date.now()}`;
    const running = sandbox.run(python(`import time\nprint("${marker}", flush=True)\ntime.sleep(1.5)\nprint("done")`));
    // Kill the container from outside (as an engine restart or `docker kill` would) while the job sleeps.
    const {docker} = connectEngine(host!);
    let killed = false;
    for (let i = 0; i < 100 && !killed; i++) {
      await sleep(20);
      for (const info of await docker.listContainers({filters: {label: [`${labels.owner}=${ownerLabel()}`]}})) {
        const container = docker.getContainer(info.Id);
        const top = (await container.top()) as {Processes?: string[][]};
        if (!top.Processes?.some((row) => row.join(' ').includes('main.py'))) continue;
        await container.kill();
        killed = true;
      }
    }
    expect(killed).toBe(true);
    const result = await running;
    expect(ok(result).stdout).toBe(`${marker}\ndone\n`);
    expect(sandbox.stats().jobsRetried).toBe(1);
  });
});

/** Everything a program could notice about how it was started. */
const probe = String.raw`
import os, resource, sys
print(sys.argv, sys.orig_argv, sys.executable, sys.flags, sys.path)
import __main__
print(__file__, sorted(vars(__main__)), __main__.__loader__.name, __main__.__spec__, __main__.__cached__)
print(sorted(sys.modules))
for stream in (sys.stdin, sys.stdout, sys.stderr):
    print(stream.encoding, stream.errors, stream.line_buffering, stream.write_through, stream.mode, stream.buffer.raw.name, stream.buffer.raw.closefd, type(stream.buffer).__name__)
print(os.getcwd(), os.getppid(), os.getsid(0) == os.getpid(), os.getpgid(0) == os.getpid(), os.umask(0o22))
print(sorted(os.environ.items()))
print([resource.getrlimit(limit) for limit in (resource.RLIMIT_AS, resource.RLIMIT_FSIZE, resource.RLIMIT_NOFILE, resource.RLIMIT_CORE)])
status = dict(line.split(':', 1) for line in open('/proc/self/status') if ':' in line)
print({key: status[key].strip() for key in ('SigBlk', 'SigIgn', 'SigCgt', 'CapEff', 'NoNewPrivs', 'Seccomp')})
print(os.stat('/proc/self/fd').st_uid == os.getuid(), open('/proc/self/oom_score_adj').read().strip(), sorted(os.listdir('/proc/self/fd')))
print(repr(sys.stdin.read()))
`;

const programs: Record<string, string> = {
  probe,
  exception: 'def f():\n    raise ValueError("boom")\nf()\n',
  'exit message': 'import sys\nprint("out")\nsys.exit("bye")\n',
  'exit code': 'raise SystemExit(7)\n',
  'syntax error': 'def f(:\n    pass\n',
  'os._exit': 'import os\nprint("buffered", end="")\nos._exit(3)\n',
  'atexit and threads': 'import atexit, threading, time\natexit.register(lambda: print("atexit ran"))\nthreading.Thread(target=lambda: (time.sleep(0.2), print("thread done"))).start()\nprint("main done")\n',
  'keyboard interrupt': 'raise KeyboardInterrupt\n',
  'closed stdout': 'import os, sys\nos.close(1)\nprint("lost")\n',
};

describe.skipIf(!host)('Docker sandbox: the Python fast path', () => {
  it('runs `python3 -I <file>` exactly as a fresh python3 would', async () => {
    const [forked, execed] = [await open({poolSize: 1, fastPython: true}), await open({poolSize: 1, fastPython: false})];
    for (const [name, source] of Object.entries(programs)) {
      const job = python(source, ['an arg'], {stdin: 'some input\n'});
      const [a, b] = [only(await forked.run(job)), only(await execed.run(job))];
      expect({...a, durationMs: 0}, name).toEqual({...b, durationMs: 0});
    }
    expect(forked.stats().stepsForked).toBe(Object.keys(programs).length);
    expect(execed.stats().stepsForked).toBe(0);
  });

  it('starts passk’s own warm scripts with the zygote’s modules, a sample’s program with none of them, and random with neither', async () => {
    const sandbox = await open({poolSize: 1, fastPython: true});
    const imported = "import sys\nprint(*(name in sys.modules for name in ('json', 'typing', 'random')))\n";
    const run = async (warm: boolean) => only(await sandbox.run({...python(imported), steps: [{argv: ['python3', '-I', 'main.py'], warm}]})).stdout;
    expect(await run(true)).toBe('True True False\n');
    expect(await run(false)).toBe('False False False\n');
  });
});
