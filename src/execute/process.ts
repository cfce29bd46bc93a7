/**
 * The host side of every local backend: a fresh job directory, files written into it, steps run
 * one after another with a wall-clock limit, rlimits, a capped output capture and a clean
 * environment. What isolates the step (bubblewrap, or nothing) is the `wrap` function's business.
 */
import {mkdir, mkdtemp, rm, writeFile, chown} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {execa} from 'execa';
import type {Job, JobResult, Limits, Step, StepResult} from './sandbox.js';

/** Turns one step into the host argv that runs it (inside a sandbox or not). */
export type Wrap = (argv: string[], dirs: JobDirs) => string[];

export interface JobDirs {
  /** Host path of the job's working directory (the sandbox sees it as its cwd). */
  work: string;
  /** Host path of the job's private temp directory. */
  tmp: string;
}

/** Environment every step sees: nothing of the caller's (no API keys, no HOME). */
export const cleanEnv: Record<string, string> = {
  PATH: '/usr/local/bin:/usr/bin:/bin',
  LANG: 'C.UTF-8',
  HOME: '/nonexistent',
  TMPDIR: '/tmp',
  // Single-threaded numerics: no thread pools racing for two cores, and no huge per-thread arenas under RLIMIT_AS.
  OMP_NUM_THREADS: '1',
  OPENBLAS_NUM_THREADS: '1',
  PYTHONDONTWRITEBYTECODE: '1',
  PYTHONHASHSEED: '0',
};

const isRoot = process.getuid?.() === 0;

/**
 * Unprivileged uids for jobs when passk runs as root: each concurrent job gets its own, so the
 * process cap (RLIMIT_NPROC counts per uid) is per job and no job can signal another's processes.
 */
const uidBase = 61000;
const freeUids: number[] = [];
let nextUid = uidBase;
function takeUid(): number {
  return freeUids.pop() ?? nextUid++;
}

/**
 * Host argv prefix that drops privileges, applies rlimits, and ties the step's life to ours
 * (pdeathsig: if passk is killed, the sandbox dies with it instead of running on unattended).
 */
function confine(uid: number | undefined, limits: Limits): string[] {
  const identity = uid === undefined ? [] : [`--reuid=${uid}`, `--regid=${uid}`, '--clear-groups'];
  return [
    'setpriv',
    ...identity,
    '--pdeathsig',
    'KILL',
    'prlimit',
    `--as=${limits.memoryBytes}`,
    `--nproc=${limits.maxProcesses}`,
    `--fsize=${limits.maxFileBytes}`,
    '--core=0',
    '--nofile=256',
    '--',
  ];
}

function safeRelative(name: string): string {
  const normal = path.posix.normalize(name);
  if (path.posix.isAbsolute(normal) || normal.startsWith('..') || normal === '.') {
    throw new Error(`job file name escapes the working directory: ${name}`);
  }
  return normal;
}

async function prepareDirs(job: Job, uid: number | undefined): Promise<{root: string; dirs: JobDirs}> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'passk-job-'));
  const dirs = {work: path.join(root, 'work'), tmp: path.join(root, 'tmp')};
  await mkdir(dirs.work);
  await mkdir(dirs.tmp);
  for (const [name, content] of Object.entries(job.files)) {
    const target = path.join(dirs.work, safeRelative(name));
    await mkdir(path.dirname(target), {recursive: true});
    await writeFile(target, content);
    if (uid !== undefined) await chown(target, uid, uid);
  }
  if (uid !== undefined) {
    for (const dir of [root, dirs.work, dirs.tmp]) await chown(dir, uid, uid);
  }
  return {root, dirs};
}

/** Interleave stderr into stdout in the order written, as a shell's `&>` does. */
function merged(argv: string[]): string[] {
  return ['/bin/sh', '-c', 'exec "$@" 2>&1', 'sh', ...argv];
}

const memoryMessages = /MemoryError|out of memory|Cannot allocate memory|std::bad_alloc/;

async function runStep(step: Step, job: Job, uid: number | undefined, dirs: JobDirs, wrap: Wrap): Promise<StepResult> {
  const argv = [...confine(uid, job.limits), ...wrap(step.mergeStderr ? merged(step.argv) : step.argv, dirs)];
  const started = performance.now();
  const result = await execa(argv[0], argv.slice(1), {
    cwd: dirs.work,
    env: cleanEnv,
    extendEnv: false,
    reject: false,
    stripFinalNewline: false,
    timeout: step.timeoutMs ?? job.limits.timeoutMs,
    killSignal: 'SIGKILL',
    maxBuffer: job.limits.maxOutputBytes,
    ...(job.stdin === undefined ? {stdin: 'ignore' as const} : {input: job.stdin}),
  });
  const durationMs = Math.round(performance.now() - started);
  if (result.failed && result.exitCode === undefined && !result.timedOut && !result.isMaxBuffer && !result.signal) {
    throw new Error(`could not start the sandbox: ${result.shortMessage}`);
  }
  const stdout = String(result.stdout ?? '');
  const stderr = String(result.stderr ?? '');
  return {
    exitCode: result.exitCode ?? null,
    signal: result.signal ?? null,
    timedOut: result.timedOut,
    oom: !result.timedOut && result.exitCode !== 0 && memoryMessages.test(stderr + stdout),
    truncated: result.isMaxBuffer,
    stdout,
    stderr,
    durationMs,
  };
}

/** Runs a job's steps in a fresh directory; the directory and everything in it is removed afterwards. */
export async function runJob(job: Job, wrap: Wrap): Promise<JobResult> {
  const started = performance.now();
  const uid = isRoot ? takeUid() : undefined;
  let root: string | undefined;
  const steps: StepResult[] = [];
  try {
    const prepared = await prepareDirs(job, uid);
    root = prepared.root;
    for (const step of job.steps) {
      const result = await runStep(step, job, uid, prepared.dirs, wrap);
      steps.push(result);
      const ok = result.exitCode === 0 && !result.timedOut && !result.truncated;
      if (!ok && job.stopOnFailure !== false) break;
    }
    return {steps, durationMs: Math.round(performance.now() - started)};
  } catch (error) {
    return {steps, durationMs: Math.round(performance.now() - started), error: (error as Error).message};
  } finally {
    if (root) await rm(root, {recursive: true, force: true});
    if (uid !== undefined) freeUids.push(uid);
  }
}
