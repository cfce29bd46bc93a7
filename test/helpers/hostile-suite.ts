/**
 * Hostile samples against a real sandbox backend (real python3 and iverilog/vvp inside): each must
 * be contained, reported with the right flags, and leave the host and other jobs unharmed. One
 * suite for every backend; the test files for each backend open it (or say why they cannot).
 */
import {spawn} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {existsSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {afterAll, describe, expect, it} from 'vitest';
import {releaseIdentity, takeIdentity} from '../../src/execute/identity.js';
import {defaultLimits, defaultToolchainRoot, type JobResult, type Limits, type Sandbox, type Step} from '../../src/execute/index.js';
import {defaultDiskBytes} from '../../src/execute/sandbox.js';
import {projectRoot} from './datasets.js';

const fixtures = path.join(projectRoot, 'test', 'fixtures', 'hostile');
const isRoot = process.getuid?.() === 0;

export interface HostileTarget {
  /** e.g. 'bubblewrap sandbox', 'Docker sandbox'. */
  label: string;
  kind: 'bwrap' | 'docker';
  /** The opened sandbox, or why it could not be opened (the suite is then skipped). */
  opened: {sandbox: Sandbox} | {reason: string};
  /** Arguments for fixtures/hostile/run-job.ts that open this same backend in another process. */
  runJobArgs: string[];
}

/** Realistic limits (2 GiB, 64 processes), short timeouts and a 1 MiB output cap to keep the file fast. */
const limits: Limits = {...defaultLimits, timeoutMs: 2000, maxOutputBytes: 1024 ** 2};

function token(): string {
  return randomBytes(6).toString('hex');
}

function fixture(name: string): string {
  return readFileSync(path.join(fixtures, name), 'utf8');
}

function only(result: JobResult) {
  expect(result.error).toBeUndefined();
  expect(result.steps).toHaveLength(1);
  return result.steps[0]!;
}

export interface HostProcess {
  pid: number;
  uid: number;
  zombie: boolean;
  cmdline: string;
}

export function hostProcesses(): HostProcess[] {
  const found: HostProcess[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      found.push({
        pid: Number(pid),
        uid: Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]),
        zombie: /^State:\s+Z/m.test(status),
        cmdline: readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' '),
      });
    } catch {
      // exited while we looked
    }
  }
  return found;
}

/** Live host processes whose command line contains `marker`. */
export function leftovers(marker: string): HostProcess[] {
  return hostProcesses().filter((p) => !p.zombie && p.cmdline.includes(marker));
}

/** When passk is root, run() returns only after the job's processes are gone; otherwise allow a moment. */
async function expectNoLeftovers(marker: string): Promise<void> {
  if (!isRoot) {
    for (let i = 0; i < 50 && leftovers(marker).length > 0; i++) await sleep(20);
  }
  expect(leftovers(marker)).toEqual([]);
}

export function hostileSuite(target: HostileTarget): void {
  const {kind} = target;
  const sandbox = 'sandbox' in target.opened ? target.opened.sandbox : (undefined as unknown as Sandbox);
  if ('reason' in target.opened) console.warn(`skipping the ${target.label} hostile-sample tests: ${target.opened.reason}`);
  /**
   * Each warm sandbox (a container, or a bubblewrap sandbox with its own uid when passk is root)
   * has a process budget of its own; without root, bubblewrap sandboxes share the caller's uid.
   */
  const ownProcessBudget = kind === 'docker' || isRoot;

  /** Runs a hostile Python fixture as `python3 -I <name> ...args`. */
  function python(name: string, args: string[] = [], options: {timeoutMs?: number; limits?: Partial<Limits>} = {}): Promise<JobResult> {
    return sandbox.run({
      files: {[name]: fixture(name)},
      steps: [{argv: ['python3', '-I', name, ...args], timeoutMs: options.timeoutMs}],
      limits: {...limits, ...options.limits},
    });
  }

  /** Compiles a hostile Verilog fixture and simulates it (`vvp -n`), both steps with merged output. */
  function verilog(name: string, plusargs: string[] = [], simTimeoutMs = 2000): Promise<JobResult> {
    const steps: Step[] = [
      {argv: ['iverilog', '-Wall', '-Wno-timescale', '-g2012', '-s', 'tb', '-o', 'sim.vvp', name], mergeStderr: true, timeoutMs: 10_000},
      {argv: ['vvp', '-n', 'sim.vvp', ...plusargs], mergeStderr: true, timeoutMs: simTimeoutMs},
    ];
    return sandbox.run({files: {[name]: fixture(name)}, steps, limits});
  }

  const hostSecret = path.join(os.tmpdir(), `passk-hostile-secret-${token()}`);
  const secretText = `secret-${token()}`;
  writeFileSync(hostSecret, secretText);
  afterAll(async () => {
    rmSync(hostSecret, {force: true});
    await sandbox?.close();
  });

  describe.skipIf(!('sandbox' in target.opened))(`${target.label} against hostile samples`, () => {
    describe('python', () => {
      it('contains a fork bomb: it fails fast, a concurrent job still runs (as root), nothing is left behind', async () => {
        const marker = `fork_bomb_${token()}.py`;
        const bomb = sandbox.run({
          files: {[marker]: fixture('fork_bomb.py')},
          steps: [{argv: ['python3', '-I', marker]}],
          limits,
        });
        const neighbour = sandbox.run({
          files: {},
          steps: [{argv: ['python3', '-I', '-c', 'import subprocess; print(sum(subprocess.run(["true"]).returncode for _ in range(20)))']}],
          limits,
        });
        const bombed = await bomb;
        const other = await neighbour;
        const step = only(bombed);
        expect(step.exitCode !== 0 || step.timedOut).toBe(true);
        expect(step.durationMs).toBeLessThan(limits.timeoutMs + 1000);
        if (ownProcessBudget) expect(only(other)).toMatchObject({exitCode: 0, stdout: '0\n'});
        await expectNoLeftovers(marker);
        // The host can still start processes.
        expect(hostProcesses().length).toBeGreaterThan(0);
      });

      it('fails a multi-GB allocation with the oom flag, at once and in steps', async () => {
        // Growing touches every page (bytearray zero-fills), about 1 s per GiB here: grow into a smaller cap.
        for (const [mode, memoryBytes] of [['once', defaultLimits.memoryBytes], ['grow', 512 * 1024 ** 2]] as const) {
          const step = only(await python('memory_hog.py', [mode], {limits: {memoryBytes}}));
          expect(step, mode).toMatchObject({oom: true, timedOut: false});
          expect(step.exitCode, mode).not.toBe(0);
          // Growing may meet the job-wide watchdog (a kill) a moment before RLIMIT_AS (a MemoryError).
          if (mode === 'once') expect(step.stderr).toContain('MemoryError');
          expect(step.durationMs, mode).toBeLessThan(1500);
        }
      });

      it('caps the memory of the whole job, not just of each process', async () => {
        // Scaled down so that a failure cannot hurt the host: 6 × 180 MiB against a 256 MiB job.
        const step = only(await python('fork_memory.py', [String(180 * 1024 ** 2), '6'], {timeoutMs: 5000, limits: {memoryBytes: 256 * 1024 ** 2}}));
        expect(step).toMatchObject({oom: true, timedOut: false, exitCode: null, signal: 'SIGKILL'});
        expect(step.durationMs).toBeLessThan(3000);
        await expectNoLeftovers('fork_memory.py');
      });

      it('still imports numpy under the default memory limit', async () => {
        const result = await sandbox.run({
          files: {},
          steps: [{argv: ['python3', '-c', 'import numpy; a = numpy.ones((1000, 1000)); print(int((a @ a).sum()))'], timeoutMs: 10_000}],
          limits: {...limits, memoryBytes: defaultLimits.memoryBytes},
        });
        const step = only(result);
        if (step.stderr.includes("No module named 'numpy'")) {
          console.warn('skipping the numpy check: numpy is not in the toolchain (run scripts/setup-toolchain.sh)');
          return;
        }
        expect(step).toMatchObject({exitCode: 0, stdout: '1000000000\n', oom: false});
      });

      it('kills a C-level infinite loop at the deadline', async () => {
        const step = only(await python('c_loop.py', [], {timeoutMs: 1500}));
        expect(step).toMatchObject({timedOut: true, exitCode: null, signal: 'SIGKILL', oom: false});
        expect(step.durationMs).toBeGreaterThanOrEqual(1500);
        expect(step.durationMs).toBeLessThan(2500);
        await expectNoLeftovers('c_loop.py');
      });

      it('has no network: neither the host loopback nor the outside nor DNS', async () => {
        let connections = 0;
        const server = net.createServer((socket) => {
          connections++;
          socket.destroy();
        });
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        try {
          const port = (server.address() as net.AddressInfo).port;
          const step = only(await python('network.py', [String(port)], {timeoutMs: 5000}));
          expect(step.exitCode).toBe(0);
          const results = JSON.parse(step.stdout) as Record<string, unknown>;
          for (const name of ['host-loopback', 'host-loopback-v6', 'outside-dns', 'outside-http', 'dns', 'udp']) {
            expect(String(results[name]), name).toMatch(/^failed/);
          }
          expect(results.interfaces).toEqual(['lo']);
          expect(connections).toBe(0);
        } finally {
          server.close();
        }
      });

      it('does not see the caller’s environment (API keys)', async () => {
        const secret = `sk-passk-test-${token()}`;
        process.env.OPENAI_API_KEY = secret;
        try {
          const step = only(await python('env_secrets.py'));
          expect(step.exitCode).toBe(0);
          expect(step.stdout).toContain("'HOME': '/nonexistent'");
          expect(step.stdout).not.toContain(secret);
          expect(step.stdout).not.toContain('OPENAI_API_KEY');
        } finally {
          delete process.env.OPENAI_API_KEY;
        }
      });

      it('cannot read files outside its work directory', async () => {
        const paths = [hostSecret, path.dirname(hostSecret), path.join(projectRoot, 'package.json'), '/root', '/home', os.homedir(), '/etc/shadow', '/var/cache/passk', '/run/passk', '/etc/debian_version'];
        const step = only(await python('read_outside.py', paths));
        expect(step.exitCode).toBe(0);
        const results = JSON.parse(step.stdout) as Record<string, string>;
        expect(step.stdout).not.toContain(secretText);
        expect(step.stdout).not.toContain('"name": "passk"');
        expect(results[hostSecret]).toMatch(/^failed/);
        expect(results[path.dirname(hostSecret)]).not.toContain(path.basename(hostSecret));
        expect(results[path.join(projectRoot, 'package.json')]).toMatch(/^failed/);
        for (const dir of ['/root', '/home', os.homedir()]) expect(results[dir]).toMatch(/^(failed|DIR $)/);
        expect(results['/etc/shadow']).toMatch(/^failed/);
        expect(results['/var/cache/passk']).toMatch(/^failed/);
        expect(results['/run/passk']).toMatch(/^failed/);
        // /etc is the toolchain's (or nothing but the loader's files), never the host's.
        if (existsSync('/etc/debian_version')) expect(results['/etc/debian_version']).not.toBe(`READ ${readFileSync('/etc/debian_version', 'utf8')}`);
      });

      it('cannot write outside its work directory; /tmp is private and gone afterwards', async () => {
        const name = `passk-hostile-write-${token()}`;
        const targets = [`/usr/${name}`, `/etc/${name}`, `/${name}`, `/dev/${name}`, `/proc/${name}`, `/work/../${name}`, `/tmp/${name}`, `/dev/shm/${name}`];
        const step = only(await python('write_outside.py', targets));
        expect(step.exitCode).toBe(0);
        const results = JSON.parse(step.stdout) as Record<string, string>;
        for (const target of targets.slice(0, 6)) expect(results[target], target).toMatch(/^failed/);
        expect(results[`/tmp/${name}`]).toBe('WROTE');
        expect(results[`/dev/shm/${name}`]).toBe('WROTE');
        const toolchain = defaultToolchainRoot();
        for (const hostPath of [`/tmp/${name}`, `/usr/${name}`, `/${name}`, path.join(toolchain, 'usr', name), path.join(toolchain, 'tmp', name)]) {
          expect(existsSync(hostPath), hostPath).toBe(false);
        }
      });

      it('stops a file larger than maxFileBytes, and a disk filled past maxDiskBytes', async () => {
        const maxFileBytes = 4 * 1024 ** 2;
        // Python ignores SIGXFSZ and gets EFBIG; most programs are killed by it.
        const big = only(await python('big_file.py', ['8'], {limits: {maxFileBytes}}));
        expect(big).toMatchObject({exitCode: 1, timedOut: false});
        expect(big.stderr).toContain('File too large');
        const killed = only(await sandbox.run({files: {}, steps: [{argv: ['sh', '-c', 'head -c 8M /dev/zero > big.bin']}], limits: {...limits, maxFileBytes}}));
        expect(killed).toMatchObject({exitCode: null, signal: 'SIGXFSZ'});
        const small = {maxDiskBytes: 8 * 1024 ** 2};
        for (const dir of ['/tmp', '/dev/shm', ...(isRoot || kind === 'docker' ? ['/work'] : [])]) {
          const step = only(await python('fill_disk.py', [dir], {limits: small}));
          expect(step.stdout, dir).toMatch(/^stopped after \d MiB: OSError errno=28/);
        }
      });

      it('kills only itself when it kills its parent and everything else it can signal', async () => {
        const bystander = spawn('sleep', ['30'], {stdio: 'ignore'});
        try {
          const [killer, neighbour] = await Promise.all([
            python('kill_parent.py'),
            sandbox.run({files: {}, steps: [{argv: ['python3', '-c', 'import time; time.sleep(1); print("neighbour ok")']}], limits}),
          ]);
          // Its parent is pid 1 of the job's pid namespace (bwrap's init, or passk's runner in a container),
          // which ignores signals from inside it. kill(-1) reaches nothing outside the job's namespace.
          expect(only(killer)).toMatchObject({exitCode: 0, timedOut: false});
          expect(only(killer).stdout).toContain('still here');
          expect(only(neighbour)).toMatchObject({exitCode: 0, stdout: 'neighbour ok\n'});
          expect(bystander.exitCode).toBeNull();
          expect(() => process.kill(bystander.pid!, 0)).not.toThrow();
        } finally {
          bystander.kill('SIGKILL');
        }
      });

      it('kills an output flood at once, keeps the first maxOutputBytes, and keeps the host’s memory bounded', async () => {
        const before = process.memoryUsage().rss;
        for (const mode of ['print', 'stubborn', 'stderr']) {
          const step = only(await python('stdout_flood.py', [mode], {timeoutMs: 5000}));
          expect(step.truncated, mode).toBe(true);
          expect(step.timedOut, mode).toBe(false);
          expect(step.durationMs, mode).toBeLessThan(1500);
          const output = mode === 'stderr' ? step.stderr : step.stdout;
          expect(output.length, mode).toBeLessThanOrEqual(limits.maxOutputBytes);
          expect(output.startsWith('xxxx'), mode).toBe(true);
        }
        expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 ** 2);
      });

      it('leaves no background process behind, daemonised or not', async () => {
        const duration = `9${Math.floor(Math.random() * 1e6)}.5`;
        const step = only(await python('linger.py', [duration]));
        expect(step).toMatchObject({exitCode: 0, stdout: 'left\n'});
        expect(step.durationMs).toBeLessThan(1500);
        await expectNoLeftovers(`sleep ${duration}`);
      });

      it('keeps concurrent jobs apart: neither sees the other’s files', async () => {
        const secret = `neighbour-secret-${token()}`;
        const holder = sandbox.run({
          files: {[`${secret}.txt`]: 'mine', 'hold.py': 'import time, os; time.sleep(1.5); print(os.listdir("."))'},
          steps: [{argv: ['python3', '-I', 'hold.py']}],
          limits,
        });
        await sleep(300);
        const snoop = only(await python('snoop.py', [secret], {timeoutMs: 5000}));
        const held = only(await holder);
        expect(snoop.exitCode).toBe(0);
        expect(snoop.stdout).toMatch(/^nothing/);
        expect(held.stdout).toContain(secret);
      });
    });

    describe('verilog', () => {
      it('$fopen reaches neither host files nor host directories', async () => {
        const name = `passk-hostile-vwrite-${token()}`;
        const result = await verilog('fopen_host.sv', [`+secret=${hostSecret}`, `+out=/tmp/${name}`]);
        expect(result.error).toBeUndefined();
        const [compile, sim] = result.steps;
        expect(compile?.exitCode, compile?.stdout).toBe(0);
        expect(sim).toMatchObject({exitCode: 0, timedOut: false});
        expect(sim!.stdout).not.toContain(secretText);
        expect(sim!.stdout).toContain(`NOFILE ${hostSecret}`);
        expect(sim!.stdout).toContain('NOFILE /etc/shadow');
        expect(sim!.stdout).toContain(`READ /tmp/${name}: written from the sandbox`);
        expect(sim!.stdout).toContain('usr write refused');
        if (existsSync('/etc/debian_version')) {
          expect(sim!.stdout).not.toContain(`READ /etc/debian_version: ${readFileSync('/etc/debian_version', 'utf8').trim()}`);
        }
        expect(existsSync(`/tmp/${name}`)).toBe(false);
      });

      it('contains a multi-GB memory array', async () => {
        const result = await verilog('memory_array.sv');
        const sim = result.steps[1]!;
        expect(sim.exitCode).not.toBe(0);
        expect(sim).toMatchObject({oom: true, timedOut: false});
        expect(sim.durationMs).toBeLessThan(1500);
      });

      it('cuts an output flood short', async () => {
        const sim = (await verilog('output_flood.sv')).steps[1]!;
        expect(sim.truncated || sim.timedOut).toBe(true);
        expect(sim.exitCode).not.toBe(0);
        expect(sim.stdout.length).toBeLessThanOrEqual(limits.maxOutputBytes);
      });

      it('times out a combinational loop', async () => {
        const sim = (await verilog('comb_loop.sv', [], 1500)).steps[1]!;
        expect(sim).toMatchObject({timedOut: true, exitCode: null, signal: 'SIGKILL'});
        expect(sim.durationMs).toBeLessThan(2500);
      });

      it('reports $finish at time 0 as a normal exit', async () => {
        const result = await verilog('finish_at_zero.sv');
        expect(result.steps.map((s) => [s.exitCode, s.timedOut])).toEqual([
          [0, false],
          [0, false],
        ]);
      });
    });

    describe('jobs', () => {
      it('refuses file names that leave the work directory', async () => {
        for (const name of ['../escape.py', '/abs.py', 'a/../../escape.py', '.', '']) {
          const result = await sandbox.run({files: {'ok.py': '', [name]: 'x'}, steps: [{argv: ['true']}], limits});
          expect(result.error, name).toMatch(/escapes the working directory/);
          expect(result.steps).toEqual([]);
        }
        const nested = await sandbox.run({
          files: {'pkg/mod.py': 'x = 1\n', '..dots.py': '', 'pkg/../main.py': 'from pkg.mod import x\nopen("pkg/out", "w").write("ok")\nprint(x)\n'},
          steps: [{argv: ['python3', 'main.py']}],
          limits,
        });
        expect(only(nested)).toMatchObject({exitCode: 0, stdout: '1\n'});
      });

      it('reports a missing command as a failed step, not an exception', async () => {
        const step = only(await sandbox.run({files: {}, steps: [{argv: ['no-such-command-passk']}], limits}));
        expect(step.exitCode).not.toBe(0);
        expect(step.stderr).toContain('no-such-command-passk');
      });

      // The Docker backend's equivalent (the next job finds /work empty) is in docker-isolation.test.ts.
      it('delivers stdin when given, and /dev/null otherwise', async () => {
        const probe = 'import os, sys; st = os.fstat(0); print(repr(sys.stdin.read()), os.major(st.st_rdev), os.minor(st.st_rdev))';
        const given = await sandbox.run({files: {}, stdin: 'hello\n', steps: [{argv: ['python3', '-c', probe]}, {argv: ['python3', '-c', probe]}], limits});
        expect(given.steps.map((s) => s.stdout.split(' ')[0])).toEqual(["'hello\\n'", "'hello\\n'"]);
        const none = only(await sandbox.run({files: {}, steps: [{argv: ['python3', '-c', probe]}], limits}));
        expect(none.stdout).toBe("'' 1 3\n");
        // A large input that the step never reads is not an error.
        const unread = only(await sandbox.run({files: {}, stdin: 'x'.repeat(4 * 1024 ** 2), steps: [{argv: ['true']}], limits}));
        expect(unread.exitCode).toBe(0);
      });

      it('reports a signal death as the signal', async () => {
        const aborted = only(await sandbox.run({files: {}, steps: [{argv: ['python3', '-c', 'import os; os.abort()']}], limits}));
        expect(aborted).toMatchObject({exitCode: null, signal: 'SIGABRT', timedOut: false});
        const exited = only(await sandbox.run({files: {}, steps: [{argv: ['python3', '-c', 'raise SystemExit(3)']}], limits}));
        expect(exited).toMatchObject({exitCode: 3, signal: null});
      });

      it('reports the toolchain versions', async () => {
        const versions = await sandbox.toolchain();
        expect(versions.iverilog).toMatch(/^Icarus Verilog version \d+/);
        expect(versions.python3).toMatch(/^Python 3\.\d+/);
        if (defaultToolchainRoot().endsWith('trixie')) {
          expect(versions.iverilog).toMatch(/^Icarus Verilog version 12\./);
          expect(versions.python3).toMatch(/^Python 3\.13\./);
        }
      });

      it('runs many short jobs back to back without running out of processes', async () => {
        const results = await Promise.all([0, 1].map(async () => {
          const exitCodes: (number | null)[] = [];
          for (let i = 0; i < 50; i++) {
            const result = await sandbox.run({files: {}, steps: [{argv: ['true']}, {argv: ['true']}], limits});
            exitCodes.push(...result.steps.map((s) => s.exitCode));
          }
          return exitCodes;
        }));
        expect(results.flat().filter((code) => code !== 0)).toEqual([]);
      });

      it.runIf(kind === 'bwrap' && isRoot)('hands a uid to another sandbox only once nothing of its last one is alive', async () => {
        const first = await takeIdentity(defaultDiskBytes);
        const straggler = spawn('setpriv', [`--reuid=${first.uid}`, `--regid=${first.uid}`, '--clear-groups', 'sleep', '30'], {stdio: 'ignore'});
        try {
          for (let i = 0; i < 100 && !hostProcesses().some((p) => p.pid === straggler.pid && p.uid === first.uid); i++) await sleep(10);
          await releaseIdentity(first);
          const second = await takeIdentity(defaultDiskBytes);
          await releaseIdentity(second);
          expect(second.uid).not.toBe(first.uid);
        } finally {
          straggler.kill('SIGKILL');
        }
      });

      it('dies with passk: killing the passk process mid-job kills the job', async () => {
        const duration = `8${Math.floor(Math.random() * 1e6)}.5`;
        const runner = spawn(process.execPath, ['--import', 'tsx', path.join(fixtures, 'run-job.ts'), ...target.runJobArgs, '--', 'sleep', duration], {cwd: projectRoot, stdio: 'ignore'});
        try {
          let started = false;
          for (let i = 0; i < 200 && !started; i++) {
            await sleep(50);
            started = hostProcesses().some((p) => !p.zombie && p.cmdline === `sleep ${duration} `);
          }
          expect(started).toBe(true);
          runner.kill('SIGKILL');
          for (let i = 0; i < 50 && leftovers(`sleep ${duration}`).length > 0; i++) await sleep(20);
          expect(leftovers(`sleep ${duration}`)).toEqual([]);
        } finally {
          runner.kill('SIGKILL');
        }
      });
    });
  });
}
