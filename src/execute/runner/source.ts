/**
 * passk's runner (sandbox/runner.py) as shipped with this installation: the Docker image copies
 * it, the bubblewrap backend binds it read-only, and either way it greets with its own sha256,
 * which must be this one.
 */
import {createHash} from 'node:crypto';
import {existsSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {UserError} from '../../errors.js';

/** The project root (this file is src/execute/runner/ or dist/execute/runner/). */
export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** A file of this installation, relative to the project root; a UserError when it is missing. */
export function installedFile(name: string): Buffer {
  const file = path.join(projectRoot, name);
  if (!existsSync(file)) throw new UserError(`${file} is missing: this passk installation is incomplete`);
  return readFileSync(file);
}

export const runnerPath = path.join(projectRoot, 'sandbox', 'runner.py');

let runnerDigest: string | undefined;

/** sha256 of sandbox/runner.py. */
export function runnerHash(): string {
  runnerDigest ??= createHash('sha256').update(installedFile('sandbox/runner.py')).digest('hex');
  return runnerDigest;
}
