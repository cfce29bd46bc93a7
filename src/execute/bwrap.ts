/**
 * Daemon-less sandbox on bubblewrap: a warm pool (runner/pool.ts) of long-lived bubblewrap
 * sandboxes, each running passk's runner (sandbox/runner.py) as its PID 1, exactly as a Docker
 * container of the Docker backend does. Each sandbox has new user, pid, network, ipc and uts
 * namespaces (so no network at all), a read-only toolchain (/usr and friends from the toolchain
 * root), a private /proc and /dev, size-capped tmpfs at /work, /tmp and /dev/shm that the runner
 * empties after every job, and, when passk runs as root, an unprivileged uid of its own, so its
 * process cap (RLIMIT_NPROC) is its own and it cannot signal another sandbox's processes. No
 * home directories, no host /etc beyond what the loader and interpreters need.
 *
 * Why a warm runner and not a bubblewrap per job: starting bwrap and an interpreter per job, from
 * Node's single event loop, cost more than the jobs themselves (see BENCHMARKS.md); the runner
 * forks `python3 -I` programs from a warm zygote and keeps passk's main thread free.
 */
import {spawn, type ChildProcess} from 'node:child_process';
import {existsSync, lstatSync, readlinkSync} from 'node:fs';
import path from 'node:path';
import {awaitExit, claimIdentity, releaseIdentity, type Identity} from './identity.js';
import {cleanEnv} from './job.js';
import {RunnerChannel} from './runner/channel.js';
import type {RunnerHost, WarmRunner} from './runner/pool.js';
import {hostDeadlineMs, runnerProtocol, type RunnerRequest, type RunnerResponse, type Shape} from './runner/protocol.js';
import {runnerHash, runnerPath} from './runner/source.js';
import {within} from './within.js';

const topLevelLinks = ['bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32'];

/** Host /etc entries the loader and interpreters read; the rest of a host's /etc stays hidden. */
const hostEtcAllowlist = ['alternatives', 'ld.so.cache', 'ld.so.conf', 'ld.so.conf.d', 'localtime', 'python3', 'python3.11', 'python3.12', 'python3.13'];

/** Where the runner is bound inside (the Docker image keeps it at the same place). */
const runnerInside = '/opt/passk/runner.py';

/** The runner, its zygote and the zygote's short-lived middle child, beyond the job's own processes. */
const runnerProcesses = 4;

/** The runner's start-up is an interpreter's (well under a second); a loaded machine gets slack. */
const startTimeoutMs = 30_000;

const isRoot = process.getuid?.() === 0;

/** bwrap arguments that lay out the toolchain root's system directories read-only. */
function toolchainMounts(root: string): string[] {
  const args = ['--ro-bind', path.join(root, 'usr'), '/usr'];
  for (const name of topLevelLinks) {
    const entry = path.join(root, name);
    if (!existsSync(entry)) continue;
    const stat = lstatSync(entry);
    if (stat.isSymbolicLink()) args.push('--symlink', readlinkSync(entry), `/${name}`);
    else if (stat.isDirectory()) args.push('--ro-bind', entry, `/${name}`);
  }
  if (root !== '/') {
    // A dedicated toolchain root (mmdebstrap'd) has a clean /etc of its own.
    args.push('--ro-bind', path.join(root, 'etc'), '/etc');
  } else {
    for (const name of hostEtcAllowlist) {
      const entry = path.join('/etc', name);
      if (existsSync(entry)) args.push('--ro-bind', entry, entry);
    }
  }
  return args;
}

/** A size-capped, world-writable, sticky tmpfs (the job cannot chmod it away). */
const tmpfs = (where: string, bytes: number) => ['--size', String(bytes), '--perms', '1777', '--tmpfs', where];

/** The host argv of one warm sandbox: privileges dropped, process cap set, bubblewrap, the runner. */
export function runnerArgv(toolchainRoot: string, shape: Shape, identity: Identity | undefined): string[] {
  const user = identity ? [`--reuid=${identity.uid}`, `--regid=${identity.uid}`, '--clear-groups'] : [];
  const tasksNow = identity?.tasks ?? 0;
  return [
    'setpriv',
    ...user,
    // If passk dies, its sandboxes die with it instead of running on unattended.
    '--pdeathsig',
    'KILL',
    // RLIMIT_AS and RLIMIT_FSIZE are set per step by the runner; RLIMIT_NPROC counts the whole uid.
    'prlimit',
    `--nproc=${tasksNow + shape.maxProcesses + runnerProcesses}`,
    '--core=0',
    '--nofile=1024',
    '--',
    'bwrap',
    '--unshare-all',
    // Explicit so that --disable-userns applies: a nested user namespace could mount an unbounded tmpfs.
    '--unshare-user',
    '--disable-userns',
    '--die-with-parent',
    '--new-session',
    '--cap-drop',
    'ALL',
    '--hostname',
    'sandbox',
    ...toolchainMounts(toolchainRoot),
    '--ro-bind',
    runnerPath,
    runnerInside,
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    // Every writable place has a size: bwrap's own tmpfs mounts (/ and /dev) default to half the RAM.
    ...tmpfs('/dev/shm', shape.diskBytes),
    ...tmpfs('/tmp', shape.diskBytes),
    ...tmpfs('/work', shape.diskBytes),
    '--remount-ro',
    '/dev',
    '--remount-ro',
    '/',
    '--chdir',
    '/work',
    // The runner reaps orphans and is spared by a job's kill(-1) only as PID 1 (see sandbox/runner.py).
    '--as-pid-1',
    '--',
    'python3',
    '-I',
    runnerInside,
  ];
}

/** This machine's bubblewrap: where the pool starts warm sandboxes. */
export class BwrapHost implements RunnerHost {
  readonly url = 'bwrap';
  down?: string;

  constructor(readonly toolchainRoot: string) {}

  start(shape: Shape): Promise<WarmRunner> {
    return BwrapRunner.start(this, shape);
  }

  /** Nothing to ask: a sandbox that cannot start says why when it fails. */
  unreachable(): Promise<string | undefined> {
    return Promise.resolve(undefined);
  }
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
}

class BwrapRunner implements WarmRunner {
  jobs = 0;

  private constructor(
    readonly host: BwrapHost,
    readonly shape: Shape,
    private readonly child: ChildProcess,
    private readonly channel: RunnerChannel,
    private readonly identity: Identity | undefined,
  ) {}

  static async start(host: BwrapHost, shape: Shape): Promise<BwrapRunner> {
    const identity = isRoot ? await claimIdentity() : undefined;
    const argv = runnerArgv(host.toolchainRoot, shape, identity);
    const child = spawn(argv[0]!, argv.slice(1), {env: cleanEnv, stdio: ['pipe', 'pipe', 'pipe']});
    const channel = new RunnerChannel(child.stdin!, child.stdout!, child.stderr!);
    const runner = new BwrapRunner(host, shape, child, channel, identity);
    try {
      const spawned = new Promise<never>((_, reject) => child.once('error', (error) => reject(new Error(`could not start bubblewrap: ${error.message}`))));
      const hello = await within(Promise.race([channel.hello, spawned]), startTimeoutMs, 'the runner\'s start-up');
      if (hello.ready !== runnerProtocol || hello.runner !== runnerHash()) throw new Error(`the runner in the sandbox is not this passk's (protocol ${hello.ready})`);
      return runner;
    } catch (error) {
      await runner.retire();
      throw error;
    }
  }

  run(request: RunnerRequest): Promise<RunnerResponse> {
    this.jobs++;
    return this.channel.request(request, hostDeadlineMs(request));
  }

  /** Closing its stdin lets the runner kill its job and exit; it is killed if it does not. */
  async retire(): Promise<void> {
    this.channel.end();
    const gone = exited(this.child);
    await within(gone, 2_000, 'the runner\'s exit').catch(() => this.child.kill('SIGKILL'));
    await gone;
    this.channel.destroy();
    if (this.identity) {
      await awaitExit(this.identity);
      await releaseIdentity(this.identity);
    }
  }
}
