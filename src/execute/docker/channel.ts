/**
 * One runner's attach stream: requests go out as JSON lines on the container's stdin; its stdout
 * and stderr come back multiplexed (8-byte frame headers, no TTY) and are split apart with
 * docker-modem's demuxer. Stdout carries one JSON line per answer; stderr is kept as a short tail
 * to explain a runner that died.
 */
import {Writable, type Duplex} from 'node:stream';
import type Docker from 'dockerode';
import type {RunnerHello, RunnerRequest, RunnerResponse} from './protocol.js';

/** The container or its engine went away, or the runner broke protocol: the job never got a verdict. */
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

  constructor(
    private readonly stream: Duplex,
    modem: Docker['modem'],
  ) {
    this.hello = new Promise((resolve, reject) => {
      this.waiting = {resolve: resolve as (message: unknown) => void, reject};
    });
    // Nobody may be waiting yet when the runner dies at start-up.
    this.hello.catch(() => undefined);
    modem.demuxStream(stream, new LineSplitter((line) => this.receive(line)), this.stderr);
    stream.on('end', () => this.lose('the runner closed its output'));
    stream.on('close', () => this.lose('the attach connection closed'));
    stream.on('error', (error) => this.lose(`the attach connection failed: ${error.message}`));
  }

  /** Sends one job and waits for its answer, or for `deadlineMs` to pass (then the channel is lost). */
  request(request: RunnerRequest, deadlineMs: number): Promise<RunnerResponse> {
    if (this.lost) return Promise.reject(this.lost);
    if (this.waiting) return Promise.reject(new Error('a runner takes one job at a time'));
    const answer = new Promise<RunnerResponse>((resolve, reject) => {
      this.waiting = {resolve: resolve as (message: unknown) => void, reject};
    });
    const timer = setTimeout(() => this.lose(`the runner did not answer within ${Math.round(deadlineMs / 1000)} s`), deadlineMs);
    this.stream.write(`${JSON.stringify(request)}\n`);
    return answer
      .then((response) => {
        if (response.id !== request.id) throw this.lose(`the runner answered job ${response.id}, not ${request.id}`);
        return response;
      })
      .finally(() => clearTimeout(timer));
  }

  /** Closes the runner's stdin: it finishes (kills its job) and exits. */
  end(): void {
    this.stream.end();
  }

  destroy(): void {
    this.lose('closed by passk');
    this.stream.destroy();
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
