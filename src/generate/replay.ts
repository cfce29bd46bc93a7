/**
 * Samples generated elsewhere, replayed from a JSONL file in the human-eval / VerilogEval v1 format:
 * one `{"task_id", "completion"}` per line (`solution` accepted instead of `completion`), n lines per
 * task, or from an EvalPlus sample folder (`<task_id with / as _>/<i>.py`, each a `solution`).
 * TuRTLe's result document (a JSON list of groups of `{test_path, generation}`, one group per
 * VerilogEval v2 problem, named by its `<id>_test.sv`) is read too, each generation a whole file.
 * Sample i of a problem is its i-th line (file, group entry). A bench that tells the two fields apart (EvalPlus:
 * a completion follows the prompt, a solution stands alone) turns the text into code. The run
 * refuses problems with no samples (see `executeRun`), so a partial file never passes for a score.
 *
 * CodeT's generation files (`{"prompt", "samples": [...]}` per problem, raw completions) are read
 * too: each sample is post-processed as CodeT does (cut at its stop tokens) and is a completion; a
 * record joins the problem with the same prompt, or through CodeT's dataset file (`prompts`:
 * `{task_id, prompt}` lines) when the bench's prompts are not the ones the samples continued.
 */
import {readdirSync, readFileSync, statSync} from 'node:fs';
import path from 'node:path';
import {gunzipSync} from 'node:zlib';
import type {Bench} from '../bench/bench.js';
import {UserError} from '../errors.js';
import {joinByPrompt, readCodetPrompts, readCodetSamples} from '../select/codet-file.js';
import {codetSolution} from '../select/codet-tests.js';
import type {Completion, CompletionRequest, Provider} from './provider.js';

export interface ReplayOptions {
  /** CodeT's dataset file ({task_id, prompt} lines) joining a CodeT generation file's records to tasks. */
  prompts?: string;
}

export function replayProvider(file: string, bench: Bench, options: ReplayOptions = {}): Provider {
  const samples = readSamples(file, bench, options);
  return {
    id: `replay:${file}`,
    verbatim: true,
    // Sample files hold code in the completion form (the body after the prompt).
    style: 'completion',
    samplesFor: (problemId) => samples.get(problemId)?.length ?? 0,
    async complete(request: CompletionRequest): Promise<Completion> {
      const texts = samples.get(request.problemId) ?? [];
      const text = texts[request.sampleIndex];
      if (text === undefined) {
        throw new UserError(
          `${file} has ${texts.length} sample(s) for ${request.problemId}; sample ${request.sampleIndex + 1} was asked for`,
        );
      }
      // attempts counts endpoint requests: none here.
      return {text, latencyMs: 0, cached: false, attempts: 0};
    },
  };
}

type Field = 'completion' | 'solution';

/** problem id → code in file order, validated against the bench. */
function readSamples(file: string, bench: Bench, options: ReplayOptions): Map<string, string[]> {
  const problems = new Map(bench.problems.map((p) => [p.id, p]));
  const samples = new Map<string, string[]>();
  const add = (taskId: string, field: Field, text: string, where: string) => {
    const problem = problems.get(taskId);
    if (!problem) throw new UserError(`${where}: unknown task_id "${taskId}" (not in ${bench.name} ${bench.task})`);
    const code = bench.fromSample ? bench.fromSample(problem, field, text) : text;
    const list = samples.get(taskId);
    if (list) list.push(code);
    else samples.set(taskId, [code]);
  };
  const text = isFolder(file) ? undefined : readText(file);
  const turtle = text !== undefined && text.trimStart().startsWith('[');
  const codet = text !== undefined && !turtle && isCodetFile(text.split('\n'));
  if (options.prompts !== undefined && !codet) {
    throw new UserError(`${file} is not a CodeT {"prompt", "samples"} file; a prompts file joins only those to tasks`);
  }
  if (text === undefined) {
    readFolder(file, bench, add);
  } else if (turtle) {
    readTurtle(text, file, add);
  } else if (codet) {
    readCodetFile(file, bench, options.prompts, add);
  } else {
    readJsonl(text, file, add);
  }
  if (samples.size === 0) throw new UserError(`${file}: no samples`);
  return samples;
}

/** Told by the first record: a CodeT file's records have a prompt and samples, and no task_id. */
function isCodetFile(lines: string[]): boolean {
  const first = lines.find((line) => line.trim() !== '');
  try {
    const row = JSON.parse(first ?? '') as Record<string, unknown>;
    return typeof row === 'object' && row !== null && 'prompt' in row && Array.isArray(row.samples) && !('task_id' in row);
  } catch {
    // Not JSON: the line-by-line reader reports it with its line number.
    return false;
  }
}

function readCodetFile(file: string, bench: Bench, prompts: string | undefined, add: (taskId: string, field: Field, text: string, where: string) => void): void {
  const taskOfPrompt = prompts
    ? readCodetPrompts(prompts)
    : new Map(bench.problems.flatMap((problem) => {
        const {prompt} = problem as {prompt?: unknown};
        return typeof prompt === 'string' ? [[prompt, problem.id] as const] : [];
      }));
  const hint = prompts ? `not in ${prompts}` : `its prompts are not ${bench.name}'s: give CodeT's dataset file of code prompts with --replay-prompts`;
  for (const [taskId, texts] of joinByPrompt(readCodetSamples(file), taskOfPrompt, file, hint)) {
    texts.forEach((text, index) => add(taskId, 'completion', codetSolution(text), `${file}: ${taskId} sample ${index + 1}`));
  }
}

function isFolder(file: string): boolean {
  try {
    return statSync(file).isDirectory();
  } catch {
    return false;
  }
}

/** EvalPlus's sample folder: `<task_id with / as _>/<i>.py`, in the order of i. */
function readFolder(dir: string, bench: Bench, add: (taskId: string, field: Field, text: string, where: string) => void): void {
  const byFolderName = new Map(bench.problems.map((p) => [p.id.replaceAll('/', '_'), p.id]));
  for (const name of readdirSync(dir).sort()) {
    const where = path.join(dir, name);
    if (!statSync(where).isDirectory()) continue;
    const taskId = byFolderName.get(name) ?? name;
    const files = readdirSync(where).filter((file) => /^\d+\.py$/.test(file));
    files.sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10));
    for (const file of files) add(taskId, 'solution', readFileSync(path.join(where, file), 'utf8'), path.join(where, file));
  }
}

function readText(file: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
    if (file.endsWith('.gz')) bytes = gunzipSync(bytes);
  } catch (err) {
    throw new UserError(`cannot read samples file ${file}: ${(err as Error).message}`);
  }
  return bytes.toString('utf8');
}

function readJsonl(text: string, file: string, add: (taskId: string, field: Field, text: string, where: string) => void): void {
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    const where = `${file}:${index + 1}`;
    const {taskId, field, code} = parseSample(line, where);
    add(taskId, field, code, where);
  });
}

/** TuRTLe (HPAI-BSC/TuRTLe) results: `[[{test_path: ".../ProbNNN_x_test.sv", generation}, ...], ...]`. */
function readTurtle(text: string, file: string, add: (taskId: string, field: Field, text: string, where: string) => void): void {
  let groups: unknown;
  try {
    groups = JSON.parse(text);
  } catch (err) {
    throw new UserError(`${file}: not valid JSON (${(err as Error).message})`);
  }
  if (!Array.isArray(groups)) throw new UserError(`${file}: expected a JSON list of sample groups`);
  groups.forEach((group: unknown, g) => {
    if (!Array.isArray(group)) throw new UserError(`${file}: group ${g + 1} is not a list`);
    group.forEach((entry: unknown, i) => {
      const where = `${file}: group ${g + 1} entry ${i + 1}`;
      const {test_path: testPath, generation} = (entry ?? {}) as Record<string, unknown>;
      const id = typeof testPath === 'string' ? /([^/\\]+)_test\.sv$/.exec(testPath)?.[1] : undefined;
      if (id === undefined) throw new UserError(`${where}: missing "test_path" ending in <problem>_test.sv`);
      if (typeof generation !== 'string') throw new UserError(`${where}: missing "generation" (a string)`);
      add(id, 'solution', generation, where);
    });
  });
}

function parseSample(line: string, where: string): {taskId: string; field: Field; code: string} {
  let row: unknown;
  try {
    row = JSON.parse(line);
  } catch (err) {
    throw new UserError(`${where}: not valid JSON (${(err as Error).message})`);
  }
  if (row === null || typeof row !== 'object' || Array.isArray(row)) throw new UserError(`${where}: expected a JSON object`);
  const {task_id: taskId, completion, solution} = row as Record<string, unknown>;
  if (typeof taskId !== 'string') throw new UserError(`${where}: missing "task_id" (a string)`);
  if (completion !== undefined && solution !== undefined) {
    throw new UserError(`${where}: has both "completion" and "solution"; keep one`);
  }
  const code = completion ?? solution;
  if (typeof code !== 'string') throw new UserError(`${where}: missing "completion" (or "solution"), a string`);
  return {taskId, field: completion === undefined ? 'solution' : 'completion', code};
}
