/** A run's state as a user should read it, which the stored status alone does not always tell. */
import {processAlive} from '../process-alive.js';
import type {RunRow} from '../store/store.js';

export type RunState = RunRow['status'] | 'incomplete';

export function runState(run: RunRow): RunState {
  // Marked running, but the process running it is gone (killed without a chance to say so).
  if (run.status === 'running' && (run.holder === undefined || !processAlive(run.holder))) return 'interrupted';
  // A finished run whose infrastructure errors left samples unjudged is not a score to trust.
  if (run.status === 'done' && run.summary?.complete === false) return 'incomplete';
  return run.status;
}
