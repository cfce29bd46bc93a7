/**
 * Where LintSeq's (instruction, program) rows come from: a JSONL file (upstream's shape,
 * `instruction` + `response`, or another response field), or a bench's own problems with their
 * reference solutions, so LintSeq runs with no file at hand.
 */
import {readFile} from 'node:fs/promises';
import type {HumanEvalProblem} from '../../bench/humaneval/dataset.js';
import {openBench} from '../../bench/index.js';
import {UserError} from '../../errors.js';
import type {SourceRow} from './generate.js';

export async function readSourceFile(file: string, responseKey = 'response'): Promise<SourceRow[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UserError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const rows: SourceRow[] = [];
  text.split('\n').forEach((line, at) => {
    if (line.trim() === '') return;
    let row: Record<string, unknown>;
    try {
      row = JSON.parse(line) as Record<string, unknown>;
    } catch {
      throw new UserError(`${file}:${at + 1}: not a JSON object`);
    }
    const instruction = row.instruction;
    const response = row[responseKey];
    if (typeof instruction !== 'string' || typeof response !== 'string') {
      throw new UserError(`${file}:${at + 1}: needs string fields "instruction" and "${responseKey}"`);
    }
    rows.push({index: rows.length, instruction, response});
  });
  return rows;
}

export const sourceBenches = ['humaneval', 'verilog-eval-v2'] as const;
export type SourceBench = (typeof sourceBenches)[number];

/**
 * A bench's problems as rows: the completion prompt as the instruction, the reference as the
 * program (HumanEval: prompt + canonical solution; VerilogEval v2: the spec-to-rtl reference,
 * `module TopModule`).
 */
export async function readBenchRows(bench: SourceBench, dataset?: string): Promise<SourceRow[]> {
  const opened = await openBench({bench, dataset, task: bench === 'verilog-eval-v2' ? 'spec-to-rtl' : undefined});
  return opened.problems.map((problem, index) => {
    const prompt = opened.prompt(problem, 'completion');
    const instruction = prompt.style === 'completion' ? prompt.text : '';
    const response = bench === 'humaneval' ? (problem as HumanEvalProblem).prompt + opened.reference(problem) : opened.reference(problem);
    return {index, instruction, response};
  });
}
