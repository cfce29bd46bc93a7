/**
 * CodeT's generated-test rules: the test prompt, assert extraction with the syntax check compiled in
 * the sandbox, and the end-to-end check that CodeT's raw test samples give exactly the tests (and
 * multiplicities) of the independently derived reference matrix.
 */
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {openSandbox, type Sandbox} from '../src/execute/index.js';
import {readCodetPrompts, readCodetSamples, joinByPrompt} from '../src/select/codet-file.js';
import {assertCandidates, codetTestPrompt, extractAsserts, keptTests, syntaxCheckSource} from '../src/select/codet-tests.js';
import {readMatrixFile} from '../src/select/matrix-json.js';
import {sandboxSyntaxChecker} from '../src/select/syntax-check.js';
import {sharedDataset} from './helpers/datasets.js';

const sandbox: Sandbox | undefined = await openSandbox().catch((error: unknown) => {
  console.warn(`skipping sandboxed syntax-check tests: ${(error as Error).message}`);
  return undefined;
});
afterAll(() => sandbox?.close());

describe('assert candidates (CodeT postprocess rules)', () => {
  it('splits a continuation at "assert ", keeps pieces naming the entry point, cuts at stop tokens and strips', () => {
    const sample = 'f(1) == 2\nassert f(2) == 3  \nassert g(1) == 1\nassert f(3) == 4\n\ndef helper():\n    pass\nassert f(9) == 0';
    // A later assert after a stop token is a piece of its own again.
    expect(assertCandidates(sample, 'f')).toEqual(['assert f(1) == 2', 'assert f(2) == 3', 'assert f(3) == 4', 'assert f(9) == 0']);
  });

  it('keeps "assert\\t" inside a piece and multi-line asserts up to a stop token', () => {
    expect(assertCandidates('\tf([1,\n  2]) == 3\n# done', 'f')).toEqual(['assert \tf([1,\n  2]) == 3']);
  });

  it('a chat answer is not a continuation: text before the first assert is not an assert', () => {
    expect(assertCandidates('Here: f is tested\nassert f(1) == 1', 'f', false)).toEqual(['assert f(1) == 1']);
    expect(assertCandidates('Here: f is tested\nassert f(1) == 1', 'f', true)).toEqual(['assert Here: f is tested', 'assert f(1) == 1']);
  });

  it('wraps a candidate in a try block for compile(), indenting continuation lines', () => {
    expect(syntaxCheckSource('assert f(1,\n2)')).toBe('try:\n    assert f(1,\n    2)\nexcept:\n    pass\n');
  });

  it('keeps the first 5 asserts of each sample, unique, counted', () => {
    const perSample = [['a', 'b', 'c', 'd', 'e', 'f'], ['a', 'g']];
    expect(keptTests(perSample)).toEqual({tests: ['a', 'b', 'c', 'd', 'e', 'g'], testCount: [2, 1, 1, 1, 1, 1]});
  });
});

describe.skipIf(!sandbox)('the syntax check runs compile() in the sandbox', () => {
  it('accepts valid asserts and refuses broken ones; nothing is executed', async () => {
    const check = sandboxSyntaxChecker(sandbox!);
    const sources = ['assert f(1) == 2', 'assert f(1', "assert __import__('os').system('touch /tmp/pwned') == 0", 'assert f(\x00)'].map(syntaxCheckSource);
    expect(await check(sources)).toEqual([true, false, true, false]);
    const tasks = [{entryPoint: 'f', samples: ['f(1) == 1\nassert f(2', 'f(3) == 3']}, {entryPoint: 'g', samples: ['g(']}];
    expect(await extractAsserts(tasks, check)).toEqual([[['assert f(1) == 1'], ['assert f(3) == 3']], [[]]]);
  });
});

const b4Data = sharedDataset('b4');
describe.skipIf(!b4Data)('CodeT HumanEval files', () => {
  const raw = (name: string) => path.join(b4Data!, 'codet_raw', name);

  it("reproduces CodeT's test prompt byte for byte from CodeT's code prompt, for all 164 tasks", () => {
    const codePrompts = [...readCodetPrompts(raw('HumanEval_for_code_generation.jsonl.gz'))];
    const testPrompts = readCodetPrompts(raw('HumanEval_for_test_case_generation.jsonl.gz'));
    const matrix = readMatrixFile(path.join(b4Data!, 'derived', 'humaneval_codegen16B_passing_matrix.json.gz'));
    const entryPoint = new Map(matrix.tasks.map((t) => [t.taskId, t.entryPoint]));
    expect(codePrompts).toHaveLength(164);
    for (const [prompt, taskId] of codePrompts) expect(testPrompts.get(codetTestPrompt(prompt, entryPoint.get(taskId)!))).toBe(taskId);
  });

  it.skipIf(!sandbox)('raw CodeGen-16B test samples give exactly the derived matrix tests and counts', async () => {
    const file = raw('HumanEval_codegen16B_temp0.8_topp0.95_num100_max300_test_case.jsonl.gz');
    const joined = joinByPrompt(readCodetSamples(file), readCodetPrompts(raw('HumanEval_for_test_case_generation.jsonl.gz')), file);
    const matrix = readMatrixFile(path.join(b4Data!, 'derived', 'humaneval_codegen16B_passing_matrix.json.gz'));
    expect(joined.size).toBe(164);
    const asserts = await extractAsserts(
      matrix.tasks.map((task) => ({entryPoint: task.entryPoint, samples: joined.get(task.taskId)!})),
      sandboxSyntaxChecker(sandbox!),
    );
    for (const [i, task] of matrix.tasks.entries()) {
      expect(joined.get(task.taskId)).toHaveLength(100);
      const {tests, testCount} = keptTests(asserts[i]!);
      const ours = Object.fromEntries(tests.map((t, j) => [t, testCount[j]]));
      const derived = Object.fromEntries(task.tests.map((t, j) => [t, task.testCount[j]]));
      expect(ours, task.taskId).toEqual(derived);
    }
  }, 300_000);

  it('refuses a record that joins no problem, and a task joined twice', () => {
    const prompts = new Map([['p', 'T/1']]);
    expect(() => joinByPrompt([{prompt: 'q', samples: []}], prompts, 'x.jsonl')).toThrow(/x.jsonl: record 1 matches no problem's prompt/);
    expect(() => joinByPrompt([{prompt: 'p', samples: []}, {prompt: 'p', samples: []}], prompts, 'x.jsonl')).toThrow(/two records for T\/1/);
  });
});
