/**
 * A run's passing matrix: the run's judged samples (unique code per problem, ground truth from the
 * run's verdicts), the kept asserts of the stored test samples, and the executor's stored rows
 * (test_results). Rows are keyed by the sha256 of the solution code and of the problem's test list,
 * so rows made for another test set never fill a matrix.
 */
import {createHash} from 'node:crypto';
import type {SampleRow, TestResultRow, TestSampleRow} from '../store/store.js';
import {codetStopTokens, keptTests} from './codet-tests.js';
import type {MatrixInput, MatrixRows, SelectionMatrix, TaskMatrix} from './matrix.js';

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export interface RunMatrixProblem {
  id: string;
  entryPoint: string;
}

/** A task's matrix before its rows: unique solutions and tests with multiplicities, ground truth, and the key of the test list. */
export interface MatrixPlan extends MatrixInput {
  solCount: number[];
  gt: boolean[];
  testCount: number[];
  testsSha256: string;
}

export function planRunMatrix(problems: RunMatrixProblem[], samples: SampleRow[], testSamples: TestSampleRow[], limit: number): MatrixPlan[] {
  return problems.map((problem) => {
    // Infrastructure errors have no verdict and stay out, as they stay out of pass@k.
    const judged = samples.filter((s) => s.problemId === problem.id && s.verdict && !s.verdict.errored && s.code !== undefined);
    const byCode = new Map<string, {count: number; gt: boolean}>();
    for (const sample of judged) {
      const entry = byCode.get(sample.code!);
      if (entry) entry.count += 1;
      else byCode.set(sample.code!, {count: 1, gt: sample.verdict!.passed});
    }
    const testsPerSample = testSamples.filter((t) => t.problemId === problem.id && t.asserts !== undefined).map((t) => t.asserts!);
    const {tests, testCount} = keptTests(testsPerSample, limit);
    return {
      taskId: problem.id,
      entryPoint: problem.entryPoint,
      solutions: [...byCode.keys()],
      solCount: [...byCode.values()].map((v) => v.count),
      gt: [...byCode.values()].map((v) => v.gt),
      tests,
      testCount,
      testsSha256: sha256(JSON.stringify(tests)),
    };
  });
}

/** An executor's rows as they are stored. */
export function resultRows(plan: MatrixPlan, built: MatrixRows): TestResultRow[] {
  if (built.rows.length !== plan.solutions.length || built.execOk.length !== plan.solutions.length) {
    throw new Error(`matrix rows for ${plan.taskId}: ${built.rows.length} rows for ${plan.solutions.length} solutions`);
  }
  return plan.solutions.map((code, i) => {
    const passes = built.execOk[i] ? built.rows[i]! : '';
    if (passes.length !== (built.execOk[i] ? plan.tests.length : 0) || !/^[01]*$/.test(passes)) {
      throw new Error(`matrix row ${i} of ${plan.taskId} is not one 0/1 per test`);
    }
    return {problemId: plan.taskId, solutionSha256: sha256(code), testsSha256: plan.testsSha256, execOk: built.execOk[i]!, passes};
  });
}

/** The matrix (when every row is stored), how many rows it has and how many are missing. */
export function assembleRunMatrix(plans: MatrixPlan[], results: TestResultRow[], meta: SelectionMatrix['meta']): {matrix?: SelectionMatrix; missing: number; rows: number} {
  const stored = new Map(results.map((row) => [`${row.problemId}\n${row.solutionSha256}\n${row.testsSha256}`, row]));
  let missing = 0;
  let rows = 0;
  const tasks: TaskMatrix[] = plans.map((plan) => {
    const found = plan.solutions.map((code) => stored.get(`${plan.taskId}\n${sha256(code)}\n${plan.testsSha256}`));
    rows += found.length;
    missing += found.filter((row) => row === undefined).length;
    return {
      taskId: plan.taskId,
      entryPoint: plan.entryPoint,
      solutions: plan.solutions,
      solCount: plan.solCount,
      execOk: found.map((row) => row?.execOk ?? false),
      gt: plan.gt,
      tests: plan.tests,
      testCount: plan.testCount,
      rows: found.map((row) => (row?.execOk ? row.passes : '')),
    };
  });
  return {...(missing === 0 ? {matrix: {meta, tasks}} : {}), missing, rows};
}

export const runMatrixPostprocess =
  `solutions: the run's extracted code; tests: CodeT's rules (split at "assert ", pieces naming the entry point, cut at ${codetStopTokens.map((t) => JSON.stringify(t)).join('|')}, stripped, compile() inside a try block in the sandbox)`;
