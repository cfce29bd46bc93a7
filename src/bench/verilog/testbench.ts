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
 * Worse, Verilog lets the DUT reach into the testbench by hierarchical name: from inside its
 * instance, `tb.stats1.errors = 0`, `force tb.tb_match = 1` or `force good1.q = ...` (a sibling
 * instance, found by upward name resolution) all compile and rewrite the verdict (measured with
 * Icarus 12; `$root` is not supported there).
 *
 * Strict mode therefore hardens the testbench with two fresh random nonces per job:
 * - the scope nonce renames the testbench module (`tb` → `tb_<scope>`, compiled with
 *   `-s tb_<scope>`) and every instance it declares (`good1` → `good1_<scope>`, ...), so no
 *   hierarchical path into the testbench can be written without knowing it at compile time;
 * - the scope nonce also renames the reference module (v2 `RefModule`, defined in `_ref.sv`; v1
 *   `reference_module`, in the test), so a design cannot instantiate the reference and pass as it;
 * - the verdict nonce tags `$display("passk-verdict-<verdict> %1d %1d", errors, clocks)`, added
 *   right after the testbench's Mismatches display. A DUT cannot print that line without the
 *   nonce, and cannot keep the testbench from printing it without keeping it from printing at all,
 *   so the one line carrying the nonce gives the real counts. They are checked against the
 *   reference run's sample count, which also catches an early `$finish` (`Mismatches: 0 in 0 samples`).
 * The two must differ: a running design learns the scope nonce from `%m` or a `$dumpvars` file,
 * so the verdict nonce appears in no scope name. It does appear in the testbench source, the
 * compiled image and the simulator's memory, so the simulation runs under strict-sim.ts's
 * launcher, which deletes those files and closes /proc before the design runs.
 * The renamed names and the extra line contain none of the words the upstream classifier looks
 * for, so the failure class is unchanged, except for a sample that names testbench scopes or
 * instantiates the reference: it no longer compiles (class C) where compat mode would pass it.
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

/** A strict job's secrets: scope names, the verdict line, and the launcher's own messages each get their own. */
export interface StrictNonces {
  scope: string;
  verdict: string;
  launcher: string;
}

export function newStrictNonces(): StrictNonces {
  return {scope: newNonce(), verdict: newNonce(), launcher: newNonce()};
}

/** Modules a testbench instantiates: its own, the reference (v2 `RefModule`) and the DUT. */
const instantiable = (test: string) => [...test.matchAll(/\bmodule\s+(\w+)/g)].map((match) => match[1]!).concat('RefModule', 'TopModule', 'top_module');

export interface HardenedTestbench {
  test: string;
  /** The renamed testbench module, for `iverilog -s`. */
  top: string;
}

const referenceModule = /\b(?:RefModule|reference_module)\b/g;

/**
 * Renames the reference module (in a testbench or in v2's `_ref.sv`) as hardenTestbench does. An
 * empty module keeps the old name taken, so a sample that declares its own `RefModule` still clashes
 * (class C) as upstream, and one that instantiates it gets no reference.
 */
export function hideReference(source: string, scope: string): string {
  const defined = [...new Set([...source.matchAll(/\bmodule\s+(RefModule|reference_module)\b/g)].map((match) => match[1]!))];
  return source.replace(referenceModule, (name) => `${name}_${scope}`) + defined.map((name) => `\nmodule ${name}(); endmodule\n`).join('');
}

/** The testbench with unguessable scope and reference names and the nonce verdict line (see the module comment). */
export function hardenTestbench(test: string, nonces: Pick<StrictNonces, 'scope' | 'verdict'>): HardenedTestbench {
  const {scope, verdict} = nonces;
  const modules = instantiable(test).join('|');
  const instance = new RegExp(`^\\s*(?:${modules})\\s+(?:#\\s*\\([^;]*?\\)\\s*)?([A-Za-z_]\\w*)\\s*\\(`, 'gm');
  const instances = [...new Set([...test.matchAll(instance)].map((match) => match[1]!))];
  const renamed = instances.length === 0 ? test : test.replace(new RegExp(`\\b(${instances.join('|')})\\b`, 'g'), (name) => `${name}_${scope}`);
  const top = `tb_${scope}`;
  return {
    test: hideReference(renamed, scope)
      .replace(/\bmodule(\s+)tb\b/, (_match, space: string) => `module${space}${top}`)
      .replace(mismatchesDisplay, (statement, errors: string, clocks: string) => `${statement} $display("passk-verdict-${verdict} %1d %1d", ${errors}, ${clocks});`),
    top,
  };
}

/** The testbench's mismatch and sample counts (trusted only when read from the nonce line). */
export interface TestbenchCounts {
  mismatches: number;
  samples: number;
}

/**
 * The counts from the nonce line, or a reason why they cannot be trusted: the line is missing
 * (the testbench's `final` block never ran) or appears more than once.
 */
export function readVerdictLine(simOutput: string, nonce: string): TestbenchCounts | string {
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

export interface Trailer extends Partial<TestbenchCounts> {
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

/** The printed trailer's counts (compat mode: as trustworthy as the sample's output). */
export function printedCounts(trailer: Trailer): TestbenchCounts | string {
  const {mismatches, samples} = trailer;
  return mismatches === undefined || samples === undefined ? 'no Mismatches line' : {mismatches, samples};
}
