/**
 * LintSeq phase II (upstream `inflate_edit_path` and `get_diff`): the deletion path becomes the
 * program states from the original down to what is left (plus `""` when that is not empty),
 * reversed, and each step back up becomes a zero-context unified diff of the stripped states,
 * without its two header lines: an insertion-only edit such as `@@ -0,0 +1,6 @@\n+import …`.
 */
import {splitLines, strip} from '../../bench/verilog/pystr.js';
import {unifiedHunks} from './difflib.js';

/** Upstream's `get_diff(a, b)`: `unified_diff(a.strip().splitlines(), b.strip().splitlines(), n=0)` minus the headers. */
export function editBetween(before: string, after: string): string {
  return unifiedHunks(splitLines(strip(before)), splitLines(strip(after)), 0).join('\n');
}

/** The program states from empty (or nearly) up to the original, one per edit plus the start. */
export function insertionStates(program: string, chunks: readonly number[][]): string[] {
  const lines = program.split('\n');
  const states = [program];
  const deleted = new Set<number>();
  for (const chunk of chunks) {
    for (const line of chunk) deleted.add(line);
    states.push(lines.filter((_, i) => !deleted.has(i)).join('\n'));
  }
  if (states[states.length - 1] !== '') states.push('');
  return states.reverse();
}

/** The edit path: one diff per consecutive pair of states (an edit may be `""` when only blank lines differ). */
export function editPath(program: string, chunks: readonly number[][]): string[] {
  const states = insertionStates(program, chunks);
  return states.slice(1).map((state, i) => editBetween(states[i]!, state));
}
