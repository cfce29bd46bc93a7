/**
 * VerilogEval v1 (NVlabs/verilog-eval release/1.0.0, ICCAD'23): JSONL problems whose `prompt` is a
 * `module top_module (...);` header; a sample is the module body after it. Judged as upstream
 * `execution.py` does, in a sandbox; strict mode adds testbench.ts's hardening (renamed scopes,
 * nonce verdict line) and its checks on top of the upstream result, and takes a whole-module
 * answer as the whole design.
 */
import path from 'node:path';
import {statSync} from 'node:fs';
import type {Bench, Extraction, JudgeContext, Problem, Prompt, PromptStyle, Verdict, VerdictMode} from '../bench.js';
import {UserError} from '../../errors.js';
import {DatasetReader} from './dataset-reader.js';
import {iverilogCompile, readTestbench, sandboxErrorVerdict, simulationLimits, simulationTimeoutMs, verdictDetails} from './judging.js';
import {strip} from './pystr.js';
import {isolatedSimulation, launcherRefusal} from './strict-sim.js';
import {hardenTestbench, hasMismatchesDisplay, newStrictNonces} from './testbench.js';
import {v1Result} from './v1-result.js';
import {codeCompletePrefix, commentedDescription, renderPrompt, systemMessages} from './v2-prompt.js';

export type V1Task = 'human' | 'machine';

export interface VerilogEvalV1Options {
  /** A folder holding `data/VerilogEval_<Task>.jsonl` (or `v1/data/...`), or a problems JSONL file. */
  dataset: string;
  task: V1Task;
  /** Descriptions JSONL (`{task_id, detail_description}`); default: `descriptions/VerilogDescription_<Task>.jsonl` beside `data/`. */
  descriptions?: string;
}

export interface V1Problem extends Problem {
  /** The `module top_module (...);` header (upstream `prompt`). */
  header: string;
  /** Upstream `canonical_solution`: the reference body, ending in `endmodule`. */
  canonicalSolution: string;
  /** `reference_module` + `stimulus_gen` + `tb`. */
  test: string;
  /** The natural-language task; needed for prompts only. */
  description?: string;
}

const taskFileNames: Record<V1Task, string> = {human: 'Human', machine: 'Machine'};

interface Located {
  reader: DatasetReader;
  problems: string;
  descriptions?: string;
}

/** Finds the problem and description files (relative to the reader's root) for a dataset argument. */
function locate({dataset, task, descriptions}: VerilogEvalV1Options): Located {
  const full = path.resolve(dataset);
  const stat = statSync(full, {throwIfNoEntry: false});
  if (stat?.isFile()) {
    const reader = new DatasetReader(path.dirname(full));
    return {reader, problems: path.basename(full), ...(descriptions ? {descriptions: path.resolve(descriptions)} : {})};
  }
  if (!stat?.isDirectory()) throw new UserError(`VerilogEval v1 dataset not found: ${full}`);
  const name = taskFileNames[task];
  const base = ['.', 'v1'].find((dir) => new DatasetReader(full).exists(`${dir}/data/VerilogEval_${name}.jsonl`));
  if (base === undefined) throw new UserError(`VerilogEval v1 dataset: no data/VerilogEval_${name}.jsonl under ${full}`);
  const reader = new DatasetReader(path.join(full, base));
  const standard = `descriptions/VerilogDescription_${name}.jsonl`;
  const found = descriptions ? path.resolve(descriptions) : reader.exists(standard) ? standard : undefined;
  return {reader, problems: `data/VerilogEval_${name}.jsonl`, ...(found ? {descriptions: found} : {})};
}

function parseJsonl(text: string, file: string): Record<string, unknown>[] {
  return text.split('\n').flatMap((line, index) => {
    if (line.trim() === '') return [];
    try {
      const row: unknown = JSON.parse(line);
      if (typeof row === 'object' && row !== null && !Array.isArray(row)) return [row as Record<string, unknown>];
    } catch {
      // reported below
    }
    throw new UserError(`${file}:${index + 1}: not a JSON object`);
  });
}

function stringField(row: Record<string, unknown>, key: string, where: string): string {
  const value = row[key];
  if (typeof value !== 'string') throw new UserError(`${where}: missing string field "${key}"`);
  return value;
}

function readProblems(reader: DatasetReader, file: string): V1Problem[] {
  const seen = new Set<string>();
  const problems = parseJsonl(reader.read(file, 'VerilogEval v1 problems missing'), file).map((row, index) => {
    const where = `${file} row ${index + 1}`;
    const id = stringField(row, 'task_id', where);
    if (seen.has(id)) throw new UserError(`${file} lists task ${id} twice`);
    seen.add(id);
    const test = stringField(row, 'test', where);
    if (!/\bmodule\s+tb\b/.test(test) || !hasMismatchesDisplay(test)) {
      throw new UserError(`${where} (${id}): test has no tb printing $display("Mismatches: %1d in %1d samples", ...) once`);
    }
    return {id, header: stringField(row, 'prompt', where), canonicalSolution: stringField(row, 'canonical_solution', where), test};
  });
  if (problems.length === 0) throw new UserError(`${file} holds no problems`);
  return problems;
}

function attachDescriptions(reader: DatasetReader, file: string, problems: V1Problem[]): void {
  const byId = new Map<string, string>();
  for (const row of parseJsonl(reader.read(file, 'VerilogEval v1 descriptions missing'), file)) {
    byId.set(stringField(row, 'task_id', file), stringField(row, 'detail_description', file));
  }
  for (const problem of problems) {
    const description = byId.get(problem.id);
    if (description === undefined) throw new UserError(`${file} has no description for task ${problem.id}`);
    problem.description = description;
  }
}

/**
 * v1 shipped no generator. The paper's prompt (ICCAD'23) is what v2 re-created as
 * `code-complete-iccad2023`: its system message, the "Implement the Verilog module..." line, the
 * description as `//` comments, an empty line, then the module header. We build exactly that from
 * the v1 description and header.
 */
function userMessageV1(problem: V1Problem): string {
  if (problem.description === undefined) {
    throw new UserError(`VerilogEval v1 task ${problem.id} has no description; pass the descriptions file`);
  }
  // Shaped like a code-complete `_prompt.txt`: blank line, description, blank line, header, blank line.
  return codeCompletePrefix + commentedDescription(`\n${strip(problem.description)}\n\n${problem.header}\n`, 'module top_module');
}

/** Base models write the body after the header; stop when they start another module or task. */
const completionStops = ['\nmodule ', '\n// Implement the Verilog module'];

/**
 * A v1 sample is the body after the header. Chat models often answer with a fenced block and
 * sometimes repeat the header; take the first fenced block, drop a repeated header, keep text up
 * to the first `endmodule`, and add `endmodule` when the response ran out before it.
 */
export function extractV1(response: string): Extraction {
  const steps: string[] = [];
  let code = response;
  const lines = code.split('\n');
  const fences = lines.flatMap((line, index) => (line.trimStart().startsWith('```') ? [index] : []));
  if (fences.length >= 2) {
    code = `${lines.slice(fences[0]! + 1, fences[1]).join('\n')}\n`;
    steps.push('fenced');
  }
  const header = /^[ \t]*module\s+top_module\b[\s\S]*?\);[ \t]*\n?/m.exec(code);
  if (header) {
    code = code.slice(header.index + header[0].length);
    steps.push('header-stripped');
  }
  const end = /\bendmodule\b/.exec(code);
  if (end) code = `${code.slice(0, end.index + end[0].length)}\n`;
  else {
    code = `${code}${code.endsWith('\n') || code === '' ? '' : '\n'}endmodule\n`;
    steps.push('endmodule-appended');
  }
  return {code, path: steps.length > 0 ? steps.join('+') : 'verbatim', markers: []};
}

/** Upstream names the file after the task; anything path-like falls back to a fixed name. */
function sourceFileName(id: string): string {
  return /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(id) ? `${id}.sv` : 'sample.sv';
}

/** The answer declares `module top_module` itself (chat models often give the whole module). */
export function declaresTopModule(code: string): boolean {
  return /^[ \t]*module\s+top_module\b/m.test(code);
}

/** How a v1 answer becomes the design: after the prompt's header, or in its place. */
export type V1Assembly = 'header + answer' | 'whole module';

/**
 * Upstream compiles test + prompt + answer, so a whole-module answer declares the header twice (a
 * syntax error). Strict mode takes such an answer as the whole design, as v2 does; compat keeps
 * upstream's literal assembly.
 */
export function v1Assembly(code: string, mode: VerdictMode): V1Assembly {
  return mode === 'strict' && declaresTopModule(code) ? 'whole module' : 'header + answer';
}

async function judgeV1(problem: V1Problem, code: string, {sandbox, mode, calibration}: JudgeContext): Promise<Verdict> {
  const nonces = mode === 'strict' ? newStrictNonces() : undefined;
  const source = sourceFileName(problem.id);
  const tb = nonces ? hardenTestbench(problem.test, nonces) : {test: problem.test, top: 'tb'};
  const assembly = v1Assembly(code, mode);
  const design = assembly === 'whole module' ? code : `${problem.header}\n${code}`;
  const simulate = nonces ? isolatedSimulation(['vvp', '-n', 'test.vvp'], nonces.launcher) : {files: {}, argv: ['vvp', '-n', 'test.vvp'], warm: false};
  const run = await sandbox.run({
    files: {[source]: `${tb.test}\n${design}`, ...simulate.files},
    steps: [
      {argv: iverilogCompile('test.vvp', [source], tb.top), timeoutMs: simulationTimeoutMs},
      {argv: simulate.argv, warm: simulate.warm, timeoutMs: simulationTimeoutMs},
    ],
    limits: simulationLimits,
    // Upstream runs `iverilog ...; vvp -n test.vvp`: the simulator runs (and complains) after a failed compile too.
    stopOnFailure: false,
  });
  if (run.error) return sandboxErrorVerdict(run.error, run.durationMs);
  const [compile, sim] = run.steps;
  const refusal = nonces && launcherRefusal(sim?.stdout ?? '', nonces.launcher);
  if (refusal) return sandboxErrorVerdict(refusal, run.durationMs);
  const stdout = (compile?.stdout ?? '') + (sim?.stdout ?? '');
  const stderr = (compile?.stderr ?? '') + (sim?.stderr ?? '');
  // Upstream's 30 s covers compile and simulation together.
  const elapsed = (compile?.durationMs ?? 0) + (sim?.durationMs ?? 0);
  const timedOut = Boolean(compile?.timedOut || sim?.timedOut) || elapsed > simulationTimeoutMs;
  const compat = v1Result({stdout, stderr, timedOut});
  const report = readTestbench(sim?.stdout ?? '', nonces?.verdict, {compile, sim}, calibration);
  const passed = compat === 'passed' && (mode === 'compat' || report.strictProblems.length === 0);
  return {
    passed,
    result: compat === 'passed' && !passed ? `failed: ${report.strictProblems[0]}` : compat,
    durationMs: run.durationMs,
    details: {...verdictDetails(report, mode, {compile, sim}, stderr + stdout), assembly},
  };
}

export function loadVerilogEvalV1(options: VerilogEvalV1Options): Bench<V1Problem> {
  if (!(options.task in taskFileNames)) throw new UserError(`unknown VerilogEval v1 task ${JSON.stringify(options.task)} (human or machine)`);
  const {reader, problems: problemsFile, descriptions} = locate(options);
  const problems = readProblems(reader, problemsFile);
  if (descriptions) attachDescriptions(reader, descriptions, problems);
  const system = systemMessages['code-complete'];
  return {
    name: 'verilog-eval-v1',
    task: options.task,
    language: 'verilog',
    datasetHash: reader.hash(),
    problems,
    prompt(problem: V1Problem, style: PromptStyle): Prompt {
      return renderPrompt(system, userMessageV1(problem), style, completionStops);
    },
    extract(_problem: V1Problem, response: string): Extraction {
      return extractV1(response);
    },
    reference(problem: V1Problem): string {
      return problem.canonicalSolution;
    },
    judge: judgeV1,
  };
}
