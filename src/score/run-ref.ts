/** Finds a scored run from what a user types: a run id, `latest`, or a named baseline. */
import {UserError} from '../errors.js';
import type {RunRow, Store} from '../store/store.js';
import type {Summary} from './summary.js';

export function findRun(store: Store, ref: string): RunRow {
  const run = ref === 'latest' ? store.latestRun() : (store.getRun(ref) ?? lookupBaseline(store, ref));
  if (!run) throw new UserError(`no run or baseline named "${ref}" in the store`);
  return run;
}

function lookupBaseline(store: Store, name: string): RunRow | undefined {
  const runId = store.baseline(name);
  return runId === undefined ? undefined : store.getRun(runId);
}

/** The run's stored summary; a run never scored (interrupted before the end) cannot be compared or reported. */
export function scoredSummary(run: RunRow): Summary {
  if (!run.summary) throw new UserError(`run ${run.id} has no score yet (${run.status}); finish it with \`passk run --resume ${run.id}\``);
  return run.summary as unknown as Summary;
}

/** Baseline names live beside run ids and `latest`, so they must not look like either. */
export function checkBaselineName(name: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name) || name === 'latest') {
    throw new UserError(`baseline name "${name}" is not allowed: use letters, digits, . _ - (and not "latest")`);
  }
}
