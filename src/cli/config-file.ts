/**
 * Reads `-c FILE` (YAML) for `passk run`: validates it against the config schema, reporting the
 * first problem as one `file:line: ...` line, and turns it into flags placed before nothing the
 * user typed: a flag given on the command line always wins over the file.
 */
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {isMap, isScalar, LineCounter, parseDocument, type Document} from 'yaml';
import type {z} from 'zod';
import {UserError} from '../errors.js';
import {configSchema, pathKeys, type ConfigFile} from './config-schema.js';

interface FlagShape {
  char?: string;
  type: 'boolean' | 'option';
  allowNo?: boolean;
}

/** The value of -c/--config in argv, if any (before `--`). */
function configPath(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === '--') return undefined;
    if (token === '-c' || token === '--config') return argv[i + 1];
    if (token.startsWith('--config=')) return token.slice('--config='.length);
    if (token.startsWith('-c') && token.length > 2 && !token.startsWith('--')) return token.slice(2).replace(/^=/, '');
  }
  return undefined;
}

function lineOf(doc: Document, counter: LineCounter, pathInFile: PropertyKey[], unknownKey?: string): number {
  if (unknownKey !== undefined) {
    // The unknown key sits in the mapping the issue's path names (the top level for a path of []).
    const map = pathInFile.length === 0 ? doc.contents : doc.getIn(pathInFile as unknown[], true);
    if (isMap(map)) {
      const pair = map.items.find((item) => isScalar(item.key) && item.key.value === unknownKey);
      const range = (pair?.key as {range?: [number, number, number]} | undefined)?.range;
      if (range) return counter.linePos(range[0]).line;
    }
  }
  const node = doc.getIn(pathInFile as unknown[], true) as {range?: [number, number, number]} | undefined;
  return node?.range ? counter.linePos(node.range[0]).line : 1;
}

/** What a YAML file holds, for its error messages: e.g. "config file", and a hint on unknown keys. */
export interface YamlFileKind {
  what: string;
  unknownKeyHint: string;
}

/**
 * Loads a YAML file and validates it with a zod schema; every problem is a UserError (exit 2)
 * naming file:line, the first problem only (with a count of the others).
 */
export function loadYamlFile<S extends z.ZodType>(file: string, schema: S, kind: YamlFileKind): z.output<S> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UserError(`cannot read the ${kind.what} ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const counter = new LineCounter();
  const doc = parseDocument(text, {lineCounter: counter, uniqueKeys: true, prettyErrors: false});
  const syntax = doc.errors[0];
  if (syntax) {
    const line = counter.linePos(syntax.pos[0]).line;
    throw new UserError(`${file}:${line}: ${syntax.message.split('\n')[0]}`);
  }
  const value: unknown = doc.toJS() ?? {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new UserError(`${file}:1: the ${kind.what} must be a mapping of keys to values`);
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues;
  const first = issues[0]!;
  const unknownKey = first.code === 'unrecognized_keys' ? first.keys[0] : undefined;
  const line = lineOf(doc, counter, first.path, unknownKey);
  const where = first.path.length > 0 ? `${first.path.join('.')}: ` : '';
  const message = unknownKey !== undefined ? `${where}unknown key "${unknownKey}" (${kind.unknownKeyHint})` : `${where}${first.message}`;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : '';
  throw new UserError(`${file}:${line}: ${message}${more}`);
}

/** Loads and validates a config file; every problem is a UserError (exit 2) naming file:line. */
export function loadConfigFile(file: string): ConfigFile {
  return loadYamlFile(file, configSchema, {what: 'config file', unknownKeyHint: "keys are passk run's flag names"});
}

function givenOnCommandLine(argv: string[], name: string, char: string | undefined): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).some(
    (token) => token === `--${name}` || token.startsWith(`--${name}=`) || token === `--no-${name}` || (char !== undefined && !token.startsWith('--') && token.startsWith(`-${char}`)),
  );
}

function resolvePaths(config: ConfigFile, dir: string): ConfigFile {
  const resolved: Record<string, unknown> = {...config};
  for (const key of pathKeys) {
    const value = resolved[key];
    if (typeof value === 'string') resolved[key] = path.resolve(dir, value);
    else if (Array.isArray(value)) resolved[key] = value.map((item) => path.resolve(dir, String(item)));
  }
  if (typeof config.model === 'string' && config.model.startsWith('replay:')) resolved.model = `replay:${path.resolve(dir, config.model.slice('replay:'.length))}`;
  return resolved as ConfigFile;
}

/**
 * argv with the file's settings added for every flag the user did not type. Paths in the file are
 * relative to the file. The result goes through oclif's own parsing, so a file value and the same
 * flag typed by hand mean exactly the same.
 */
export function argvWithConfigFile(argv: string[], flags: Record<string, FlagShape>): string[] {
  const file = configPath(argv);
  if (file === undefined) return argv;
  const config = resolvePaths(loadConfigFile(file), path.dirname(path.resolve(file)));
  const added: string[] = [];
  for (const [key, value] of Object.entries(config)) {
    const flag = flags[key];
    if (key === '$schema' || value === undefined || !flag || givenOnCommandLine(argv, key, flag.char)) continue;
    if (flag.type === 'boolean') {
      if (value === true) added.push(`--${key}`);
      else if (flag.allowNo) added.push(`--no-${key}`);
      continue;
    }
    // A list for a comma-separated flag (problems) is joined; for a repeatable flag each item is its own flag.
    const values = Array.isArray(value) ? (key === 'problems' ? [value.join(',')] : value) : [value];
    for (const item of values) added.push(`--${key}=${String(item)}`);
  }
  const end = argv.indexOf('--');
  return end === -1 ? [...argv, ...added] : [...argv.slice(0, end), ...added, ...argv.slice(end)];
}

/**
 * The settings a run was invoked with, after the file and the command line were merged: stored with
 * the run so a reader sees every choice (gate, reports, concurrency), not only those that decide
 * results. Credentials never reach flags (keys come from the environment); a URL's userinfo is dropped.
 */
export function invocationSettings(flags: Record<string, unknown>): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(flags)) {
    if (value === undefined || key === 'json') continue;
    settings[key] = key === 'base-url' && typeof value === 'string' ? withoutUserinfo(value) : value;
  }
  return settings;
}

function withoutUserinfo(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.username && !parsed.password) return url;
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return url;
  }
}
