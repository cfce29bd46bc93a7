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
import {defaultLimits, type JobResult, type Sandbox, type StepResult} from '../../execute/sandbox.js';

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

function readVerdict(stdout: string, nonce: string): {results: TestOutcome[]; landlock: number; loaded: boolean; evalplus?: Record<string, unknown>} | undefined {
  const lines = stdout.split('\n').filter((line) => line.startsWith(`${nonce} `));
  // The checker writes exactly one; anything else is not a verdict to trust.
  if (lines.length !== 1) return undefined;
  try {
    const parsed = JSON.parse(lines[0]!.slice(nonce.length + 1)) as {results?: unknown; landlock?: unknown; loaded?: unknown; evalplus?: Record<string, unknown>};
    if (!Array.isArray(parsed.results)) return undefined;
    return {results: parsed.results as TestOutcome[], landlock: Number(parsed.landlock) || 0, loaded: parsed.loaded === true, ...(parsed.evalplus ? {evalplus: parsed.evalplus} : {})};
  } catch {
    return undefined;
  }
}

export function checkerOutcome(result: JobResult, nonce: string): CheckerOutcome {
  const step = result.steps[0];
  if (result.error !== undefined || step === undefined) {
    return {kind: 'sandbox-error', error: result.error ?? 'the sandbox ran no step', durationMs: result.durationMs};
  }
  const verdict = readVerdict(step.stdout, nonce);
  return verdict ? {kind: 'results', ...verdict, step} : {kind: 'no-verdict', step};
}

export async function runChecker(sandbox: Sandbox, spec: CheckerSpec): Promise<CheckerOutcome> {
  const nonce = randomBytes(16).toString('hex');
  const budgetMs = spec.testTimeoutMs * spec.tests.length + (spec.loadTimeoutMs ?? 0);
  const job = {
    nonce,
    program: spec.program,
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
  const result = await sandbox.run({
    files: spec.evalplus ? {'checker.py': source(), 'evalplus.py': source('evalplus.py')} : {'checker.py': source()},
    steps: [{argv: ['python3', '-I', 'checker.py'], warm: true, timeoutMs: (spec.jobTimeoutMs ?? budgetMs) + checkerSlackMs}],
    stdin: JSON.stringify(job),
    limits: defaultLimits,
  });
  return checkerOutcome(result, nonce);
}
