/**
 * Reading and writing the JSON matrix format documented in matrix.ts (the format of
 * ../shared/datasets/b4/derived/). Reading validates every field, so a malformed file is one clear
 * UserError naming the task and field, never a wrong score.
 */
import {readFileSync, writeFileSync} from 'node:fs';
import {gunzipSync, gzipSync} from 'node:zlib';
import {UserError} from '../errors.js';
import type {MatrixMeta, SelectionMatrix, TaskMatrix} from './matrix.js';

type Raw = Record<string, unknown>;

function isObject(value: unknown): value is Raw {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function stringArray(task: Raw, field: string, where: string): string[] {
  const value = task[field];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw new UserError(`${where}: "${field}" must be an array of strings`);
  return value as string[];
}

function countArray(task: Raw, field: string, length: number, where: string): number[] {
  const value = task[field];
  if (!Array.isArray(value) || !value.every((v) => Number.isInteger(v) && (v as number) >= 1)) {
    throw new UserError(`${where}: "${field}" must be an array of integers >= 1`);
  }
  if (value.length !== length) throw new UserError(`${where}: "${field}" has ${value.length} entries, expected ${length}`);
  return value as number[];
}

function flagArray(task: Raw, field: string, length: number, where: string): boolean[] {
  const value = task[field];
  if (!Array.isArray(value) || !value.every((v) => v === 0 || v === 1)) throw new UserError(`${where}: "${field}" must be an array of 0/1`);
  if (value.length !== length) throw new UserError(`${where}: "${field}" has ${value.length} entries, expected ${length}`);
  return value.map((v) => v === 1);
}

const bits = /^[01]*$/;

function parseTask(raw: unknown, index: number): TaskMatrix {
  let where = `tasks[${index}]`;
  if (!isObject(raw)) throw new UserError(`${where}: expected an object`);
  if (typeof raw.task_id !== 'string' || raw.task_id === '') throw new UserError(`${where}: "task_id" must be a non-empty string`);
  where = `task ${raw.task_id}`;
  if (typeof raw.entry_point !== 'string') throw new UserError(`${where}: "entry_point" must be a string`);
  const solutions = stringArray(raw, 'solutions', where);
  const tests = stringArray(raw, 'tests', where);
  const rows = stringArray(raw, 'E', where);
  if (rows.length !== solutions.length) throw new UserError(`${where}: "E" has ${rows.length} rows, expected ${solutions.length} (one per solution)`);
  const execOk = flagArray(raw, 'exec_ok', solutions.length, where);
  rows.forEach((row, i) => {
    const expected = execOk[i] ? tests.length : 0;
    if (row.length !== expected || !bits.test(row)) {
      throw new UserError(`${where}: E[${i}] must be ${expected} characters of 0/1 (${execOk[i] ? 'one per test' : 'empty: exec_ok is 0'})`);
    }
  });
  if (new Set(solutions).size !== solutions.length) throw new UserError(`${where}: "solutions" has duplicates (they must be unique; use sol_count)`);
  if (new Set(tests).size !== tests.length) throw new UserError(`${where}: "tests" has duplicates (they must be unique; use test_count)`);
  return {
    taskId: raw.task_id,
    entryPoint: raw.entry_point,
    solutions,
    solCount: countArray(raw, 'sol_count', solutions.length, where),
    execOk,
    gt: flagArray(raw, 'gt', solutions.length, where),
    tests,
    testCount: countArray(raw, 'test_count', tests.length, where),
    rows,
  };
}

export function parseMatrix(document: unknown): SelectionMatrix {
  if (!isObject(document) || !Array.isArray(document.tasks)) throw new UserError('expected {"meta": {...}, "tasks": [...]}');
  if (document.meta !== undefined && !isObject(document.meta)) throw new UserError('"meta" must be an object');
  if (document.tasks.length === 0) throw new UserError('the matrix has no tasks');
  const tasks = document.tasks.map(parseTask);
  const seen = new Set<string>();
  for (const task of tasks) {
    if (seen.has(task.taskId)) throw new UserError(`task ${task.taskId} appears twice`);
    seen.add(task.taskId);
  }
  return {meta: (document.meta ?? {}) as MatrixMeta, tasks};
}

export function matrixToJson(matrix: SelectionMatrix): unknown {
  return {
    meta: matrix.meta,
    tasks: matrix.tasks.map((task) => ({
      task_id: task.taskId,
      entry_point: task.entryPoint,
      solutions: task.solutions,
      sol_count: task.solCount,
      exec_ok: task.execOk.map(Number),
      gt: task.gt.map(Number),
      tests: task.tests,
      test_count: task.testCount,
      E: task.rows,
    })),
  };
}

/** Reads a matrix file, gzipped or not (told by its magic bytes). */
export function readMatrixFile(file: string): SelectionMatrix {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new UserError(`${file}: cannot read matrix (${reason})`);
  }
  let document: unknown;
  try {
    const text = (bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes).toString('utf8');
    document = JSON.parse(text);
  } catch (error) {
    throw new UserError(`${file}: not a JSON matrix (${(error as Error).message})`);
  }
  try {
    return parseMatrix(document);
  } catch (error) {
    if (error instanceof UserError) throw new UserError(`${file}: ${error.message}`);
    throw error;
  }
}

/** Writes a matrix file; a name ending in .gz is gzipped. */
export function writeMatrixFile(file: string, matrix: SelectionMatrix): void {
  const text = JSON.stringify(matrixToJson(matrix));
  try {
    writeFileSync(file, file.endsWith('.gz') ? gzipSync(text) : text);
  } catch (error) {
    throw new UserError(`cannot write matrix ${file}: ${(error as Error).message}`);
  }
}
