/**
 * The warm pool: a fixed number of slots (the exec concurrency), each holding one long-lived
 * sandbox running passk's runner (sandbox/runner.py), spread round-robin over the hosts (Docker
 * engines, or this machine's bubblewrap), each taking queued jobs one at a time. A runner is
 * replaced after a job that hit a limit (timeout, memory, output, SIGKILL) and after a bounded
 * number of jobs; the replacement starts at once, in the background. A runner that is lost
 * mid-job (its engine stopped, its sandbox was killed, it stopped answering) costs the job nothing
 * but time: the job is run again on a fresh runner, on another host if its own no longer answers.
 * Every job is answered exactly once.
 */
import {cleanEnv} from '../job.js';
import type {Job, JobResult} from '../sandbox.js';
import {decodeStep, encodeJob, sameShape, shapeOf, type RunnerRequest, type RunnerResponse, type Shape} from './protocol.js';

/** One long-lived sandbox with a runner in it, taking one job at a time. */
export interface WarmRunner {
  readonly host: RunnerHost;
  readonly shape: Shape;
  /** Jobs it has run. */
  readonly jobs: number;
  /** The runner's answer; throws ChannelLost when the sandbox, its host or the runner fails. */
  run(request: RunnerRequest): Promise<RunnerResponse>;
  /** Ends the runner and removes its sandbox. */
  retire(): Promise<void>;
}

/** Where warm runners start: a Docker engine, or this machine's bubblewrap. */
export interface RunnerHost {
  readonly url: string;
  /** Why the host is out of the pool (it stays out for the pool's life), if it is. */
  down?: string;
  start(shape: Shape): Promise<WarmRunner>;
  /** Why the host does not answer now; undefined when it does. */
  unreachable(): Promise<string | undefined>;
}

export interface PoolOptions {
  hosts: RunnerHost[];
  size: number;
  fastPython: boolean;
  /** Jobs a runner runs before it is replaced (defence in depth: the runner already empties its sandbox after every job). */
  jobsPerRunner: number;
}

export interface PoolStats {
  runnersStarted: number;
  /** Jobs run again because their runner was lost. */
  jobsRetried: number;
  /** Steps forked from a runner's warm Python zygote instead of exec'd. */
  stepsForked: number;
}

interface Queued {
  job: Job;
  resolve: (result: JobResult) => void;
}

interface Slot {
  host?: RunnerHost;
  /** The slot's runner, or its start-up in progress. */
  runner?: Promise<WarmRunner>;
}

/** Runs of one job on lost runners before it is reported as an infrastructure error. */
const maxAttempts = 3;

export class Pool {
  readonly stats: PoolStats = {runnersStarted: 0, jobsRetried: 0, stepsForked: 0};
  private readonly queue: Queued[] = [];
  private readonly idle: ((entry: Queued | undefined) => void)[] = [];
  private readonly slots: Slot[];
  private readonly workers: Promise<void>[];
  private readonly retiring = new Set<Promise<void>>();
  private readonly checks = new Map<RunnerHost, Promise<void>>();
  private closed = false;
  private nextId = 1;

  constructor(private readonly options: PoolOptions) {
    this.slots = Array.from({length: options.size}, (_, index) => ({host: options.hosts[index % options.hosts.length]}));
    this.workers = this.slots.map((slot) => this.work(slot));
  }

  /** Starts every slot's runner for `shape`; throws the first failure (e.g. a broken image). */
  async warm(shape: Shape): Promise<void> {
    await Promise.all(this.slots.map((slot) => this.runnerFor(slot, shape)));
  }

  run(job: Job): Promise<JobResult> {
    if (this.closed) return Promise.resolve({steps: [], durationMs: 0, error: 'the sandbox is closed'});
    return new Promise((resolve) => {
      const entry = {job, resolve};
      const worker = this.idle.shift();
      if (worker) worker(entry);
      else this.queue.push(entry);
    });
  }

  /** Hosts still in the pool. */
  liveHosts(): RunnerHost[] {
    return this.options.hosts.filter((host) => !host.down);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const worker of this.idle.splice(0)) worker(undefined);
    for (const entry of this.queue.splice(0)) entry.resolve({steps: [], durationMs: 0, error: 'the sandbox was closed'});
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
      let runner: WarmRunner;
      try {
        runner = await this.runnerFor(slot, shape);
      } catch (error) {
        lastFailure = (error as Error).message;
        // Before trying again: if the host is gone, the next try goes to another one.
        if (slot.host) await this.checkHost(slot.host);
        if (this.liveHosts().length === 0) break;
        continue;
      }
      try {
        const response = await runner.run(request);
        const steps = response.steps.map(decodeStep);
        // The runner asks for a new sandbox after a kill at a limit; an allocation failure the program survived counts too.
        if (response.recycle || steps.some((step) => step.oom) || runner.jobs >= this.options.jobsPerRunner) this.replace(slot, shape);
        this.stats.stepsForked += response.steps.filter((step) => step.forked).length;
        return response.error === undefined ? {steps, durationMs: elapsed()} : {steps, durationMs: elapsed(), error: response.error};
      } catch (error) {
        // The sandbox, its host or its runner failed (ChannelLost): the job never got a verdict.
        lastFailure = (error as Error).message;
        this.retire(slot);
        await this.checkHost(runner.host);
      }
    }
    const hosts = this.liveHosts().length === 0 ? `; no sandbox host left (${this.downReasons()})` : '';
    return {steps: [], durationMs: elapsed(), error: `the sandbox runner failed ${attempt} time(s): ${lastFailure}${hosts}`};
  }

  /** The slot's runner if it fits the shape, else a new one (on the slot's host while that lives). */
  private async runnerFor(slot: Slot, shape: Shape): Promise<WarmRunner> {
    if (slot.runner) {
      const current = await slot.runner.catch(() => undefined);
      if (current && sameShape(current.shape, shape) && !slot.host?.down) return current;
      this.retire(slot);
    }
    return this.start(slot, shape);
  }

  private start(slot: Slot, shape: Shape): Promise<WarmRunner> {
    if (!slot.host || slot.host.down) slot.host = this.leastUsedHost();
    const host = slot.host;
    if (!host) return Promise.reject(new Error(`no sandbox host left (${this.downReasons()})`));
    const starting = host.start(shape);
    this.stats.runnersStarted++;
    slot.runner = starting;
    starting.catch(async () => {
      if (slot.runner === starting) slot.runner = undefined;
      await this.checkHost(host);
    });
    return starting;
  }

  /** Retires the slot's runner now and starts its successor in the background. */
  private replace(slot: Slot, shape: Shape): void {
    this.retire(slot);
    if (!this.closed) this.start(slot, shape).catch(() => undefined);
  }

  private retire(slot: Slot): void {
    const runner = slot.runner;
    slot.runner = undefined;
    if (!runner) return;
    const retiring = runner.then((warm) => warm.retire()).catch(() => undefined);
    this.retiring.add(retiring);
    void retiring.finally(() => this.retiring.delete(retiring));
  }

  /** Asks the host whether it answers (once at a time, however many jobs ask) and takes it out of the pool if not. */
  private checkHost(host: RunnerHost): Promise<void> {
    if (host.down) return Promise.resolve();
    let check = this.checks.get(host);
    if (!check) {
      check = host
        .unreachable()
        .then((reason) => {
          if (reason) host.down = reason;
        })
        .finally(() => this.checks.delete(host));
      this.checks.set(host, check);
    }
    return check;
  }

  private leastUsedHost(): RunnerHost | undefined {
    const load = (host: RunnerHost) => this.slots.filter((slot) => slot.host === host).length;
    return this.liveHosts().sort((a, b) => load(a) - load(b))[0];
  }

  private downReasons(): string {
    return this.options.hosts.map((host) => `${host.url}: ${host.down ?? 'up'}`).join('; ');
  }
}
