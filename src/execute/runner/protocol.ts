/**
 * The JSON lines passk and its runner (sandbox/runner.py, in a container or a bubblewrap sandbox) exchange: one request per
 * job, one response per job. File contents, stdin and output travel as base64 of their bytes, so
 * what the job sees and what passk decodes are exactly what the local backends write and read.
 */
import {jobFiles, openFilesLimit, signalName, stepResult} from '../job.js';
import {defaultDiskBytes, type Job, type Limits, type StepResult} from '../sandbox.js';

/** Must match PROTOCOL in sandbox/runner.py (the image label pins the runner too). */
export const runnerProtocol = 1;

export interface RunnerHello {
  ready: number;
  /** sha256 of the runner's source. */
  runner: string;
  python: string;
  pid: number;
}

export interface RunnerRequest {
  id: number;
  files: [string, string][];
  env: Record<string, string>;
  stdin: string | null;
  steps: {argv: string[]; timeoutMs: number; merge: boolean; warm: boolean}[];
  limits: {memoryBytes: number; maxOutputBytes: number; maxFileBytes: number; openFiles: number};
  stopOnFailure: boolean;
  /** Fork `python3 -I <file>` steps from the warm zygote instead of starting an interpreter. */
  fastPython: boolean;
}

export interface RunnerStep {
  exitCode: number | null;
  signal: number | null;
  timedOut: boolean;
  oom: boolean;
  truncated: boolean;
  stdout: string;
  stderr: string;
  durationMs: number;
  /** Run by the zygote's fast path rather than exec'd. */
  forked: boolean;
}

export interface RunnerResponse {
  id: number;
  steps: RunnerStep[];
  /** The runner's own failure (never the job's). */
  error?: string;
  /** The container should not run another job (a limit was hit, or a process would not die). */
  recycle: boolean;
}

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const text = (encoded: string) => Buffer.from(encoded, 'base64').toString('utf8');

/** Throws, like the local backends, when a file name leaves the working directory. */
export function encodeJob(job: Job, id: number, env: Record<string, string>, fastPython: boolean): RunnerRequest {
  return {
    id,
    files: jobFiles(job).map(([name, content]) => [name, base64(content)]),
    env,
    stdin: job.stdin === undefined ? null : base64(job.stdin),
    steps: job.steps.map((step) => ({argv: step.argv, timeoutMs: step.timeoutMs ?? job.limits.timeoutMs, merge: Boolean(step.mergeStderr), warm: Boolean(step.warm)})),
    limits: {
      memoryBytes: job.limits.memoryBytes,
      maxOutputBytes: job.limits.maxOutputBytes,
      maxFileBytes: job.limits.maxFileBytes,
      openFiles: openFilesLimit,
    },
    stopOnFailure: job.stopOnFailure !== false,
    fastPython,
  };
}

export function decodeStep(step: RunnerStep): StepResult {
  return stepResult({
    exitCode: step.exitCode ?? undefined,
    signal: step.signal === null ? undefined : signalName(step.signal),
    timedOut: step.timedOut,
    overMemory: step.oom,
    truncated: step.truncated,
    stdout: text(step.stdout),
    stderr: text(step.stderr),
    durationMs: step.durationMs,
  });
}

/** Wall-clock budget for a whole job on the host side: the runner enforces each step's own. */
export function hostDeadlineMs(request: RunnerRequest): number {
  const slackMs = 15_000;
  return request.steps.reduce((sum, step) => sum + step.timeoutMs, 0) + slackMs;
}

/**
 * What a runner's sandbox is made for: its tmpfs sizes, memory and process caps follow the limits
 * of the jobs it runs, so a job whose limits need another shape gets a sandbox of that shape and
 * the caps enforced are the job's own, not some pool-wide maximum.
 */
export interface Shape {
  memoryBytes: number;
  diskBytes: number;
  maxProcesses: number;
}

export function shapeOf(limits: Limits): Shape {
  return {memoryBytes: limits.memoryBytes, diskBytes: limits.maxDiskBytes ?? defaultDiskBytes, maxProcesses: limits.maxProcesses};
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.memoryBytes === b.memoryBytes && a.diskBytes === b.diskBytes && a.maxProcesses === b.maxProcesses;
}
