import {Args, Flags} from '@oclif/core';
import {BaseCommand} from '../../cli/base-command.js';
import {checkBaselineName} from '../../score/run-ref.js';
import {importRun} from '../../store/bundle.js';

export default class RunsImport extends BaseCommand {
  static summary = 'Add a run exported with `passk runs export` to this store, optionally naming it as a baseline.';
  static examples = ['<%= config.bin %> runs import baseline.passk.json.gz --as-baseline main'];
  static args = {file: Args.string({required: true, description: 'Bundle file from `passk runs export`.'})};
  static flags = {
    'as-baseline': Flags.string({summary: 'Also name the imported run as this baseline.'}),
  };

  async run(): Promise<{runId: string; samples: number; baseline?: string}> {
    const {args, flags} = await this.parse(RunsImport);
    const store = this.openStore(flags.db);
    const name = flags['as-baseline'];
    if (name !== undefined) checkBaselineName(name);
    const bundle = importRun(store, args.file);
    if (name !== undefined) store.setBaseline(name, bundle.run.id);
    this.log(`imported run ${bundle.run.id} (${bundle.run.model}, ${bundle.samples.length} samples)${name ? ` as baseline ${name}` : ''}`);
    return {runId: bundle.run.id, samples: bundle.samples.length, ...(name ? {baseline: name} : {})};
  }
}
