/**
 * `passk datagen lintseq`: for every (instruction, response) row, s independent LintSeq edit
 * sequences (phase I with the language's linter in sandboxed workers, phase II into upstream's
 * diff text), each stored as upstream's row plus the rendered training text. Rows whose program
 * has no candidate line give nothing (upstream returns None); a sequence the linter cannot finish
 * (an error it cannot place) is reported, not retried. Verilog programs are generated many at a
 * time, their states linted together in few Icarus runs (batch.ts); the output is the same.
 */
import pLimit from 'p-limit';
import {splitLines, strip} from '../../bench/verilog/pystr.js';
import type {Sandbox} from '../../execute/sandbox.js';
import {BatchLinter} from './batch.js';
import {editPath} from './edits.js';
import {languages, programOf, type LanguageName} from './languages.js';
import {WorkerPool} from './pool.js';
import {seededRandom} from './random.js';
import {renderEditPath, resolveEditPath} from './resolve.js';
import {LintSeqFailure, sampleDeletionPath, type Lint} from './sample.js';
import {WorkerFailure, type LintWorker} from './worker.js';

export interface SourceRow {
  /** Upstream's `index`: the row's position in its source. */
  index: number;
  instruction: string;
  response: string;
}

/** Upstream's row (`edit_path` … `source_response`) plus which of the s sequences it is and the rendered text. */
export interface LintSeqRow {
  edit_path: string[];
  index: number;
  source_file: string;
  source_instruction: string;
  source_response: string;
  sequence: number;
  /** `"\n<|diff|>"`-joined edits with the stop marker: what the model learns after the instruction. */
  completion: string;
  /** instruction + completion (no EOS token: that belongs to the trainer's tokenizer). */
  text: string;
}

export interface LintSeqProblem {
  index: number;
  sequence?: number;
  reason: string;
}

export interface LintSeqResult {
  rows: LintSeqRow[];
  /** Sequences that could not be made, and programs with nothing to delete. */
  problems: LintSeqProblem[];
  /** Programs linted by a worker. */
  lintCalls: number;
  /** Linter calls answered from the per-program cache instead. */
  cachedCalls: number;
  /** Linter runs: one per call, or for batched Verilog one per Icarus run (batches and texts linted alone). */
  linterRuns: number;
}

export interface LintSeqOptions {
  language: LanguageName;
  /** s: edit sequences per row. */
  sequences: number;
  seed: number;
  /** Linter workers (sandboxed processes) run in parallel. */
  workers: number;
  /** Upstream's `source_file` field. */
  sourceFile: string;
  lintTimeoutMs?: number;
  /** Verilog: most program states linted by one Icarus run (1: one iverilog per state). Default 32. */
  lintBatch?: number;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Upstream diffs stripped states with difflib, which may align a state's blank lines, or a last
 * line whose trailing whitespace the strip removed, so that an edit replaces a line (a `-` row)
 * instead of inserting; and a line starting with `+` or `-` loses it when resolved. Such a
 * sequence would not rebuild its program: it is reported instead of emitted.
 */
const unresolvable = "the edits do not resolve to the program (upstream's diff of stripped states replaces a line here)";

interface ProgramResult {
  rows: LintSeqRow[];
  problems: LintSeqProblem[];
  lintCalls: number;
  cachedCalls: number;
}

/** Lints one text with the language's linter: its error lines. */
type LintText = (text: string) => Promise<number[]>;

async function programSequences(row: SourceRow, options: LintSeqOptions, lintText: LintText): Promise<ProgramResult> {
  const language = languages[options.language];
  const program = programOf(row.response, language.fence);
  const lines = program.split('\n');
  const structure = language.structure(lines);
  const result: ProgramResult = {rows: [], problems: [], lintCalls: 0, cachedCalls: 0};
  if (structure.candidates.length === 0) {
    result.problems.push({index: row.index, reason: 'no line to delete (empty, or only comments)'});
    return result;
  }
  // What a sequence must resolve to: the program as upstream's diffs see it (stripped, split into lines).
  const target = splitLines(strip(program)).join('\n');
  // States recur across a program's sequences (the last few deletions especially).
  const cache = new Map<string, number[]>();
  const lint: Lint = async (text) => {
    const cached = cache.get(text);
    if (cached) {
      result.cachedCalls++;
      return cached;
    }
    result.lintCalls++;
    const lines = await lintText(text);
    cache.set(text, lines);
    return lines;
  };
  for (let sequence = 0; sequence < options.sequences; sequence++) {
    try {
      const chunks = await sampleDeletionPath(lines, structure, lint, language.mapErrorLine, seededRandom(options.seed, row.index, sequence));
      const edits = editPath(program, chunks);
      const rendered = renderEditPath(row.instruction, edits);
      if (resolveEditPath(rendered.completion) !== target) {
        result.problems.push({index: row.index, sequence, reason: unresolvable});
        continue;
      }
      result.rows.push({
        edit_path: edits,
        index: row.index,
        source_file: options.sourceFile,
        source_instruction: row.instruction,
        source_response: row.response,
        sequence,
        ...rendered,
      });
    } catch (error) {
      if (!(error instanceof LintSeqFailure || error instanceof WorkerFailure)) throw error;
      result.problems.push({index: row.index, sequence, reason: error.message});
      // A dead worker is replaced by the pool; the program's remaining sequences go unmade.
      if (error instanceof WorkerFailure) break;
    }
  }
  return result;
}

export const defaultLintBatch = 32;

export async function generateLintSeq(sandbox: Sandbox, rows: readonly SourceRow[], options: LintSeqOptions): Promise<LintSeqResult> {
  const language = languages[options.language];
  const pool = new WorkerPool(sandbox, language.linter, options.workers, options.lintTimeoutMs);
  const lintBatch = options.lintBatch ?? defaultLintBatch;
  // Batched: enough programs in flight to fill every worker's batch; otherwise each program holds a worker.
  const batched = language.linter === 'iverilog' && lintBatch > 1 ? new BatchLinter(pool, options.workers, lintBatch) : undefined;
  const limit = pLimit(batched ? options.workers * lintBatch : options.workers);
  const lintWith = (worker: LintWorker): LintText => async (text) => language.errorLines(await worker.lint(text));
  let done = 0;
  try {
    const results = await Promise.all(
      rows.map((row) =>
        limit(async () => {
          const result = batched ? await programSequences(row, options, (text) => batched.lint(text)) : await pool.use((worker) => programSequences(row, options, lintWith(worker)));
          options.onProgress?.(++done, rows.length);
          return result;
        }),
      ),
    );
    const lintCalls = results.reduce((sum, result) => sum + result.lintCalls, 0);
    return {
      rows: results.flatMap((result) => result.rows),
      problems: results.flatMap((result) => result.problems),
      lintCalls,
      cachedCalls: results.reduce((sum, result) => sum + result.cachedCalls, 0),
      linterRuns: batched ? batched.runs : lintCalls,
    };
  } finally {
    await pool.close();
  }
}
