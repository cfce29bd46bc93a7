import {Args, Flags} from '@oclif/core';
import {BaseCommand} from '../../cli/base-command.js';
import {UserError} from '../../errors.js';
import {runState, type RunState} from '../../run/run-state.js';
import {formatPerProblem, formatSummary} from '../../score/report.js';
import type {Summary} from '../../score/summary.js';
import type {RunEnvironment, RunRow} from '../../store/store.js';

type ShownRun = RunRow & {state: RunState; environments: RunEnvironment[]};

export default class RunsShow extends BaseCommand {
  static summary = 'Show one stored run: its configuration, environment and summary.';
  static examples = ['<%= config.bin %> runs show 20261127-120000-a1b2c3', '<%= config.bin %> runs show latest --per-problem', '<%= config.bin %> runs show latest --json'];
  static flags = {
    'per-problem': Flags.boolean({default: false, summary: 'Also print one line per problem: samples, passes, pass@1, invalid.'}),
  };

  static args = {
    id: Args.string({required: true, description: 'Run id, or "latest".'}),
  };

  async run(): Promise<ShownRun> {
    const {args, flags} = await this.parse(RunsShow);
    const store = this.openStore(flags.db);
    const run = args.id === 'latest' ? store.latestRun() : store.getRun(args.id);
    if (!run) throw new UserError(`no run ${args.id} in ${flags.db}`);
    this.log(`run ${run.id}  ${runState(run)}  created ${run.createdAt}  updated ${run.updatedAt}`);
    this.log(`  config: ${JSON.stringify(run.config)}`);
    const environments = store.environments(run.id);
    if (run.environment) this.log(`  environment: ${JSON.stringify(run.environment)}`);
    // A resume forced onto another environment: say which verdicts came from where.
    if (environments.length > 1) {
      for (const e of environments) this.log(`  judged in (${e.verdicts} verdicts, from ${e.createdAt}): ${JSON.stringify(e.environment)}`);
    }
    if (run.summary) {
      const summary = run.summary as unknown as Summary;
      this.log(formatSummary(summary));
      if (flags['per-problem']) this.log(formatPerProblem(summary));
    } else this.log('  not scored yet: finish it with `passk run --resume ' + run.id + '`');
    // `status` is what is stored; `state` what it means now (a run whose process died is interrupted).
    return {...run, state: runState(run), environments};
  }
}
