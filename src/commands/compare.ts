import {Args, Flags} from '@oclif/core';
import {BaseCommand} from '../cli/base-command.js';
import {gateAgainst, gateFlags, reportFlag} from '../cli/gate-flags.js';
import {formatComparison, formatGate} from '../report/comparison-text.js';
import {checkReportFiles, writeReports} from '../report/write.js';
import type {Comparison} from '../score/compare.js';
import {defaultMaxRegression, powerNote, type GateResult} from '../score/gate.js';
import {findRun, scoredSummary} from '../score/run-ref.js';

export default class Compare extends BaseCommand {
  static summary = 'Compare two stored runs problem by problem, and gate a regression.';

  static description = `Aligns the runs on problem id and reports, per k, the paired difference of pass@k (candidate − baseline): mean, standard error, 95% CI and p-value over problems (paired t; exact McNemar when every problem has one sample), with the problems that regressed, improved or stayed. Runs of different benches, datasets, verdict modes or bench options are refused unless --force.

With --fail-on-regression (or --fail-under) it is a CI gate: exit 1 when the candidate is worse by more than --max-regression and the difference is significant (or pass@k is under --fail-under), 3 when either run is incomplete, 0 otherwise; the reason is printed either way.`;

  static examples = [
    '<%= config.bin %> compare main latest',
    '<%= config.bin %> compare 20261127-120000-a1b2c3 latest --fail-on-regression --max-regression 2%',
    '<%= config.bin %> compare main latest --fail-on-regression -o report.html -o summary.md',
  ];

  static args = {
    base: Args.string({required: true, description: 'Baseline: run id, "latest", or a baseline name (passk baseline set).'}),
    cand: Args.string({required: true, description: 'Candidate: run id, "latest", or a baseline name.'}),
  };

  static flags = {
    'fail-on-regression': Flags.boolean({default: false, summary: 'Gate: exit 1 on a significant regression beyond --max-regression.'}),
    ...gateFlags,
    k: Flags.integer({char: 'k', multiple: true, min: 1, summary: 'pass@k values to compare (default: every k both runs report).'}),
    force: Flags.boolean({default: false, summary: 'Compare runs of different benches, datasets, verdict modes or bench options anyway.'}),
    ...reportFlag,
  };

  async run(): Promise<{comparison: Comparison; gate?: GateResult}> {
    const {args, flags} = await this.parse(Compare);
    const store = this.openStore(flags.db);
    const outputs = flags.output ?? [];
    await checkReportFiles(outputs);
    const candRun = findRun(store, args.cand);
    const cand = scoredSummary(candRun);
    const {comparison, gate} = gateAgainst(store, cand, args.base, flags, {
      gate: flags['fail-on-regression'] || flags['fail-under'] !== undefined,
      force: flags.force,
      ks: flags.k,
    });
    this.log(formatComparison(comparison!));
    if (gate) this.log(formatGate(gate));
    else {
      const difference = comparison!.ks.find((d) => d.k === flags['gate-k']);
      const note = difference && powerNote(difference, flags['max-regression'] ?? defaultMaxRegression);
      if (note) this.log(`note: ${note}`);
    }
    if (outputs.length > 0) {
      await writeReports(outputs, {summary: cand, samples: store.samples(cand.runId), comparison, gate});
      this.log(`  wrote ${outputs.join(', ')}`);
    }
    if (gate) process.exitCode = gate.exitCode;
    return {comparison: comparison!, ...(gate ? {gate} : {})};
  }
}
