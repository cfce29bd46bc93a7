/**
 * The ordered filters. Every listed filter records a verdict on every sample (kept or not, so
 * ablations can replay any subset): extraction and similarity are computed here; compiling,
 * simulating and testing run in the sandbox through the existing judges (the VerilogEval judge
 * for testbenches, HumanEval's strict checker for Python tests).
 */
import type {Verdict, VerdictMode} from '../../bench/bench.js';
import type {HumanEvalProblem} from '../../bench/humaneval/dataset.js';
import {definesEntryPoint, dropMainGuard, dropThinking, findFences, pickCode} from '../../bench/humaneval/extract.js';
import {judgeCompletion} from '../../bench/humaneval/judge.js';
import {compileTimeoutMs, simulationLimits} from '../../bench/verilog/judging.js';
import {judgeV2, type V2Problem} from '../../bench/verilog/v2.js';
import type {Sandbox} from '../../execute/sandbox.js';
import {sandboxSyntaxChecker} from '../../select/syntax-check.js';
import {overlap, type NgramIndex} from './decontaminate.js';
import type {SeedRow} from './seeds.js';
import {similarity, type SimilarityScores} from './similarity.js';
import type {FilterName, ItertlSpec} from './spec.js';

export interface FilterVerdict {
  pass: boolean;
  /** The filter does not apply to this row (no testbench, no tests, Python self-containment): counts as a pass. */
  skipped?: boolean;
  detail?: string;
}

export interface Extracted {
  code: string;
  path: string;
}

const moduleName = (name: string) => new RegExp(`\\bmodule(\\s+)${name}\\b`, 'g');

/** The reference as the model should write it (module TopModule) and as the testbench instantiates it (module RefModule). */
export function verilogReference(reference: string): {asSample: string; asRef: string} {
  return {asSample: reference.replace(moduleName('RefModule'), 'module$1TopModule'), asRef: reference.replace(moduleName('TopModule'), 'module$1RefModule')};
}

/** Training text is compared and exported without leading blank lines or trailing whitespace. */
function tidy(code: string): string {
  const body = code.replace(/^(?:[ \t]*\n)+/, '').trimEnd();
  return body === '' ? '' : `${body}\n`;
}

/** The program a sample is compared with: the reference in the form the model is asked to write. */
export function targetOf(row: SeedRow): string {
  return tidy(row.lang === 'verilog' ? verilogReference(row.reference).asSample : row.reference);
}

/**
 * The code in an answer. Python: HumanEval's chat extraction (the fence defining the entry point,
 * else the last python fence). Verilog: the last fence holding a module, else the text from the first
 * `module` to the last `endmodule`. Not VerilogEval's own extraction: its upstream quirks (a leading
 * empty line, marker comments) would end up in the training data.
 */
export function extractCode(row: SeedRow, response: string): Extracted {
  if (row.lang === 'python') {
    const picked = pickCode(dropThinking(response), row.entry_point ?? '');
    return {code: tidy(dropMainGuard(picked.code)), path: picked.path};
  }
  const fence = findFences(response).filter((f) => /\bmodule\b/.test(f.code)).at(-1);
  if (fence) return {code: tidy(fence.code), path: 'fence'};
  const start = response.search(/\bmodule\b/);
  const end = response.lastIndexOf('endmodule');
  if (start >= 0 && end > start) return {code: tidy(response.slice(start, end + 'endmodule'.length)), path: 'module-span'};
  return {code: tidy(response), path: 'raw'};
}

function hasCode(row: SeedRow, code: string): FilterVerdict {
  if (code.trim() === '') return {pass: false, detail: 'no code in the answer'};
  if (row.lang === 'verilog' && !(/\bmodule\b/.test(code) && /\bendmodule\b/.test(code))) return {pass: false, detail: 'no module … endmodule'};
  if (row.lang === 'python' && row.entry_point && !definesEntryPoint(code, row.entry_point)) return {pass: false, detail: `does not define ${row.entry_point}`};
  return {pass: true};
}

/** Icarus's report of a design on its own: syntax and elaboration errors, and module types nobody defines. */
interface VerilogCompile {
  compiles: boolean;
  missing: string[];
  firstError?: string;
}

async function compileVerilog(sandbox: Sandbox, code: string): Promise<VerilogCompile | string> {
  const run = await sandbox.run({
    files: {'sample.sv': code},
    steps: [{argv: ['iverilog', '-g2012', '-t', 'null', 'sample.sv'], mergeStderr: true, timeoutMs: compileTimeoutMs}],
    limits: simulationLimits,
  });
  if (run.error) return run.error;
  const step = run.steps[0]!;
  if (step.timedOut) return {compiles: false, missing: [], firstError: 'compile timed out'};
  const lines = step.stdout.split('\n');
  const missing = lines.flatMap((line) => /Unknown module type: (\S+)/.exec(line)?.[1] ?? []);
  // An instance of an undefined module is the self_contained filter's finding, not a compile error.
  const errors = lines.filter((line) => /error/i.test(line) && !/Unknown module type|error\(s\) during elaboration/.test(line));
  return {compiles: step.exitCode === 0 || (errors.length === 0 && missing.length > 0), missing: [...new Set(missing)], firstError: errors[0]?.trim()};
}

export interface FilterContext {
  spec: ItertlSpec;
  sandbox: Sandbox;
  mode: VerdictMode;
  decontamination?: NgramIndex;
  /** The reference's own verdict per Verilog/Python row with a testbench or tests (computed once per round). */
  calibrations: Map<string, Verdict>;
}

export interface SampleVerdicts {
  code: string;
  extraction_path: string;
  verdicts: Partial<Record<FilterName, FilterVerdict>>;
  scores: SimilarityScores;
  /** Every filter passed. */
  kept: boolean;
  /** The first filter (in spec order) that failed. */
  dropped_by?: FilterName;
}

function v2Problem(row: SeedRow): V2Problem {
  return {id: row.id, promptText: row.instruction, ref: verilogReference(row.reference).asRef, test: row.testbench!};
}

function humanEvalProblem(row: SeedRow): HumanEvalProblem {
  return {id: row.id, prompt: '', entryPoint: row.entry_point!, canonicalSolution: row.reference, test: row.tests!};
}

/** Judges the row's own reference with its testbench or tests, as a run calibrates a problem. */
export async function calibrate(row: SeedRow, sandbox: Sandbox, mode: VerdictMode): Promise<Verdict | undefined> {
  if (row.lang === 'verilog' && row.testbench !== undefined) return judgeV2(v2Problem(row), verilogReference(row.reference).asSample, {sandbox, mode});
  if (row.lang === 'python' && row.tests !== undefined) return judgeCompletion(humanEvalProblem(row), row.reference, {sandbox, mode});
  return undefined;
}

function fromJudge(verdict: Verdict, reference: Verdict | undefined): FilterVerdict {
  if (verdict.errored) throw new Error(`${verdict.result}`);
  if (reference && !reference.passed) return {pass: false, detail: `the reference fails its own check (${reference.result})`};
  return verdict.passed ? {pass: true} : {pass: false, detail: verdict.result};
}

/** Runs every listed filter on one sample. A sandbox failure throws: it is no verdict on the sample. */
export async function runFilters(row: SeedRow, response: string, ctx: FilterContext): Promise<SampleVerdicts> {
  const {spec, sandbox, mode} = ctx;
  const extracted = extractCode(row, response);
  const {code} = extracted;
  const extract = hasCode(row, code);
  const scores = similarity(code, targetOf(row));
  const names = spec.filters;
  const verdicts: Partial<Record<FilterName, FilterVerdict>> = {};
  const noCode: FilterVerdict = {pass: false, detail: 'no code extracted'};

  let verilog: VerilogCompile | undefined;
  if (row.lang === 'verilog' && extract.pass && (names.includes('compile') || names.includes('self_contained'))) {
    const compiled = await compileVerilog(sandbox, code);
    if (typeof compiled === 'string') throw new Error(`sandbox: ${compiled}`);
    verilog = compiled;
  }
  let pythonCompiles: boolean | undefined;
  if (row.lang === 'python' && extract.pass && names.includes('compile')) [pythonCompiles] = await sandboxSyntaxChecker(sandbox)([code]);

  for (const name of names) {
    switch (name) {
      case 'extract':
        verdicts.extract = extract;
        break;
      case 'compile':
        if (!extract.pass) verdicts.compile = noCode;
        else if (verilog) verdicts.compile = verilog.compiles ? {pass: true} : {pass: false, detail: verilog.firstError ?? 'iverilog failed'};
        else verdicts.compile = pythonCompiles ? {pass: true} : {pass: false, detail: 'SyntaxError'};
        break;
      case 'self_contained':
        if (row.lang === 'python') verdicts.self_contained = {pass: true, skipped: true};
        else if (!extract.pass) verdicts.self_contained = noCode;
        else verdicts.self_contained = verilog!.missing.length === 0 ? {pass: true} : {pass: false, detail: `instances of undefined modules: ${verilog!.missing.join(', ')}`};
        break;
      case 'simulate':
        if (row.lang !== 'verilog' || row.testbench === undefined) verdicts.simulate = {pass: true, skipped: true};
        else if (!extract.pass) verdicts.simulate = noCode;
        else verdicts.simulate = fromJudge(await judgeV2(v2Problem(row), code, {sandbox, mode, calibration: ctx.calibrations.get(row.id)}), ctx.calibrations.get(row.id));
        break;
      case 'tests':
        if (row.lang !== 'python' || row.tests === undefined) verdicts.tests = {pass: true, skipped: true};
        else if (!extract.pass) verdicts.tests = noCode;
        else verdicts.tests = fromJudge(await judgeCompletion(humanEvalProblem(row), code, {sandbox, mode}), ctx.calibrations.get(row.id));
        break;
      case 'similarity': {
        const {min_rouge_l: minRouge, max_edit_distance: maxDistance} = spec.similarity;
        const tooFar = scores.rouge_l < minRouge ? `ROUGE-L ${scores.rouge_l} < ${minRouge}` : maxDistance !== undefined && scores.edit_distance > maxDistance ? `edit distance ${scores.edit_distance} > ${maxDistance}` : undefined;
        verdicts.similarity = tooFar ? {pass: false, detail: tooFar} : {pass: true};
        break;
      }
      case 'decontaminate': {
        if (!ctx.decontamination || !spec.decontaminate) {
          verdicts.decontaminate = {pass: true, skipped: true};
          break;
        }
        const found = overlap(ctx.decontamination, `${row.instruction}\n${code}`);
        verdicts.decontaminate = found.overlap >= spec.decontaminate.threshold ? {pass: false, detail: `${found.overlap} of its ${ctx.decontamination.n}-grams occur in ${found.bench}`} : {pass: true, detail: `overlap ${found.overlap}`};
        break;
      }
    }
  }
  const droppedBy = names.find((name) => !verdicts[name]!.pass);
  return {code, extraction_path: extracted.path, verdicts, scores, kept: droppedBy === undefined, ...(droppedBy ? {dropped_by: droppedBy} : {})};
}
