/**
 * A portable run: one JSON file (gzipped when the name ends in .gz) holding a stored run with its
 * samples and verdicts, so a CI job can upload it and another job import it as a baseline.
 */
import {readFileSync, writeFileSync} from 'node:fs';
import {gunzipSync, gzipSync} from 'node:zlib';
import {UserError} from '../errors.js';
import type {RunRow, SampleRow, Store} from './store.js';

export const bundleFormat = 'passk-run';
export const bundleVersion = 1;

export interface RunBundle {
  format: typeof bundleFormat;
  version: number;
  run: RunRow;
  samples: SampleRow[];
}

export function exportRun(store: Store, runId: string, file: string): RunBundle {
  const run = store.getRun(runId);
  if (!run) throw new UserError(`no run ${runId} in the store`);
  const bundle: RunBundle = {format: bundleFormat, version: bundleVersion, run, samples: store.samples(runId)};
  const text = JSON.stringify(bundle);
  try {
    writeFileSync(file, file.endsWith('.gz') ? gzipSync(text) : text + '\n');
  } catch (error) {
    throw new UserError(`cannot write ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return bundle;
}

function readBundle(file: string): RunBundle {
  let text: string;
  try {
    const bytes = readFileSync(file);
    // Gzip by its magic bytes, not the name: an uploaded artifact may have lost its extension.
    text = (bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes).toString('utf8');
  } catch (error) {
    throw new UserError(`cannot read the bundle ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let bundle: RunBundle;
  try {
    bundle = JSON.parse(text) as RunBundle;
  } catch {
    throw new UserError(`${file} is not a passk run bundle (not JSON)`);
  }
  if (bundle?.format !== bundleFormat) throw new UserError(`${file} is not a passk run bundle`);
  if (bundle.version !== bundleVersion) throw new UserError(`${file} is a version ${bundle.version} bundle; this passk reads version ${bundleVersion}`);
  if (!bundle.run?.id || !Array.isArray(bundle.samples)) throw new UserError(`${file}: the bundle has no run or no samples list`);
  return bundle;
}

export function importRun(store: Store, file: string): RunBundle {
  const bundle = readBundle(file);
  store.importRun(bundle.run, bundle.samples);
  return bundle;
}
