/**
 * Comparing a passing matrix passk built with one built elsewhere (e.g. the independent
 * ../shared/datasets/b4/derived/ matrix): the same solutions and tests after post-processing (with
 * their multiplicities), then agreement on every cell, on which solutions executed, and on the
 * ground truth. A cell is "solution i passes test j": false for a solution that did not execute,
 * so cells = solutions × tests, and a row that executed on one side only disagrees where it passes.
 * Every disagreement is listed; `explain` (explain-matrix.ts) attaches causes.
 */
import type {SelectionMatrix, TaskMatrix} from './matrix.js';

export interface Agreement {
  compared: number;
  agree: number;
  /** agree / compared (1 when nothing was compared). */
  rate: number;
}

/** Items present on one side only, or with different multiplicities. */
export interface SetDifference {
  taskId: string;
  onlyOurs: string[];
  onlyReference: string[];
  /** Present on both sides with different counts: [item, ours, reference]. */
  countsDiffer: Array<[string, number, number]>;
}

export type DisagreementKind = 'cell' | 'exec' | 'gt';

export interface Disagreement {
  kind: DisagreementKind;
  taskId: string;
  /** Index into our task's solutions. */
  solution: number;
  /** Index into our task's tests (cells only). */
  test?: number;
  ours: boolean;
  reference: boolean;
  /** Why, when explained. */
  cause?: string;
}

export interface MatrixComparison {
  tasks: {compared: number; onlyOurs: string[]; onlyReference: string[]};
  solutions: SetDifference[];
  tests: SetDifference[];
  cells: Agreement;
  execOk: Agreement;
  groundTruth: Agreement;
  disagreements: Disagreement[];
}

function agreement(compared: number, agree: number): Agreement {
  return {compared, agree, rate: compared === 0 ? 1 : agree / compared};
}

function setDifference(taskId: string, ours: string[], oursCount: number[], reference: string[], referenceCount: number[]): SetDifference | undefined {
  const theirs = new Map(reference.map((item, i) => [item, referenceCount[i]!]));
  const mine = new Map(ours.map((item, i) => [item, oursCount[i]!]));
  const difference: SetDifference = {
    taskId,
    onlyOurs: ours.filter((item) => !theirs.has(item)),
    onlyReference: reference.filter((item) => !mine.has(item)),
    countsDiffer: ours.flatMap((item) => (theirs.has(item) && theirs.get(item) !== mine.get(item) ? [[item, mine.get(item)!, theirs.get(item)!] as [string, number, number]] : [])),
  };
  const differs = difference.onlyOurs.length + difference.onlyReference.length + difference.countsDiffer.length > 0;
  return differs ? difference : undefined;
}

const passes = (task: TaskMatrix, solution: number, test: number) => task.execOk[solution]! && task.rows[solution]![test] === '1';

export function compareMatrices(ours: SelectionMatrix, reference: SelectionMatrix): MatrixComparison {
  const referenceTasks = new Map(reference.tasks.map((task) => [task.taskId, task]));
  const ourIds = new Set(ours.tasks.map((task) => task.taskId));
  const comparison: MatrixComparison = {
    tasks: {
      compared: 0,
      onlyOurs: ours.tasks.filter((task) => !referenceTasks.has(task.taskId)).map((task) => task.taskId),
      onlyReference: reference.tasks.filter((task) => !ourIds.has(task.taskId)).map((task) => task.taskId),
    },
    solutions: [],
    tests: [],
    cells: agreement(0, 0),
    execOk: agreement(0, 0),
    groundTruth: agreement(0, 0),
    disagreements: [],
  };
  const counts = {cells: [0, 0], execOk: [0, 0], groundTruth: [0, 0]};
  for (const task of ours.tasks) {
    const theirs = referenceTasks.get(task.taskId);
    if (!theirs) continue;
    comparison.tasks.compared += 1;
    const solutions = setDifference(task.taskId, task.solutions, task.solCount, theirs.solutions, theirs.solCount);
    if (solutions) comparison.solutions.push(solutions);
    const tests = setDifference(task.taskId, task.tests, task.testCount, theirs.tests, theirs.testCount);
    if (tests) comparison.tests.push(tests);
    const theirSolution = new Map(theirs.solutions.map((code, i) => [code, i]));
    const theirTest = new Map(theirs.tests.map((test, j) => [test, j]));
    // Columns present on both sides: [ours, theirs].
    const columns = task.tests.flatMap((test, j) => (theirTest.has(test) ? [[j, theirTest.get(test)!]] : []));
    task.solutions.forEach((code, i) => {
      const r = theirSolution.get(code);
      if (r === undefined) return;
      const note = (kind: DisagreementKind, ourValue: boolean, theirValue: boolean, test?: number) => {
        if (ourValue !== theirValue) comparison.disagreements.push({kind, taskId: task.taskId, solution: i, ...(test === undefined ? {} : {test}), ours: ourValue, reference: theirValue});
        return ourValue === theirValue ? 1 : 0;
      };
      counts.groundTruth[0] += 1;
      counts.groundTruth[1] += note('gt', task.gt[i]!, theirs.gt[r]!);
      // Whether a row executed matters only where there are tests to execute.
      if (columns.length > 0) {
        counts.execOk[0] += 1;
        counts.execOk[1] += note('exec', task.execOk[i]!, theirs.execOk[r]!);
      }
      for (const [j, t] of columns) {
        counts.cells[0] += 1;
        counts.cells[1] += note('cell', passes(task, i, j!), passes(theirs, r, t!), j);
      }
    });
  }
  comparison.cells = agreement(counts.cells[0]!, counts.cells[1]!);
  comparison.execOk = agreement(counts.execOk[0]!, counts.execOk[1]!);
  comparison.groundTruth = agreement(counts.groundTruth[0]!, counts.groundTruth[1]!);
  return comparison;
}

/** Disagreements grouped by cause ("unexplained" when none was given), largest group first. */
export function disagreementsByCause(comparison: MatrixComparison): Array<{kind: DisagreementKind; cause: string; count: number; items: Disagreement[]}> {
  const groups = new Map<string, {kind: DisagreementKind; cause: string; count: number; items: Disagreement[]}>();
  for (const item of comparison.disagreements) {
    const cause = item.cause ?? 'unexplained';
    const key = `${item.kind}\n${cause}`;
    const group = groups.get(key) ?? {kind: item.kind, cause, count: 0, items: []};
    group.count += 1;
    group.items.push(item);
    groups.set(key, group);
  }
  return [...groups.values()].sort((a, b) => b.count - a.count);
}

const percent = (rate: number) => `${(rate * 100).toFixed(3)}%`;
const count = (n: number) => n.toLocaleString('en-US');

function describeDifferences(what: string, differences: SetDifference[]): string {
  if (differences.length === 0) return `${what}: the same in every task`;
  const items = differences.reduce((sum, d) => sum + d.onlyOurs.length + d.onlyReference.length + d.countsDiffer.length, 0);
  return `${what}: ${items} differ in ${differences.length} task(s): ${differences.slice(0, 5).map((d) => d.taskId).join(', ')}`;
}

function describeItem(item: Disagreement): string {
  return `${item.taskId} solution ${item.solution}${item.test === undefined ? '' : ` test ${item.test}`}`;
}

/** The lines `passk select --compare-matrix` prints: agreements, then disagreements by cause (`examples` of each). */
export function formatMatrixComparison(comparison: MatrixComparison, reference: string, examples = 3): string {
  const rate = (name: string, a: Agreement) => `  ${name}: ${count(a.agree)} of ${count(a.compared)} agree (${percent(a.rate)})`;
  const lines = [
    `compared with ${reference}: ${comparison.tasks.compared} tasks in both` +
      (comparison.tasks.onlyOurs.length + comparison.tasks.onlyReference.length > 0
        ? `; only here: ${comparison.tasks.onlyOurs.length}, only there: ${comparison.tasks.onlyReference.length}`
        : ''),
    `  ${describeDifferences('solutions after post-processing (with counts)', comparison.solutions)}`,
    `  ${describeDifferences('tests after post-processing (with counts)', comparison.tests)}`,
    rate('cells (solution passes test)', comparison.cells),
    rate('ground truth', comparison.groundTruth),
    rate('executed rows', comparison.execOk),
  ];
  const groups = disagreementsByCause(comparison);
  if (groups.length > 0) lines.push('  disagreements by cause (passk / reference; --json lists every one):');
  for (const group of groups) {
    const shown = group.items.slice(0, examples).map((item) => `${describeItem(item)} (${Number(item.ours)}/${Number(item.reference)})`);
    lines.push(`    ${String(group.count).padStart(6)}  ${group.kind}: ${group.cause}`);
    lines.push(`            e.g. ${shown.join('; ')}${group.count > examples ? '; ...' : ''}`);
  }
  return lines.join('\n');
}
