import {writeFile} from 'node:fs/promises';
import {Args, Flags} from '@oclif/core';
import type {EvalPlusProblem} from '../../bench/evalplus/dataset.js';
import {openBench, type BenchName} from '../../bench/index.js';
import {BaseCommand} from '../../cli/base-command.js';
import {UserError} from '../../errors.js';
import {evalPlusResults} from '../../score/evalplus-export.js';
import {findRun} from '../../score/run-ref.js';
import {exportRun} from '../../store/bundle.js';

export default class RunsExport extends BaseCommand {
  static summary = 'Write a run with its samples and verdicts to one portable file (for CI artifacts), or in EvalPlus\'s result format.';
  static description = 'bundle (default): passk\'s own portable file. evalplus: EvalPlus\'s eval_results.json (humaneval-plus and mbpp-plus runs), so tools that read EvalPlus results read this run; on stdout without -o.';
  static examples = [
    '<%= config.bin %> runs export latest -o baseline.passk.json.gz',
    '<%= config.bin %> runs export main -o main.json',
    '<%= config.bin %> runs export latest --format evalplus -o eval_results.json',
  ];
  static args = {run: Args.string({required: true, description: 'Run id, "latest", or a baseline name.'})};
  static flags = {
    format: Flags.option({options: ['bundle', 'evalplus'] as const, default: 'bundle', summary: 'bundle: passk\'s portable file; evalplus: EvalPlus\'s eval_results.json.'})(),
    output: Flags.string({char: 'o', summary: 'File to write (bundle: required, gzipped when it ends in .gz; evalplus: default stdout).'}),
  };

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(RunsExport);
    const store = this.openStore(flags.db);
    const run = findRun(store, args.run);
    if (flags.format === 'evalplus') {
      if (run.bench !== 'humaneval-plus' && run.bench !== 'mbpp-plus') throw new UserError(`--format evalplus exports humaneval-plus and mbpp-plus runs; run ${run.id} is ${run.bench}`);
      const config = run.config as {bench: BenchName; task: string; dataset: string; benchOptions?: Record<string, unknown>};
      // The dataset gives the failing inputs' values.
      const bench = await openBench({bench: config.bench, task: config.task, dataset: config.dataset, ...config.benchOptions});
      const results = evalPlusResults(run, store.samples(run.id), bench.problems as readonly EvalPlusProblem[]);
      if (flags.output) await writeFile(flags.output, JSON.stringify(results) + '\n');
      else if (!this.jsonEnabled()) this.log(JSON.stringify(results));
      return results;
    }
    if (!flags.output) throw new UserError('runs export: -o/--output is required for a bundle');
    const bundle = exportRun(store, run.id, flags.output);
    this.log(`exported run ${run.id} (${bundle.samples.length} samples) to ${flags.output}`);
    return {runId: run.id, file: flags.output, samples: bundle.samples.length};
  }
}
