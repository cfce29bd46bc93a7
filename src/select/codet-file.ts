/**
 * CodeT's generation files: JSONL (optionally gzipped), one `{"prompt", "samples": [str]}` per
 * problem, joined to problems by the exact prompt. CodeT's dataset files
 * (`HumanEval_for_test_case_generation.jsonl`: `{task_id, prompt, ...}`) say which prompt belongs
 * to which task; without one, a record joins a problem whose CodeT test prompt it equals.
 */
import {readFileSync} from 'node:fs';
import {gunzipSync} from 'node:zlib';
import {UserError} from '../errors.js';

export interface CodetRecord {
  prompt: string;
  samples: string[];
}

function readJsonl(file: string, what: string): Array<{value: Record<string, unknown>; where: string}> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new UserError(`${file}: cannot read ${what} (${reason})`);
  }
  return bytes
    .toString('utf8')
    .split('\n')
    .flatMap((line, index) => {
      if (line.trim() === '') return [];
      const where = `${file}:${index + 1}`;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (error) {
        throw new UserError(`${where}: not valid JSON (${(error as Error).message})`);
      }
      if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new UserError(`${where}: expected a JSON object`);
      return [{value: value as Record<string, unknown>, where}];
    });
}

export function readCodetSamples(file: string): CodetRecord[] {
  const records = readJsonl(file, 'CodeT samples').map(({value, where}) => {
    const {prompt, samples} = value;
    if (typeof prompt !== 'string') throw new UserError(`${where}: missing "prompt" (a string)`);
    if (!Array.isArray(samples) || !samples.every((s) => typeof s === 'string')) throw new UserError(`${where}: "samples" must be an array of strings`);
    return {prompt, samples: samples as string[]};
  });
  if (records.length === 0) throw new UserError(`${file}: no records`);
  return records;
}

/** prompt → task id, from a CodeT dataset file. */
export function readCodetPrompts(file: string): Map<string, string> {
  const prompts = new Map<string, string>();
  for (const {value, where} of readJsonl(file, 'CodeT prompts')) {
    if (typeof value.task_id !== 'string' || typeof value.prompt !== 'string') throw new UserError(`${where}: expected "task_id" and "prompt" strings`);
    prompts.set(value.prompt, value.task_id);
  }
  return prompts;
}

/**
 * Samples per task id; every record must join a task, and a task may be joined only once. `hint`
 * says how to join a file whose prompts are not the problems' own.
 */
export function joinByPrompt(
  records: CodetRecord[],
  taskOfPrompt: Map<string, string>,
  file: string,
  hint = "give CodeT's dataset file of test prompts to join by",
): Map<string, string[]> {
  const joined = new Map<string, string[]>();
  for (const [index, record] of records.entries()) {
    const taskId = taskOfPrompt.get(record.prompt);
    if (taskId === undefined) {
      throw new UserError(`${file}: record ${index + 1} matches no problem's prompt (${hint})`);
    }
    if (joined.has(taskId)) throw new UserError(`${file}: two records for ${taskId}`);
    joined.set(taskId, record.samples);
  }
  return joined;
}
