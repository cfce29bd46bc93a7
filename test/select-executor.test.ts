/**
 * The matrix executor in a real sandbox: each solution runs every generated assert in the strict
 * checker, so a solution returning an object equal to everything passes none; solutions that do not
 * load stay out of the matrix (B4's rule); a hung assert costs only that cell.
 */
import {afterAll, describe, expect, it} from 'vitest';
import {openSandbox} from '../src/execute/index.js';
import {checkerMatrixBuilder} from '../src/select/execute-matrix.js';

const sandbox = await openSandbox({backend: 'bwrap'});
afterAll(() => sandbox.close());

const prompt = 'def add(a, b):\n    """Return a + b."""\n';
const solutions = [
  '    return a + b\n',
  '    return a - b\n',
  '    class Yes:\n        def __eq__(self, other): return True\n    return Yes()\n',
  '    return a +\n',
  '    return a + b\nwhile True:\n    pass\n',
  '    if a == 7:\n        while True:\n            pass\n    return a + b\n',
];
const tests = ['assert add(1, 2) == 3', 'assert add(2, 2) == 4', 'assert add(0, 0) == 0', 'assert add(7, 1) == 8', 'assert add(1, 1) == 3'];

describe('checkerMatrixBuilder', () => {
  it('fills one row per solution: right, wrong, always-equal, broken, hung at load, hung on one input', async () => {
    const build = checkerMatrixBuilder({sandbox, prompts: new Map([['T/0', prompt]]), testTimeoutMs: 500, loadTimeoutMs: 1_000});
    const rows = await build({taskId: 'T/0', entryPoint: 'add', solutions, tests});
    expect(rows).toEqual({
      execOk: [true, true, true, false, false, true],
      rows: ['11110', '00100', '00000', '', '', '11100'],
    });
  });

  it('hands each row over as it is made, and runs nothing for a task without tests', async () => {
    let jobs = 0;
    const counting = {...sandbox, run: (job: Parameters<typeof sandbox.run>[0]) => ((jobs += 1), sandbox.run(job))};
    const build = checkerMatrixBuilder({sandbox: counting, prompts: new Map([['T/0', prompt]]), testTimeoutMs: 500});
    const handed: Array<[number, boolean, string]> = [];
    const rows = await build({taskId: 'T/0', entryPoint: 'add', solutions: solutions.slice(0, 2), tests: tests.slice(0, 2)}, (...row) => handed.push(row));
    expect(handed.sort()).toEqual([
      [0, true, '11'],
      [1, true, '00'],
    ]);
    expect(rows.rows).toEqual(['11', '00']);
    // Both solutions in one checker job (each as if alone); with batch 1, a job each and the same rows.
    expect(jobs).toBe(1);
    const oneEach = checkerMatrixBuilder({sandbox: counting, prompts: new Map([['T/0', prompt]]), testTimeoutMs: 500, batch: 1});
    expect(await oneEach({taskId: 'T/0', entryPoint: 'add', solutions: solutions.slice(0, 2), tests: tests.slice(0, 2)})).toEqual(rows);
    expect(jobs).toBe(3);
    expect(await build({taskId: 'T/0', entryPoint: 'add', solutions, tests: []})).toEqual({execOk: solutions.map(() => true), rows: solutions.map(() => '')});
    expect(jobs).toBe(3);
  });

  it('batched or a job each, every row is the same', async () => {
    const input = {taskId: 'T/0', entryPoint: 'add', solutions, tests};
    const batched = await checkerMatrixBuilder({sandbox, prompts: new Map([['T/0', prompt]]), testTimeoutMs: 500, batch: 4})(input);
    const alone = await checkerMatrixBuilder({sandbox, prompts: new Map([['T/0', prompt]]), testTimeoutMs: 500, batch: 1})(input);
    expect(batched).toEqual(alone);
  });

  it('refuses a task it has no prompt for', async () => {
    const build = checkerMatrixBuilder({sandbox, prompts: new Map(), testTimeoutMs: 500});
    await expect(build({taskId: 'T/9', entryPoint: 'add', solutions, tests})).rejects.toThrow(/no prompt for task T\/9/);
  });
});
