import {Flags} from '@oclif/core';
import {BaseCommand} from '../../cli/base-command.js';
import {UserError} from '../../errors.js';

export default class CachePrune extends BaseCommand {
  static summary = 'Drop cached LLM responses older than a number of days (or all of them).';
  static description = 'Runs keep their own samples: pruning the cache only means identical requests go to the endpoint again.';
  static examples = ['<%= config.bin %> cache prune --older-than 30', '<%= config.bin %> cache prune --all'];
  static flags = {
    'older-than': Flags.integer({min: 0, summary: 'Age in days: entries created before then are dropped.', exclusive: ['all']}),
    all: Flags.boolean({default: false, summary: 'Drop every cached response.'}),
  };

  async run(): Promise<{removed: number}> {
    const {flags} = await this.parse(CachePrune);
    if (flags['older-than'] === undefined && !flags.all) throw new UserError('say what to prune: --older-than <days> or --all');
    const before = flags.all ? undefined : new Date(Date.now() - flags['older-than']! * 86_400_000).toISOString();
    const removed = this.openStore(flags.db).pruneCache(before);
    this.log(`removed ${removed} cached response(s)${before ? ` created before ${before}` : ''}`);
    return {removed};
  }
}
