/**
 * A dataset manifest names every upstream file of an official benchmark by URL and sha256, and where
 * it goes in our layout. The repository ships manifests, never the data (see scripts/make-manifests.ts).
 */
import path from 'node:path';
import {UserError} from '../errors.js';

export interface ManifestFile {
  /** Where the file goes, relative to the dataset folder (forward slashes). */
  path: string;
  /** URL relative to the base URL (percent-encoded), so a mirror only needs another base URL. */
  source: string;
  sha256: string;
  /** Bytes, when known. */
  size?: number;
}

/** How `passk run` reads the fetched folder: `--bench <bench> --dataset <folder>/<dataset>`. */
export interface RunHint {
  bench: string;
  /** Relative to the dataset folder; '.' is the folder itself. */
  dataset: string;
}

export interface Manifest {
  name: string;
  description: string;
  license: string;
  /** Upstream repositories and pinned commits or tags, in words. */
  source: string;
  /** Ends with '/'. */
  baseUrl: string;
  runWith: RunHint[];
  files: ManifestFile[];
}

const sha256Pattern = /^[0-9a-f]{64}$/;
const namePattern = /^[a-z0-9][a-z0-9-]*$/;

/** Checks a parsed manifest document; any defect is a UserError naming `where`. */
export function parseManifest(value: unknown, where: string): Manifest {
  const fail = (what: string): never => {
    throw new UserError(`${where}: invalid manifest: ${what}`);
  };
  const object = asObject(value) ?? fail('not a JSON object');
  const text = (key: string): string => {
    const field = object[key];
    return typeof field === 'string' && field !== '' ? field : fail(`"${key}" must be a non-empty string`);
  };
  const name = text('name');
  if (!namePattern.test(name)) fail(`name ${JSON.stringify(name)} must be lower-case letters, digits and dashes`);
  const baseUrl = text('baseUrl');
  if (!isHttpUrl(baseUrl) || !baseUrl.endsWith('/')) fail(`baseUrl ${JSON.stringify(baseUrl)} must be an http(s) URL ending with "/"`);

  const files = Array.isArray(object.files) && object.files.length > 0 ? object.files : fail('"files" must be a non-empty array');
  const seen = new Set<string>();
  const parsedFiles = files.map((entry, index): ManifestFile => {
    const file = asObject(entry) ?? fail(`files[${index}] is not an object`);
    const {path: filePath, source, sha256, size} = file;
    if (typeof filePath !== 'string' || !isSafeRelativePath(filePath)) fail(`files[${index}].path must be a relative path inside the dataset folder`);
    if (seen.has(filePath as string)) fail(`${filePath} is listed twice`);
    seen.add(filePath as string);
    if (typeof source !== 'string' || !isRelativeUrl(source)) fail(`${filePath}: source must be a URL relative to baseUrl`);
    if (typeof sha256 !== 'string' || !sha256Pattern.test(sha256)) fail(`${filePath}: sha256 must be 64 lower-case hex digits`);
    if (size !== undefined && !(Number.isSafeInteger(size) && (size as number) >= 0)) fail(`${filePath}: size must be a whole number of bytes`);
    return {path: filePath as string, source: source as string, sha256: sha256 as string, ...(size === undefined ? {} : {size: size as number})};
  });

  const hints = Array.isArray(object.runWith) ? object.runWith : fail('"runWith" must be an array');
  const runWith = hints.map((entry, index): RunHint => {
    const hint = asObject(entry);
    if (!hint || typeof hint.bench !== 'string' || typeof hint.dataset !== 'string' || (hint.dataset !== '.' && !isSafeRelativePath(hint.dataset))) {
      return fail(`runWith[${index}] must be {bench, dataset} with a relative dataset path`);
    }
    return {bench: hint.bench, dataset: hint.dataset};
  });

  return {name, description: text('description'), license: text('license'), source: text('source'), baseUrl, runWith, files: parsedFiles};
}

/** The URL of a file below a base URL (a mirror's, or the manifest's own). */
export function fileUrl(baseUrl: string, file: ManifestFile): string {
  return new URL(file.source, baseUrl).href;
}

/** A user-given base URL, checked and ending with '/' (so relative sources keep its path). */
export function mirrorBaseUrl(baseUrl: string): string {
  if (!isHttpUrl(baseUrl)) throw new UserError(`base URL ${JSON.stringify(baseUrl)} is not an http(s) URL`);
  return baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function isHttpUrl(text: string): boolean {
  return URL.canParse(text) && ['http:', 'https:'].includes(new URL(text).protocol);
}

/** No scheme, no host, no leading slash and no dot segments (URLs also read %2e as a dot): it can only point below the base URL. */
function isRelativeUrl(text: string): boolean {
  const segments = text.replace(/%2e/gi, '.').split('/');
  return text !== '' && !/^[a-z][a-z0-9+.-]*:/i.test(text) && !/[?#\\]/.test(text) && !segments.some((s) => s === '' || s === '.' || s === '..');
}

/** Forward-slash, relative, without dot segments: it cannot escape the dataset folder. */
function isSafeRelativePath(text: string): boolean {
  return text !== '' && !text.includes('\\') && !path.posix.isAbsolute(text) && !text.split('/').some((s) => s === '' || s === '.' || s === '..');
}
