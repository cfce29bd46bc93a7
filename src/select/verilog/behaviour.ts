/**
 * The behavioural passing matrix of a set of Verilog tasks: per task, derive the interface (from
 * the prompt's header when the bench has one, else the header most candidates declare), plan seeded
 * stimulus, simulate every unique candidate under it in the sandbox, and compare the traces
 * (agreement.ts). Candidates that do not compile, hang, crash or stop early have no row.
 */
import {createHash} from 'node:crypto';
import pLimit from 'p-limit';
import type {VerdictMode} from '../../bench/bench.js';
import type {V1Problem} from '../../bench/verilog/v1.js';
import {declaresTopModule} from '../../bench/verilog/v1.js';
import type {V2Problem} from '../../bench/verilog/v2.js';
import type {Sandbox} from '../../execute/sandbox.js';
import type {SelectionMatrix} from '../matrix.js';
import {behaviourMatrix, type BehaviourTask} from './agreement.js';
import {detectRoles, majorityInterface, parseInterface, type ModuleInterface} from './interface.js';
import {planStimulus, type Stimulus, type StimulusOptions} from './stimulus.js';
import {runTrace, type TraceOutcome} from './traces.js';

/** How a bench turns a candidate into a design, and what its prompt says about the interface. */
export interface DesignForm {
  top: string;
  designFirst: boolean;
  design(code: string): string;
  /** A header in the prompt (v1's `module top_module (...)`, v2 code-complete's interface). */
  promptHeader?: string;
}

/** VerilogEval v2: the sample is the whole file, compiled before the testbench. */
export function v2Form(problem: Pick<V2Problem, 'ifc'>): DesignForm {
  return {top: 'TopModule', designFirst: true, design: (code) => code, ...(problem.ifc ? {promptHeader: problem.ifc} : {})};
}

/** VerilogEval v1: header + body, or a whole-module answer on its own in strict mode (as the judge assembles it). */
export function v1Form(problem: Pick<V1Problem, 'header'>, mode: VerdictMode): DesignForm {
  return {
    top: 'top_module',
    designFirst: false,
    design: (code) => (mode === 'strict' && declaresTopModule(code) ? code : `${problem.header}\n${code}`),
    promptHeader: problem.header,
  };
}

export interface BehaviourOptions extends Omit<StimulusOptions, 'seed'> {
  seed: number;
  /** Candidates simulated at once. */
  concurrency: number;
  /** Simulation limit per candidate (default the judge's). */
  simTimeoutMs?: number;
}

export interface BehaviourTaskInput extends BehaviourTask {
  form: DesignForm;
}

export type OutcomeCounts = Record<TraceOutcome['status'], number>;

export interface BehaviourResult {
  matrix: SelectionMatrix;
  /** Unique candidates by outcome, over all tasks. */
  outcomes: OutcomeCounts;
  /** Per task: the outcome of each unique candidate, in solution order. */
  perTask: Array<{taskId: string; outcomes: Array<TraceOutcome['status']>}>;
}

/** Each task gets its own vectors, the same for the same seed on every machine. */
function taskSeed(seed: number, taskId: string): number {
  return (seed ^ Number.parseInt(createHash('sha256').update(taskId).digest('hex').slice(0, 8), 16)) >>> 0;
}

export function taskInterface(task: BehaviourTaskInput): ModuleInterface | undefined {
  const {form} = task;
  const fromPrompt = form.promptHeader === undefined ? undefined : parseInterface(`${form.promptHeader}\nendmodule\n`, form.top);
  return fromPrompt ?? majorityInterface(task.solutions.map((code, i) => ({code: form.design(code), weight: task.solCount[i]!})), form.top);
}

/** The task's stimulus, or undefined when no interface can be read. */
export function taskStimulus(task: BehaviourTaskInput, options: BehaviourOptions): Stimulus | undefined {
  const iface = taskInterface(task);
  if (!iface) return undefined;
  const roles = detectRoles(iface, task.solutions.map((code) => task.form.design(code)));
  return planStimulus(iface, roles, {blocks: options.blocks, cycles: options.cycles, seed: taskSeed(options.seed, task.taskId)});
}

export async function buildBehaviourMatrix(tasks: BehaviourTaskInput[], sandbox: Sandbox, options: BehaviourOptions): Promise<BehaviourResult> {
  const limit = pLimit(options.concurrency);
  const outcomes: OutcomeCounts = {ok: 0, 'compile error': 0, timeout: 0, crashed: 0, incomplete: 0, 'no interface': 0};
  const built = await Promise.all(
    tasks.map(async (task) => {
      const stimulus = taskStimulus(task, options);
      const traced: TraceOutcome[] = stimulus
        ? await Promise.all(
            task.solutions.map((code) =>
              limit(() => runTrace(sandbox, stimulus, {design: task.form.design(code), top: task.form.top, designFirst: task.form.designFirst, simTimeoutMs: options.simTimeoutMs})),
            ),
          )
        : task.solutions.map(() => ({status: 'no interface', detail: 'no port list could be read from the prompt or the candidates'}));
      for (const outcome of traced) outcomes[outcome.status] += 1;
      return {matrix: behaviourMatrix(task, traced, task.form.top), statuses: traced.map((outcome) => outcome.status)};
    }),
  );
  return {
    matrix: {
      meta: {
        check: 'agrees with a candidate trace on one block of seeded stimulus (VerilogEval x/z rule)',
        stimulus: {seed: options.seed, blocks: options.blocks, cycles: options.cycles},
        postprocess: 'candidates: the run’s judged code as its bench assembles the design; checks: every distinct block trace among the candidates',
      },
      tasks: built.map((entry) => entry.matrix),
    },
    outcomes,
    perTask: built.map((entry, i) => ({taskId: tasks[i]!.taskId, outcomes: entry.statuses})),
  };
}
