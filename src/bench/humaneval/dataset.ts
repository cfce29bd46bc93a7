/**
 * Reading a HumanEval-format problem file (`HumanEval.jsonl`, `.jsonl.gz`, or our own suites in the
 * same shape): one JSON object per line with string fields task_id, prompt, entry_point,
 * canonical_solution and test. Anything malformed is a UserError naming the file and line.
 */
import {createHash} from 'node:crypto';
import {readFile} from 'node:fs/promises';
import {gunzipSync} from 'node:zlib';
import {UserError} from '../../errors.js';
import type {Problem} from '../bench.js';

export interface HumanEvalProblem extends Problem {
  /** Imports, signature and docstring; the completion is appended to it verbatim. */
  prompt: string;
  /** The function `check` is called with. */
  entryPoint: string;
  /** The reference completion (a function body). */
  canonicalSolution: string;
  /** Defines `check(candidate)`. */
  test: string;
}

export interface HumanEvalDataset {
  problems: HumanEvalProblem[];
  /** sha256 of the file bytes as stored (compressed, for a .gz). */
  hash: string;
}

const requiredFields = ['task_id', 'prompt', 'entry_point', 'canonical_solution', 'test'] as const;
const pythonIdentifier = /^[A-Za-z_][A-Za-z0-9_]*$/;

function isGzip(bytes: Buffer): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

export async function readText(file: string): Promise<{text: string; hash: string}> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new UserError(`${file}: cannot read dataset (${reason})`);
  }
  const hash = createHash('sha256').update(bytes).digest('hex');
  if (!isGzip(bytes)) return {text: bytes.toString('utf8'), hash};
  try {
    return {text: gunzipSync(bytes).toString('utf8'), hash};
  } catch (error) {
    throw new UserError(`${file}: corrupt gzip data (${(error as Error).message})`);
  }
}

function parseRow(line: string, where: string): HumanEvalProblem {
  let row: unknown;
  try {
    row = JSON.parse(line);
  } catch (error) {
    throw new UserError(`${where}: not valid JSON (${(error as Error).message})`);
  }
  if (typeof row !== 'object' || row === null || Array.isArray(row)) {
    throw new UserError(`${where}: expected a JSON object with ${requiredFields.join(', ')}`);
  }
  const fields = row as Record<string, unknown>;
  for (const field of requiredFields) {
    if (!(field in fields)) {
      const hint = 'completion' in fields || 'solution' in fields ? ' (this looks like a samples file, not a problem file)' : '';
      throw new UserError(`${where}: missing field "${field}"${hint}`);
    }
    if (typeof fields[field] !== 'string') throw new UserError(`${where}: field "${field}" must be a string`);
  }
  const problem: HumanEvalProblem = {
    id: fields.task_id as string,
    prompt: fields.prompt as string,
    entryPoint: fields.entry_point as string,
    canonicalSolution: fields.canonical_solution as string,
    test: fields.test as string,
  };
  if (problem.id.trim() === '') throw new UserError(`${where}: task_id is empty`);
  if (!pythonIdentifier.test(problem.entryPoint)) {
    throw new UserError(`${where}: entry_point ${JSON.stringify(problem.entryPoint)} is not a Python identifier`);
  }
  return problem;
}

/** Loads and validates a problem file; `file` is echoed as given in error messages. */
export async function readHumanEvalDataset(file: string): Promise<HumanEvalDataset> {
  const {text, hash} = await readText(file);
  const problems: HumanEvalProblem[] = [];
  const firstLineOf = new Map<string, number>();
  const lines = text.split('\n');
  for (const [index, line] of lines.entries()) {
    if (line.trim() === '') continue;
    const lineNumber = index + 1;
    const problem = parseRow(line, `${file}:${lineNumber}`);
    const first = firstLineOf.get(problem.id);
    if (first !== undefined) {
      throw new UserError(`${file}:${lineNumber}: duplicate task_id ${JSON.stringify(problem.id)} (first on line ${first})`);
    }
    firstLineOf.set(problem.id, lineNumber);
    problems.push(problem);
  }
  if (problems.length === 0) throw new UserError(`${file}: no problems found`);
  return {problems, hash};
}
