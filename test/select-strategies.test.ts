import {describe, expect, it} from 'vitest';
import {mergeTies, picksPerGroup, rankingPassAtK} from '../src/select/evaluate.js';
import {b4NaiveScores} from '../bench/b4-naive.js';
import type {TaskMatrix} from '../src/select/matrix.js';
import {runSelection, type SelectionOptions} from '../src/select/selection.js';
import {seededRandom} from '../src/select/rng.js';
import {strategies} from '../src/select/strategies.js';
import {taskView, type Dedup} from '../src/select/view.js';

/** A task from pass patterns; gt and multiplicities default to wrong and 1. */
function task(rows: string[], extra: Partial<TaskMatrix> = {}): TaskMatrix {
  const M = rows.find((row) => row !== '')?.length ?? 0;
  return {
    taskId: 't',
    entryPoint: 'f',
    solutions: rows.map((_, i) => `s${i}`),
    solCount: rows.map(() => 1),
    execOk: rows.map(() => true),
    gt: rows.map(() => false),
    tests: Array.from({length: M}, (_, j) => `assert f(${j})`),
    testCount: Array.from({length: M}, () => 1),
    rows,
    ...extra,
  };
}

const params = {beta0: 1e4, alphaXY: 1e3};

/** The matrix a view stands for, duplicates expanded: each row repeated by its weight, each test too. */
function expandedRows(t: TaskMatrix, dedup: Dedup): string[] {
  const view = taskView(t, dedup);
  return view.patterns.flatMap((p, i) => new Array<string>(view.rowWeight[i]!).fill(expandPattern(p, view.testWeight)));
}

function expandPattern(pattern: string, testWeight: number[]): string {
  return [...pattern].flatMap((c, j) => new Array<string>(testWeight[j]!).fill(c)).join('');
}

describe('B4', () => {
  it.each(['unique', 'weighted'] as const)('the O(NM + KM) form equals naive block counting on random matrices (%s)', (dedup) => {
    const random = seededRandom(7);
    for (let trial = 0; trial < 40; trial++) {
      const N = 1 + Math.floor(random() * 12);
      const M = 1 + Math.floor(random() * 8);
      // Few distinct patterns, so consensus sets have several members.
      const patterns = Array.from({length: 3}, () => Array.from({length: M}, () => (random() < 0.5 ? '1' : '0')).join(''));
      const rows = Array.from({length: N}, () => patterns[Math.floor(random() * 3)]!);
      const t = task(rows, {solCount: rows.map(() => 1 + Math.floor(random() * 3)), testCount: Array.from({length: M}, () => 1 + Math.floor(random() * 3))});
      const naive = b4NaiveScores(expandedRows(t, dedup), 1e4, 10);
      const view = taskView(t, dedup);
      for (const group of strategies.b4.rank(view, {beta0: 1e4, alphaXY: 10})) {
        const pattern = expandPattern(t.rows[group.members[0]!]!, view.testWeight);
        expect(group.score).toBeCloseTo(naive.get(pattern)!, 9);
      }
    }
  });

  it('prefers the consensus set that the other rows do not contradict', () => {
    // Three solutions agree on passing tests 0-2; two others pass test 3 only (an incorrect test).
    const t = task(['1110', '1110', '1110', '0001', '0001'], {gt: [true, true, true, false, false]});
    const [best] = strategies.b4.rank(taskView(t, 'unique'), params);
    expect(best!.members).toEqual([0, 1, 2]);
  });
});

describe('baselines', () => {
  const t = task(['110', '110', '111', '000', '001']);
  const view = taskView(t, 'unique');

  it('maxpass groups by tests passed, mbr-exec by pattern size, codet by passed × √size', () => {
    expect(strategies.maxpass.rank(view, params)).toEqual([
      {members: [2], score: 3},
      {members: [0, 1], score: 2},
      {members: [4], score: 1},
      {members: [3], score: 0},
    ]);
    expect(strategies['mbr-exec'].rank(view, params)[0]).toEqual({members: [0, 1], score: 2});
    expect(strategies.codet.rank(view, params).map((g) => g.score)).toEqual([3, 2 * Math.SQRT2, 1, 0]);
  });

  it('random puts every executable row in one group', () => {
    const withCrash = task(['10', '', '01'], {execOk: [true, false, true]});
    expect(strategies.random.rank(taskView(withCrash, 'unique'), params)).toEqual([{members: [0, 2], score: 1}]);
  });

  it('codet-original never ranks a group passing no test; codet (B4 repo) does', () => {
    const none = task(['00', '00']);
    expect(strategies['codet-original'].rank(taskView(none, 'weighted'), params)).toEqual([]);
    expect(strategies.codet.rank(taskView(none, 'unique'), params)).toEqual([{members: [0, 1], score: 0}]);
  });

  it('weighted counts multiplicities as if duplicates were expanded', () => {
    // Unique: {0} passes 2 tests × √1 = 2 beats {1} 1 × √1; weighted: test 1 occurs 5 times.
    const t2 = task(['11', '01'], {solCount: [1, 4], testCount: [1, 5]});
    expect(strategies.codet.rank(taskView(t2, 'unique'), params)[0]!.members).toEqual([0]);
    expect(strategies.codet.rank(taskView(t2, 'weighted'), params)[0]!.members).toEqual([1]);
  });
});

describe('evaluation', () => {
  it('merges exactly equal scores only', () => {
    expect(mergeTies([{members: [0], score: 2}, {members: [1], score: 2}, {members: [2], score: 2 - 1e-15}])).toEqual([
      {members: [0, 1], score: 2},
      {members: [2], score: 2 - 1e-15},
    ]);
  });

  it('pass@1 is the correct fraction of the top merged group (ties are not broken by order)', () => {
    const t = task(['1', '1', '1'], {gt: [false, true, true]});
    const merged = mergeTies([{members: [0], score: 1}, {members: [1, 2], score: 1}]);
    expect(rankingPassAtK(merged, 1, t, () => 1)).toBeCloseTo(2 / 3, 15);
  });

  it('pass@k picks one per group, cycling from the top when there are fewer groups than k', () => {
    expect(picksPerGroup(2, 5)).toEqual([3, 2]);
    expect(picksPerGroup(4, 2)).toEqual([1, 1]);
    const t = task(['1', '1', '0'], {gt: [true, false, false]});
    const merged = [{members: [0, 1], score: 2}, {members: [2], score: 1}];
    // k = 3: the top group twice (1 − (1/2)²), the second once (always wrong).
    expect(rankingPassAtK(merged, 3, t, () => 1)).toBeCloseTo(0.75, 15);
  });
});

describe('protocols and the report', () => {
  const mixed = {...task(['10', '01'], {gt: [true, false]}), taskId: 'mixed'};
  const allRight = {...task(['11', '11'], {gt: [true, true]}), taskId: 'all-right'};
  const noTests = {...task(['', ''], {gt: [true, false], solCount: [3, 1]}), taskId: 'no-tests'};
  const options: SelectionOptions = {strategies: ['random', 'codet-original'], beta0: [1e4], alphaXY: 1e3, protocols: ['mixed', 'all'], ks: [], seed: 1};
  const report = runSelection({meta: {limit: 5}, tasks: [mixed, allRight, noTests]}, options);

  it('mixed keeps only mixed tasks; all scores a filtered task 1 if all correct, else 0', () => {
    expect(report.taskClasses).toEqual({mixed: 1, 'all-correct': 1, 'all-wrong': 0, 'no-rows': 1});
    const random = report.results.filter((r) => r.strategy === 'random');
    expect(random.map((r) => [r.protocol, r.tasks, r.pass1])).toEqual([
      ['mixed', 1, 0.5],
      ['all', 3, (0.5 + 1 + 0) / 3],
    ]);
  });

  it('codet-original falls back to sampling inside a kept task, but the protocol still decides filtered tasks', () => {
    const selection = report.selections.find((s) => s.strategy === 'codet-original')!;
    expect(selection.tasks.find((t) => t.taskId === 'no-tests')).toMatchObject({fallback: true, passAtK: {'1': 0.75}});
    expect(report.results.find((r) => r.strategy === 'codet-original' && r.protocol === 'all')!.pass1).toBeCloseTo((0.5 + 1 + 0) / 3, 15);
  });

  it('plain sampling counts every sample of every task under all', () => {
    expect(report.sampling).toEqual([
      {protocol: 'mixed', tasks: 1, pass1: 0.5, passAtK: {'1': 0.5}},
      {protocol: 'all', tasks: 3, pass1: (0.5 + 1 + 0.75) / 3, passAtK: {'1': (0.5 + 1 + 0.75) / 3}},
    ]);
  });

  it('picks a concrete solution from the top group, the same for the same seed', () => {
    const again = runSelection({meta: {}, tasks: [mixed, allRight, noTests]}, options);
    const picks = (r: typeof report) => r.selections.map((s) => s.tasks.map((t) => t.pick));
    expect(picks(again)).toEqual(picks(report));
    // A strategy's picks do not depend on which other strategies ran before it.
    const alone = runSelection({meta: {}, tasks: [mixed, allRight, noTests]}, {...options, strategies: ['codet-original']});
    expect(picks(alone)).toEqual([picks(report)[1]]);
    expect(report.selections[0]!.tasks[2]!.pick).toBeUndefined();
  });

  it('refuses a k larger than the samples of a task, and non-positive hyperparameters', () => {
    expect(() => runSelection({meta: {}, tasks: [mixed]}, {...options, ks: [3]})).toThrow(/pass@3 needs at least 3 samples/);
    expect(() => runSelection({meta: {}, tasks: [mixed]}, {...options, beta0: [0]})).toThrow(/--beta0 must be > 0/);
    expect(() => runSelection({meta: {}, tasks: [mixed]}, {...options, alphaXY: 1e300})).toThrow(/--alpha-xy must be > 0 and at most 1e15/);
  });
});
