/**
 * A fixed number of linter workers shared by concurrent tasks: a task borrows a worker for as long
 * as it needs one (a whole program), and a worker that died is replaced for the next borrower.
 */
import type {Sandbox} from '../../execute/sandbox.js';
import type {LinterKind} from './linters.js';
import {LintWorker} from './worker.js';

export class WorkerPool {
  private readonly idle: LintWorker[] = [];
  private readonly waiters: Array<(worker: LintWorker | undefined) => void> = [];
  private readonly all = new Set<LintWorker>();
  private starting = 0;
  private closed = false;

  constructor(
    private readonly sandbox: Sandbox,
    private readonly kind: LinterKind,
    private readonly size: number,
    private readonly timeoutMs?: number,
  ) {}

  async use<T>(task: (worker: LintWorker) => Promise<T>): Promise<T> {
    const worker = await this.acquire();
    try {
      return await task(worker);
    } finally {
      this.release(worker);
    }
  }

  private async acquire(): Promise<LintWorker> {
    if (this.closed) throw new Error('the linter pool is closed');
    const idle = this.idle.pop();
    if (idle) return idle;
    if (this.all.size + this.starting < this.size) {
      this.starting++;
      try {
        const worker = await LintWorker.start(this.sandbox, this.kind, this.timeoutMs);
        this.all.add(worker);
        return worker;
      } finally {
        this.starting--;
      }
    }
    const worker = await new Promise<LintWorker | undefined>((resolve) => this.waiters.push(resolve));
    return worker ?? this.acquire();
  }

  private release(worker: LintWorker): void {
    if (!worker.alive) {
      this.all.delete(worker);
      void worker.close();
      // Its slot is free: the next waiter starts a fresh worker.
      this.waiters.shift()?.(undefined);
      return;
    }
    const waiter = this.waiters.shift();
    if (waiter) waiter(worker);
    else this.idle.push(worker);
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.all].map((worker) => worker.close()));
    this.all.clear();
    this.idle.length = 0;
  }
}
