/**
 * The host side of every local backend: a fresh job directory, files written into it, steps run
 * one after another with a wall-clock limit, rlimits, a capped output capture and a clean
 * environment. What isolates the step (bubblewrap, or nothing) is the `wrap` function's business.
 */
import {chmod, chown, mkdir, mkdtemp, readdir, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {execa, type Options} from 'execa';
import {awaitExit, releaseIdentity, takeIdentity, type Identity} from './identity.js';
import {cleanEnv, jobFiles, openFilesLimit, stepResult, stepSucceeded} from './job.js';
import {tasksByUid, treeResidentBytes} from './procs.js';
import {defaultDiskBytes, type Job, type JobResult, type Limits, type SandboxProcess, type Step, type StepResult} from './sandbox.js';

/** Turns one step into the host argv that runs it (inside a sandbox or not). */
export type Wrap = (argv: string[], dirs: JobDirs, limits: Limits) => string[];

export interface JobDirs {
  /** Host path of the job's working directory (the sandbox sees it as its cwd). */
  work: string;
  /** Host path of the job's private temp directory. */
  tmp: string;
}

/** Root gives each job its own unprivileged uid (see identity.ts); otherwise jobs run as the caller. */
const isRoot = process.getuid?.() === 0;

export function diskBytes(limits: Limits): number {
  return limits.maxDiskBytes ?? defaultDiskBytes;
}

/**
 * Host argv prefix that drops privileges, applies rlimits, and ties the step's life to ours
 * (pdeathsig: if passk is killed, the sandbox dies with it instead of running on unattended).
 * `tasksNow` is what the uid already runs: RLIMIT_NPROC counts them all, zombies included.
 */
function confine(uid: number | undefined, limits: Limits, tasksNow: number): string[] {
  const identity = uid === undefined ? [] : [`--reuid=${uid}`, `--regid=${uid}`, '--clear-groups'];
  return [
    'setpriv',
    ...identity,
    '--pdeathsig',
    'KILL',
    'prlimit',
    `--as=${limits.memoryBytes}`,
    `--nproc=${tasksNow + limits.maxProcesses}`,
    `--fsize=${limits.maxFileBytes}`,
    '--core=0',
    `--nofile=${openFilesLimit}`,
    '--',
  ];
}

async function prepareDirs(root: string, files: [string, string][], identity: Identity | undefined): Promise<JobDirs> {
  const dirs = {work: path.join(root, 'work'), tmp: path.join(root, 'tmp')};
  await mkdir(dirs.work);
  await mkdir(dirs.tmp);
  for (const [name, content] of files) {
    const target = path.join(dirs.work, name);
    await mkdir(path.dirname(target), {recursive: true});
    await writeFile(target, content);
  }
  if (identity) await chownTree(root, identity.uid);
  return dirs;
}

async function chownTree(dir: string, uid: number): Promise<void> {
  await chown(dir, uid, uid);
  for (const entry of await readdir(dir, {withFileTypes: true})) {
    const target = path.join(dir, entry.name);
    if (entry.isDirectory()) await chownTree(target, uid);
    else await chown(target, uid, uid);
  }
}

/** Removes a job directory even after the job took the permissions off its own subdirectories. */
async function removeTree(root: string): Promise<void> {
  try {
    await rm(root, {recursive: true, force: true});
  } catch {
    await grantAll(root);
    await rm(root, {recursive: true, force: true});
  }
}

async function grantAll(dir: string): Promise<void> {
  await chmod(dir, 0o700);
  for (const entry of await readdir(dir, {withFileTypes: true})) {
    if (entry.isDirectory()) await grantAll(path.join(dir, entry.name));
  }
}

/** Interleave stderr into stdout in the order written, as a shell's `&>` does. */
function merged(argv: string[]): string[] {
  return ['/bin/sh', '-c', 'exec "$@" 2>&1', 'sh', ...argv];
}

/** How often a running step's resident memory is summed; the overshoot is what it can touch meanwhile (~0.2 GB per core). */
const memoryPollMs = 100;

/**
 * RLIMIT_AS holds each process; this holds them together (e.g. many forks, each just under the
 * cap): the step's process tree is killed once its summed resident memory exceeds `bytes`.
 */
function watchMemory(subprocess: {pid?: number; kill(signal: NodeJS.Signals): boolean}, bytes: number): {stop(): void; tripped(): boolean} {
  let overMemory = false;
  const timer = setInterval(() => {
    if (subprocess.pid !== undefined && !overMemory && treeResidentBytes(subprocess.pid) > bytes) {
      overMemory = true;
      subprocess.kill('SIGKILL');
    }
  }, memoryPollMs);
  return {stop: () => clearInterval(timer), tripped: () => overMemory};
}

/** A claimed identity (as root) and a fresh job directory holding the files; `release` gives both back. */
interface JobSpace {
  dirs: JobDirs;
  uid: number | undefined;
  /** What the uid already runs (RLIMIT_NPROC counts it). */
  tasks: number;
  release(): Promise<void>;
}

async function openSpace(files: [string, string][], limits: Limits): Promise<JobSpace> {
  let identity: Identity | undefined;
  let root: string | undefined;
  const release = async () => {
    try {
      if (identity) await awaitExit(identity);
      if (root) await removeTree(root);
    } finally {
      if (identity) await releaseIdentity(identity);
    }
  };
  try {
    if (isRoot) identity = await takeIdentity(diskBytes(limits));
    const tasks = identity?.tasks ?? tasksByUid().get(process.getuid?.() ?? -1)?.tasks ?? 0;
    root = await mkdtemp(path.join(identity?.scratch ?? os.tmpdir(), 'passk-job-'));
    const dirs = await prepareDirs(root, files, identity);
    return {dirs, uid: identity?.uid, tasks, release};
  } catch (error) {
    await release();
    throw error;
  }
}

/**
 * Starts one step confined and wrapped, with its memory watchdog. `earlierSteps` counts the steps
 * this job already ran: each may have left one zombie (bwrap's init) the host's init has not reaped yet.
 */
function startStep(space: JobSpace, step: Step, limits: Limits, wrap: Wrap, earlierSteps: number, io: Options) {
  const argv = [...confine(space.uid, limits, space.tasks + earlierSteps), ...wrap(step.mergeStderr ? merged(step.argv) : step.argv, space.dirs, limits)];
  const subprocess = execa(argv[0]!, argv.slice(1), {
    cwd: space.dirs.work,
    env: cleanEnv,
    extendEnv: false,
    reject: false,
    stripFinalNewline: false,
    killSignal: 'SIGKILL',
    maxBuffer: limits.maxOutputBytes,
    ...io,
  });
  return {subprocess, watchdog: watchMemory(subprocess, limits.memoryBytes), started: performance.now()};
}

async function runStep(space: JobSpace, step: Step, job: Job, index: number, wrap: Wrap): Promise<StepResult> {
  const {subprocess, watchdog, started} = startStep(space, step, job.limits, wrap, index, {
    timeout: step.timeoutMs ?? job.limits.timeoutMs,
    ...(job.stdin === undefined ? {stdin: 'ignore' as const} : {input: job.stdin}),
  });
  // execa stops reading at maxBuffer but leaves the process running until it exits or times out.
  let flooded = false;
  for (const stream of [subprocess.stdout, subprocess.stderr]) {
    let bytes = 0;
    stream?.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > job.limits.maxOutputBytes && !flooded) {
        flooded = true;
        subprocess.kill('SIGKILL');
      }
    });
  }
  const result = await subprocess.finally(() => watchdog.stop());
  const durationMs = performance.now() - started;
  if (result.failed && result.exitCode === undefined && !result.timedOut && !result.isMaxBuffer && !result.signal) {
    throw new Error(`could not start the sandbox: ${result.shortMessage}`);
  }
  return stepResult({
    exitCode: result.exitCode,
    signal: result.signal,
    timedOut: result.timedOut,
    overMemory: watchdog.tripped(),
    truncated: flooded || result.isMaxBuffer,
    stdout: String(result.stdout ?? ''),
    stderr: String(result.stderr ?? ''),
    durationMs,
  });
}

/** Runs a job's steps in a fresh directory; the directory and everything in it is removed afterwards. */
export async function runJob(job: Job, wrap: Wrap): Promise<JobResult> {
  const started = performance.now();
  const steps: StepResult[] = [];
  let space: JobSpace | undefined;
  let error: string | undefined;
  try {
    space = await openSpace(jobFiles(job), job.limits);
    for (const [index, step] of job.steps.entries()) {
      const result = await runStep(space, step, job, index, wrap);
      steps.push(result);
      if (!stepSucceeded(result) && job.stopOnFailure !== false) break;
    }
  } catch (failure) {
    error = (failure as Error).message;
  }
  const durationMs = Math.round(performance.now() - started);
  try {
    await space?.release();
  } catch (failure) {
    error ??= `could not remove the job directory: ${(failure as Error).message}`;
  }
  return error === undefined ? {steps, durationMs} : {steps, durationMs, error};
}

/**
 * Starts one step as a long-lived process (Sandbox.spawn): the same identity, directory, rlimits,
 * memory watchdog and isolation as a job step, stdin and stdout left open for a request protocol.
 */
export async function spawnProcess(files: Record<string, string>, step: Step, limits: Limits, wrap: Wrap): Promise<SandboxProcess> {
  let space: JobSpace | undefined;
  try {
    space = await openSpace(jobFiles({files, steps: [], limits}), limits);
    const opened = space;
    const {subprocess, watchdog, started} = startStep(opened, step, limits, wrap, 0, {stdin: 'pipe', buffer: {stdout: false, stderr: true}});
    const exited = subprocess.then((result) => {
      watchdog.stop();
      return stepResult({
        exitCode: result.exitCode,
        signal: result.signal,
        timedOut: false,
        overMemory: watchdog.tripped(),
        truncated: result.isMaxBuffer,
        stdout: '',
        stderr: String(result.stderr ?? ''),
        durationMs: performance.now() - started,
      });
    });
    let closing: Promise<void> | undefined;
    return {
      stdin: subprocess.stdin!,
      stdout: subprocess.stdout!,
      exited,
      close: () => {
        closing ??= (async () => {
          subprocess.kill('SIGKILL');
          await exited;
          await opened.release();
        })();
        return closing;
      },
    };
  } catch (error) {
    await space?.release();
    throw new Error(`could not start the sandbox process: ${(error as Error).message}`);
  }
}
