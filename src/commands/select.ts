import {Flags} from '@oclif/core';
import {BaseCommand} from '../cli/base-command.js';
import {UserError} from '../errors.js';
import {formatSelectionReport} from '../select/format.js';
import {readMatrixFile, writeMatrixFile} from '../select/matrix-json.js';
import {protocols} from '../select/protocol.js';
import {defaultAlphaXY, defaultBeta0, runSelection, type SelectionReport} from '../select/selection.js';
import {strategyNames} from '../select/strategies.js';
import {dedupConventions} from '../select/view.js';

export default class Select extends BaseCommand {
  static summary = 'Pick one solution per task with generated tests: random, maxpass, mbr-exec, codet, codet-original, b4.';

  static description = `Scores each strategy on a passing matrix (solutions × generated tests, with ground truth) under both protocols: "mixed" (B4's filter: only tasks where some but not all solutions are correct) and "all" (every task), next to plain sampling, and states the dedup convention, tests kept per sample, timeouts and post-processing. The matrix format is documented in docs/selection-matrix.md.`;

  static examples = [
    '<%= config.bin %> select --matrix ../shared/datasets/b4/derived/humaneval_codegen16B_passing_matrix.json.gz',
    '<%= config.bin %> select --matrix m.json.gz --strategy b4 --beta0 1e5 --json',
    '<%= config.bin %> select --matrix m.json.gz --export-matrix copy.json',
  ];

  static flags = {
    matrix: Flags.string({summary: 'Passing matrix file (JSON, optionally gzipped).'}),
    run: Flags.string({summary: 'A finished run to select from (needs --tests).', exclusive: ['matrix']}),
    tests: Flags.string({summary: 'Where the tests come from: openai:<model>, openai-completions:<model>, or replay:<CodeT test-case JSONL>.', dependsOn: ['run']}),
    'test-samples': Flags.integer({min: 1, default: 100, summary: 'Test samples per problem (CodeT: 100).'}),
    strategy: Flags.option({options: strategyNames, multiple: true, summary: 'Strategies to score (default all).'})(),
    beta0: Flags.string({multiple: true, summary: `B4's β0, repeatable: one result per value (default ${defaultBeta0.join(', ')}).`}),
    'alpha-xy': Flags.string({summary: `B4's αx = αy (default ${defaultAlphaXY}).`}),
    dedup: Flags.option({options: dedupConventions, summary: 'unique (B4 repo) or weighted (CodeT) for every strategy (default: each its own).'})(),
    'task-filter': Flags.option({options: protocols, multiple: true, summary: 'Protocols to report (default both).'})(),
    k: Flags.integer({char: 'k', multiple: true, min: 1, summary: 'pass@k to report besides pass@1 (one pick per top group, round robin).'}),
    seed: Flags.integer({default: 0, summary: 'Seed for the concrete pick within each top group.'}),
    'export-matrix': Flags.string({summary: 'Also write the matrix to this file (.gz: gzipped).'}),
  };

  async run(): Promise<Omit<SelectionReport, 'selections'> & {matrix: string; exported?: string}> {
    const {flags} = await this.parse(Select);
    if (flags.run) throw new UserError('select --run: building the passing matrix needs the sandbox test executor, which is not yet available; use --matrix');
    if (!flags.matrix) throw new UserError('give --matrix FILE (or --run ID --tests SPEC)');
    const matrix = readMatrixFile(flags.matrix);
    const {selections: _perTask, ...report} = runSelection(matrix, {
      strategies: flags.strategy ?? [...strategyNames],
      beta0: flags.beta0?.map((text) => numberFlag('beta0', text)) ?? defaultBeta0,
      alphaXY: flags['alpha-xy'] === undefined ? defaultAlphaXY : numberFlag('alpha-xy', flags['alpha-xy']),
      dedup: flags.dedup,
      protocols: flags['task-filter'] ?? [...protocols],
      ks: flags.k ?? [],
      seed: flags.seed,
    });
    if (flags['export-matrix']) writeMatrixFile(flags['export-matrix'], matrix);
    this.log(`${flags.matrix}: ${matrix.tasks.length} tasks`);
    this.log(formatSelectionReport({...report, selections: []}));
    if (flags['export-matrix']) this.log(`  wrote ${flags['export-matrix']}`);
    return {matrix: flags.matrix, ...report, ...(flags['export-matrix'] ? {exported: flags['export-matrix']} : {})};
  }
}

function numberFlag(name: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw new UserError(`--${name} must be a number, got "${text}"`);
  return value;
}
