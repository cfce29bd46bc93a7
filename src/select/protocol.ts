/**
 * Which tasks a selection score averages over (spec §5). B4's evaluation keeps only "mixed" tasks,
 * where some but not all of the executable solutions are correct, which inflates absolute numbers;
 * the `all` protocol counts every task, a filtered one scoring 1 if all its executable solutions
 * are correct and 0 otherwise (so a task without tests or without executable solutions scores 0).
 */
import type {TaskMatrix} from './matrix.js';
import {taskView} from './view.js';

export const protocols = ['mixed', 'all'] as const;
export type Protocol = (typeof protocols)[number];

/** no-rows: no test, or no solution executed with the tests. */
export type TaskClass = 'mixed' | 'all-correct' | 'all-wrong' | 'no-rows';

/** The class over the task's rows (the classes are the same under either dedup convention). */
export function classifyTask(task: TaskMatrix): TaskClass {
  const {rows} = taskView(task, 'unique');
  if (rows.length === 0) return 'no-rows';
  const correct = rows.filter((i) => task.gt[i]).length;
  if (correct === 0) return 'all-wrong';
  return correct === rows.length ? 'all-correct' : 'mixed';
}

/** A task's score under a protocol: its strategy score, the filter's fixed score, or undefined (left out). */
export function protocolScore(protocol: Protocol, taskClass: TaskClass, strategyScore: () => number): number | undefined {
  if (taskClass === 'mixed') return strategyScore();
  if (protocol === 'mixed') return undefined;
  return taskClass === 'all-correct' ? 1 : 0;
}
