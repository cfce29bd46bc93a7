/**
 * The strict Python checker (sandbox/checker.py), seen from the host: one sandbox job per sample,
 * in which the tests run in a checker process that never executes sample code, and the sample's
 * function answers calls from its own process through a plain-data codec. The verdict is the
 * checker's one nonce-tagged line; nothing the sample prints is read.
 *
 * General on purpose: HumanEval's `check(candidate)` is one test; generated asserts (selection)
 * and EvalPlus inputs are many tests against the same candidate process.
 */
import {randomBytes} from 'node:crypto';
import {installedFile} from '../../execute/runner/source.js';
import {defaultLimits, type Sandbox, type StepResult} from '../../execute/sandbox.js';

export interface CheckerSpec {
  /** The sample's whole program (prompt + completion): it runs in the candidate process only. */
  program: string;
  /** The function the tests call: bound to the candidate wherever the tests or the prelude name it. */
  entry: string;
  /** Trusted code run in the checker before the tests (the prompt: helpers such as `poly`). */
  prelude: string;
  /** Test sources, each run in a fresh copy of the prelude's namespace. */
  tests: string[];
  /** Budget of each test: the candidate's load and every call it answers for that test. */
  testTimeoutMs: number;
  /** Limit of a single call (default: the test's budget). */
  callTimeoutMs?: number;
  /** A budget of its own for loading the program (default: the load counts against the first test's budget). */
  loadTimeoutMs?: number;
  /** Stop at the first test that does not pass. */
  failFast?: boolean;
  /** Input/output tests judged by EvalPlus's rules (sandbox/evalplus.py; see checker.py's docstring). */
  evalplus?: Record<string, unknown>;
  /** 'not-none-unless-bool': the candidate answers `output is not None` for outputs that are not data (re.Match). */
  reduce?: 'not-none-unless-bool';
  /** The whole job's limit, when the tests' budgets do not give it (input/output tests). */
  jobTimeoutMs?: number;
  /** Print failures' tracebacks on the job's stderr (default true); off, a failing test costs no traceback import and formatting. */
  tracebacks?: boolean;
}

export type TestStatus = 'passed' | 'failed' | 'timed out' | 'error';

export interface TestOutcome {
  status: TestStatus;
  /** `Type: message` for failed tests; why the checker could not run the test for `error`. */
  error?: string;
}

export type CheckerOutcome =
  /** The checker reported: one outcome per test it ran. */
  | {kind: 'results'; results: TestOutcome[]; landlock: number; loaded: boolean; step: StepResult; evalplus?: Record<string, unknown>}
  /** No trusted verdict line: the job died (timeout, memory, output flood, signal) before the checker wrote one. */
  | {kind: 'no-verdict'; step: StepResult}
  /** The sandbox itself failed. */
  | {kind: 'sandbox-error'; error: string; durationMs: number};

/** Time the checker may take beyond the tests' budgets: its own start-up, the prelude and the verdict. */
const checkerSlackMs = 2_000;

const sources = new Map<string, string>();
function source(name = 'checker.py'): string {
  let text = sources.get(name);
  if (text === undefined) {
    text = installedFile(`sandbox/${name}`).toString('utf8');
    sources.set(name, text);
  }
  return text;
}

interface ProgramReport {
  results: TestOutcome[];
  landlock: number;
  loaded: boolean;
  evalplus?: Record<string, unknown>;
  /** The checker's time on this program, ms. */
  ms?: number;
}

/** The programs' reports from the checker's one nonce-tagged line; undefined when there is no such line to trust. */
function readReports(stdout: string, nonce: string): ProgramReport[] | undefined {
  const lines = stdout.split('\n').filter((line) => line.startsWith(`${nonce} `));
  // The checker writes exactly one; anything else is not a verdict to trust.
  if (lines.length !== 1) return undefined;
  try {
    const parsed = JSON.parse(lines[0]!.slice(nonce.length + 1)) as {programs?: unknown};
    if (!Array.isArray(parsed.programs)) return undefined;
    return (parsed.programs as Array<Record<string, unknown>>).map((report) => ({
      results: Array.isArray(report.results) ? (report.results as TestOutcome[]) : [],
      landlock: Number(report.landlock) || 0,
      loaded: report.loaded === true,
      ...(report.evalplus ? {evalplus: report.evalplus as Record<string, unknown>} : {}),
      ...(typeof report.ms === 'number' ? {ms: report.ms} : {}),
    }));
  } catch {
    return undefined;
  }
}

/** Each program's share of the job's stderr: the checker marks where each one starts. */
function splitStderr(stderr: string, marker: string, count: number): string[] {
  const parts: string[] = [];
  for (let index = 0; index < count; index++) {
    const start = stderr.indexOf(`\n${marker} ${index}\n`);
    if (start < 0) {
      parts.push('');
      continue;
    }
    const from = start + marker.length + String(index).length + 3;
    const end = stderr.indexOf(`\n${marker} ${index + 1}\n`, from);
    parts.push(stderr.slice(from, end < 0 ? undefined : end));
  }
  return parts;
}

/** The problem's part of a checker job: everything but the program (shared by the programs of a batch). */
function problemOf(spec: CheckerSpec): Record<string, unknown> {
  return {
    filename: 'program.py',
    entry: spec.entry,
    prelude: spec.prelude,
    tests: spec.tests,
    timeoutS: spec.testTimeoutMs / 1000,
    callTimeoutS: spec.callTimeoutMs === undefined ? null : spec.callTimeoutMs / 1000,
    loadTimeoutS: spec.loadTimeoutMs === undefined ? null : spec.loadTimeoutMs / 1000,
    failFast: spec.failFast ?? false,
    evalplus: spec.evalplus ?? null,
    reduce: spec.reduce ?? null,
    tracebacks: spec.tracebacks ?? true,
  };
}

function budgetMs(spec: CheckerSpec): number {
  return spec.jobTimeoutMs ?? spec.testTimeoutMs * spec.tests.length + (spec.loadTimeoutMs ?? 0);
}

/** Per program after the first, for scrubbing what the previous one left. */
const scrubSlackMs = 500;

/** One checker job for all of `specs`; undefined where a program got no report (the job died first). */
async function runJob(sandbox: Sandbox, specs: CheckerSpec[]): Promise<Array<CheckerOutcome | undefined>> {
  const nonce = randomBytes(16).toString('hex');
  const marker = randomBytes(16).toString('hex');
  const problems: Array<Record<string, unknown>> = [];
  const problemIndex = new Map<string, number>();
  const programs = specs.map((spec) => {
    const problem = problemOf(spec);
    const key = JSON.stringify(problem);
    let index = problemIndex.get(key);
    if (index === undefined) {
      index = problems.push(problem) - 1;
      problemIndex.set(key, index);
    }
    return {problem: index, program: spec.program};
  });
  const count = specs.length;
  const timeoutMs = specs.reduce((total, spec) => total + budgetMs(spec), 0) + checkerSlackMs + (count - 1) * scrubSlackMs;
  const result = await sandbox.run({
    files: specs.some((spec) => spec.evalplus) ? {'checker.py': source(), 'evalplus.py': source('evalplus.py')} : {'checker.py': source()},
    steps: [{argv: ['python3', '-I', 'checker.py', ...(count > 1 ? ['--programs', String(count)] : [])], warm: true, timeoutMs}],
    stdin: JSON.stringify({nonce, marker, problems, programs}),
    limits: defaultLimits,
  });
  const step = result.steps[0];
  if (result.error !== undefined || step === undefined) {
    const outcome: CheckerOutcome = {kind: 'sandbox-error', error: result.error ?? 'the sandbox ran no step', durationMs: result.durationMs};
    return count === 1 ? [outcome] : specs.map(() => undefined);
  }
  const reports = readReports(step.stdout, nonce);
  if (count === 1) return [reports?.[0] ? {kind: 'results', ...reports[0], step} : {kind: 'no-verdict', step}];
  const stderrs = splitStderr(step.stderr, marker, count);
  return specs.map((_, index) => {
    const report = reports?.[index];
    if (!report) return undefined;
    const {ms, ...rest} = report;
    return {kind: 'results', ...rest, step: {...step, stdout: '', stderr: stderrs[index]!, durationMs: ms ?? step.durationMs / count}};
  });
}

/**
 * Judges several programs in one sandbox job, each as if it were alone (checker.py's Batch: a
 * candidate forked before the job was read for each, and nothing of one program left for the
 * next). Where the sandbox cannot be scrubbed from inside (unsafe), or a program got no report
 * because the job died (a flood of output, the job's memory or time), each is judged alone.
 */
export async function runCheckerBatch(sandbox: Sandbox, specs: CheckerSpec[]): Promise<CheckerOutcome[]> {
  if (specs.length > 1 && !sandbox.confined) {
    const outcomes: CheckerOutcome[] = [];
    for (const spec of specs) outcomes.push(await runChecker(sandbox, spec));
    return outcomes;
  }
  const outcomes = await runJob(sandbox, specs);
  const settled: CheckerOutcome[] = [];
  for (const [index, outcome] of outcomes.entries()) settled.push(outcome ?? (await runChecker(sandbox, specs[index]!)));
  return settled;
}

export async function runChecker(sandbox: Sandbox, spec: CheckerSpec): Promise<CheckerOutcome> {
  return (await runJob(sandbox, [spec]))[0]!;
}
