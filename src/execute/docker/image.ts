/**
 * The sandbox image: built from the project's Dockerfile and sandbox/runner.py, tagged by their
 * content (so a passk whose runner changed never picks up a stale image), online from
 * debian:trixie-slim or, where no registry can be reached, from a Debian root made with
 * mmdebstrap (scripts/setup-toolchain.sh, the same root the bubblewrap backend runs) and imported.
 * With several engines the image is built once and copied, so every engine runs the same digest.
 */
import {createHash} from 'node:crypto';
import {existsSync} from 'node:fs';
import {mkdtemp, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {Readable} from 'node:stream';
import type Docker from 'dockerode';
import {execa} from 'execa';
import {pack} from 'tar-stream';
import {UserError} from '../../errors.js';
import {installedFile, projectRoot} from '../runner/source.js';
import {statusOf, type Engine} from './engines.js';
import {within} from '../within.js';

export const imageRepository = 'passk-sandbox';
export const onlineBase = 'debian:trixie-slim';
/** The imported mmdebstrap root, reused by later builds. */
export const offlineBase = 'passk-base:trixie';

const contextFiles = ['Dockerfile', 'sandbox/runner.py'];

/** `passk-sandbox:<12 hex digits of the build context>`: the image this passk's sandbox runs. */
export function defaultImage(): string {
  const hash = createHash('sha256');
  for (const name of contextFiles) hash.update(name).update('\0').update(installedFile(name)).update('\0');
  return `${imageRepository}:${hash.digest('hex').slice(0, 12)}`;
}

export interface ImageInfo {
  id: string;
  created: string;
}

/** The image's id (its content digest), or undefined when the engine has no such image. */
export async function inspectImage(engine: Engine, name: string): Promise<ImageInfo | undefined> {
  try {
    const info = await within(engine.docker.getImage(name).inspect(), 10_000, 'inspect image');
    return {id: info.Id, created: info.Created};
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
}

type Progress = (line: string) => void;

/** Waits for a streamed Docker operation (pull, build, import, load), failing on its first error event. */
function follow(docker: Docker, stream: NodeJS.ReadableStream, onProgress: Progress): Promise<void> {
  return new Promise((resolve, reject) => {
    let failure: string | undefined;
    docker.modem.followProgress(
      stream,
      (error: Error | null) => (error ? reject(error) : failure ? reject(new Error(failure)) : resolve()),
      (event: {stream?: string; status?: string; error?: string; errorDetail?: {message?: string}}) => {
        if (event.error) failure ??= event.errorDetail?.message ?? event.error;
        const line = (event.stream ?? event.status ?? event.error ?? '').trimEnd();
        if (line) onProgress(line);
      },
    );
  });
}

function buildContext(): NodeJS.ReadableStream {
  const tar = pack();
  for (const name of contextFiles) tar.entry({name, mode: 0o644}, installedFile(name));
  tar.finalize();
  return Readable.from(tar);
}

export type BaseSource = 'given' | 'local' | 'pulled' | 'debian-packages';

async function pull(engine: Engine, name: string, onProgress: Progress): Promise<void> {
  const stream = (await within(engine.docker.pull(name), 60_000, `pull ${name}`)) as NodeJS.ReadableStream;
  await within(follow(engine.docker, stream, onProgress), 15 * 60_000, `pull ${name}`);
}

/** Builds the base from Debian packages: scripts/setup-toolchain.sh --tar, then `docker import`. */
async function importDebianBase(engine: Engine, onProgress: Progress): Promise<void> {
  const script = path.join(projectRoot, 'scripts', 'setup-toolchain.sh');
  if (!existsSync(script)) throw new UserError(`${script} is missing: cannot build the base image from Debian packages`);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'passk-base-'));
  try {
    const tar = path.join(dir, 'base.tar');
    const setup = execa('sh', [script, '--tar', tar], {reject: false, all: true, stdin: 'ignore'});
    setup.all?.on('data', (chunk: Buffer) => chunk.toString('utf8').split('\n').filter(Boolean).forEach(onProgress));
    const result = await setup;
    if (result.exitCode !== 0) throw new UserError(`building the base from Debian packages failed (scripts/setup-toolchain.sh exited ${result.exitCode})`);
    const [repo, tag] = offlineBase.split(':') as [string, string];
    onProgress(`importing ${tar} as ${offlineBase}`);
    await follow(engine.docker, await engine.docker.importImage(tar, {repo, tag}), onProgress);
  } finally {
    await rm(dir, {recursive: true, force: true});
  }
}

/**
 * The base to build on: the given one; else debian:trixie-slim if the engine has it or can pull
 * it; else the imported Debian root (built now unless an earlier build left it).
 */
async function resolveBase(engine: Engine, base: string | undefined, onProgress: Progress): Promise<{base: string; source: BaseSource}> {
  if (base) {
    if (!(await inspectImage(engine, base))) await pull(engine, base, onProgress);
    return {base, source: 'given'};
  }
  if (await inspectImage(engine, onlineBase)) return {base: onlineBase, source: 'local'};
  try {
    await pull(engine, onlineBase, onProgress);
    return {base: onlineBase, source: 'pulled'};
  } catch (error) {
    onProgress(`cannot pull ${onlineBase} (${(error as Error).message.trim()}); building the base from Debian packages`);
  }
  if (!(await inspectImage(engine, offlineBase))) await importDebianBase(engine, onProgress);
  return {base: offlineBase, source: 'debian-packages'};
}

export interface BuildOptions {
  engines: Engine[];
  /** Default: defaultImage(). */
  tag?: string;
  /** Base image (default: see resolveBase). */
  base?: string;
  onProgress?: Progress;
}

export interface BuildResult {
  image: string;
  id: string;
  base: string;
  baseSource: BaseSource;
  engines: string[];
}

async function tagAs(engine: Engine, id: string, name: string): Promise<void> {
  const at = name.lastIndexOf(':');
  await engine.docker.getImage(id).tag({repo: name.slice(0, at), tag: name.slice(at + 1)});
}

/** Builds the image on the first engine, tags it `<tag>` and passk-sandbox:latest, and copies it to the others. */
export async function buildImage(options: BuildOptions): Promise<BuildResult> {
  const onProgress = options.onProgress ?? (() => undefined);
  const image = options.tag ?? defaultImage();
  const [first, ...others] = options.engines;
  if (!first) throw new UserError('no Docker engine to build on');
  const {base, source} = await resolveBase(first, options.base, onProgress);
  // Only an online base needs the network (apt-get); the offline one already holds the toolchain.
  const offline = source === 'debian-packages';
  const stream = await first.docker.buildImage(buildContext(), {
    t: image,
    buildargs: {BASE: base},
    rm: true,
    forcerm: true,
    ...(offline ? {networkmode: 'none'} : {}),
  });
  await follow(first.docker, stream, onProgress);
  const built = await inspectImage(first, image);
  if (!built) throw new Error(`the build reported success but ${image} is not on ${first.url}`);
  await tagAs(first, built.id, `${imageRepository}:latest`);
  for (const engine of others) {
    if ((await inspectImage(engine, image))?.id !== built.id) {
      onProgress(`copying ${image} to ${engine.url}`);
      await follow(engine.docker, await engine.docker.loadImage(await first.docker.getImage(built.id).get()), onProgress);
      await tagAs(engine, built.id, image);
    }
    await tagAs(engine, built.id, `${imageRepository}:latest`);
  }
  return {image, id: built.id, base, baseSource: source, engines: options.engines.map((engine) => engine.url)};
}
