/**
 * The Docker sandbox backend: a warm pool of locked-down containers on one or more engines, each
 * running passk's in-container runner, behind the same Sandbox interface as the local backends.
 */
import os from 'node:os';
import {UserError} from '../../errors.js';
import {readToolchain} from '../toolchain.js';
import {defaultLimits, type Job, type JobResult, type Sandbox} from '../sandbox.js';
import {connectEngine, defaultDockerHost, engineVersion, unreachable, type Engine} from './engines.js';
import {runnerHash} from '../runner/source.js';
import {defaultImage, inspectImage} from './image.js';
import {Pool, type PoolStats} from '../runner/pool.js';
import {shapeOf} from '../runner/protocol.js';
import {DockerHost} from './container.js';

export interface DockerSandboxOptions {
  /** Engine URLs (default: DOCKER_HOST, else the local socket). Jobs spread over all of them. */
  dockerHosts?: string[];
  /** Default: the image this passk's Dockerfile and runner build (`passk sandbox build`). */
  image?: string;
  /** Containers in the pool, i.e. jobs at once (default: cores). */
  poolSize?: number;
  /** CPUs per container (default 1: Verilog and Python jobs are single-threaded). */
  cpus?: number;
  /** Fork `python3 -I <file>` steps from a warm zygote (default true). */
  fastPython?: boolean;
  /** Jobs per container before it is replaced (default 256). */
  jobsPerContainer?: number;
}

export class DockerSandbox implements Sandbox {
  readonly backend = 'docker';
  readonly confined = true;
  private versions?: Promise<Record<string, string>>;

  constructor(
    private readonly pool: Pool,
    private readonly image: string,
    private readonly engines: {url: string; version: string; imageId: string}[],
  ) {}

  run(job: Job): Promise<JobResult> {
    return this.pool.run(job);
  }

  toolchain(): Promise<Record<string, string>> {
    this.versions ??= readToolchain(this);
    return this.versions;
  }

  /** What a run records besides the toolchain: the image, its digest(s) and the engines. */
  describe(): Record<string, string> {
    return {
      image: this.image,
      imageDigest: [...new Set(this.engines.map((engine) => engine.imageId))].join(','),
      engines: this.engines.map((engine) => `${engine.url} (${engine.version})`).join(', '),
    };
  }

  /** Containers started and jobs retried so far (for tests and diagnostics). */
  stats(): PoolStats {
    return {...this.pool.stats};
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

export function dockerHosts(options: DockerSandboxOptions): string[] {
  return options.dockerHosts?.length ? options.dockerHosts : [defaultDockerHost()];
}

/** The engines, each with the image's id on it; a UserError naming what is missing. */
async function checkEngines(engines: Engine[], image: string, cpus: number): Promise<DockerHost[]> {
  return Promise.all(
    engines.map(async (engine) => {
      const problem = await unreachable(engine);
      if (problem) throw new UserError(`Docker engine ${engine.url} is not reachable: ${problem}`);
      const info = await inspectImage(engine, image);
      if (!info) throw new UserError(`image ${image} not found on ${engine.url}: run \`passk sandbox build\`${engines.length > 1 ? ' with every --docker-host' : ''}`);
      return new DockerHost(engine, info.id, runnerHash(), cpus);
    }),
  );
}

/** Starts the pool (every container up, every runner greeting) and proves a job runs. */
export async function openDockerSandbox(options: DockerSandboxOptions = {}): Promise<DockerSandbox> {
  const image = options.image ?? defaultImage();
  const engines = dockerHosts(options).map(connectEngine);
  const hosts = await checkEngines(engines, image, options.cpus ?? 1);
  const versions = await Promise.all(engines.map((engine) => engineVersion(engine)));
  const pool = new Pool({
    hosts,
    size: options.poolSize ?? os.availableParallelism(),
    fastPython: options.fastPython ?? true,
    jobsPerRunner: options.jobsPerContainer ?? 256,
  });
  try {
    await pool.warm(shapeOf(defaultLimits));
  } catch (error) {
    await pool.close();
    throw new UserError(`the Docker sandbox did not start: ${(error as Error).message}`);
  }
  return new DockerSandbox(
    pool,
    image,
    hosts.map((host, index) => ({url: host.url, version: versions[index]!, imageId: host.imageId})),
  );
}

/** True when every engine answers and has the image: what `--sandbox auto` needs to pick Docker. */
export async function dockerAvailable(options: DockerSandboxOptions = {}): Promise<boolean> {
  try {
    const image = options.image ?? defaultImage();
    const engines = dockerHosts(options).map(connectEngine);
    const checks = await Promise.all(engines.map(async (engine) => !(await unreachable(engine, 1000)) && (await inspectImage(engine, image)) !== undefined));
    return checks.every(Boolean);
  } catch {
    // No Dockerfile in this installation, a malformed host URL, an engine that fails mid-answer: not usable.
    return false;
  }
}
