import {writeFile} from 'node:fs/promises';
import {Args, Flags} from '@oclif/core';
import type {EvalPlusProblem} from '../../bench/evalplus/dataset.js';
import {openBench, type BenchName} from '../../bench/index.js';
import {BaseCommand} from '../../cli/base-command.js';
import {UserError} from '../../errors.js';
import {evalPlusResults, type EvalPlusResults} from '../../score/evalplus-export.js';

export default class RunsExport extends BaseCommand {
  static summary = 'Export a stored run in another harness\'s result format.';
  static description = 'evalplus: EvalPlus\'s eval_results.json (humaneval-plus and mbpp-plus runs), so tools that read EvalPlus results read this run.';
  static examples = ['<%= config.bin %> runs export latest --format evalplus --out eval_results.json'];
  static flags = {
    format: Flags.option({options: ['evalplus'] as const, required: true, summary: 'Result format.'})(),
    out: Flags.string({summary: 'Write to this file (default: stdout).'}),
  };

  static args = {
    id: Args.string({required: true, description: 'Run id, or "latest".'}),
  };

  async run(): Promise<EvalPlusResults> {
    const {args, flags} = await this.parse(RunsExport);
    const store = this.openStore(flags.db);
    const run = args.id === 'latest' ? store.latestRun() : store.getRun(args.id);
    if (!run) throw new UserError(`no run ${args.id} in ${flags.db}`);
    if (run.bench !== 'humaneval-plus' && run.bench !== 'mbpp-plus') throw new UserError(`--format evalplus exports humaneval-plus and mbpp-plus runs; run ${run.id} is ${run.bench}`);
    const config = run.config as {bench: BenchName; task: string; dataset: string; benchOptions?: Record<string, unknown>};
    // The dataset gives the failing inputs' values.
    const bench = await openBench({bench: config.bench, task: config.task, dataset: config.dataset, ...config.benchOptions});
    const results = evalPlusResults(run, store.samples(run.id), bench.problems as readonly EvalPlusProblem[]);
    const text = JSON.stringify(results);
    if (flags.out) await writeFile(flags.out, text + '\n');
    else if (!this.jsonEnabled()) this.log(text);
    return results;
  }
}
