/**
 * A Sandbox runs one job of untrusted code: files in, a few command steps run in order in a fresh,
 * empty working directory, limits enforced, results out. Backends (bubblewrap, docker, unsafe local)
 * all fit behind this one interface so benches never know where their code ran.
 */

export interface Limits {
  /** Wall-clock limit for one step, unless the step sets its own. The whole process group is killed. */
  timeoutMs: number;
  /**
   * Memory cap in bytes: the address space of each process (RLIMIT_AS), and the resident memory of
   * all the job's processes together (summed every 100 ms; over it, the step is killed and flagged oom).
   */
  memoryBytes: number;
  /** Cap on the number of processes the job may have at once. */
  maxProcesses: number;
  /** Bytes captured per output stream of a step; a step writing more is killed, flagged truncated, and keeps the first bytes. */
  maxOutputBytes: number;
  /** Largest file the job may write, in bytes. */
  maxFileBytes: number;
  /**
   * Bytes of files the job may keep: the size of its /work (a tmpfs when passk runs as root and may
   * mount) and of bwrap's /tmp and /dev/shm, each. Default defaultDiskBytes. Without that mount,
   * /work is a directory on the host's disk, bounded only by maxFileBytes per file and the timeout.
   */
  maxDiskBytes?: number;
}

export const defaultDiskBytes = 256 * 1024 ** 2;

export const defaultLimits: Limits = {
  timeoutMs: 30_000,
  memoryBytes: 2 * 1024 ** 3,
  maxProcesses: 64,
  maxOutputBytes: 16 * 1024 ** 2,
  maxFileBytes: 64 * 1024 ** 2,
  maxDiskBytes: defaultDiskBytes,
};

export interface Step {
  /** argv[0] is looked up on the sandbox's PATH (/usr/bin:/bin). */
  argv: string[];
  /** Overrides limits.timeoutMs for this step. */
  timeoutMs?: number;
  /** Send stderr into stdout (one interleaved log, like `&>` in a Makefile recipe). */
  mergeStderr?: boolean;
  /**
   * passk's own Python script (`python3 -I <file>`: the checker, the simulation launcher), never a
   * sample: a warm runner starts it with the standard modules its zygote has already imported
   * (json, ctypes, re, typing, ...) instead of importing them again. Ignored where steps are exec'd.
   */
  warm?: boolean;
}

export interface Job {
  /** Relative paths (no `..`) → contents, written into the fresh working directory before step 1. */
  files: Record<string, string>;
  steps: Step[];
  /** Fed to every step's stdin, then EOF. Absent: stdin is /dev/null. */
  stdin?: string;
  limits: Limits;
  /** Run later steps only while earlier ones exit 0 (default true). */
  stopOnFailure?: boolean;
}

export interface StepResult {
  /** null when killed by a signal (an exit status 128 + N is read as death by signal N, as shells do). */
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  /** Killed for exceeding memoryBytes (best effort: memory allocation failures cannot always be told apart). */
  oom: boolean;
  /** Output exceeded maxOutputBytes; the step was killed at once and only the first bytes are kept. */
  truncated: boolean;
  stdout: string;
  stderr: string;
  durationMs: number;
}

export interface JobResult {
  /** One entry per step that ran (fewer than job.steps when stopOnFailure cut the job short). */
  steps: StepResult[];
  durationMs: number;
  /** Set when the sandbox itself failed (not the code): an infrastructure error, never a verdict. */
  error?: string;
}

/**
 * A long-lived sandboxed process that serves many requests over its stdin and stdout (e.g. a
 * linter worker), so a tool's start-up is paid once, not per call. Same isolation and limits as a
 * job step, except that there is no wall-clock limit: it lives until close() or its own exit.
 */
export interface SandboxProcess {
  readonly stdin: NodeJS.WritableStream;
  readonly stdout: NodeJS.ReadableStream;
  /** Settles when the process has ended, with how it ended (stderr captured up to maxOutputBytes). */
  readonly exited: Promise<StepResult>;
  /** Kills the process (if still running) and removes its job directory. */
  close(): Promise<void>;
}

export interface Sandbox {
  /** 'bwrap' | 'unsafe' | 'docker' */
  readonly backend: string;
  /**
   * True when a job's scratch directories (/work, /tmp, /dev/shm), IPC objects and processes are the
   * sandbox's own, behind passk's runner (sandbox/runner.py at /opt/passk): a job may then empty them
   * itself, as the strict checker does between the programs of a batch. Absent: false (unsafe).
   */
  readonly confined?: boolean;
  run(job: Job): Promise<JobResult>;
  /**
   * Starts one step as a long-lived process in a fresh job directory holding `files`. Local
   * backends only: the Docker runner would need a streaming job kind (stdin/stdout relayed
   * over its channel until the job ends) before it can offer this.
   */
  spawn?(files: Record<string, string>, step: Step, limits: Limits): Promise<SandboxProcess>;
  /** Versions of the tools inside the sandbox, e.g. {iverilog: 'Icarus Verilog version 12.0 (stable)', python3: 'Python 3.13.5'}. */
  toolchain(): Promise<Record<string, string>>;
  /** What else a run should record about where its code ran (e.g. the Docker image digest and engines). */
  describe?(): Record<string, string>;
  close(): Promise<void>;
}
