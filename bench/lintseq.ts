/**
 * LintSeq speed, measured: generates s = 5 sequences for every HumanEval canonical program (pylint)
 * and every VerilogEval v2 reference (Icarus, batched: --lint-batch states per Icarus run) with the
 * sandboxed linter workers, resolves 10,000 sequences, and prints each wall time against its
 * target. Baselines, measured in the same run: one sandboxed linter process per call on the same
 * program states (what the workers replace), printed as ms per call and as a ratio; and for
 * Verilog the whole generation again with one iverilog per state (--lint-batch 1, the previous
 * way), whose sequences must equal the batched ones.
 *
 *   npx tsx bench/lintseq.ts [--workers 2] [--sequences 5] [--baseline-states 40] [--lint-batch 32] [--only python|verilog]
 *
 * Needs the reference data ($PASSK_DATASETS or ../shared/datasets) and the toolchain root with
 * pylint (scripts/setup-toolchain.sh).
 */
import {existsSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {parseArgs} from 'node:util';
import {openSandbox} from '../src/execute/index.js';
import {defaultLimits, type Sandbox} from '../src/execute/sandbox.js';
import {defaultLintBatch, generateLintSeq, type LintSeqResult} from '../src/train/lintseq/generate.js';
import {languages, type LanguageName} from '../src/train/lintseq/languages.js';
import {resolveEditPath} from '../src/train/lintseq/resolve.js';
import {readBenchRows, type SourceBench} from '../src/train/lintseq/sources.js';
import {LintWorker} from '../src/train/lintseq/worker.js';

const {values: flags} = parseArgs({
  options: {
    workers: {type: 'string', default: String(os.availableParallelism())},
    sequences: {type: 'string', default: '5'},
    'baseline-states': {type: 'string', default: '40'},
    'lint-batch': {type: 'string', default: String(defaultLintBatch)},
    only: {type: 'string'},
  },
});
const lintBatch = Number(flags['lint-batch']);
const workers = Number(flags.workers);
const sequences = Number(flags.sequences);
const baselineStates = Number(flags['baseline-states']);

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const datasets = process.env.PASSK_DATASETS ?? path.resolve(root, '..', 'shared', 'datasets');
if (!existsSync(datasets)) {
  console.error(`reference data not found at ${datasets} (set PASSK_DATASETS)`);
  process.exit(2);
}

const seconds = (ms: number) => (ms / 1000).toFixed(1);

/** Upstream's pylint arguments, for the process-per-call baseline. */
const upstreamPylint = ['--disable=C,R', '--reports=n', '--score=n', '--unsafe-load-any-extension=y', '--generated-members=cv2.*', '--msg-template={C}|{msg_id}|{line}|{column}|{msg}'];

async function processPerCall(sandbox: Sandbox, language: LanguageName, text: string): Promise<void> {
  const file = language === 'python' ? 'program.py' : 'program.sv';
  const argv = language === 'python' ? ['python3', '-m', 'pylint', ...upstreamPylint, file] : ['iverilog', '-g2012', '-t', 'null', file];
  const result = await sandbox.run({files: {[file]: text}, steps: [{argv, mergeStderr: true}], limits: defaultLimits});
  if (result.error) throw new Error(result.error);
}

/** Distinct intermediate states of the first sequences: what the linter sees during generation. */
function sampleStates(result: LintSeqResult, count: number): string[] {
  const states = new Set<string>();
  for (const row of result.rows) {
    for (let i = 1; i < row.edit_path.length && states.size < count; i++) states.add(resolveEditPath(row.edit_path.slice(0, i).join('\n<|diff|>') + '\n<|diff|>\n<|diff|>'));
    if (states.size >= count) break;
  }
  return [...states];
}

async function baseline(sandbox: Sandbox, language: LanguageName, states: string[]): Promise<{workerMs: number; processMs: number}> {
  const worker = await LintWorker.start(sandbox, languages[language].linter);
  try {
    // Interleaved, so load from elsewhere on the machine falls on both alike.
    let workerMs = 0;
    let processMs = 0;
    for (const state of states) {
      let started = performance.now();
      await worker.lint(state);
      workerMs += performance.now() - started;
      started = performance.now();
      await processPerCall(sandbox, language, state);
      processMs += performance.now() - started;
    }
    return {workerMs: workerMs / states.length, processMs: processMs / states.length};
  } finally {
    await worker.close();
  }
}

const sandbox = await openSandbox({backend: 'bwrap'});
const targets: Record<LanguageName, number> = {python: 60, verilog: 30};
const sets: Array<{bench: SourceBench; language: LanguageName; dataset: string}> = [
  {bench: 'humaneval', language: 'python', dataset: path.join(datasets, 'humaneval', 'human-eval', 'HumanEval.jsonl.gz')},
  {bench: 'verilog-eval-v2', language: 'verilog', dataset: path.join(datasets, 'verilog-eval')},
];
const completions: string[] = [];
const load = () => os.loadavg().map((value) => value.toFixed(1)).join(' ');
console.log(`LintSeq, s = ${sequences}, ${workers} linter workers, ${os.availableParallelism()} cores, load average ${load()} at start`);
try {
  for (const set of sets.filter((set) => !flags.only || set.language === flags.only)) {
    const rows = await readBenchRows(set.bench, set.dataset);
    const generate = async (batch: number) => {
      const started = performance.now();
      const result = await generateLintSeq(sandbox, rows, {language: set.language, sequences, seed: 1, workers, sourceFile: set.bench, lintBatch: batch});
      return {result, elapsed: performance.now() - started};
    };
    const {result, elapsed} = await generate(lintBatch);
    completions.push(...result.rows.map((row) => row.completion));
    const runs = (result: LintSeqResult) => (result.linterRuns === result.lintCalls ? '' : ` in ${result.linterRuns} Icarus runs`);
    console.log(
      `${set.bench}: ${rows.length} programs → ${result.rows.length} sequences (${result.problems.length} reported) in ${seconds(elapsed)} s ` +
        `(target ≤ ${targets[set.language]} s); ${result.lintCalls} linter calls${runs(result)} + ${result.cachedCalls} from cache, ${(elapsed / Math.max(1, result.linterRuns)).toFixed(1)} ms wall per run; load average ${load()}`,
    );
    if (set.language === 'verilog' && lintBatch > 1) {
      const perState = await generate(1);
      const same = JSON.stringify(perState.result.rows) === JSON.stringify(result.rows) && JSON.stringify(perState.result.problems) === JSON.stringify(result.problems);
      console.log(
        `  baseline, one iverilog per state: ${seconds(perState.elapsed)} s, ${perState.result.lintCalls} calls, ${(perState.elapsed / Math.max(1, perState.result.lintCalls)).toFixed(1)} ms wall per call ` +
          `(${(perState.elapsed / elapsed).toFixed(1)}× the batched time); same sequences and problems: ${same ? 'yes' : 'NO'}; load average ${load()}`,
      );
    }
    const states = sampleStates(result, baselineStates);
    const {workerMs, processMs} = await baseline(sandbox, set.language, states);
    console.log(`  baseline on ${states.length} of its states, one at a time: worker ${workerMs.toFixed(1)} ms/call, a sandboxed process per call ${processMs.toFixed(1)} ms/call (${(processMs / workerMs).toFixed(1)}× slower)`);
  }
  const batch = Array.from({length: 10_000}, (_, i) => completions[i % completions.length]!);
  const started = performance.now();
  let lines = 0;
  for (const completion of batch) lines += resolveEditPath(completion).length > 0 ? 1 : 0;
  console.log(`resolve_edit_path: 10,000 sequences in ${(performance.now() - started).toFixed(0)} ms (target < 1000 ms; ${lines} non-empty)`);
} finally {
  await sandbox.close();
}
