import {Flags} from '@oclif/core';
import {BaseCommand} from '../../cli/base-command.js';
import {runState} from '../../run/run-state.js';
import type {RunRow} from '../../store/store.js';

interface RunListing {
  id: string;
  createdAt: string;
  status: string;
  bench: string;
  task: string;
  model: string;
  pass1?: number;
}

export default class RunsList extends BaseCommand {
  static summary = 'List stored runs, newest first.';
  static examples = ['<%= config.bin %> runs list', '<%= config.bin %> runs list --limit 5 --json'];
  static flags = {
    limit: Flags.integer({min: 1, default: 20, summary: 'How many runs.'}),
  };

  async run(): Promise<{runs: RunListing[]}> {
    const {flags} = await this.parse(RunsList);
    const runs = this.openStore(flags.db).listRuns(flags.limit).map(listing);
    if (runs.length === 0) this.log(`no runs in ${flags.db}`);
    for (const r of runs) {
      const score = r.pass1 === undefined ? '-' : `${(r.pass1 * 100).toFixed(1)}%`;
      this.log(`${r.id}  ${r.status.padEnd(10)}  ${`${r.bench}/${r.task}`.padEnd(28)}  pass@1 ${score.padStart(6)}  ${r.model}`);
    }
    return {runs};
  }
}

function listing(run: RunRow): RunListing {
  const passAtK = run.summary?.passAtK as Record<string, {value: number}> | undefined;
  return {
    id: run.id,
    createdAt: run.createdAt,
    status: runState(run),
    bench: run.bench,
    task: run.task,
    model: run.model,
    ...(passAtK?.['1'] ? {pass1: passAtK['1'].value} : {}),
  };
}
