import os from 'node:os';
import {Flags} from '@oclif/core';
import {BaseCommand} from '../cli/base-command.js';
import {dockerFlags} from '../cli/docker-flags.js';
import {UserError} from '../errors.js';
import {openSandbox} from '../execute/index.js';
import {DEFAULT_BASE_URL, DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT_MS} from '../generate/index.js';
import {codetTestLimit} from '../select/codet-tests.js';
import {compareMatrices, formatMatrixComparison, type MatrixComparison} from '../select/compare-matrix.js';
import {checkerMatrixBuilder, defaultMatrixBatch, type MatrixExecutorOptions} from '../select/execute-matrix.js';
import {compareRunMatrix} from '../select/explain-matrix.js';
import {formatSelectionReport} from '../select/format.js';
import type {SelectionMatrix} from '../select/matrix.js';
import {readMatrixFile, writeMatrixFile} from '../select/matrix-json.js';
import {protocols} from '../select/protocol.js';
import {openRunForSelection, testSource} from '../select/run-inputs.js';
import {selectForRun} from '../select/run-selection.js';
import {defaultAlphaXY, defaultBeta0, runSelection, type SelectionOptions, type SelectionReport} from '../select/selection.js';
import {strategyNames} from '../select/strategies.js';
import {sandboxSyntaxChecker} from '../select/syntax-check.js';
import {dedupConventions} from '../select/view.js';
import {defaultStimulus} from '../select/verilog/stimulus.js';
import {selectVerilogRun, verilogBenches, type VerilogSelectionReport} from '../select/verilog/run.js';

export default class Select extends BaseCommand {
  static summary = 'Pick one solution per task with generated tests: random, maxpass, mbr-exec, codet, codet-original, b4.';

  static description = `Scores each strategy on a passing matrix (solutions × generated tests, with ground truth) under both protocols: "mixed" (B4's filter: only tasks where some but not all solutions are correct) and "all" (every task), next to plain sampling, and states the dedup convention, tests kept per sample, timeouts and post-processing. The matrix format is documented in docs/selection-matrix.md.

On a VerilogEval run (verilog-eval-v1 or -v2) no test is generated: every candidate is simulated under a seeded stimulus testbench derived from the module interface, and the checks are "agrees with this candidate trace on block b" (docs/verilog-selection.md). The report adds the oracle (pass@n).`;

  static examples = [
    '<%= config.bin %> select --matrix ../shared/datasets/b4/derived/humaneval_codegen16B_passing_matrix.json.gz',
    '<%= config.bin %> select --matrix m.json.gz --strategy b4 --beta0 1e5 --json',
    '<%= config.bin %> select --matrix m.json.gz --export-matrix copy.json',
    '<%= config.bin %> select --run latest --tests openai-completions:codegen-16B --base-url http://127.0.0.1:8000/v1',
    '<%= config.bin %> select --run latest --tests replay:HumanEval_codegen16B_..._test_case.jsonl --test-prompts HumanEval_for_test_case_generation.jsonl',
    '<%= config.bin %> select --run latest --tests replay:..._test_case.jsonl.gz --test-prompts ... --compare-matrix humaneval_codegen16B_passing_matrix.json.gz',
    '<%= config.bin %> select --run latest   # a verilog-eval run: behavioural checks, no --tests',
  ];

  static flags = {
    matrix: Flags.string({summary: 'Passing matrix file (JSON, optionally gzipped).'}),
    run: Flags.string({summary: 'A finished run to select from (a humaneval run needs --tests; a verilog-eval run is compared by behaviour).', exclusive: ['matrix']}),
    tests: Flags.string({summary: 'Where the tests come from: openai:<model>, openai-completions:<model>, or replay:<CodeT test-case JSONL>.', dependsOn: ['run']}),
    'test-samples': Flags.integer({min: 1, default: 100, summary: 'Test samples per problem (CodeT: 100).'}),
    'test-prompts': Flags.string({summary: "With --tests replay:FILE: CodeT's dataset file of test prompts ({task_id, prompt}) to join FILE's records by."}),
    'test-limit': Flags.integer({min: 1, default: codetTestLimit, summary: 'Valid asserts kept per test sample (CodeT: 5).'}),
    'base-url': Flags.string({env: 'OPENAI_BASE_URL', summary: `Endpoint for --tests (default ${DEFAULT_BASE_URL}). The key is read from OPENAI_API_KEY only.`}),
    temperature: Flags.string({default: '0.8', summary: 'Test sampling temperature (CodeT: 0.8).'}),
    'top-p': Flags.string({default: '0.95', summary: 'Test sampling top_p (CodeT: 0.95).'}),
    'max-tokens': Flags.integer({min: 1, default: 300, summary: 'Max tokens per test sample (CodeT: 300).'}),
    concurrency: Flags.integer({char: 'j', min: 1, default: 4, summary: 'Concurrent LLM requests.'}),
    'request-timeout': Flags.integer({min: 1, default: DEFAULT_TIMEOUT_MS / 1000, summary: 'Per-request timeout in seconds.'}),
    'max-retries': Flags.integer({min: 0, default: DEFAULT_MAX_RETRIES, summary: 'Retries per request on 408/429/5xx/timeouts/resets.'}),
    cache: Flags.boolean({default: true, allowNo: true, summary: 'Reuse identical earlier LLM responses (--no-cache to always ask the endpoint).'}),
    sandbox: Flags.option({options: ['auto', 'bwrap', 'docker'] as const, default: 'auto', summary: 'Sandbox for compiling generated asserts or simulating Verilog candidates (auto: Docker when every --docker-host answers, else bubblewrap).'})(),
    ...dockerFlags,
    'toolchain-root': Flags.string({env: 'PASSK_TOOLCHAIN_ROOT', summary: 'Root filesystem holding the sandbox toolchain.'}),
    strategy: Flags.option({options: strategyNames, multiple: true, summary: 'Strategies to score (default all).'})(),
    beta0: Flags.string({multiple: true, summary: `B4's β0, repeatable: one result per value (default ${defaultBeta0.join(', ')}).`}),
    'alpha-xy': Flags.string({summary: `B4's αx = αy (default ${defaultAlphaXY}).`}),
    dedup: Flags.option({options: dedupConventions, summary: 'unique (B4 repo) or weighted (CodeT) for every strategy (default: each its own).'})(),
    'task-filter': Flags.option({options: protocols, multiple: true, summary: 'Protocols to report (default both).'})(),
    k: Flags.integer({char: 'k', multiple: true, min: 1, summary: 'pass@k to report besides pass@1 (one pick per top group, round robin).'}),
    seed: Flags.integer({default: 0, summary: 'Seed for the concrete pick within each top group, and base seed of test sample i (seed + i).'}),
    'export-matrix': Flags.string({summary: 'Also write the matrix to this file (.gz: gzipped).'}),
    'compare-matrix': Flags.string({
      summary: 'Compare the matrix with this one (same format): solutions and tests, cell, executed-row and ground-truth agreement; with --run, every disagreement is re-run and given a cause.',
    }),
    'test-timeout': Flags.string({default: '0.1', summary: 'Seconds per generated assert when building the matrix (CodeT, B4: 0.1).'}),
    'stim-blocks': Flags.integer({min: 3, default: defaultStimulus.blocks, summary: 'Verilog: blocks of stimulus vectors (corner, random..., long); one check per distinct block trace.'}),
    'stim-cycles': Flags.integer({min: 3, default: defaultStimulus.cycles, summary: 'Verilog: cycles per block (the last block has 32 times as many).'}),
    'exec-concurrency': Flags.integer({min: 1, default: os.availableParallelism(), summary: 'Verilog: candidates simulated at once (default: cores).'}),
    'exec-batch': Flags.integer({min: 1, summary: `Python: most solutions of a task run against its asserts in one checker job, each as if alone (default ${defaultMatrixBatch}).`}),
  };

  async run(): Promise<Omit<SelectionReport | VerilogSelectionReport, 'selections'> & {input: string; exported?: string; selectionId?: number; comparison?: MatrixComparison}> {
    const {flags} = await this.parse(Select);
    const selection: SelectionOptions = {
      strategies: flags.strategy ?? [...strategyNames],
      beta0: flags.beta0?.map((text) => numberFlag('beta0', text)) ?? defaultBeta0,
      alphaXY: flags['alpha-xy'] === undefined ? defaultAlphaXY : numberFlag('alpha-xy', flags['alpha-xy']),
      dedup: flags.dedup,
      protocols: flags['task-filter'] ?? [...protocols],
      ks: flags.k ?? [],
      seed: flags.seed,
    };
    let matrix: SelectionMatrix;
    let report: SelectionReport | VerilogSelectionReport;
    let selectionId: number | undefined;
    let described: string;
    // Read first: a bad reference file fails before any work.
    const reference = flags['compare-matrix'] ? readMatrixFile(flags['compare-matrix']) : undefined;
    let comparison: MatrixComparison | undefined;
    const store = flags.run ? this.openStore(flags.db) : undefined;
    // A VerilogEval run is selected by behaviour; any other run (or none) takes the generated-test path, which says what is wrong.
    const storedRun = store && flags.run ? (flags.run === 'latest' ? store.latestRun() : store.getRun(flags.run)) : undefined;
    if (flags.matrix) {
      matrix = readMatrixFile(flags.matrix);
      report = runSelection(matrix, selection);
      described = flags.matrix;
      // Causes need the solutions re-run, which needs the run's prompts: only with --run.
      if (reference) comparison = compareMatrices(matrix, reference);
    } else if (store && storedRun && verilogBenches.includes(storedRun.bench)) {
      if (flags.tests) throw new UserError('a verilog-eval run is selected by behaviour: drop --tests (generated tests are for humaneval runs)');
      const sandbox = await openSandbox({
        backend: flags.sandbox,
        toolchainRoot: flags['toolchain-root'],
        dockerHosts: flags['docker-host'],
        image: flags.image,
        poolSize: flags['exec-concurrency'],
      });
      try {
        const behaviour = {seed: flags.seed, blocks: flags['stim-blocks'], cycles: flags['stim-cycles'], concurrency: flags['exec-concurrency']};
        ({matrix, report, selectionId} = await selectVerilogRun(store, storedRun, sandbox, behaviour, selection));
        described = `run ${storedRun.id} (${storedRun.bench} ${storedRun.task}, ${storedRun.model}), behavioural checks`;
      } finally {
        await sandbox.close();
      }
    } else if (store && flags.run) {
      if (!flags.tests) throw new UserError('select --run needs --tests (openai:<model>, openai-completions:<model> or replay:<CodeT test-case JSONL>)');
      const {run, bench, problems, gtTimeout} = await openRunForSelection(store, flags.run);
      const testTimeout = numberFlag('test-timeout', flags['test-timeout']);
      if (testTimeout <= 0) throw new UserError(`--test-timeout must be positive, got ${flags['test-timeout']}`);
      const tests = testSource(
        {
          spec: flags.tests,
          prompts: flags['test-prompts'],
          n: flags['test-samples'],
          params: {temperature: numberFlag('temperature', flags.temperature), topP: numberFlag('top-p', flags['top-p']), maxTokens: flags['max-tokens']},
          seed: flags.seed,
          concurrency: flags.concurrency,
        },
        bench,
        {
          baseUrl: flags['base-url'] ?? DEFAULT_BASE_URL,
          apiKey: process.env.OPENAI_API_KEY,
          timeoutMs: flags['request-timeout'] * 1000,
          maxRetries: flags['max-retries'],
          cache: flags.cache ? store : undefined,
        },
      );
      const sandbox = await openSandbox({backend: flags.sandbox, toolchainRoot: flags['toolchain-root'], dockerHosts: flags['docker-host'], image: flags.image});
      const executor: MatrixExecutorOptions = {sandbox, prompts: new Map(problems.map((p) => [p.id, p.prompt])), testTimeoutMs: testTimeout * 1000, batch: flags['exec-batch']};
      try {
        const result = await selectForRun({
          store,
          runId: run.id,
          problems,
          tests,
          check: sandboxSyntaxChecker(sandbox),
          limit: flags['test-limit'],
          build: checkerMatrixBuilder(executor),
          selection,
          meta: {gt_timeout: gtTimeout, test_timeout: testTimeout},
        });
        ({matrix, report, selectionId} = result);
        described = `run ${run.id}, ${result.testSamples} test samples from ${flags.tests}`;
        if (reference) comparison = await compareRunMatrix(store, run.id, matrix, reference, executor);
      } finally {
        await sandbox.close();
      }
    } else {
      throw new UserError('give --matrix FILE (or --run ID --tests SPEC)');
    }
    if (flags['export-matrix']) writeMatrixFile(flags['export-matrix'], matrix);
    const {selections: _perTask, ...summary} = report;
    this.log(`${described}: ${matrix.tasks.length} tasks`);
    this.log(formatSelectionReport(report));
    if ('oracle' in report) this.log(formatBehaviourLines(report));
    if (selectionId !== undefined) this.log(`  stored as selection ${selectionId} of the run`);
    if (flags['export-matrix']) this.log(`  wrote ${flags['export-matrix']}`);
    if (comparison) this.log(formatMatrixComparison(comparison, flags['compare-matrix']!));
    return {
      input: described,
      ...summary,
      ...(comparison ? {comparison} : {}),
      ...(selectionId === undefined ? {} : {selectionId}),
      ...(flags['export-matrix'] ? {exported: flags['export-matrix']} : {}),
    };
  }
}

function formatBehaviourLines(report: VerilogSelectionReport): string {
  const oracle = report.oracle.map((o) => `${o.protocol} ${(o.passN * 100).toFixed(2)}% of ${o.tasks} tasks`).join(', ');
  const outcomes = Object.entries(report.outcomes)
    .map(([status, count]) => `${status} ${count}`)
    .join(', ');
  return [`  oracle (pass@n: some sample passes the real testbench): ${oracle}`, `  candidates under the stimulus: ${outcomes} (only "ok" ones are ranked)`].join('\n');
}

function numberFlag(name: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw new UserError(`--${name} must be a number, got "${text}"`);
  return value;
}
