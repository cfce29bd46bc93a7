/**
 * Opening a sandbox: pick the backend, find the toolchain, and prove the sandbox works before any
 * untrusted code is handed to it.
 */
import {existsSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {UserError} from '../errors.js';
import {BwrapHost, bwrapWrap} from './bwrap.js';
import type {DockerSandboxOptions} from './docker/index.js';
import {unmountScratch} from './identity.js';
import {runJob, spawnProcess, type Wrap} from './process.js';
import {Pool} from './runner/pool.js';
import {shapeOf} from './runner/protocol.js';
import {defaultLimits, type Job, type JobResult, type Limits, type Sandbox, type SandboxProcess, type Step} from './sandbox.js';
import {readToolchain} from './toolchain.js';

export type Backend = 'auto' | 'bwrap' | 'docker' | 'unsafe';

export interface SandboxOptions extends DockerSandboxOptions {
  /** 'auto': Docker when every engine answers and has the image, else bubblewrap. */
  backend?: Backend;
  /** A root filesystem whose /usr holds the toolchain (e.g. an mmdebstrap'd Debian trixie). Default: see defaultToolchainRoot. */
  toolchainRoot?: string;
}

/**
 * Where `scripts/setup-toolchain.sh` puts the Debian trixie toolchain (Icarus 12, the version
 * VerilogEval pins; Python 3.13 with numpy). Root uses a world-readable place because jobs run
 * under unprivileged uids that cannot enter /root; other users may use root's too.
 */
export function defaultToolchainRoot(): string {
  if (process.env.PASSK_TOOLCHAIN_ROOT) return process.env.PASSK_TOOLCHAIN_ROOT;
  const caches = process.getuid?.() === 0 ? ['/var/cache/passk'] : [path.join(os.homedir(), '.cache', 'passk'), '/var/cache/passk'];
  const trixie = caches.map((cache) => path.join(cache, 'toolchains', 'trixie')).find((root) => existsSync(path.join(root, 'usr', 'bin')));
  return trixie ?? '/';
}

/** No isolation at all: a fresh directory and limits, on this host (--unsafe-no-sandbox). */
class UnsafeSandbox implements Sandbox {
  readonly backend = 'unsafe';
  private versions?: Promise<Record<string, string>>;

  constructor(private readonly wrap: Wrap) {}

  run(job: Job): Promise<JobResult> {
    return runJob(job, this.wrap);
  }

  spawn(files: Record<string, string>, step: Step, limits: Limits): Promise<SandboxProcess> {
    return spawnProcess(files, step, limits, this.wrap);
  }

  toolchain(): Promise<Record<string, string>> {
    this.versions ??= readToolchain(this);
    return this.versions;
  }

  close(): Promise<void> {
    return unmountScratch();
  }
}

/** The bubblewrap backend: a warm pool of bubblewrap sandboxes with passk's runner (bwrap.ts). */
class BwrapSandbox implements Sandbox {
  readonly backend = 'bwrap';
  readonly confined = true;
  private versions?: Promise<Record<string, string>>;

  constructor(
    private readonly pool: Pool,
    private readonly toolchainRoot: string,
  ) {}

  run(job: Job): Promise<JobResult> {
    return this.pool.run(job);
  }

  /** A process of its own bubblewrap sandbox, outside the runner pool (a runner serves one job at a time). */
  spawn(files: Record<string, string>, step: Step, limits: Limits): Promise<SandboxProcess> {
    return spawnProcess(files, step, limits, bwrapWrap(this.toolchainRoot));
  }

  toolchain(): Promise<Record<string, string>> {
    this.versions ??= readToolchain(this);
    return this.versions;
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

async function works(sandbox: Sandbox): Promise<string | undefined> {
  const probe = await sandbox.run({files: {}, steps: [{argv: ['true'], timeoutMs: 10_000}], limits: defaultLimits});
  if (probe.error) return probe.error;
  const step = probe.steps[0];
  if (step?.exitCode !== 0) return (step?.stderr || step?.stdout || `exit ${step?.exitCode}`).trim().split('\n')[0];
  return undefined;
}

/**
 * Opens a sandbox. 'docker' requires reachable engines with the sandbox image; 'auto' takes Docker
 * when that holds and bubblewrap otherwise; 'bwrap' requires a working bubblewrap and refuses
 * otherwise; 'unsafe' runs code on the host with only limits and a fresh directory (--unsafe-no-sandbox).
 */
export async function openSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const backend = options.backend ?? 'auto';
  if (backend === 'docker' || backend === 'auto') {
    // Imported when wanted: dockerode and its dependencies cost ~0.2 s of every bubblewrap run's start.
    const docker = await import('./docker/index.js');
    if (backend === 'docker' || (await docker.dockerAvailable(options))) return docker.openDockerSandbox(options);
  }
  // env: the job's temp files go to its own directory, which is removed with it.
  if (backend === 'unsafe') return new UnsafeSandbox((argv, dirs) => ['env', `TMPDIR=${dirs.tmp}`, ...argv]);
  const root = options.toolchainRoot ?? defaultToolchainRoot();
  if (!existsSync(path.join(root, 'usr'))) throw new UserError(`toolchain root ${root} has no usr/ directory`);
  const pool = new Pool({
    hosts: [new BwrapHost(root)],
    size: options.poolSize ?? os.availableParallelism(),
    fastPython: options.fastPython ?? true,
    jobsPerRunner: options.jobsPerContainer ?? 256,
  });
  const sandbox = new BwrapSandbox(pool, root);
  const problem = await pool
    .warm(shapeOf(defaultLimits))
    .then(() => works(sandbox))
    .catch((error: unknown) => (error as Error).message);
  if (problem) {
    await pool.close();
    throw new UserError(
      `no usable sandbox (bubblewrap: ${problem}); install bubblewrap (apt-get install bubblewrap) or pass --unsafe-no-sandbox to run untrusted code on this host`,
    );
  }
  return sandbox;
}

export type {Sandbox, SandboxProcess, Job, JobResult, Limits, Step, StepResult} from './sandbox.js';
export {defaultLimits} from './sandbox.js';
