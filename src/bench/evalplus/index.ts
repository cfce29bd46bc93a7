/**
 * The EvalPlus benches: `humaneval-plus` and `mbpp-plus` (task `base`: the original inputs only,
 * EvalPlus's --base-only; task `plus`: base and plus inputs, passing only when both pass), judged
 * with EvalPlus's differential semantics (judge.ts), and `mbpp` (the original asserts of MBPP+'s
 * tasks, judged as HumanEval's `check` is, in the strict checker; strict verdicts only). Compat
 * verdicts on the first two follow EvalPlus's in-process comparison. Samples are self-contained
 * solutions; a replayed `completion` follows the prompt, as EvalPlus does.
 */
import {existsSync, statSync} from 'node:fs';
import path from 'node:path';
import {UserError} from '../../errors.js';
import type {Bench, JudgeContext, Verdict, VerdictMode} from '../bench.js';
import type {Sandbox} from '../../execute/sandbox.js';
import {runChecker, runCheckerBatch, type CheckerSpec} from '../humaneval/checker.js';
import {strictVerdict} from '../humaneval/judge.js';
import {readEvalPlusDataset, type EvalPlusFlavour, type EvalPlusProblem} from './dataset.js';
import {calibrateReference, evalPlusDefaults, judgeAgainst, judgeManyAgainst, type GroundTruth, type Group, type TimeLimits} from './judge.js';
import {evalPlusPrompt, extractEvalPlus} from './prompt.js';

export type EvalPlusBenchName = 'humaneval-plus' | 'mbpp-plus' | 'mbpp';

export interface EvalPlusOptions extends Partial<TimeLimits> {
  bench: EvalPlusBenchName;
  task: 'base' | 'plus';
  /** A .jsonl[.gz] file, or the folder holding EvalPlus's release files. */
  dataset: string;
  /** HumanEval+-Mini (from a folder). */
  mini?: boolean;
  /** Run every input (EvalPlus's --test-details) instead of stopping at the first failure. */
  testDetails?: boolean;
  /** mbpp: per-program limit of the asserts, ms. */
  timeoutMs?: number;
}

const releaseFiles = {
  humaneval: {full: 'HumanEvalPlus-v0.1.10.jsonl.gz', mini: 'HumanEvalPlus-Mini-v0.1.10.jsonl.gz'},
  mbpp: {full: 'MbppPlus-v0.2.0.jsonl.gz', mini: undefined},
} as const;

/** The file a --dataset names: itself, or the release file in a folder (EvalPlus's layout). */
export function evalPlusFile(dataset: string, flavour: EvalPlusFlavour, mini: boolean): string {
  const isFolder = existsSync(dataset) && statSync(dataset).isDirectory();
  if (!isFolder) {
    if (mini) throw new UserError('--mini needs --dataset to be the folder holding the EvalPlus release files');
    return dataset;
  }
  const name = mini ? releaseFiles[flavour].mini : releaseFiles[flavour].full;
  if (!name) throw new UserError(`there is no Mini version of ${flavour === 'mbpp' ? 'MBPP+' : 'HumanEval+'}`);
  return path.join(dataset, name);
}

const defaultMbppTimeoutMs = 20_000;
/** EvalPlus's MBPP_OUTPUT_NOT_NONE_TASKS: their outputs are re.Match objects. */
const mbppNotNoneTasks = new Set(['check_str', 'text_match_three', 'text_starta_endb']);

function importLines(code: string): string {
  return code
    .split('\n')
    .filter((line) => /^(?:import|from)\s/.test(line))
    .join('\n');
}

export async function loadEvalPlus(options: EvalPlusOptions): Promise<Bench<EvalPlusProblem>> {
  const flavour: EvalPlusFlavour = options.bench === 'humaneval-plus' ? 'humaneval' : 'mbpp';
  const {problems, hash} = await readEvalPlusDataset(evalPlusFile(options.dataset, flavour, options.mini ?? false), flavour);
  const limits: TimeLimits = {
    minTimeLimitS: options.minTimeLimitS ?? evalPlusDefaults.minTimeLimitS,
    factor: options.factor ?? evalPlusDefaults.factor,
    perTaskS: options.perTaskS ?? evalPlusDefaults.perTaskS,
  };
  const groups: Group[] = options.task === 'plus' ? ['base', 'plus'] : ['base'];
  const reference = (problem: EvalPlusProblem) => `${problem.prompt}${problem.canonicalSolution}`;
  const common = {
    task: options.bench === 'mbpp' ? 'base' : options.task,
    language: 'python' as const,
    datasetHash: hash,
    problems,
    prompt: evalPlusPrompt,
    extract: extractEvalPlus,
    reference,
    fromSample: (problem: EvalPlusProblem, field: 'completion' | 'solution', text: string) => (field === 'solution' ? text : `${problem.prompt}${text}`),
  };
  if (options.bench === 'mbpp') {
    const mbppSpec = (problem: EvalPlusProblem, code: string): CheckerSpec => ({
      program: code,
      entry: problem.entryPoint,
      // Upstream runs the asserts after the solution, in its namespace: some use its imports, some
      // use math or sys that no reference imports (Mbpp/120, /596). Both are given here.
      prelude: `import math\nimport sys\n${importLines(problem.canonicalSolution)}`,
      tests: [problem.assertion],
      testTimeoutMs: options.timeoutMs ?? defaultMbppTimeoutMs,
      // `assert check_str(...)` tests a re.Match's truth: only `is not None` crosses.
      ...(mbppNotNoneTasks.has(problem.entryPoint) ? {reduce: 'not-none-unless-bool' as const} : {}),
    });
    const strictOnly = (mode: VerdictMode) => {
      if (mode !== 'strict') throw new UserError('mbpp: only strict verdicts are built (the asserts run in the checker); drop --verdict compat');
    };
    return {
      ...common,
      name: 'mbpp',
      judge: async (problem, code, {sandbox, mode}) => {
        strictOnly(mode);
        return strictVerdict(await runChecker(sandbox, mbppSpec(problem, code)));
      },
      judgeMany: async (items, {sandbox, mode}) => {
        strictOnly(mode);
        return (await runCheckerBatch(sandbox, items.map(({problem, code}) => mbppSpec(problem, code)))).map(strictVerdict);
      },
    };
  }
  // Compat: EvalPlus's in-process comparison (judge.ts); the ground truth is recorded as for strict.
  const settingsFor = (sandbox: Sandbox, mode: VerdictMode) => ({...limits, groups, failFast: !options.testDetails, sandbox, compat: mode === 'compat'});
  const judge = async (problem: EvalPlusProblem, code: string, {sandbox, mode, calibration}: JudgeContext): Promise<Verdict> => {
    const settings = settingsFor(sandbox, mode);
    const stored = calibration?.details?.groundTruth as GroundTruth | undefined;
    if (stored) return judgeAgainst(problem, code, stored, settings);
    // No ground truth yet (the calibration itself, or a judge outside a run): record it now.
    const calibrated = await calibrateReference(problem, settings);
    if (code === reference(problem)) return calibrated;
    const truth = calibrated.details?.groundTruth as GroundTruth | undefined;
    if (!truth) return {...calibrated, passed: false, errored: true, result: `error: no ground truth: ${calibrated.result}`};
    return judgeAgainst(problem, code, truth, settings);
  };
  return {
    ...common,
    name: options.bench,
    judge,
    judgeMany: async (items, {sandbox, mode}) => {
      // Those with their problem's ground truth at hand in one job; any other as `judge` does it.
      const verdicts: Verdict[] = new Array(items.length);
      const ready = items.flatMap((item, index) => {
        const truth = item.calibration?.details?.groundTruth as GroundTruth | undefined;
        return truth ? [{...item, truth, index}] : [];
      });
      const judged = await judgeManyAgainst(ready, settingsFor(sandbox, mode));
      ready.forEach((item, position) => (verdicts[item.index] = judged[position]!));
      for (const [index, item] of items.entries()) {
        verdicts[index] ??= await judge(item.problem, item.code, {sandbox, mode, calibration: item.calibration});
      }
      return verdicts;
    },
  };
}
