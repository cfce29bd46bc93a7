/**
 * Samples waiting to be judged, handed to the bench in batches. While every sandbox slot is busy,
 * samples queue up; a slot that frees takes up to `batch` of them in one `bench.judgeMany` call
 * (one checker job for strict Python, each sample judged as if alone). Nothing waits for a batch
 * to fill: a sample that finds a free slot is judged at once, so batching only happens where
 * samples would have waited anyway. A bench without judgeMany is given one sample at a time.
 */
import type {LimitFunction} from 'p-limit';
import type {Bench, JudgeContext, JudgeItem, Verdict} from '../bench/bench.js';

/** Samples per sandbox job, unless the run says otherwise (--exec-batch). */
export const defaultJudgeBatch = 10;

interface Waiting {
  item: JudgeItem;
  resolve: (verdict: Verdict) => void;
  reject: (error: unknown) => void;
}

export class JudgeQueue {
  private readonly waiting: Waiting[] = [];
  private inFlight = 0;
  private readonly batch: number;

  /**
   * @param limit the run's sandbox slots (shared with nothing else while samples are judged)
   * @param stopped the error that stops the run, if any: batches not yet started are rejected with it
   */
  constructor(
    private readonly bench: Bench,
    private readonly context: Omit<JudgeContext, 'calibration'>,
    private readonly limit: LimitFunction,
    batch: number,
    private readonly stopped: () => unknown,
  ) {
    this.batch = bench.judgeMany ? Math.max(1, batch) : 1;
  }

  judge(item: JudgeItem): Promise<Verdict> {
    return new Promise((resolve, reject) => {
      this.waiting.push({item, resolve, reject});
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.waiting.length > 0 && this.inFlight < this.limit.concurrency) {
      // Spread what is left over the free slots, so the run's last samples do not queue behind one job.
      const free = this.limit.concurrency - this.inFlight;
      const taken = this.waiting.splice(0, Math.min(this.batch, Math.ceil(this.waiting.length / free)));
      this.inFlight++;
      void this.limit(() => this.run(taken)).finally(() => {
        this.inFlight--;
        this.dispatch();
      });
    }
  }

  private async run(taken: Waiting[]): Promise<void> {
    try {
      const stop = this.stopped();
      if (stop) throw stop;
      const items = taken.map((waiting) => waiting.item);
      const verdicts =
        items.length === 1 || !this.bench.judgeMany
          ? [await this.bench.judge(items[0]!.problem, items[0]!.code, {...this.context, calibration: items[0]!.calibration})]
          : await this.bench.judgeMany(items, this.context);
      taken.forEach((waiting, index) => waiting.resolve(verdicts[index]!));
    } catch (error) {
      for (const waiting of taken) waiting.reject(error);
    }
  }
}
