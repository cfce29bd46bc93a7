import {Args, Flags} from '@oclif/core';
import {BaseCommand} from '../cli/base-command.js';
import {gateAgainst, gateFlags, reportFlag} from '../cli/gate-flags.js';
import {UserError} from '../errors.js';
import {formatGate} from '../report/comparison-text.js';
import {checkReportFiles, writeReports} from '../report/write.js';
import {findRun, scoredSummary} from '../score/run-ref.js';

export default class Report extends BaseCommand {
  static summary = 'Write reports (JSON, JSONL, JUnit XML, Markdown, HTML) for a stored run.';
  static description = 'Renders the same reports `passk run -o` writes, for a run already in the store; with --baseline they include the comparison (and the gate, when --fail-under or --max-regression is given, setting the exit code).';
  static examples = [
    '<%= config.bin %> report latest -o report.html -o summary.md -o results.junit.xml',
    '<%= config.bin %> report latest --baseline main -o report.html',
  ];

  static args = {
    run: Args.string({required: true, description: 'Run id, "latest", or a baseline name.'}),
  };

  static flags = {
    ...reportFlag,
    baseline: Flags.string({summary: 'Compare with this run (id, "latest" or baseline name) in the reports.'}),
    ...gateFlags,
    force: Flags.boolean({default: false, summary: 'Compare with a baseline of a different bench, dataset or verdict mode anyway.'}),
  };

  async run(): Promise<{files: string[]}> {
    const {args, flags} = await this.parse(Report);
    const files = flags.output ?? [];
    if (files.length === 0) throw new UserError('name at least one report file with -o (e.g. -o report.html)');
    await checkReportFiles(files);
    const store = this.openStore(flags.db);
    const summary = scoredSummary(findRun(store, args.run));
    const {comparison, gate} = gateAgainst(store, summary, flags.baseline, flags, {
      gate: flags['fail-under'] !== undefined || flags['max-regression'] !== undefined,
      force: flags.force,
    });
    await writeReports(files, {summary, samples: store.samples(summary.runId), comparison, gate});
    if (gate) this.log(formatGate(gate));
    this.log(`wrote ${files.join(', ')}`);
    if (gate) process.exitCode = gate.exitCode;
    return {files};
  }
}
