/**
 * Telling an endpoint that has gone away from one that fails now and then. Each sample already
 * retries on its own; when several samples in a row fail even after all their retries, with no
 * success in between, the endpoint is down and every remaining sample would only burn its retries
 * too (hours on a large run). The run then stops, resumable.
 */
import {EndpointError} from '../generate/endpoint-error.js';

/** Samples in a row that exhausted their retries: more than a few unlucky ones, few enough to stop in seconds. */
export const OUTAGE_THRESHOLD = 5;

/** The run stops because the endpoint stopped answering; the samples it failed are stored as errors. */
export class EndpointGone extends Error {
  constructor(readonly last: EndpointError, readonly failures: number) {
    super(`the model endpoint stopped answering (${failures} samples in a row failed after all retries; last: ${last.message})`);
    this.name = 'EndpointGone';
  }
}

export class OutageWatch {
  private inARow = 0;

  constructor(private readonly threshold = OUTAGE_THRESHOLD) {}

  /** A sample got its answer: the endpoint is alive. */
  succeeded(): void {
    this.inARow = 0;
  }

  /** A sample failed for good; returns the outage once it is clear, else undefined. */
  failed(error: unknown): EndpointGone | undefined {
    // A refusal of one request (400: prompt too long) is an answer: the server is there.
    if (!(error instanceof EndpointError) || !error.retryable) {
      this.inARow = 0;
      return undefined;
    }
    this.inARow++;
    return this.inARow >= this.threshold ? new EndpointGone(error, this.inARow) : undefined;
  }
}
