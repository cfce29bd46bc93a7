/**
 * How a warm sandbox container is created. Its tmpfs sizes, memory and process caps follow the
 * limits of the jobs it runs (its "shape"): a job whose limits need another shape gets a container
 * of that shape, so the caps Docker enforces are the job's own, not some pool-wide maximum.
 */
import os from 'node:os';
import type Docker from 'dockerode';
import {cleanEnv} from '../job.js';
import type {Shape} from '../runner/protocol.js';

/** The image's unprivileged user (see the Dockerfile). */
export const sandboxUser = '10001:10001';

/** Container labels: `passk sandbox cleanup` finds passk's containers by the first. */
export const labels = {
  role: 'passk.sandbox',
  owner: 'passk.owner',
  runner: 'passk.runner',
} as const;
export const runnerRole = 'runner';

/** This process, as recorded on its containers: cleanup spares containers whose owner still runs. */
export function ownerLabel(): string {
  return `${os.hostname()}/${process.pid}`;
}

/** The runner, its zygote and the zygote's short-lived middle child, beyond the job's own processes. */
const runnerProcesses = 4;
/** Runner and zygote memory, page cache of the toolchain, on top of the job's memory and its three tmpfs. */
const runnerMemoryBytes = 256 * 1024 ** 2;

export interface ContainerSpec {
  /** Image id (sha256:…), so that a re-tag during a run cannot switch images under it. */
  image: string;
  shape: Shape;
  runnerHash: string;
  /** CPUs per container (Docker NanoCpus / 1e9). */
  cpus: number;
}

export function containerOptions(spec: ContainerSpec): Docker.ContainerCreateOptions {
  const {shape} = spec;
  const tmpfs = `rw,exec,nosuid,nodev,size=${shape.diskBytes}`;
  // tmpfs pages are charged to the container: the job's memory plus full /work, /tmp and /dev/shm.
  const memory = shape.memoryBytes + 3 * shape.diskBytes + runnerMemoryBytes;
  return {
    Image: spec.image,
    User: sandboxUser,
    WorkingDir: '/work',
    Hostname: 'sandbox',
    Env: Object.entries(cleanEnv).map(([name, value]) => `${name}=${value}`),
    Labels: {[labels.role]: runnerRole, [labels.owner]: ownerLabel(), [labels.runner]: spec.runnerHash},
    // The runner's JSON lines travel over the attached stdin/stdout; when passk's attach connection
    // closes (passk exits or dies), stdin closes, the runner kills its job and exits, and the
    // container removes itself.
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    OpenStdin: true,
    StdinOnce: true,
    Tty: false,
    NetworkDisabled: true,
    // The runner (PID 1) ignores SIGTERM from outside too: a stop kills it after this many seconds.
    StopTimeout: 1,
    HostConfig: {
      NetworkMode: 'none',
      ReadonlyRootfs: true,
      // Docker's tmpfs is noexec by default; compiled simulations (vvp) must run from /work.
      Tmpfs: {'/work': tmpfs, '/tmp': tmpfs},
      ShmSize: shape.diskBytes,
      IpcMode: 'private',
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      // The runner is PID 1 on purpose (see sandbox/runner.py): no docker-init.
      Init: false,
      Memory: memory,
      MemorySwap: memory,
      NanoCpus: Math.round(spec.cpus * 1e9),
      PidsLimit: shape.maxProcesses + runnerProcesses,
      // RLIMIT_FSIZE, RLIMIT_AS and the job's RLIMIT_NOFILE are set per step by the runner.
      Ulimits: [
        {Name: 'nofile', Soft: 1024, Hard: 1024},
        {Name: 'core', Soft: 0, Hard: 0},
      ],
      // Output travels over the attach stream; a log file would only grow on the engine's disk.
      LogConfig: {Type: 'none', Config: {}},
      AutoRemove: true,
    },
  };
}
