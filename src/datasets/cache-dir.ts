import os from 'node:os';
import path from 'node:path';

/** Where `passk datasets fetch <name>` puts a dataset by default: $PASSK_CACHE_DIR/datasets/<name>, else ~/.cache/passk/datasets/<name>. */
export function defaultDatasetDir(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const cacheRoot = env.PASSK_CACHE_DIR || path.join(os.homedir(), '.cache', 'passk');
  return path.resolve(cacheRoot, 'datasets', name);
}
