import {rename, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {Flags} from '@oclif/core';
import {BaseCommand} from '../../cli/base-command.js';
import {UserError} from '../../errors.js';
import {openSandbox} from '../../execute/index.js';
import {defaultLintBatch, generateLintSeq, type LintSeqProblem, type SourceRow} from '../../train/lintseq/generate.js';
import {languageNames, type LanguageName} from '../../train/lintseq/languages.js';
import {readBenchRows, readSourceFile, sourceBenches} from '../../train/lintseq/sources.js';
import {subsample} from '../../train/lintseq/subsample.js';

export interface LintSeqSummary {
  out: string;
  language: LanguageName;
  programs: number;
  sequences: number;
  /** Sequences generated before --max-sequences cut them. */
  generated: number;
  problems: LintSeqProblem[];
  lintCalls: number;
  cachedCalls: number;
  /** Linter runs: lintCalls, or fewer where Verilog states were linted in batches. */
  linterRuns: number;
  seconds: number;
}

export default class DatagenLintSeq extends BaseCommand {
  static summary = 'Turn (instruction, program) rows into LintSeq insertion-edit sequences for training.';

  static description = `For every row, -s independent edit sequences by linter-guided backward deletion (LintSeq phase I: pylint for Python, Icarus Verilog for Verilog, run in sandboxed long-lived workers), reversed into upstream's zero-context diff text (phase II). Each output line is upstream's row (edit_path, index, source_file, source_instruction, source_response) plus "sequence", and the rendered training text: "completion" (the edits joined by "\\n<|diff|>", ending in the "\\n<|diff|>\\n<|diff|>" stop marker) and "text" (instruction + completion). The trainer must add <|diff|> as a token.

Input rows: --input FILE.jsonl with "instruction" and "response" (or --response-key) fields, or --bench humaneval / verilog-eval-v2 (prompt + reference solution). Programs the linter cannot take apart are listed in the summary, not retried.`;

  static examples = [
    '<%= config.bin %> datagen lintseq --lang python --input oss-instruct.jsonl -s 5 --seed 1 --out lintseq.jsonl',
    '<%= config.bin %> datagen lintseq --bench humaneval --dataset HumanEval.jsonl.gz -s 5 --out humaneval-lintseq.jsonl',
    '<%= config.bin %> datagen lintseq --bench verilog-eval-v2 --dataset ../verilog-eval -s 5 --max-sequences 156 --out v2-lintseq.jsonl',
  ];

  static flags = {
    lang: Flags.option({options: languageNames, summary: 'Language of the programs (implied by --bench).'})(),
    input: Flags.string({summary: 'JSONL file of rows with "instruction" and "response".', exclusive: ['bench']}),
    'response-key': Flags.string({default: 'response', summary: 'Field of --input rows that holds the program (upstream --data_key).'}),
    bench: Flags.option({options: sourceBenches, summary: "Take the rows from a bench's problems and reference solutions.", exclusive: ['input']})(),
    dataset: Flags.string({dependsOn: ['bench'], summary: 'Dataset of --bench (default: its embedded suite).'}),
    sequences: Flags.integer({char: 's', min: 1, default: 5, summary: 'Edit sequences per row (upstream --num_edit_paths_per_sample).'}),
    seed: Flags.integer({default: 1, summary: 'Seed: the same seed and input give the same output.'}),
    'max-sequences': Flags.integer({min: 1, summary: 'Keep only this many sequences, drawn at random (volume matching against a baseline).'}),
    out: Flags.string({required: true, summary: 'Output JSONL file.'}),
    workers: Flags.integer({min: 1, default: os.availableParallelism(), summary: 'Linter workers run in parallel (default: cores).'}),
    'lint-batch': Flags.integer({min: 1, default: defaultLintBatch, summary: 'Verilog: most program states linted by one Icarus run (1: one iverilog per state).'}),
    'toolchain-root': Flags.string({env: 'PASSK_TOOLCHAIN_ROOT', summary: 'Root filesystem holding the sandbox toolchain (needs pylint / iverilog).'}),
    'unsafe-no-sandbox': Flags.boolean({default: false, summary: 'Run the linters directly on this host (limits only, no isolation).'}),
  };

  async run(): Promise<LintSeqSummary> {
    const {flags} = await this.parse(DatagenLintSeq);
    if (!flags.input && !flags.bench) throw new UserError('give the rows: --input FILE.jsonl or --bench humaneval|verilog-eval-v2');
    const benchLanguage: LanguageName | undefined = flags.bench ? (flags.bench === 'humaneval' ? 'python' : 'verilog') : undefined;
    const language = flags.lang ?? benchLanguage;
    if (!language) throw new UserError('--lang python|verilog is required with --input');
    if (benchLanguage && language !== benchLanguage) throw new UserError(`--bench ${flags.bench} holds ${benchLanguage} programs, not ${language}`);
    const rows: SourceRow[] = flags.input ? await readSourceFile(flags.input, flags['response-key']) : await readBenchRows(flags.bench!, flags.dataset);
    const sourceFile = flags.input ?? flags.dataset ?? flags.bench!;

    // The linters run in processes of their own (Sandbox.spawn): the warm job pool needs one runner only.
    const sandbox = await openSandbox({backend: flags['unsafe-no-sandbox'] ? 'unsafe' : 'bwrap', toolchainRoot: flags['toolchain-root'], poolSize: 1});
    const started = performance.now();
    let lastReport = 0;
    try {
      const result = await generateLintSeq(sandbox, rows, {
        language,
        sequences: flags.sequences,
        seed: flags.seed,
        workers: flags.workers,
        lintBatch: flags['lint-batch'],
        sourceFile,
        onProgress: (done, total) => {
          if (done < total && Date.now() - lastReport < 5_000) return;
          lastReport = Date.now();
          this.logToStderr(`lintseq: ${done}/${total} programs`);
        },
      });
      const kept = flags['max-sequences'] === undefined ? result.rows : subsample(result.rows, flags['max-sequences'], flags.seed);
      const out = path.resolve(flags.out);
      const partial = `${out}.partial`;
      await writeFile(partial, kept.map((row) => JSON.stringify(row) + '\n').join(''));
      await rename(partial, out);
      const summary: LintSeqSummary = {
        out,
        language,
        programs: rows.length,
        sequences: kept.length,
        generated: result.rows.length,
        problems: result.problems,
        lintCalls: result.lintCalls,
        cachedCalls: result.cachedCalls,
        linterRuns: result.linterRuns,
        seconds: Math.round((performance.now() - started) / 100) / 10,
      };
      this.log(`${summary.sequences} sequences from ${summary.programs} programs written to ${out} (${summary.lintCalls} linter calls${summary.linterRuns < summary.lintCalls ? ` in ${summary.linterRuns} Icarus runs` : ''}, ${summary.seconds} s)`);
      for (const problem of result.problems.slice(0, 10)) this.log(`  row ${problem.index}${problem.sequence === undefined ? '' : ` sequence ${problem.sequence}`}: ${problem.reason}`);
      if (result.problems.length > 10) this.log(`  … ${result.problems.length - 10} more (see --json)`);
      return summary;
    } finally {
      await sandbox.close();
    }
  }
}
