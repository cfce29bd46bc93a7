import {Args, Flags} from '@oclif/core';
import {BaseCommand} from '../../cli/base-command.js';
import {findRun} from '../../score/run-ref.js';
import {exportRun} from '../../store/bundle.js';

export default class RunsExport extends BaseCommand {
  static summary = 'Write a run with its samples and verdicts to one portable file (for CI artifacts).';
  static examples = ['<%= config.bin %> runs export latest -o baseline.passk.json.gz', '<%= config.bin %> runs export main -o main.json'];
  static args = {run: Args.string({required: true, description: 'Run id, "latest", or a baseline name.'})};
  static flags = {
    output: Flags.string({char: 'o', required: true, summary: 'Bundle file (gzipped when it ends in .gz).'}),
  };

  async run(): Promise<{runId: string; file: string; samples: number}> {
    const {args, flags} = await this.parse(RunsExport);
    const store = this.openStore(flags.db);
    const run = findRun(store, args.run);
    const bundle = exportRun(store, run.id, flags.output);
    this.log(`exported run ${run.id} (${bundle.samples.length} samples) to ${flags.output}`);
    return {runId: run.id, file: flags.output, samples: bundle.samples.length};
  }
}
