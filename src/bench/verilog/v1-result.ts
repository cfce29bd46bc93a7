/**
 * VerilogEval v1 verdict strings, exactly as upstream `verilog_eval/execution.py` (release/1.0.0)
 * derives them from one `iverilog ...; vvp -n test.vvp` shell run: stderr decides first (any
 * output at all, warnings included, is a compile error), then the first `Mismatches:` match on stdout.
 */

export interface V1Run {
  stdout: string;
  stderr: string;
  /** The 30 s budget for compile + simulation ran out. */
  timedOut: boolean;
}

const mismatches = /Mismatches: ([0-9]*) in ([0-9]*) samples/;

export function v1Result({stdout, stderr, timedOut}: V1Run): string {
  if (timedOut) return 'timed out';
  if (stderr.includes('syntax error')) return 'failed: syntax error.';
  if (stderr.length > 0) return 'failed: compile error.';
  const match = mismatches.exec(stdout);
  if (!match) return 'failed: info string not matched.';
  const [, wrong = '', total = ''] = match;
  // `[0-9]*` may match nothing; upstream's int('') then raises and the exception text becomes the result.
  if (wrong === '' || total === '') return "failed: invalid literal for int() with base 10: ''";
  if (BigInt(wrong) === 0n) return 'passed';
  return `failed: ${BigInt(wrong)} out of ${BigInt(total)} samples.`;
}
