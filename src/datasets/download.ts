/**
 * Downloading one file so that the destination only ever holds verified bytes: the body goes to a
 * temporary file beside it while being hashed, and is renamed into place only when the sha256 matches.
 */
import {randomBytes, createHash} from 'node:crypto';
import {createReadStream, createWriteStream} from 'node:fs';
import {mkdir, rename, rm} from 'node:fs/promises';
import path from 'node:path';
import {Readable} from 'node:stream';
import {pipeline} from 'node:stream/promises';
import type {ReadableStream as NodeReadableStream} from 'node:stream/web';
import {setTimeout as sleep} from 'node:timers/promises';
import {UserError} from '../errors.js';

export interface DownloadRequest {
  url: string;
  dest: string;
  sha256: string;
  /** How the file is named in messages, e.g. `humaneval/HumanEval.jsonl.gz`. */
  label: string;
  /** Aborts the download (the temporary file is removed). */
  signal?: AbortSignal;
  /** Per attempt, headers and body. */
  timeoutMs: number;
  /** Extra attempts after network errors, timeouts, 429 and 5xx. */
  retries: number;
  /** Wait before retry i (0-based) is retryDelayMs × 2^i. */
  retryDelayMs: number;
}

/** A failed attempt; `transient` ones are worth retrying. */
class DownloadError extends UserError {
  constructor(
    message: string,
    readonly transient: boolean,
  ) {
    super(message);
  }
}

/** sha256 of a file, or undefined when it does not exist. */
export async function sha256OfFile(file: string): Promise<string | undefined> {
  const hash = createHash('sha256');
  try {
    await pipeline(createReadStream(file), hash);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return hash.digest('hex');
}

/** Downloads, verifies and moves into place. Throws a one-line UserError. */
export async function downloadVerified(request: DownloadRequest): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await downloadOnce(request);
    } catch (error) {
      const retry = error instanceof DownloadError && error.transient && attempt < request.retries && !request.signal?.aborted;
      if (!retry) throw error;
      await sleep(request.retryDelayMs * 2 ** attempt, undefined, {signal: request.signal});
    }
  }
}

async function downloadOnce({url, dest, sha256, label, signal, timeoutMs}: DownloadRequest): Promise<void> {
  const attemptSignal = signal ? AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs);
  const failure = (error: unknown) => new DownloadError(`cannot download ${label} from ${url}: ${describeFailure(error, timeoutMs)}`, true);

  let response: Response;
  try {
    response = await fetch(url, {signal: attemptSignal});
  } catch (error) {
    throw failure(error);
  }
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    const transient = response.status === 429 || response.status >= 500;
    throw new DownloadError(`cannot download ${label}: HTTP ${response.status} ${response.statusText} from ${url}`.trimEnd(), transient);
  }

  await mkdir(path.dirname(dest), {recursive: true}).catch((error: Error) => {
    throw new UserError(`cannot create ${path.dirname(dest)}: ${error.message}`);
  });
  const temp = path.join(path.dirname(dest), `.${path.basename(dest)}.${randomBytes(4).toString('hex')}.part`);
  try {
    const hash = createHash('sha256');
    let bytes = 0;
    try {
      await pipeline(
        Readable.fromWeb(response.body as NodeReadableStream<Uint8Array>),
        async function* (chunks: AsyncIterable<Buffer>) {
          for await (const chunk of chunks) {
            hash.update(chunk);
            bytes += chunk.length;
            yield chunk;
          }
        },
        createWriteStream(temp, {flags: 'wx'}),
      );
    } catch (error) {
      if (isFileSystemError(error)) throw new UserError(`cannot write ${temp}: ${(error as Error).message}`);
      throw failure(error);
    }
    const actual = hash.digest('hex');
    if (actual !== sha256) throw new UserError(`sha256 mismatch for ${label} from ${url}: expected ${sha256}, got ${actual} (${bytes} bytes); nothing was saved`);
    await rename(temp, dest);
  } finally {
    await rm(temp, {force: true});
  }
}

/** The root cause of a fetch failure in a few words (undici hides it in `cause`). */
function describeFailure(error: unknown, timeoutMs: number): string {
  const err = error as Error & {cause?: {code?: string; message?: string}};
  if (err.name === 'TimeoutError') return `no complete reply within ${timeoutMs / 1000} s`;
  if (err.name === 'AbortError') return 'aborted';
  const cause = err.cause;
  return (cause?.message || cause?.code || err.message || String(error)).split('\n')[0]!;
}

function isFileSystemError(error: unknown): boolean {
  const err = error as NodeJS.ErrnoException;
  return typeof err.syscall === 'string' && typeof err.path === 'string';
}
