/**
 * LintSeq phase I (upstream `lintseq_backward_sampling_pythonic` with `children_per_round=1,
 * top_k=1, max_population_size=1`): delete lines at random until none is left, each deletion
 * pulling in the block of the picked line, then every line the linter reports an error on (and
 * their blocks), linting again until the rest is clean. Every state left behind lints clean.
 */
import type {Random} from './random.js';
import {weightedPick} from './random.js';
import type {Structure} from './structure.js';

/** Lints one program text: the 1-based lines (of that text) holding counted errors; [] when clean. */
export type Lint = (text: string) => Promise<number[]>;

/** From a reported line (1-based, of the kept lines' text) to the original line index; throws when it cannot. */
export type MapErrorLine = (line: number, kept: readonly number[]) => number;

/** The linter cannot point at a line to delete (e.g. an error past the end of a Python file). */
export class LintSeqFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LintSeqFailure';
  }
}

/** The deleted line indices per step, in deletion order (each sorted); [] when there is no candidate line. */
export async function sampleDeletionPath(lines: readonly string[], structure: Structure, lint: Lint, mapLine: MapErrorLine, random: Random): Promise<number[][]> {
  const weight = (line: number) => structure.weights[line]!;
  const deleted = new Set<number>();
  let remaining = [...structure.candidates];
  const chunks: number[][] = [];
  const keptText = (gone: ReadonlySet<number>) => lines.filter((_, i) => !deleted.has(i) && !gone.has(i)).join('\n');
  // Whether the state before the current chunk lints clean: true after every chunk, unknown for the original.
  let stateClean: boolean | undefined;
  while (remaining.length > 0) {
    const chunk = new Set<number>();
    let affected = [weightedPick(remaining, weight, random)];
    for (;;) {
      for (const line of affected) {
        chunk.add(line);
        // A block may hold lines an earlier step deleted (upstream lists them again; the states are the same).
        for (const child of structure.block(line)) if (!deleted.has(child)) chunk.add(child);
      }
      // What the linter would say for certain: clean, as before (the original is linted once to know).
      if (structure.inert && [...chunk].every((line) => structure.inert!.has(line)) && ![...deleted].some((line) => structure.delimiters?.has(line))) {
        stateClean ??= (await lint(keptText(new Set()))).length === 0;
        if (stateClean) break;
      }
      const kept = lines.flatMap((_, i) => (deleted.has(i) || chunk.has(i) ? [] : [i]));
      const errors = await lint(kept.map((i) => lines[i]).join('\n'));
      if (errors.length === 0) break;
      affected = errors.map((line) => mapLine(line, kept));
    }
    for (const line of chunk) deleted.add(line);
    stateClean = true;
    chunks.push([...chunk].sort((a, b) => a - b));
    remaining = remaining.filter((line) => !chunk.has(line));
  }
  return chunks;
}

/** Upstream's `rm[int(line_id) - 1]`: Python list indexing (0 or negative counts from the end); past the end is a failure. */
export const pythonErrorLine: MapErrorLine = (line, kept) => {
  const index = line - 1 < 0 ? line - 1 + kept.length : line - 1;
  if (index < 0 || index >= kept.length) throw new LintSeqFailure(`the linter reported line ${line} of a ${kept.length}-line program`);
  return kept[index]!;
};

/** Icarus reports an unterminated block at end of file: such a line maps to the last kept line. */
export const verilogErrorLine: MapErrorLine = (line, kept) => {
  if (kept.length === 0) throw new LintSeqFailure('the linter reported an error in an empty program');
  return kept[Math.min(Math.max(line, 1), kept.length) - 1]!;
};
