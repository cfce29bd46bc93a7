/**
 * Candidates compared by behaviour: the check "agrees with this trace on block b", with every
 * distinct block trace among the candidates as one check (its multiplicity: the samples that
 * printed it). Agreement is VerilogEval's `tb_match = ref === (ref ^ dut ^ ref)` with the check's
 * trace as the reference, bit by bit: an x in the reference matches anything, a z in it nothing,
 * and a 0/1 only the same bit (so an x in the candidate matches only an x).
 *
 * Candidates with identical traces get identical rows, so grouping rows by pattern (MBR-exec) is
 * clustering by trace; B4 and CodeT rank the same matrix as they rank solutions × generated tests.
 */
import {createHash} from 'node:crypto';
import type {TaskMatrix} from '../matrix.js';
import type {TraceOutcome} from './traces.js';

/** `dut` matches `ref` as the VerilogEval testbench compares (ref's x a wildcard). */
export function agrees(dut: string, ref: string): boolean {
  if (dut.length !== ref.length) return false;
  for (let i = 0; i < ref.length; i++) {
    const r = ref[i]!;
    if (r === 'x' || r === 'X') continue;
    if (r === 'z' || r === 'Z' || dut[i] !== r) return false;
  }
  return true;
}

export interface BehaviourTask {
  taskId: string;
  /** Unique candidate codes, their sample counts and ground truth (the real testbench's verdict). */
  solutions: string[];
  solCount: number[];
  gt: boolean[];
}

const shortHash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);

export function behaviourMatrix(task: BehaviourTask, outcomes: TraceOutcome[], entryPoint: string): TaskMatrix {
  const checks: Array<{block: number; trace: string; count: number}> = [];
  const index = new Map<string, number>();
  const traces = outcomes.map((outcome) => (outcome.status === 'ok' ? outcome.blocks : undefined));
  const blockCount = Math.max(0, ...traces.map((blocks) => blocks?.length ?? 0));
  for (let block = 0; block < blockCount; block++) {
    traces.forEach((blocks, i) => {
      if (!blocks) return;
      const key = `${block}\n${blocks[block]!}`;
      const found = index.get(key);
      if (found === undefined) {
        index.set(key, checks.length);
        checks.push({block, trace: blocks[block]!, count: task.solCount[i]!});
      } else checks[found]!.count += task.solCount[i]!;
    });
  }
  return {
    taskId: task.taskId,
    entryPoint,
    solutions: task.solutions,
    solCount: task.solCount,
    execOk: traces.map((blocks) => blocks !== undefined),
    gt: task.gt,
    tests: checks.map((check) => `agrees on block ${check.block} with trace ${shortHash(check.trace)}`),
    testCount: checks.map((check) => check.count),
    rows: traces.map((blocks) => (blocks ? checks.map((check) => (agrees(blocks[check.block]!, check.trace) ? '1' : '0')).join('') : '')),
  };
}
