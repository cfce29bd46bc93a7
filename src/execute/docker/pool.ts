/**
 * The warm pool: a fixed number of slots (the exec concurrency), each holding one long-lived
 * container spread round-robin over the engines, each taking queued jobs one at a time. A
 * container is replaced after a job that hit a limit (timeout, memory, output, SIGKILL) and after
 * a bounded number of jobs; the replacement starts at once, in the background. A container that is
 * lost mid-job (its engine stopped, the container was killed, the runner stopped answering) costs
 * the job nothing but time: the job is run again on a fresh container, on another engine if its
 * own no longer answers a ping. Every job is answered exactly once.
 */
import {WarmContainer} from './container.js';
import {unreachable, type Engine} from './engines.js';
import {decodeStep, encodeJob} from './protocol.js';
import {sameShape, shapeOf, type Shape} from './settings.js';
import {cleanEnv} from '../job.js';
import type {Job, JobResult} from '../sandbox.js';

export interface PoolEngine {
  engine: Engine;
  /** The sandbox image's id on this engine. */
  imageId: string;
  /** Why the engine is out of the pool (it stays out for the pool's life), if it is. */
  down?: string;
}

export interface PoolOptions {
  engines: PoolEngine[];
  size: number;
  runnerHash: string;
  cpus: number;
  fastPython: boolean;
  /** Jobs a container runs before it is replaced (defence in depth: the runner already empties it after every job). */
  jobsPerContainer: number;
}

export interface PoolStats {
  containersStarted: number;
  /** Jobs run again because their container was lost. */
  jobsRetried: number;
  /** Steps forked from a runner's warm Python zygote instead of exec'd. */
  stepsForked: number;
}

interface Queued {
  job: Job;
  resolve: (result: JobResult) => void;
}

interface Slot {
  engine?: PoolEngine;
  /** The slot's container, or its start-up in progress. */
  container?: Promise<WarmContainer>;
}

/** Runs of one job on lost containers before it is reported as an infrastructure error. */
const maxAttempts = 3;

export class Pool {
  readonly stats: PoolStats = {containersStarted: 0, jobsRetried: 0, stepsForked: 0};
  private readonly queue: Queued[] = [];
  private readonly idle: ((entry: Queued | undefined) => void)[] = [];
  private readonly slots: Slot[];
  private readonly workers: Promise<void>[];
  private readonly retiring = new Set<Promise<void>>();
  private readonly checks = new Map<PoolEngine, Promise<void>>();
  private closed = false;
  private nextId = 1;

  constructor(private readonly options: PoolOptions) {
    this.slots = Array.from({length: options.size}, (_, index) => ({engine: options.engines[index % options.engines.length]}));
    this.workers = this.slots.map((slot) => this.work(slot));
  }

  /** Starts every slot's container for `shape`; throws the first failure (e.g. a broken image). */
  async warm(shape: Shape): Promise<void> {
    await Promise.all(this.slots.map((slot) => this.containerFor(slot, shape)));
  }

  run(job: Job): Promise<JobResult> {
    if (this.closed) return Promise.resolve({steps: [], durationMs: 0, error: 'the Docker sandbox is closed'});
    return new Promise((resolve) => {
      const entry = {job, resolve};
      const worker = this.idle.shift();
      if (worker) worker(entry);
      else this.queue.push(entry);
    });
  }

  /** Engines still in the pool. */
  liveEngines(): PoolEngine[] {
    return this.options.engines.filter((engine) => !engine.down);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const worker of this.idle.splice(0)) worker(undefined);
    for (const entry of this.queue.splice(0)) entry.resolve({steps: [], durationMs: 0, error: 'the Docker sandbox was closed'});
    await Promise.all(this.workers);
    for (const slot of this.slots) this.retire(slot);
    await Promise.all(this.retiring);
  }

  private next(): Promise<Queued | undefined> {
    if (this.closed) return Promise.resolve(undefined);
    const entry = this.queue.shift();
    return entry ? Promise.resolve(entry) : new Promise((resolve) => this.idle.push(resolve));
  }

  private async work(slot: Slot): Promise<void> {
    for (let entry = await this.next(); entry; entry = await this.next()) entry.resolve(await this.execute(slot, entry.job));
  }

  private async execute(slot: Slot, job: Job): Promise<JobResult> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    let request;
    try {
      request = encodeJob(job, this.nextId++, cleanEnv, this.options.fastPython);
    } catch (error) {
      return {steps: [], durationMs: elapsed(), error: (error as Error).message};
    }
    const shape = shapeOf(job.limits);
    let lastFailure = '';
    let attempt = 0;
    while (attempt < maxAttempts) {
      if (attempt++ > 0) this.stats.jobsRetried++;
      let container: WarmContainer;
      try {
        container = await this.containerFor(slot, shape);
      } catch (error) {
        lastFailure = (error as Error).message;
        // Before trying again: if the engine is gone, the next try goes to another one.
        if (slot.engine) await this.checkEngine(slot.engine);
        if (this.liveEngines().length === 0) break;
        continue;
      }
      try {
        const response = await container.run(request);
        const steps = response.steps.map(decodeStep);
        // The runner asks for a new container after a kill at a limit; an allocation failure the program survived counts too.
        if (response.recycle || steps.some((step) => step.oom) || container.jobs >= this.options.jobsPerContainer) this.replace(slot, shape);
        this.stats.stepsForked += response.steps.filter((step) => step.forked).length;
        return response.error === undefined ? {steps, durationMs: elapsed()} : {steps, durationMs: elapsed(), error: response.error};
      } catch (error) {
        // The container, its engine or its runner failed (ChannelLost): the job never got a verdict.
        lastFailure = (error as Error).message;
        this.retire(slot);
        const engine = this.options.engines.find((candidate) => candidate.engine === container.engine);
        if (engine) await this.checkEngine(engine);
      }
    }
    const engines = this.liveEngines().length === 0 ? `; no Docker engine left (${this.downReasons()})` : '';
    return {steps: [], durationMs: elapsed(), error: `the sandbox container failed ${attempt} time(s): ${lastFailure}${engines}`};
  }

  /** The slot's container if it fits the shape, else a new one (on the slot's engine while that lives). */
  private async containerFor(slot: Slot, shape: Shape): Promise<WarmContainer> {
    if (slot.container) {
      const current = await slot.container.catch(() => undefined);
      if (current && sameShape(current.shape, shape) && !slot.engine?.down) return current;
      this.retire(slot);
    }
    return this.start(slot, shape);
  }

  private start(slot: Slot, shape: Shape): Promise<WarmContainer> {
    if (!slot.engine || slot.engine.down) slot.engine = this.leastUsedEngine();
    const engine = slot.engine;
    if (!engine) return Promise.reject(new Error(`no Docker engine left (${this.downReasons()})`));
    const {runnerHash, cpus} = this.options;
    const starting = WarmContainer.start(engine.engine, {image: engine.imageId, shape, runnerHash, cpus});
    this.stats.containersStarted++;
    slot.container = starting;
    starting.catch(async () => {
      if (slot.container === starting) slot.container = undefined;
      await this.checkEngine(engine);
    });
    return starting;
  }

  /** Retires the slot's container now and starts its successor in the background. */
  private replace(slot: Slot, shape: Shape): void {
    this.retire(slot);
    if (!this.closed) this.start(slot, shape).catch(() => undefined);
  }

  private retire(slot: Slot): void {
    const container = slot.container;
    slot.container = undefined;
    if (!container) return;
    const retiring = container.then((warm) => warm.retire()).catch(() => undefined);
    this.retiring.add(retiring);
    void retiring.finally(() => this.retiring.delete(retiring));
  }

  /** Pings the engine (once at a time, however many jobs ask) and takes it out of the pool if it does not answer. */
  private checkEngine(engine: PoolEngine): Promise<void> {
    if (engine.down) return Promise.resolve();
    let check = this.checks.get(engine);
    if (!check) {
      check = unreachable(engine.engine)
        .then((reason) => {
          if (reason) engine.down = reason;
        })
        .finally(() => this.checks.delete(engine));
      this.checks.set(engine, check);
    }
    return check;
  }

  private leastUsedEngine(): PoolEngine | undefined {
    const load = (engine: PoolEngine) => this.slots.filter((slot) => slot.engine === engine).length;
    return this.liveEngines().sort((a, b) => load(a) - load(b))[0];
  }

  private downReasons(): string {
    return this.options.engines.map((engine) => `${engine.engine.url}: ${engine.down ?? 'up'}`).join('; ');
  }
}
