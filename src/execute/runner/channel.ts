/**
 * One runner's stdio, wherever it runs (a container's attach stream, a bubblewrap process's
 * pipes): requests go out as JSON lines on its stdin; its stdout carries one JSON line per answer;
 * its stderr is kept as a short tail to explain a runner that died.
 */
import {Writable, type Readable} from 'node:stream';
import type {RunnerHello, RunnerRequest, RunnerResponse} from './protocol.js';

/** The runner, its sandbox or (Docker) its engine went away, or the runner broke protocol: the job never got a verdict. */
export class ChannelLost extends Error {}

const stderrTailBytes = 2048;

/** Calls `onLine` for each complete line, without re-scanning what was already scanned. */
class LineSplitter extends Writable {
  private chunks: Buffer[] = [];

  constructor(private readonly onLine: (line: Buffer) => void) {
    super();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    let start = 0;
    for (let end = chunk.indexOf(10); end >= 0; end = chunk.indexOf(10, start)) {
      this.chunks.push(chunk.subarray(start, end));
      const line = Buffer.concat(this.chunks);
      this.chunks = [];
      this.onLine(line);
      start = end + 1;
    }
    if (start < chunk.length) this.chunks.push(chunk.subarray(start));
    done();
  }
}

class Tail extends Writable {
  text = '';

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text = (this.text + chunk.toString('utf8')).slice(-stderrTailBytes);
    done();
  }
}

export class RunnerChannel {
  /** Resolves with the runner's greeting; rejects if it dies first. */
  readonly hello: Promise<RunnerHello>;
  private waiting?: {resolve: (message: unknown) => void; reject: (error: Error) => void};
  private lost?: ChannelLost;
  private readonly stderr = new Tail();

  /** `output` ends (or closes, or fails) when the runner's side goes away. */
  constructor(
    private readonly input: Writable,
    output: Readable,
    errors: Readable,
  ) {
    this.hello = new Promise((resolve, reject) => {
      this.waiting = {resolve: resolve as (message: unknown) => void, reject};
    });
    // Nobody may be waiting yet when the runner dies at start-up.
    this.hello.catch(() => undefined);
    output.pipe(new LineSplitter((line) => this.receive(line)));
    errors.pipe(this.stderr);
    output.on('end', () => this.lose('the runner closed its output'));
    output.on('close', () => this.lose('the connection to the runner closed'));
    output.on('error', (error) => this.lose(`the connection to the runner failed: ${error.message}`));
    input.on('error', (error) => this.lose(`the connection to the runner failed: ${error.message}`));
  }

  /** Sends one job and waits for its answer, or for `deadlineMs` to pass (then the channel is lost). */
  request(request: RunnerRequest, deadlineMs: number): Promise<RunnerResponse> {
    if (this.lost) return Promise.reject(this.lost);
    if (this.waiting) return Promise.reject(new Error('a runner takes one job at a time'));
    const answer = new Promise<RunnerResponse>((resolve, reject) => {
      this.waiting = {resolve: resolve as (message: unknown) => void, reject};
    });
    const timer = setTimeout(() => this.lose(`the runner did not answer within ${Math.round(deadlineMs / 1000)} s`), deadlineMs);
    this.input.write(`${JSON.stringify(request)}\n`);
    return answer
      .then((response) => {
        if (response.id !== request.id) throw this.lose(`the runner answered job ${response.id}, not ${request.id}`);
        return response;
      })
      .finally(() => clearTimeout(timer));
  }

  /** Closes the runner's stdin: it finishes (kills its job) and exits. */
  end(): void {
    this.input.end();
  }

  destroy(): void {
    this.lose('closed by passk');
    this.input.destroy();
  }

  private receive(line: Buffer): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    let message: unknown;
    try {
      message = JSON.parse(line.toString('utf8'));
    } catch {
      this.lose('the runner wrote something that is not JSON');
      return;
    }
    if (!waiting) this.lose('the runner spoke out of turn');
    else waiting.resolve(message);
  }

  private lose(reason: string): ChannelLost {
    if (!this.lost) {
      const tail = this.stderr.text.trim();
      this.lost = new ChannelLost(tail ? `${reason} (runner stderr: ${tail.split('\n').slice(-3).join(' | ')})` : reason);
      const waiting = this.waiting;
      this.waiting = undefined;
      waiting?.reject(this.lost);
    }
    return this.lost;
  }
}
