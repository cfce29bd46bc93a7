/**
 * VerilogEval v2 failure classes: a pure re-implementation of upstream `sv-iv-analyze`, which scans
 * the combined compile + simulation log line by line (the first "break" rule decides), then falls
 * back to flags gathered on the way, then to a look at the sample source.
 */
import {fileLines, pyDigits, pyInt} from './pystr.js';

export type FailureClass = 'S' | 'e' | '0' | 'n' | 'w' | 'm' | 'c' | 'T' | 'p' | 'C' | '.' | 'r' | 'R';

/** Names as upstream `count_failures.py` prints them. */
export const failureClassNames: Record<FailureClass, string> = {
  S: 'Syntax Error',
  e: 'Explicit Cast Required',
  '0': 'Sized Numeric Constant Error',
  n: 'No Sensitivities Warning',
  w: 'Declared as Wire',
  m: 'Unknown Module Type',
  c: 'Unable to Bind clk',
  T: 'Timeout',
  p: 'Unable to Bind Wire/Reg',
  C: 'Compiler error',
  '.': 'Pass',
  r: 'Async reset found',
  R: 'Runtime error',
};

export interface Classification {
  class: FailureClass;
  /** The last non-zero `Mismatches: N` seen (upstream keys R outcomes by it for diversity); 0 otherwise. */
  mismatches: number;
}

/** Break rules in upstream order: the first line containing the needle decides. */
const breakRules: ReadonlyArray<readonly [string, FailureClass]> = [
  ['error: This assignment requires an explicit cast', 'e'],
  ['error: Sized numeric constant must have a size greater than zero', '0'],
  ['warning: always_comb process has no sensitivities', 'n'],
  ['found no sensitivities so it will never trigger', 'n'],
  ['is declared here as wire', 'w'],
  ['Unknown module type', 'm'],
  ["Unable to bind wire/reg/memory `clk'", 'c'],
  ['TIMEOUT', 'T'],
];

const mismatchLine = new RegExp(`^Mismatches: (${pyDigits}) in ${pyDigits} samples$`, 'u');

/** Sample lines that upstream takes as a sign of an asynchronous reset. */
const asyncResetNeedles = ['posedge reset', 'negedge reset', 'posedge r)'];

/**
 * Classifies one sample. `log` is the combined log exactly as upstream writes it (compiler output,
 * simulator output, then a `TIMEOUT` line when the simulation timed out); `sample` is the sample source.
 */
export function classify(log: string, sample: string): Classification {
  let compileError = false;
  let bindError = false;
  let zeroMismatches = false;
  let mismatches = 0;
  for (const line of fileLines(log)) {
    if (line.includes('syntax error')) return {class: 'S', mismatches};
    if (line.includes('error')) compileError = true;
    if (line.includes('Unable to bind wire/reg')) bindError = true;
    const rule = breakRules.find(([needle]) => line.includes(needle));
    if (rule) return {class: rule[1], mismatches};
    const match = mismatchLine.exec(line);
    if (match) {
      const count = pyInt(match[1]!);
      if (count === 0) zeroMismatches = true;
      else mismatches = count;
    }
  }
  if (bindError) return {class: 'p', mismatches};
  if (compileError) return {class: 'C', mismatches};
  if (zeroMismatches) return {class: '.', mismatches};
  // Needles hold no line breaks, so a search over the whole sample equals upstream's per-line scan.
  if (asyncResetNeedles.some((needle) => sample.includes(needle))) return {class: 'r', mismatches};
  return {class: 'R', mismatches};
}
