/**
 * The manifests shipped with passk (datasets/manifests/<name>.json in the package), by name.
 */
import {readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {UserError} from '../errors.js';
import {parseManifest, type Manifest} from './manifest.js';

/** datasets/manifests in the package root, from both src/datasets (tsx) and dist/datasets (built). */
export const manifestsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'datasets', 'manifests');

export function manifestNames(dir = manifestsDir): string[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .map((file) => file.slice(0, -'.json'.length))
    .sort();
}

/** The named manifest; an unknown name is a UserError listing the known ones. */
export function loadManifest(name: string, dir = manifestsDir): Manifest {
  const known = manifestNames(dir);
  if (!known.includes(name)) throw new UserError(`unknown dataset "${name}"; known datasets: ${known.join(', ')}`);
  const file = path.join(dir, `${name}.json`);
  let document: unknown;
  try {
    document = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UserError(`${file}: cannot read manifest (${(error as Error).message})`);
  }
  const manifest = parseManifest(document, file);
  if (manifest.name !== name) throw new UserError(`${file}: invalid manifest: name "${manifest.name}" does not match the file name`);
  return manifest;
}

export function loadManifests(dir = manifestsDir): Manifest[] {
  return manifestNames(dir).map((name) => loadManifest(name, dir));
}
