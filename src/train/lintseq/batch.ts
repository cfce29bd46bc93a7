/**
 * Verilog lint requests of many programs at once, served by few Icarus runs: starting Icarus is
 * most of what linting a short program costs, and a run takes many files as cheaply as one. The
 * states waiting when a worker is free go to it as one batch, each as its own file and
 * compilation unit, its design units renamed apart so the files cannot see each other. What the
 * run says per file is trusted only where it must equal linting that text alone
 * (iverilogBatchErrorLines); a file it leaves unknown waits for the next batch, and a run it
 * cannot read has each of its texts linted alone by the iverilog driver.
 */
import {iverilogBatchErrorLines, iverilogErrorLines} from './linters.js';
import type {WorkerPool} from './pool.js';
import {designUnitNames} from './verilog-structure.js';
import type {LintWorker} from './worker.js';

interface Pending {
  text: string;
  resolve: (lines: number[]) => void;
  reject: (error: Error) => void;
}

/** Appended to a batched text's design-unit names; a text already holding it is linted alone. */
const marker = '__lintseq';

/**
 * Directives (`define, `default_nettype, `include …) and escaped identifiers are linted alone:
 * the batch run has no preprocessor, and renaming does not see escaped names.
 */
function batchable(text: string): boolean {
  return !/[`\\]/.test(text) && !text.includes(marker);
}

/**
 * The text with its design units renamed for file k of a batch, every use too (in comments and
 * strings as well, which only changes messages); its lines stay where they were.
 */
export function renameUnits(text: string, k: number): string {
  const names = designUnitNames(text.split('\n'));
  if (names.length === 0) return text;
  const name = new RegExp(`(?<![A-Za-z0-9_$])(${names.map((unit) => unit.replaceAll('$', '\\$')).join('|')})(?![A-Za-z0-9_$])`, 'g');
  return text.replace(name, `$1${marker}${k}`);
}

export class BatchLinter {
  /** Icarus runs: batches, and texts linted alone. */
  runs = 0;
  private readonly queue: Pending[] = [];
  private running = 0;

  constructor(
    private readonly pool: WorkerPool,
    private readonly workers: number,
    private readonly maxBatch: number,
  ) {}

  /** Lints one program text: the 1-based lines holding errors; [] when clean. */
  lint(text: string): Promise<number[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({text, resolve, reject});
      this.pump();
    });
  }

  private pump(): void {
    while (this.running < this.workers && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.running++;
      this.pool
        .use((worker) => this.serve(worker, batch))
        // A request already answered ignores this.
        .catch((error: unknown) => batch.forEach((item) => item.reject(error as Error)))
        .finally(() => {
          this.running--;
          this.pump();
        });
    }
  }

  private async serve(worker: LintWorker, batch: Pending[]): Promise<void> {
    const together = batch.filter((item) => batchable(item.text));
    const alone = batch.filter((item) => !batchable(item.text));
    if (together.length > 0) {
      this.runs++;
      const verdicts = iverilogBatchErrorLines(await worker.lintBatch(together.map((item, k) => renameUnits(item.text, k))), together.length);
      if (verdicts === undefined) alone.push(...together);
      else {
        const unknown = together.filter((item, k) => {
          const lines = verdicts[k];
          if (lines) item.resolve(lines);
          return !lines;
        });
        // First in line for the next batch.
        this.queue.unshift(...unknown);
      }
    }
    for (const item of alone) {
      this.runs++;
      const reply = await worker.lint(item.text);
      try {
        item.resolve(iverilogErrorLines(reply));
      } catch (error) {
        item.reject(error as Error);
      }
    }
  }
}
