/**
 * Reading what a VerilogEval testbench prints, and making that readable in a way a sample cannot
 * forge (strict mode).
 *
 * Every VerilogEval testbench (v1 and v2) ends its `final` block with
 *   Hint: Output 'q' has N mismatches. First mismatch occurred at time T.   (one per output)
 *   Hint: Total mismatched samples is N out of M samples
 *   (blank line)
 *   Simulation finished at T ps
 *   Mismatches: N in M samples
 * The DUT shares the simulator's stdout, so all of this is forgeable: a `$display` can print a
 * fake `Mismatches: 0 in M samples` line, and a DUT `final` block that prints a complete fake
 * trailer and then calls `$finish` stops the testbench's own `final` block from running at all
 * (measured with Icarus 11 and 12). Counting lines or checking their order cannot catch that.
 *
 * Strict mode therefore adds one statement to the testbench right after its Mismatches display:
 * `$display("passk-verdict-<nonce> %1d %1d", errors, clocks)`, with a fresh random nonce per job.
 * A DUT cannot print the nonce without knowing it, and it cannot keep the testbench from printing
 * it without also keeping it from printing at all; so the one line carrying the nonce gives the
 * real mismatch and sample counts. The counts are then checked against the reference run's sample
 * count, which catches an early `$finish` (`Mismatches: 0 in 0 samples`). The extra line contains
 * none of the words the upstream classifier looks for, so the failure class is unchanged.
 * Residual risk: a DUT written to read the testbench source or the compiled simulation from its
 * working directory (`$fopen`) could learn the nonce; that takes an attack aimed at passk itself,
 * not a model's accident, and the sandbox keeps such a DUT from reaching anything else.
 */
import {randomBytes} from 'node:crypto';
import {fileLines} from './pystr.js';

const mismatchesDisplay = /\$display\(\s*"Mismatches: %1d in %1d samples"\s*,\s*([^,;]+?)\s*,\s*([^,;]+?)\s*\)\s*;/g;

/** True when the testbench prints its verdict the way every VerilogEval testbench does (exactly once). */
export function hasMismatchesDisplay(test: string): boolean {
  return [...test.matchAll(mismatchesDisplay)].length === 1;
}

export function newNonce(): string {
  return randomBytes(12).toString('hex');
}

/** The testbench with the nonce line added after its Mismatches display (see the module comment). */
export function withVerdictLine(test: string, nonce: string): string {
  return test.replace(
    mismatchesDisplay,
    (statement, errors: string, clocks: string) => `${statement} $display("passk-verdict-${nonce} %1d %1d", ${errors}, ${clocks});`,
  );
}

export interface TrustedCounts {
  mismatches: number;
  samples: number;
}

/**
 * The counts from the nonce line, or a reason why they cannot be trusted: the line is missing
 * (the testbench's `final` block never ran) or appears more than once.
 */
export function readVerdictLine(simOutput: string, nonce: string): TrustedCounts | string {
  const pattern = new RegExp(`^passk-verdict-${nonce} (\\d+) (\\d+)$`);
  const found = fileLines(simOutput).flatMap((line) => {
    const match = pattern.exec(line);
    return match ? [{mismatches: Number(match[1]), samples: Number(match[2])}] : [];
  });
  if (found.length === 1) return found[0]!;
  return found.length === 0 ? "the testbench's final block did not report" : 'the testbench verdict line appeared more than once';
}

export interface OutputHint {
  output: string;
  mismatches: number;
  /** Simulation time (ps) of the first mismatch; absent when there was none. */
  firstMismatchAt?: number;
}

const outputHint = /^Hint: Output '(.*)' has (?:no mismatches\.|(\d+) mismatches\. First mismatch occurred at time (\d+)\.)$/;
const totalHint = /^Hint: Total mismatched samples is \d+ out of \d+ samples$/;
const mismatchesLine = /^Mismatches: (\d+) in (\d+) samples$/;

export interface Trailer extends Partial<TrustedCounts> {
  hints: OutputHint[];
}

/**
 * What the testbench's final block reported, as printed (not trusted): counts from the last
 * `Mismatches:` line and the per-output hints just before the last total line.
 */
export function readTrailer(simOutput: string): Trailer {
  const lines = fileLines(simOutput);
  const trailer: Trailer = {hints: []};
  const counts = lastIndex(lines, mismatchesLine);
  if (counts >= 0) {
    const [, mismatches, samples] = mismatchesLine.exec(lines[counts]!)!;
    trailer.mismatches = Number(mismatches);
    trailer.samples = Number(samples);
  }
  const total = lastIndex(lines, totalHint);
  for (let index = total - 1; total > 0 && index >= 0; index--) {
    const hint = outputHint.exec(lines[index]!);
    if (!hint) break;
    trailer.hints.unshift({
      output: hint[1]!,
      mismatches: hint[2] ? Number(hint[2]) : 0,
      ...(hint[3] ? {firstMismatchAt: Number(hint[3])} : {}),
    });
  }
  return trailer;
}

function lastIndex(lines: string[], pattern: RegExp): number {
  for (let index = lines.length - 1; index >= 0; index--) if (pattern.test(lines[index]!)) return index;
  return -1;
}
