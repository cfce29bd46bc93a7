import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {gunzipSync} from 'node:zlib';
import {describe, expect, it} from 'vitest';
import {matrixToJson, parseMatrix, readMatrixFile, writeMatrixFile} from '../src/select/matrix-json.js';
import {sharedDataset} from './helpers/datasets.js';

const valid = {
  meta: {limit: 5, gt_timeout: 1, test_timeout: 0.1, sources: ['a'], extra: 'kept'},
  tasks: [
    {
      task_id: 'T/0',
      entry_point: 'f',
      solutions: ['    return 1\n', '    return ?\n'],
      sol_count: [3, 1],
      exec_ok: [1, 0],
      gt: [1, 0],
      tests: ['assert f() == 1', 'assert f() == 2'],
      test_count: [2, 1],
      E: ['10', ''],
    },
  ],
};

const withTask = (changes: Record<string, unknown>) => ({...valid, tasks: [{...valid.tasks[0], ...changes}]});

describe('matrix JSON', () => {
  it('round-trips the documented format, meta included', () => {
    expect(matrixToJson(parseMatrix(valid))).toEqual(valid);
  });

  it('writes and reads plain and gzipped files', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'passk-matrix-'));
    for (const name of ['m.json', 'm.json.gz']) {
      const file = path.join(dir, name);
      writeMatrixFile(file, parseMatrix(valid));
      expect(matrixToJson(readMatrixFile(file))).toEqual(valid);
    }
    expect(readFileSync(path.join(dir, 'm.json.gz'))[0]).toBe(0x1f);
  });

  it.each([
    [{E: ['1', '']}, /E\[0\] must be 2 characters of 0\/1/],
    [{E: ['10', '01']}, /E\[1\] must be 0 characters .*exec_ok is 0/],
    [{E: ['1x', '']}, /E\[0\] must be 2 characters/],
    [{sol_count: [3]}, /"sol_count" has 1 entries, expected 2/],
    [{sol_count: [0, 1]}, /"sol_count" must be an array of integers >= 1/],
    [{gt: [1, 2]}, /"gt" must be an array of 0\/1/],
    [{tests: ['a', 'a'], test_count: [1, 1]}, /"tests" has duplicates/],
    [{solutions: ['x', 'x']}, /"solutions" has duplicates/],
    [{task_id: 7}, /tasks\[0\]: "task_id" must be a non-empty string/],
  ])('refuses a malformed task (%j)', (changes, message) => {
    expect(() => parseMatrix(withTask(changes))).toThrow(message);
  });

  it('refuses duplicate tasks, a missing tasks array, unreadable files and non-JSON', () => {
    expect(() => parseMatrix({...valid, tasks: [valid.tasks[0], valid.tasks[0]]})).toThrow(/task T\/0 appears twice/);
    expect(() => parseMatrix({meta: {}})).toThrow(/expected \{"meta"/);
    expect(() => parseMatrix({meta: {}, tasks: []})).toThrow(/the matrix has no tasks/);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'passk-matrix-'));
    expect(() => readMatrixFile(path.join(dir, 'absent.json'))).toThrow(/cannot read matrix \(no such file\)/);
    writeFileSync(path.join(dir, 'bad.json'), '{"tasks": [');
    expect(() => readMatrixFile(path.join(dir, 'bad.json'))).toThrow(/bad.json: not a JSON matrix/);
  });
});

const b4Data = sharedDataset('b4');
describe.skipIf(!b4Data)('the derived reference matrix', () => {
  it('reads and exports byte-for-byte the same document', () => {
    const file = path.join(b4Data!, 'derived', 'humaneval_codegen16B_passing_matrix.json.gz');
    const original = JSON.parse(gunzipSync(readFileSync(file)).toString('utf8'));
    const matrix = readMatrixFile(file);
    expect(matrix.tasks).toHaveLength(164);
    expect(JSON.stringify(matrixToJson(matrix))).toBe(JSON.stringify(original));
  });
});
