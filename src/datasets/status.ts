/**
 * What a dataset folder holds of a manifest: how many files are present with the right hash.
 */
import path from 'node:path';
import pLimit from 'p-limit';
import {sha256OfFile} from './download.js';
import type {Manifest} from './manifest.js';

export interface DatasetStatus {
  dir: string;
  /** Files present with the manifest's hash. */
  verified: number;
  total: number;
  complete: boolean;
}

export async function datasetStatus(manifest: Manifest, dir: string): Promise<DatasetStatus> {
  const limit = pLimit(8);
  const matches = await Promise.all(
    manifest.files.map((file) => limit(async () => (await sha256OfFile(path.join(dir, ...file.path.split('/')))) === file.sha256)),
  );
  const verified = matches.filter(Boolean).length;
  return {dir, verified, total: manifest.files.length, complete: verified === manifest.files.length};
}
