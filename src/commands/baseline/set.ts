import {Args} from '@oclif/core';
import {BaseCommand} from '../../cli/base-command.js';
import {UserError} from '../../errors.js';
import {checkBaselineName, findRun, scoredSummary} from '../../score/run-ref.js';

export default class BaselineSet extends BaseCommand {
  static summary = 'Name a scored run as a baseline (e.g. "main") for gates and comparisons.';
  static examples = ['<%= config.bin %> baseline set main latest', '<%= config.bin %> baseline set main 20261127-120000-a1b2c3'];

  static args = {
    name: Args.string({required: true, description: 'Baseline name (letters, digits, . _ -).'}),
    run: Args.string({required: true, description: 'Run id, "latest", or another baseline name.'}),
  };

  async run(): Promise<{name: string; runId: string}> {
    const {args, flags} = await this.parse(BaselineSet);
    checkBaselineName(args.name);
    const store = this.openStore(flags.db);
    const run = findRun(store, args.run);
    if (store.getRun(args.name)) throw new UserError(`"${args.name}" is a run id; choose another baseline name`);
    scoredSummary(run); // only a scored run can be compared against
    store.setBaseline(args.name, run.id);
    this.log(`baseline ${args.name} → run ${run.id} (${run.model}, ${run.bench}/${run.task})`);
    return {name: args.name, runId: run.id};
  }
}
