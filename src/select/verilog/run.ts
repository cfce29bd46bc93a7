/**
 * Behavioural selection on a finished VerilogEval run (`passk select --run` on a verilog-eval-v1/v2
 * run): the run's judged samples are the candidates and their verdicts (the real testbench) the
 * ground truth; no test is generated. Reports every strategy next to plain sampling (random
 * selection) and the oracle (pass@n: a task counts when any of its samples passed), and stores the
 * report with the run.
 */
import type {Bench} from '../../bench/bench.js';
import {compileTimeoutMs, simulationTimeoutMs} from '../../bench/verilog/judging.js';
import {openBench, type BenchName} from '../../bench/index.js';
import type {V1Problem} from '../../bench/verilog/v1.js';
import type {V2Problem} from '../../bench/verilog/v2.js';
import {UserError} from '../../errors.js';
import {canonicalJson} from '../../generate/cache.js';
import type {Sandbox} from '../../execute/sandbox.js';
import type {RunConfig} from '../../run/run.js';
import type {RunRow, Store} from '../../store/store.js';
import type {SelectionMatrix, TaskMatrix} from '../matrix.js';
import {classifyTask, type Protocol} from '../protocol.js';
import {planRunMatrix} from '../run-matrix.js';
import {withSampleIndices} from '../run-selection.js';
import {runSelection, type SelectionOptions, type SelectionReport} from '../selection.js';
import {buildBehaviourMatrix, v1Form, v2Form, type BehaviourOptions, type BehaviourTaskInput, type OutcomeCounts} from './behaviour.js';

export const verilogBenches = ['verilog-eval-v1', 'verilog-eval-v2'];

export interface OracleResult {
  protocol: Protocol;
  tasks: number;
  /** Fraction of tasks where some sample passed the real testbench (pass@n). */
  passN: number;
}

export interface VerilogSelectionReport extends SelectionReport {
  oracle: OracleResult[];
  /** Unique candidates by simulation outcome under the stimulus. */
  outcomes: OutcomeCounts;
}

/** Over the tasks each protocol keeps (as plain sampling is): does any sample pass? */
export function oracle(matrix: SelectionMatrix, protocols: Protocol[]): OracleResult[] {
  return protocols.map((protocol) => {
    const kept = matrix.tasks.filter((task) => protocol === 'all' || classifyTask(task) === 'mixed');
    const solved = kept.filter((task: TaskMatrix) => task.gt.some(Boolean)).length;
    return {protocol, tasks: kept.length, passN: kept.length === 0 ? 0 : solved / kept.length};
  });
}

/** Behavioural selection over tasks whose candidates and ground truth are known. */
export async function selectByBehaviour(
  tasks: BehaviourTaskInput[],
  sandbox: Sandbox,
  behaviour: BehaviourOptions,
  selection: SelectionOptions,
): Promise<{report: VerilogSelectionReport; matrix: SelectionMatrix}> {
  const built = await buildBehaviourMatrix(tasks, sandbox, behaviour);
  const report = runSelection(built.matrix, selection);
  const conventions = {
    ...report.conventions,
    tests:
      `checks: "agrees with this candidate trace on block b" for every distinct block trace; stimulus of ${behaviour.blocks} blocks × ${behaviour.cycles} cycles ` +
      `(the last ×32), seed ${behaviour.seed}; x in the check's trace matches anything, z nothing (VerilogEval's tb_match)`,
    groundTruthTimeout: "the run's verdicts: the real VerilogEval testbench under the judge's limits",
    testTimeout: `per candidate: compile ${compileTimeoutMs / 1000} s, simulation ${(behaviour.simTimeoutMs ?? simulationTimeoutMs) / 1000} s (the judge's limits); a candidate that fails, hangs or stops early has no row`,
    oracle: 'oracle: pass@n, the fraction of tasks where some sample passed the real testbench',
  };
  return {report: {...report, conventions, oracle: oracle(built.matrix, selection.protocols), outcomes: built.outcomes}, matrix: built.matrix};
}

/** The store key of a behavioural selection's checks: the stimulus settings. */
export function behaviourSource(behaviour: BehaviourOptions): string {
  return `behaviour ${canonicalJson({seed: behaviour.seed, blocks: behaviour.blocks, cycles: behaviour.cycles})}`;
}

/** The run's candidates per problem, each assembled as its bench's judge assembles it. */
export async function verilogRunTasks(store: Store, run: RunRow): Promise<BehaviourTaskInput[]> {
  const config = run.config as unknown as RunConfig;
  const bench: Bench = await openBench({
    bench: run.bench as BenchName,
    task: run.task,
    dataset: config.dataset,
    shots: config.benchOptions?.shots as number | undefined,
    rules: config.benchOptions?.rules as boolean | undefined,
  });
  if (bench.datasetHash !== config.datasetHash) throw new UserError(`the dataset at ${config.dataset} changed since run ${run.id}; its verdicts no longer describe it`);
  const wanted = config.problemIds ? new Set(config.problemIds) : undefined;
  const problems = bench.problems.filter((p) => !wanted || wanted.has(p.id));
  const forms = new Map(
    problems.map((p) => [p.id, run.bench === 'verilog-eval-v1' ? v1Form(p as V1Problem, config.verdictMode) : v2Form(p as V2Problem)]),
  );
  const plans = planRunMatrix(
    problems.map((p) => ({id: p.id, entryPoint: forms.get(p.id)!.top})),
    store.samples(run.id),
    [],
    1,
  );
  return plans.map((plan) => ({taskId: plan.taskId, solutions: plan.solutions, solCount: plan.solCount, gt: plan.gt, form: forms.get(plan.taskId)!}));
}

export interface VerilogRunSelection {
  report: VerilogSelectionReport;
  matrix: SelectionMatrix;
  selectionId: number;
}

export async function selectVerilogRun(
  store: Store,
  run: RunRow,
  sandbox: Sandbox,
  behaviour: BehaviourOptions,
  selection: SelectionOptions,
): Promise<VerilogRunSelection> {
  if (!verilogBenches.includes(run.bench)) throw new UserError(`run ${run.id} is ${run.bench}; behavioural selection needs a verilog-eval-v1 or -v2 run`);
  if (run.status !== 'done') throw new UserError(`run ${run.id} is ${run.status}; finish it first with \`passk run --resume ${run.id}\``);
  const tasks = await verilogRunTasks(store, run);
  const {report, matrix} = await selectByBehaviour(tasks, sandbox, behaviour, selection);
  // Each pick also named by the run's first sample with that code, so the stored selection stands on its own.
  const stored = {...report, selections: withSampleIndices(report, matrix, store.samples(run.id))};
  const selectionId = store.addSelection(run.id, behaviourSource(behaviour), {...selection, stimulus: {blocks: behaviour.blocks, cycles: behaviour.cycles}}, stored);
  return {report, matrix, selectionId};
}
