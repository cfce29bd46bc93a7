/**
 * What LintSeq's phase I needs to know about a program's lines, whatever its language: which lines
 * may be picked for deletion, how likely each is to be picked, and which lines must go with a line
 * when it goes (its block).
 */
export interface Structure {
  /** Indices of the lines that may be picked, in order. */
  readonly candidates: readonly number[];
  /** Sampling weight of every line (0 for a non-candidate). */
  readonly weights: readonly number[];
  /** Lines that go with `line` when it is deleted (not including `line` itself). */
  block(line: number): number[];
  /**
   * Lines whose deletion cannot turn a clean program into one with errors (a docstring's middle
   * lines), as long as no line of `delimiters` is gone: deleting only such lines from a clean
   * state needs no linter call.
   */
  readonly inert?: ReadonlySet<number>;
  readonly delimiters?: ReadonlySet<number>;
}
