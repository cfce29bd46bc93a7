/**
 * One warm sandbox container: created, attached (before start, so no output is missed), started,
 * and ready once its runner greets. It runs one job at a time; the pool decides when to retire it.
 */
import type Docker from 'dockerode';
import {PassThrough, type Duplex} from 'node:stream';
import {RunnerChannel} from '../runner/channel.js';
import {hostDeadlineMs, runnerProtocol, type RunnerRequest, type RunnerResponse} from '../runner/protocol.js';
import type {RunnerHost, WarmRunner} from '../runner/pool.js';
import type {Shape} from '../runner/protocol.js';
import {unreachable, type Engine} from './engines.js';
import {within} from '../within.js';
import {containerOptions, type ContainerSpec} from './settings.js';

/** Creating, starting and the runner's start-up (a Python interpreter) take well under a second when the engine is healthy. */
const startTimeoutMs = 60_000;
const removeTimeoutMs = 15_000;

/** A Docker engine holding the sandbox image: where the pool starts containers. */
export class DockerHost implements RunnerHost {
  down?: string;

  constructor(
    readonly engine: Engine,
    /** The sandbox image's id on this engine. */
    readonly imageId: string,
    private readonly runnerHash: string,
    private readonly cpus: number,
  ) {}

  get url(): string {
    return this.engine.url;
  }

  start(shape: Shape): Promise<WarmRunner> {
    return WarmContainer.start(this, {image: this.imageId, shape, runnerHash: this.runnerHash, cpus: this.cpus});
  }

  unreachable(): Promise<string | undefined> {
    return unreachable(this.engine);
  }
}

export class WarmContainer implements WarmRunner {
  /** Jobs this container has run. */
  jobs = 0;

  private constructor(
    readonly host: DockerHost,
    readonly shape: Shape,
    private readonly container: Docker.Container,
    private readonly channel: RunnerChannel,
  ) {}

  static async start(host: DockerHost, spec: ContainerSpec): Promise<WarmContainer> {
    const {engine} = host;
    const container = await within(engine.docker.createContainer(containerOptions(spec)), startTimeoutMs, 'create container');
    try {
      const stream = (await within(
        container.attach({stream: true, stdin: true, stdout: true, stderr: true, hijack: true}),
        startTimeoutMs,
        'attach',
      )) as unknown as Duplex;
      const channel = new RunnerChannel(stream, ...demux(stream, engine.docker.modem));
      await within(container.start(), startTimeoutMs, 'start container');
      const hello = await within(channel.hello, startTimeoutMs, 'runner start-up');
      if (hello.ready !== runnerProtocol || hello.runner !== spec.runnerHash) {
        throw new Error(`the image's runner is not this passk's (protocol ${hello.ready}): rebuild the image with \`passk sandbox build\``);
      }
      return new WarmContainer(host, spec.shape, container, channel);
    } catch (error) {
      await removeContainer(container);
      throw error;
    }
  }

  get id(): string {
    return this.container.id;
  }

  /** The runner's answer; throws ChannelLost when the container, its engine or the runner fails. */
  run(request: RunnerRequest): Promise<RunnerResponse> {
    this.jobs++;
    return this.channel.request(request, hostDeadlineMs(request));
  }

  /** Ends the runner (closing its stdin lets it clean up and exit) and removes the container. */
  async retire(): Promise<void> {
    this.channel.end();
    this.channel.destroy();
    await removeContainer(this.container);
  }
}

/**
 * Force-removes a container, best effort: 404 or 409 means AutoRemove got there first, and a
 * container on an engine that no longer answers dies with its runner's attach connection (what
 * is left of it, `passk sandbox cleanup` removes).
 */
export async function removeContainer(container: Docker.Container): Promise<void> {
  await within(container.remove({force: true}), removeTimeoutMs, 'remove container').catch(() => undefined);
}

/**
 * The attach stream carries stdout and stderr multiplexed (8-byte frame headers, no TTY): split
 * with docker-modem's demuxer, the stream's end, close or failure carried over to stdout.
 */
function demux(stream: Duplex, modem: Docker['modem']): [PassThrough, PassThrough] {
  const output = new PassThrough();
  const errors = new PassThrough();
  modem.demuxStream(stream, output, errors);
  stream.on('end', () => output.end());
  stream.on('close', () => output.destroy());
  stream.on('error', (error) => output.destroy(error));
  return [output, errors];
}
