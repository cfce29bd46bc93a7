/**
 * Fetching every file of a manifest into a dataset folder, a bounded number at a time. Files already
 * present with the right hash are reused, so an interrupted fetch resumes where it stopped. The first
 * failure stops the rest; files verified before it stay, nothing unverified is left in place.
 */
import path from 'node:path';
import pLimit from 'p-limit';
import {downloadVerified, sha256OfFile} from './download.js';
import {fileUrl, mirrorBaseUrl, type Manifest, type ManifestFile} from './manifest.js';

export interface FetchOptions {
  /** The dataset folder. */
  dir: string;
  /** Replaces the manifest's base URL (a mirror, or a test server). */
  baseUrl?: string;
  /** Download every file even when a verified copy is present. */
  force?: boolean;
  /** Simultaneous downloads (default 8). */
  concurrency?: number;
  /** Per file and attempt (default 5 minutes). */
  timeoutMs?: number;
  /** Extra attempts after network errors, 429 and 5xx (default 2). */
  retries?: number;
  /** Default 1 s, doubling. */
  retryDelayMs?: number;
  /** Called once per file, as it is reused or downloaded. */
  onProgress?: (progress: FetchProgress) => void;
}

export interface FetchProgress {
  /** The file's manifest path. */
  file: string;
  outcome: 'reused' | 'downloaded';
  /** Files finished so far, this one included. */
  done: number;
  total: number;
}

export interface FetchResult {
  name: string;
  dir: string;
  /** Files in the manifest. */
  files: number;
  downloaded: number;
  reused: number;
}

export async function fetchDataset(manifest: Manifest, options: FetchOptions): Promise<FetchResult> {
  const dir = path.resolve(options.dir);
  const baseUrl = options.baseUrl === undefined ? manifest.baseUrl : mirrorBaseUrl(options.baseUrl);
  const limit = pLimit(options.concurrency ?? 8);
  const stop = new AbortController();
  const total = manifest.files.length;
  let done = 0;
  let downloaded = 0;
  let firstError: unknown;

  const fetchFile = async (file: ManifestFile): Promise<void> => {
    if (stop.signal.aborted) return;
    const dest = path.join(dir, ...file.path.split('/'));
    try {
      let outcome: FetchProgress['outcome'] = 'reused';
      if (options.force || (await sha256OfFile(dest)) !== file.sha256) {
        await downloadVerified({
          url: fileUrl(baseUrl, file),
          dest,
          sha256: file.sha256,
          label: `${manifest.name}/${file.path}`,
          signal: stop.signal,
          timeoutMs: options.timeoutMs ?? 300_000,
          retries: options.retries ?? 2,
          retryDelayMs: options.retryDelayMs ?? 1_000,
        });
        outcome = 'downloaded';
        downloaded++;
      }
      done++;
      options.onProgress?.({file: file.path, outcome, done, total});
    } catch (error) {
      // Later failures are mostly the abort itself: report the cause.
      if (firstError === undefined) {
        firstError = error;
        stop.abort();
      }
    }
  };

  await Promise.all(manifest.files.map((file) => limit(() => fetchFile(file))));
  if (firstError !== undefined) throw firstError;
  return {name: manifest.name, dir, files: total, downloaded, reused: total - downloaded};
}
