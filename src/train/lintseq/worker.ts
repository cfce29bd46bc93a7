/**
 * A linter worker: sandbox/lint_worker.py running as one long-lived sandboxed process (pylint in
 * process, or Icarus behind it), answering one JSON line per request (a program, or a batch of them). Requests are queued, one
 * in flight at a time. A worker that dies or stops answering fails its pending requests and is
 * not reused; the pool (pool.ts) starts another.
 */
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {createInterface} from 'node:readline';
import {fileURLToPath} from 'node:url';
import type {Limits, Sandbox, SandboxProcess} from '../../execute/sandbox.js';
import {defaultLimits} from '../../execute/sandbox.js';
import {UserError} from '../../errors.js';
import type {LinterKind, WorkerReply} from './linters.js';

/** sandbox/lint_worker.py (this file is src/train/lintseq/ or dist/train/lintseq/). */
const workerSource = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'sandbox', 'lint_worker.py');

/** Generous for one short program; a worker past it is killed (a linter that hangs on some input). */
export const defaultLintTimeoutMs = 60_000;

/** Loading pylint takes a few seconds on a busy machine. */
const startTimeoutMs = 120_000;

const workerLimits: Limits = {...defaultLimits, memoryBytes: 1024 ** 3};

/** The worker died, hung or was closed: its requests fail with this, and the pool replaces it. */
export class WorkerFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkerFailure';
  }
}

export class LintWorker {
  private queue: Promise<unknown> = Promise.resolve();
  private waiting?: {resolve: (reply: WorkerReply) => void; reject: (error: Error) => void};
  private dead?: WorkerFailure;

  private constructor(
    private readonly process: SandboxProcess,
    private readonly timeoutMs: number,
  ) {
    // A write to a worker that just died: its exit is reported below.
    process.stdin.on('error', () => undefined);
    const lines = createInterface({input: process.stdout});
    lines.on('line', (line) => {
      const waiting = this.waiting;
      this.waiting = undefined;
      try {
        waiting?.resolve(JSON.parse(line) as WorkerReply);
      } catch {
        waiting?.reject(new Error(`the linter worker sent a malformed reply: ${line.slice(0, 200)}`));
      }
    });
    void process.exited.then((end) => {
      const detail = end.stderr.trim().split('\n').slice(-3).join(' | ');
      this.fail(new WorkerFailure(`the linter worker exited (${end.signal ?? `exit ${end.exitCode}`}${end.oom ? ', out of memory' : ''})${detail ? `: ${detail}` : ''}`));
    });
  }

  /** Starts a worker and waits until its linter is loaded. */
  static async start(sandbox: Sandbox, kind: LinterKind, timeoutMs = defaultLintTimeoutMs): Promise<LintWorker> {
    if (!sandbox.spawn) throw new Error(`the ${sandbox.backend} sandbox cannot run a long-lived linter worker; use --sandbox bwrap`);
    const process = await sandbox.spawn({'lint_worker.py': readFileSync(workerSource, 'utf8')}, {argv: ['python3', '-I', 'lint_worker.py', kind]}, workerLimits);
    const worker = new LintWorker(process, timeoutMs);
    try {
      const ready = await worker.exchange(undefined, startTimeoutMs);
      if (!('ready' in ready)) throw new Error(`unexpected first reply ${JSON.stringify(ready)}`);
    } catch (error) {
      await worker.close();
      throw new UserError(`the ${kind} worker did not start (${(error as Error).message}); the sandbox toolchain needs ${kind}: run scripts/setup-toolchain.sh`);
    }
    return worker;
  }

  get alive(): boolean {
    return this.dead === undefined;
  }

  lint(text: string): Promise<WorkerReply> {
    return this.exchange(JSON.stringify({text}) + '\n', this.timeoutMs);
  }

  /** iverilog only: the texts as files s0.sv, s1.sv, … of one Icarus run (sandbox/lint_worker.py). */
  lintBatch(texts: readonly string[]): Promise<WorkerReply> {
    return this.exchange(JSON.stringify({texts}) + '\n', this.timeoutMs);
  }

  private exchange(request: string | undefined, timeoutMs: number): Promise<WorkerReply> {
    const next = this.queue.then(
      () =>
        new Promise<WorkerReply>((resolve, reject) => {
          if (this.dead) return reject(this.dead);
          const timer = setTimeout(() => {
            this.fail(new WorkerFailure(`the linter worker did not answer within ${timeoutMs / 1000} s`));
            void this.process.close();
          }, timeoutMs);
          const settle = <T>(done: (value: T) => void) => (value: T) => {
            clearTimeout(timer);
            done(value);
          };
          this.waiting = {resolve: settle(resolve), reject: settle(reject)};
          if (request !== undefined) this.process.stdin.write(request);
        }),
    );
    this.queue = next.catch(() => undefined);
    return next;
  }

  private fail(error: WorkerFailure): void {
    this.dead ??= error;
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.reject(this.dead);
  }

  close(): Promise<void> {
    this.fail(new WorkerFailure('the linter worker was closed'));
    return this.process.close();
  }
}
