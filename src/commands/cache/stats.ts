import {BaseCommand} from '../../cli/base-command.js';
import type {CacheStats as Stats} from '../../store/store.js';

export default class CacheStats extends BaseCommand {
  static summary = 'Show what the LLM response cache and the calibration cache hold.';
  static examples = ['<%= config.bin %> cache stats', '<%= config.bin %> cache stats --json'];

  async run(): Promise<Stats> {
    const {flags} = await this.parse(CacheStats);
    const stats = this.openStore(flags.db).cacheStats();
    const span = stats.oldest ? `, ${stats.oldest} to ${stats.newest}` : '';
    this.log(`llm responses: ${stats.entries} (${(stats.bytes / 1024 / 1024).toFixed(1)} MiB of text${span})`);
    this.log(`calibration verdicts: ${stats.calibrations}`);
    return stats;
  }
}
