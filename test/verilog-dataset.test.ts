import {appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {UserError} from '../src/errors.js';
import {loadVerilogEvalV1} from '../src/bench/verilog/v1.js';
import {loadVerilogEvalV2} from '../src/bench/verilog/v2.js';
import {projectRoot, sharedDataset} from './helpers/datasets.js';

const mini = path.join(projectRoot, 'datasets', 'verilog-mini');
const upstream = sharedDataset('verilog-eval');
const scratch: string[] = [];

/** A scratch copy of the mini suite to break. */
function copyOfMini(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'passk-vmini-'));
  scratch.push(dir);
  cpSync(mini, dir, {recursive: true});
  return dir;
}

afterEach(() => {
  for (const dir of scratch.splice(0)) rmSync(dir, {recursive: true, force: true});
});

function userError(load: () => unknown): string {
  try {
    load();
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error('expected a UserError');
}

describe('verilog-mini (our own suite)', () => {
  it('loads in both tasks with 14 problems and code-complete interfaces', () => {
    const spec = loadVerilogEvalV2({dataset: mini, task: 'spec-to-rtl'});
    const complete = loadVerilogEvalV2({dataset: mini, task: 'code-complete', shots: 4});
    expect(spec.problems).toHaveLength(14);
    expect(complete.problems.map((problem) => problem.id)).toEqual(spec.problems.map((problem) => problem.id));
    expect(complete.problems.every((problem) => problem.ifc?.startsWith('module TopModule ('))).toBe(true);
    expect(spec.reference(spec.problems[0]!)).toMatch(/^\nmodule TopModule \(/);
    expect(spec.datasetHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('has problem lists and shot files for every task and shot count', () => {
    for (const shots of [1, 2, 3, 4]) {
      for (const task of ['spec-to-rtl', 'code-complete'] as const) {
        expect(() => loadVerilogEvalV2({dataset: mini, task, shots})).not.toThrow();
      }
    }
  });
});

describe('VerilogEval v2 dataset validation', () => {
  it('hashes what it read, deterministically, and notices changes', () => {
    const dir = copyOfMini();
    const first = loadVerilogEvalV2({dataset: dir, task: 'spec-to-rtl'}).datasetHash;
    expect(loadVerilogEvalV2({dataset: dir, task: 'spec-to-rtl'}).datasetHash).toBe(first);
    expect(loadVerilogEvalV2({dataset: dir, task: 'spec-to-rtl', shots: 1}).datasetHash).not.toBe(first);
    writeFileSync(path.join(dir, 'spec-to-rtl', 'stray.txt'), 'ignored');
    expect(loadVerilogEvalV2({dataset: dir, task: 'spec-to-rtl'}).datasetHash).toBe(first);
    appendFileSync(path.join(dir, 'spec-to-rtl', 'Mini03_popcount8_test.sv'), '\n');
    expect(loadVerilogEvalV2({dataset: dir, task: 'spec-to-rtl'}).datasetHash).not.toBe(first);
  });

  it('rejects bad options', () => {
    expect(userError(() => loadVerilogEvalV2({dataset: mini, task: 'spec-to-rtl', shots: 5}))).toMatch(/shots must be an integer from 0 to 4/);
    expect(userError(() => loadVerilogEvalV2({dataset: mini, task: 'spec-to-rtl', shots: 1.5}))).toMatch(/shots/);
    expect(userError(() => loadVerilogEvalV2({dataset: mini, task: 'code-complete', rules: true}))).toMatch(/--rules applies to spec-to-rtl only/);
    expect(userError(() => loadVerilogEvalV2({dataset: mini, task: 'rtl' as 'spec-to-rtl'}))).toMatch(/unknown VerilogEval v2 task/);
  });

  it('names what is missing or malformed', () => {
    expect(userError(() => loadVerilogEvalV2({dataset: '/nonexistent/ve', task: 'spec-to-rtl'}))).toMatch(/dataset not found/);

    let dir = copyOfMini();
    rmSync(path.join(dir, 'code-complete-iccad2023'), {recursive: true});
    expect(userError(() => loadVerilogEvalV2({dataset: dir, task: 'code-complete'}))).toMatch(/code-complete folder missing/);

    dir = copyOfMini();
    rmSync(path.join(dir, 'spec-to-rtl', 'problems.txt'));
    expect(userError(() => loadVerilogEvalV2({dataset: dir, task: 'spec-to-rtl'}))).toMatch(/problem list missing/);

    dir = copyOfMini();
    writeFileSync(path.join(dir, 'spec-to-rtl', 'problems.txt'), '\n\n');
    expect(userError(() => loadVerilogEvalV2({dataset: dir, task: 'spec-to-rtl'}))).toMatch(/lists no problems/);

    dir = copyOfMini();
    appendFileSync(path.join(dir, 'spec-to-rtl', 'problems.txt'), 'Mini01_majority3\n');
    expect(userError(() => loadVerilogEvalV2({dataset: dir, task: 'spec-to-rtl'}))).toMatch(/lists Mini01_majority3 twice/);

    dir = copyOfMini();
    appendFileSync(path.join(dir, 'spec-to-rtl', 'problems.txt'), '../escape\n');
    expect(userError(() => loadVerilogEvalV2({dataset: dir, task: 'spec-to-rtl'}))).toMatch(/invalid problem name/);

    dir = copyOfMini();
    rmSync(path.join(dir, 'code-complete-iccad2023', 'Mini05_bin2gray_ifc.txt'));
    expect(userError(() => loadVerilogEvalV2({dataset: dir, task: 'code-complete'}))).toMatch(/problem Mini05_bin2gray is incomplete: .*_ifc\.txt not found/);

    dir = copyOfMini();
    const ref = path.join(dir, 'spec-to-rtl', 'Mini05_bin2gray_ref.sv');
    writeFileSync(ref, readFileSync(ref, 'utf8').replace('RefModule', 'Ref'));
    expect(userError(() => loadVerilogEvalV2({dataset: dir, task: 'spec-to-rtl'}))).toMatch(/Mini05_bin2gray_ref\.sv must define exactly one module RefModule/);

    dir = copyOfMini();
    const test = path.join(dir, 'spec-to-rtl', 'Mini05_bin2gray_test.sv');
    writeFileSync(test, readFileSync(test, 'utf8').replace('Mismatches: %1d', 'Errors: %1d'));
    expect(userError(() => loadVerilogEvalV2({dataset: dir, task: 'spec-to-rtl'}))).toMatch(/_test\.sv must print its verdict once/);

    dir = copyOfMini();
    rmSync(path.join(dir, 'icl-examples', 'verilog-example-prefix_spec-to-rtl_3-shot.txt'));
    expect(userError(() => loadVerilogEvalV2({dataset: dir, task: 'spec-to-rtl', shots: 3}))).toMatch(/3-shot examples missing/);
  });
});

describe.skipIf(!upstream)('the real VerilogEval data', () => {
  it('loads 156 problems per v2 task, ignoring the upstream strays', () => {
    for (const task of ['spec-to-rtl', 'code-complete'] as const) {
      const bench = loadVerilogEvalV2({dataset: upstream!, task, shots: 4});
      expect(bench.problems).toHaveLength(156);
      expect(bench.problems[0]!.id).toBe('Prob001_zero');
      expect(bench.problems.some((problem) => problem.id === 'Prob062_bugs_mux2')).toBe(true);
    }
  });

  it('loads v1 from the folder, its v1/ subfolder or a JSONL file', () => {
    expect(loadVerilogEvalV1({dataset: upstream!, task: 'human'}).problems).toHaveLength(156);
    const machine = loadVerilogEvalV1({dataset: path.join(upstream!, 'v1'), task: 'machine'});
    expect(machine.problems).toHaveLength(143);
    expect(machine.problems.every((problem) => problem.description !== undefined)).toBe(true);
    const example = loadVerilogEvalV1({dataset: path.join(upstream!, 'v1', 'example', 'ExampleEval.jsonl'), task: 'human'});
    expect(example.problems.map((problem) => problem.id)).toEqual(['gatesv', 'vector4', 'zero']);
    expect(example.reference(example.problems[2]!)).toMatch(/^[\s]*assign zero = 1'b0;\s*endmodule\n$/);
  });
});

describe('VerilogEval v1 dataset validation', () => {
  function jsonl(rows: unknown[]): string {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'passk-v1-'));
    scratch.push(dir);
    const file = path.join(dir, 'problems.jsonl');
    writeFileSync(file, rows.map((row) => (typeof row === 'string' ? row : JSON.stringify(row))).join('\n'));
    return file;
  }
  const test = 'module tb(); final $display("Mismatches: %1d in %1d samples", e, n); endmodule';
  const row = {task_id: 'x', prompt: 'module top_module();', canonical_solution: 'endmodule', test};

  it('names the row and field that are wrong', () => {
    expect(userError(() => loadVerilogEvalV1({dataset: '/nonexistent', task: 'human'}))).toMatch(/dataset not found/);
    expect(userError(() => loadVerilogEvalV1({dataset: jsonl(['{oops']), task: 'human'}))).toMatch(/problems\.jsonl:1: not a JSON object/);
    expect(userError(() => loadVerilogEvalV1({dataset: jsonl([{...row, test: 7}]), task: 'human'}))).toMatch(/row 1: missing string field "test"/);
    expect(userError(() => loadVerilogEvalV1({dataset: jsonl([row, row]), task: 'human'}))).toMatch(/lists task x twice/);
    expect(userError(() => loadVerilogEvalV1({dataset: jsonl([{...row, test: 'module tb(); endmodule'}]), task: 'human'}))).toMatch(/no tb printing/);
    expect(userError(() => loadVerilogEvalV1({dataset: jsonl([]), task: 'human'}))).toMatch(/holds no problems/);
  });

  it('requires a description for every problem once a descriptions file is given, and for prompts', () => {
    const problems = jsonl([row]);
    const descriptions = jsonl([{task_id: 'y', detail_description: 'other'}]);
    expect(userError(() => loadVerilogEvalV1({dataset: problems, task: 'human', descriptions}))).toMatch(/no description for task x/);
    const bench = loadVerilogEvalV1({dataset: problems, task: 'human'});
    expect(userError(() => bench.prompt(bench.problems[0]!, 'chat'))).toMatch(/pass the descriptions file/);
  });
});
