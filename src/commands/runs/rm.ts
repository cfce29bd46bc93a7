import {Args} from '@oclif/core';
import {BaseCommand} from '../../cli/base-command.js';
import {UserError} from '../../errors.js';

export default class RunsRm extends BaseCommand {
  static summary = 'Delete stored runs with their samples and verdicts (baselines naming them go too).';
  static examples = ['<%= config.bin %> runs rm 20261127-120000-a1b2c3'];
  static strict = false;
  static args = {run: Args.string({required: true, description: 'Run id (more may follow).'})};

  async run(): Promise<{deleted: string[]}> {
    const {argv, flags} = await this.parse(RunsRm);
    const store = this.openStore(flags.db);
    const ids = argv as string[];
    const missing = ids.filter((id) => !store.getRun(id));
    if (missing.length > 0) throw new UserError(`no run ${missing.join(', ')} in the store; nothing deleted`);
    for (const id of ids) store.deleteRun(id);
    this.log(`deleted ${ids.join(', ')}`);
    return {deleted: ids};
  }
}
