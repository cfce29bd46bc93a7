/**
 * What every backend does with a job the same way, whatever isolates it: the checked file names,
 * the environment and file-descriptor limit steps get, when a job stops early, and how a step's
 * raw end (exit status, kills, captured output) becomes a StepResult.
 */
import os from 'node:os';
import path from 'node:path';
import type {Job, StepResult} from './sandbox.js';

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

/** RLIMIT_NOFILE of every step. */
export const openFilesLimit = 256;

function safeRelative(name: string): string {
  const normal = path.posix.normalize(name);
  if (path.posix.isAbsolute(normal) || normal === '..' || normal.startsWith('../') || normal === '.') {
    throw new Error(`job file name escapes the working directory: ${name}`);
  }
  return normal;
}

/** The job's files with checked, normalised names: all are checked before anything is written. */
export function jobFiles(job: Job): [string, string][] {
  return Object.entries(job.files).map(([name, content]) => [safeRelative(name), content]);
}

/** Whether later steps may run after this one (Job.stopOnFailure). */
export function stepSucceeded(step: StepResult): boolean {
  return step.exitCode === 0 && !step.timedOut && !step.truncated;
}

const memoryMessages = /MemoryError|out of memory|Cannot allocate memory|std::bad_alloc/;

/** Signal number → name; the first name wins (SIGABRT, not its alias SIGIOT). */
const signalNames = new Map<number, string>();
for (const [name, number] of Object.entries(os.constants.signals)) if (!signalNames.has(number)) signalNames.set(number, name);

export function signalName(number: number): string {
  return signalNames.get(number) ?? `SIG${number}`;
}

/** How a step ended, before it is read the same way for every backend. */
export interface StepEnd {
  exitCode?: number;
  signal?: string;
  timedOut: boolean;
  /** Killed by the job-wide memory watchdog (or the kernel's OOM killer). */
  overMemory: boolean;
  /** Killed (or cut) at the output cap. */
  truncated: boolean;
  stdout: string;
  stderr: string;
  durationMs: number;
}

/**
 * A shell (and bwrap's init) reports a command killed by signal N as exit status 128 + N: read it
 * back as the signal, so every backend reports a signal death the same way. A failed allocation
 * that the program reported itself counts as a memory-limit hit too.
 */
export function stepResult(end: StepEnd): StepResult {
  const name = end.exitCode !== undefined && end.exitCode > 128 ? signalNames.get(end.exitCode - 128) : undefined;
  const status = name ? {exitCode: null, signal: name} : {exitCode: end.exitCode ?? null, signal: end.signal ?? null};
  return {
    ...status,
    timedOut: end.timedOut,
    oom: end.overMemory || (!end.timedOut && status.exitCode !== 0 && memoryMessages.test(end.stderr + end.stdout)),
    truncated: end.truncated,
    stdout: end.stdout,
    stderr: end.stderr,
    durationMs: Math.round(end.durationMs),
  };
}
