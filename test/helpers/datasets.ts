/**
 * Where the real reference data lives: $PASSK_DATASETS, else ../shared/datasets beside the project.
 * Tests that need it call `sharedDataset('verilog-eval')` and skip with a clear message when absent.
 */
import {existsSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export function sharedDatasetsRoot(): string {
  // An empty PASSK_DATASETS is "not set", not the current folder.
  return process.env.PASSK_DATASETS || path.resolve(projectRoot, '..', 'shared', 'datasets');
}

/** Absolute path of a shared dataset folder, or undefined (with a console note) when it is missing. */
export function sharedDataset(name: string): string | undefined {
  const dir = path.join(sharedDatasetsRoot(), name);
  if (existsSync(dir)) return dir;
  console.warn(`skipping: reference dataset ${dir} not found (set PASSK_DATASETS)`);
  return undefined;
}
