/**
 * The ITERTL filters on real answers, in the bubblewrap sandbox with the real toolchain: Icarus for
 * compile and self-containment, the VerilogEval judge against a testbench (strict), HumanEval's
 * strict checker for Python tests. Each kind of answer is dropped by the filter meant to catch it,
 * and every listed filter leaves a verdict on every sample.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {openSandbox, type Sandbox} from '../src/execute/index.js';
import {calibrate, runFilters, type FilterContext} from '../src/train/itertl/filters.js';
import {itertlSpecSchema, type ItertlSpec} from '../src/train/itertl/spec.js';
import type {SeedRow} from '../src/train/itertl/seeds.js';
import {pythonSeeds, target, verilogSeeds} from './helpers/itertl-fixture.js';

let sandbox: Sandbox;
const spec = itertlSpecSchema.parse({name: 'f', seeds: 's', rounds: 1, endpoint: {base_url: 'http://x/v1', model: 'm'}, sampling: {k: 1}, similarity: {min_rouge_l: 0.5}}) as ItertlSpec;

beforeAll(async () => {
  sandbox = await openSandbox({backend: 'bwrap', poolSize: 2});
}, 60_000);

afterAll(async () => {
  await sandbox?.close();
});

async function context(rows: SeedRow[]): Promise<FilterContext> {
  const calibrations = new Map();
  for (const row of rows) calibrations.set(row.id, await calibrate(row, sandbox, 'strict'));
  return {spec, sandbox, mode: 'strict', calibrations};
}

const fenced = (lang: string, code: string) => `Here:\n\`\`\`${lang}\n${code}\`\`\`\n`;

describe('itertl filters', () => {
  const verilog = verilogSeeds[0]! as SeedRow;
  const body = target(verilog);

  it.each([
    ['the reference itself', fenced('verilog', body), undefined],
    ['a submodule it defines itself', fenced('verilog', body.replace(/endmodule\s*$/, '  inner u_inner(.x(1\'b0));\nendmodule\n\nmodule inner(input x);\nendmodule\n')), undefined],
    ['an undefined submodule', fenced('verilog', body.replace(/endmodule\s*$/, '  missing_unit u0();\nendmodule\n')), 'self_contained'],
    ['a syntax error', fenced('verilog', body.replace(/;/, '')), 'compile'],
    ['wrong logic', fenced('verilog', body.replace(/assign (\w+) = .*;/, 'assign $1 = 1\'b0;')), 'simulate'],
    ['a module unrelated to the reference', fenced('verilog', 'module TopModule(input x, output y);\n  assign y = x;\nendmodule\n'), 'simulate'],
    ['no code', 'I would rather not.', 'extract'],
  ])('Verilog: %s', async (_name, answer, droppedBy) => {
    const result = await runFilters(verilog, answer, await context([verilog]));
    expect(Object.keys(result.verdicts)).toEqual(spec.filters);
    expect(result.dropped_by, JSON.stringify(result.verdicts)).toBe(droppedBy);
    expect(result.verdicts.tests).toEqual({pass: true, skipped: true});
  }, 60_000);

  it('Python: tests, syntax, similarity; a reference failing its own tests fails every sample with the reason', async () => {
    const python = pythonSeeds[0]! as SeedRow;
    const ctx = await context([python]);
    const right = await runFilters(python, fenced('python', python.reference), ctx);
    expect(right.kept).toBe(true);
    expect(right.verdicts.self_contained).toEqual({pass: true, skipped: true});
    const wrong = await runFilters(python, fenced('python', 'def add(a, b):\n    return a - b\n'), ctx);
    expect(wrong.dropped_by).toBe('tests');
    expect(wrong.verdicts.tests?.detail).toMatch(/^failed/);
    // Right but far from the reference: only similarity drops it.
    const far = await runFilters(python, fenced('python', 'import operator\n\n\ndef add(first_number, second_number):\n    total = operator.add(first_number, second_number)\n    return total\n'), ctx);
    expect(far.verdicts.tests).toEqual({pass: true});
    expect(far.scores.rouge_l).toBeLessThan(0.5);
    expect(far.dropped_by).toBe('similarity');
    expect((await runFilters(python, fenced('python', 'def add(a, b:\n    return a\n'), ctx)).dropped_by).toBe('compile');

    const broken = {...python, id: 'broken', reference: 'def add(a, b):\n    return a * b\n'};
    const brokenCtx = await context([broken]);
    const sample = await runFilters(broken, fenced('python', python.reference), brokenCtx);
    expect(sample.verdicts.tests).toEqual({pass: false, detail: expect.stringMatching(/^the reference fails its own check \(failed/)});
  }, 60_000);
});
