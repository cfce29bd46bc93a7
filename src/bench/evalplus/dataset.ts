/**
 * Reading EvalPlus's data (HumanEvalPlus v0.1.10 and its Mini, MbppPlus v0.2.0): one JSON object per
 * line with task_id, prompt, entry_point, canonical_solution, base_input, plus_input, atol, and
 * `test` (HumanEval+) or `assertion` (MBPP+). The inputs hold integers past 2^53 and, on one MBPP+
 * line, NaN/Infinity, which JavaScript's JSON cannot carry exactly: each problem keeps its raw line,
 * and only Python (the checker) reads the inputs from it. Here they are parsed for counting and for
 * showing failing inputs only.
 */
import {UserError} from '../../errors.js';
import type {HumanEvalProblem} from '../humaneval/dataset.js';
import {readText} from '../humaneval/dataset.js';

export type EvalPlusFlavour = 'humaneval' | 'mbpp';

export interface EvalPlusProblem extends HumanEvalProblem {
  flavour: EvalPlusFlavour;
  /** The problem's JSON line as stored: the checker reads base_input and plus_input from it. */
  row: string;
  atol: number;
  /** Inputs per group, as far as JSON in JavaScript can tell (big ints approximate, NaN → null). */
  inputs: {base: unknown[]; plus: unknown[]};
  /** MBPP+'s original asserts (the `mbpp` bench); '' for HumanEval+. */
  assertion: string;
}

export interface EvalPlusDataset {
  problems: EvalPlusProblem[];
  hash: string;
}

const pythonIdentifier = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Python's json writes NaN and ±Infinity bare; for metadata they become null (the raw line keeps them). */
function parseLoosely(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return JSON.parse(line.replace(/([[,:]\s*)-?(?:NaN|Infinity)(?=\s*[\],}])/g, '$1null'));
  }
}

function asInputs(value: unknown): unknown[] {
  // Mbpp/793's plus_input is an empty object: no inputs.
  return Array.isArray(value) ? value : [];
}

function parseRow(line: string, where: string, flavour: EvalPlusFlavour): EvalPlusProblem {
  let row: unknown;
  try {
    row = parseLoosely(line);
  } catch (error) {
    throw new UserError(`${where}: not valid JSON (${(error as Error).message})`);
  }
  if (typeof row !== 'object' || row === null || Array.isArray(row)) throw new UserError(`${where}: expected a JSON object`);
  const fields = row as Record<string, unknown>;
  const textFields = ['task_id', 'prompt', 'entry_point', 'canonical_solution', ...(flavour === 'mbpp' ? ['assertion'] : [])];
  for (const field of textFields) {
    if (typeof fields[field] !== 'string') throw new UserError(`${where}: missing string field "${field}" (is this an EvalPlus ${flavour === 'mbpp' ? 'MbppPlus' : 'HumanEvalPlus'} file?)`);
  }
  if (!('base_input' in fields) || !('plus_input' in fields)) throw new UserError(`${where}: missing base_input/plus_input (not an EvalPlus file)`);
  const atol = fields.atol ?? 0;
  if (typeof atol !== 'number' || !(atol >= 0)) throw new UserError(`${where}: atol must be a non-negative number`);
  const entryPoint = fields.entry_point as string;
  if (!pythonIdentifier.test(entryPoint)) throw new UserError(`${where}: entry_point ${JSON.stringify(entryPoint)} is not a Python identifier`);
  return {
    id: fields.task_id as string,
    flavour,
    prompt: fields.prompt as string,
    entryPoint,
    canonicalSolution: fields.canonical_solution as string,
    test: typeof fields.test === 'string' ? fields.test : '',
    assertion: typeof fields.assertion === 'string' ? fields.assertion : '',
    row: line,
    atol,
    inputs: {base: asInputs(fields.base_input), plus: asInputs(fields.plus_input)},
  };
}

export async function readEvalPlusDataset(file: string, flavour: EvalPlusFlavour): Promise<EvalPlusDataset> {
  const {text, hash} = await readText(file);
  const problems: EvalPlusProblem[] = [];
  const seen = new Set<string>();
  for (const [index, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    const problem = parseRow(line, `${file}:${index + 1}`, flavour);
    if (seen.has(problem.id)) throw new UserError(`${file}:${index + 1}: duplicate task_id ${JSON.stringify(problem.id)}`);
    seen.add(problem.id);
    problems.push(problem);
  }
  if (problems.length === 0) throw new UserError(`${file}: no problems found`);
  return {problems, hash};
}
