/**
 * One warm sandbox container: created, attached (before start, so no output is missed), started,
 * and ready once its runner greets. It runs one job at a time; the pool decides when to retire it.
 */
import type Docker from 'dockerode';
import type {Duplex} from 'node:stream';
import {RunnerChannel} from './channel.js';
import {within, type Engine} from './engines.js';
import {hostDeadlineMs, runnerProtocol, type RunnerRequest, type RunnerResponse} from './protocol.js';
import {containerOptions, type ContainerSpec, type Shape} from './settings.js';

/** Creating, starting and the runner's start-up (a Python interpreter) take well under a second when the engine is healthy. */
const startTimeoutMs = 60_000;
const removeTimeoutMs = 15_000;

export class WarmContainer {
  /** Jobs this container has run. */
  jobs = 0;

  private constructor(
    readonly engine: Engine,
    readonly shape: Shape,
    private readonly container: Docker.Container,
    private readonly channel: RunnerChannel,
  ) {}

  static async start(engine: Engine, spec: ContainerSpec): Promise<WarmContainer> {
    const container = await within(engine.docker.createContainer(containerOptions(spec)), startTimeoutMs, 'create container');
    try {
      const stream = (await within(
        container.attach({stream: true, stdin: true, stdout: true, stderr: true, hijack: true}),
        startTimeoutMs,
        'attach',
      )) as unknown as Duplex;
      const channel = new RunnerChannel(stream, engine.docker.modem);
      await within(container.start(), startTimeoutMs, 'start container');
      const hello = await within(channel.hello, startTimeoutMs, 'runner start-up');
      if (hello.ready !== runnerProtocol || hello.runner !== spec.runnerHash) {
        throw new Error(`the image's runner is not this passk's (protocol ${hello.ready}): rebuild the image with \`passk sandbox build\``);
      }
      return new WarmContainer(engine, spec.shape, container, channel);
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
