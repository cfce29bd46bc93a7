import {BaseCommand} from '../../cli/base-command.js';

export default class BaselineList extends BaseCommand {
  static summary = 'List named baselines and the runs they point at.';
  static examples = ['<%= config.bin %> baseline list'];

  async run(): Promise<Array<{name: string; runId: string; updatedAt: string}>> {
    const {flags} = await this.parse(BaselineList);
    const baselines = this.openStore(flags.db).listBaselines();
    if (baselines.length === 0) this.log('no baselines (name one with `passk baseline set <name> <run>`)');
    for (const b of baselines) this.log(`${b.name.padEnd(16)} ${b.runId}  set ${b.updatedAt}`);
    return baselines;
  }
}
