/** Hand-made EvalPlus rows shared by the EvalPlus judging tests (strict rules, compat vs strict). */

/** An EvalPlus dataset line, as the tests write it. */
export interface Row {
  task_id: string;
  prompt: string;
  entry_point: string;
  canonical_solution: string;
  base_input: unknown[];
  plus_input: unknown[];
  atol?: number;
}

/** Float outputs (atol defaults to 1e-6), two base and two plus inputs. */
export const meanRow: Row = {
  task_id: 'HumanEval/900',
  prompt: 'def mean(xs):\n    """The mean of xs."""\n',
  entry_point: 'mean',
  canonical_solution: '    return sum(xs) / len(xs)\n',
  base_input: [[[1.0, 2.0]], [[3.0]]],
  plus_input: [[[1e10, 3e10]], [[0.1, 0.2, 0.3]]],
};
