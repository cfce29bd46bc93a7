/**
 * Selection on a stored HumanEval run: test samples from a fake OpenAI-compatible endpoint (and from
 * a CodeT-format file), asserts compiled in the real sandbox, everything stored with the run. The
 * sandbox executor that fills the matrix is not part of this branch: without one the command stops
 * with a clear error, and a stand-in `build` (a lookup table, marked as such) checks the plumbing.
 */
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import {execa} from 'execa';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {readHumanEvalDataset, type HumanEvalProblem} from '../src/bench/humaneval/dataset.js';
import {openSandbox, type Sandbox} from '../src/execute/index.js';
import {createProvider} from '../src/generate/index.js';
import {codetTestPrompt} from '../src/select/codet-tests.js';
import type {MatrixBuilder} from '../src/select/matrix.js';
import {openRunForSelection, testSource} from '../src/select/run-inputs.js';
import {selectForRun, type RunSelectionOptions} from '../src/select/run-selection.js';
import {sandboxSyntaxChecker} from '../src/select/syntax-check.js';
import {Store} from '../src/store/store.js';
import {projectRoot} from './helpers/datasets.js';
import {startFakeOpenAI, type FakeOpenAI} from './helpers/fake-openai.js';

const dataset = path.join(projectRoot, 'datasets', 'python-mini', 'problems.jsonl');
const cli = path.join(projectRoot, 'bin', 'run.js');

const sandbox: Sandbox | undefined = await openSandbox().catch((error: unknown) => {
  console.warn(`skipping selection-on-a-run tests: ${(error as Error).message}`);
  return undefined;
});

let problems: HumanEvalProblem[];
let server: FakeOpenAI;
let work: string;

/** Test continuations per entry point: two valid asserts, one repeated, one broken, one about another function. */
const continuations: Record<string, string> = {
  run_lengths: "run_lengths('aab') == [('a', 2), ('b', 1)]\nassert run_lengths('') == []\nassert run_lengths(\nassert len('x') == 1\n",
  merge_ranges: 'merge_ranges([(1, 2)]) == [(1, 2)]\nassert merge_ranges([]) == []\n\ndef helper():\n    pass\n',
};

/** Two problems, three samples each by default: a correct solution twice and a wrong one; every sample passes when `codesOf` gives them. */
function makeRun(store: Store, id: string, codesOf?: (problem: HumanEvalProblem) => string[]): void {
  const chosen = problems.slice(0, 2);
  store.createRun({
    id,
    config: {bench: 'humaneval', task: 'base', dataset, benchOptions: {}, problemIds: chosen.map((p) => p.id), model: 'replay:x', n: 3},
    configHash: 'h',
    bench: 'humaneval',
    task: 'base',
    model: 'replay:x',
  });
  for (const problem of chosen) {
    const codes = codesOf?.(problem) ?? [problem.canonicalSolution, problem.canonicalSolution, '    return None\n'];
    codes.forEach((code, sampleIndex) => {
      const passed = codesOf !== undefined || sampleIndex < 2;
      const {id: sampleId} = store.addSample({runId: id, problemId: problem.id, sampleIndex, seed: sampleIndex, code});
      store.addExecution(sampleId, {passed, result: passed ? 'passed' : 'failed: AssertionError', durationMs: 5});
    });
  }
  store.updateRun(id, {status: 'done'});
}

beforeAll(async () => {
  problems = (await readHumanEvalDataset(dataset)).problems;
  work = mkdtempSync(path.join(os.tmpdir(), 'passk-select-run-'));
  server = await startFakeOpenAI({
    respond: (request) => {
      if (request.body.messages) {
        // A chat model answers with prose around a fenced block of asserts.
        const asked: string = request.body.messages.at(-1).content;
        const entry = Object.keys(continuations).find((name) => asked.includes(`correctness of \`${name}\``))!;
        return `Here are tests for ${entry}:\n\`\`\`python\nassert ${continuations[entry]}\`\`\`\nassert ${entry}(0) outside the fence is ignored`;
      }
      const prompt: string = request.body.prompt;
      const entry = Object.keys(continuations).find((name) => prompt.endsWith(`# check the correctness of ${name}\nassert `));
      return entry ? continuations[entry]! : 'nothing useful';
    },
  });
});
afterAll(async () => {
  await server?.close();
  await sandbox?.close();
});

/** Stand-in for the executor (not passk code): the canonical solution passes every test, the wrong one none. */
const standInBuild: MatrixBuilder = async ({solutions, tests}) => ({
  execOk: solutions.map(() => true),
  rows: solutions.map((code) => (code.includes('return None') ? '0' : '1').repeat(tests.length)),
});

describe.skipIf(!sandbox)('select on a stored run', () => {
  async function options(store: Store, runId: string, build?: MatrixBuilder): Promise<RunSelectionOptions> {
    const {bench, problems: runProblems, gtTimeout} = await openRunForSelection(store, runId);
    const provider = createProvider('openai-completions:fake-model', {bench, baseUrl: server.url, cache: store, maxRetries: 0});
    return {
      store,
      runId,
      problems: runProblems,
      tests: {kind: 'generate', source: 'openai-completions:fake-model', provider, n: 2, params: {temperature: 0.8, topP: 0.95, maxTokens: 300}, seed: 0, concurrency: 2},
      check: sandboxSyntaxChecker(sandbox!),
      limit: 5,
      build,
      selection: {strategies: ['codet', 'b4'], beta0: [1e4], alphaXY: 1e3, protocols: ['mixed', 'all'], ks: [], seed: 0},
      meta: {gt_timeout: gtTimeout},
    };
  }

  it('generates test samples with the CodeT prompt, stores their asserts, and stops where the executor is missing', async () => {
    const store = new Store(path.join(work, 'a.db'));
    makeRun(store, 'run-a');
    await expect(selectForRun(await options(store, 'run-a'))).rejects.toThrow(/4 test samples .* are stored with run run-a, but 4 of 4 matrix rows have no test results and no executor was given to build them/);
    const prompts = server.requests.filter((r) => r.path === '/v1/completions').map((r) => r.body.prompt as string);
    expect(prompts).toContain(codetTestPrompt(problems[0]!.prompt, 'run_lengths'));
    expect(server.requests.at(-1)!.body).toMatchObject({temperature: 0.8, top_p: 0.95, max_tokens: 300});
    const samples = store.testSamples('run-a', 'openai-completions:fake-model');
    expect(samples.map((s) => [s.problemId, s.sampleIndex, s.asserts])).toEqual([
      ['PythonMini/0', 0, ["assert run_lengths('aab') == [('a', 2), ('b', 1)]", "assert run_lengths('') == []"]],
      ['PythonMini/0', 1, ["assert run_lengths('aab') == [('a', 2), ('b', 1)]", "assert run_lengths('') == []"]],
      ['PythonMini/1', 0, ['assert merge_ranges([(1, 2)]) == [(1, 2)]', 'assert merge_ranges([]) == []']],
      ['PythonMini/1', 1, ['assert merge_ranges([(1, 2)]) == [(1, 2)]', 'assert merge_ranges([]) == []']],
    ]);
    store.close();
  });

  it('with rows filled, selects, stores the selection with the run, and asks nothing twice', async () => {
    const store = new Store(path.join(work, 'b.db'));
    makeRun(store, 'run-b');
    let builds = 0;
    const counting: MatrixBuilder = (input) => {
      builds += 1;
      return standInBuild(input);
    };
    const first = await selectForRun(await options(store, 'run-b', counting));
    expect(builds).toBe(2);
    expect(first.matrix.tasks.map((t) => [t.solutions.length, t.solCount, t.gt, t.tests.length, t.testCount, t.rows])).toEqual([
      [2, [2, 1], [true, false], 2, [2, 2], ['11', '00']],
      [2, [2, 1], [true, false], 2, [2, 2], ['11', '00']],
    ]);
    expect(first.report.results.map((r) => [r.strategy, r.protocol, r.tasks, r.pass1])).toEqual([
      ['codet', 'mixed', 2, 1],
      ['codet', 'all', 2, 1],
      ['b4', 'mixed', 2, 1],
      ['b4', 'all', 2, 1],
    ]);
    expect(first.matrix.meta).toMatchObject({limit: 5, gt_timeout: 3, sources: ['run-b', 'openai-completions:fake-model']});
    const requestsBefore = server.requests.length;
    const second = await selectForRun(await options(store, 'run-b', counting));
    expect(builds).toBe(2);
    expect(server.requests.length).toBe(requestsBefore);
    expect(second.report.results).toEqual(first.report.results);
    expect(store.selections('run-b').map((s) => s.id)).toEqual([first.selectionId, second.selectionId]);
    expect(store.selections('run-b')[0]!.report).toMatchObject({taskClasses: {mixed: 2}});
    // The pick is the correct solution, named by the run's first sample with its code.
    const picks = (store.selections('run-b')[0]!.report.selections as Array<{tasks: Array<{pick: number; sampleIndex: number}>}>)[0]!.tasks;
    expect(picks.map((t) => [t.pick, t.sampleIndex])).toEqual([
      [0, 0],
      [0, 0],
    ]);
    store.close();
  });

  it("reads CodeT's {prompt, samples} test files, joined by the CodeT test prompt", async () => {
    const store = new Store(path.join(work, 'c.db'));
    makeRun(store, 'run-c');
    const file = path.join(work, 'tests.jsonl');
    const lines = problems.slice(0, 2).map((p) => JSON.stringify({prompt: codetTestPrompt(p.prompt, p.entryPoint), samples: [continuations[p.entryPoint]]}));
    writeFileSync(file, lines.join('\n') + '\n');
    const base = await options(store, 'run-c', standInBuild);
    const result = await selectForRun({...base, tests: {kind: 'replay', source: `replay:${file}`, file}});
    expect(result.testSamples).toBe(2);
    expect(result.matrix.tasks.map((t) => t.tests.length)).toEqual([2, 2]);
    writeFileSync(file, lines[0] + '\n');
    const store2 = new Store(path.join(work, 'd.db'));
    makeRun(store2, 'run-d');
    await expect(selectForRun({...(await options(store2, 'run-d')), tests: {kind: 'replay', source: `replay:${file}`, file}})).rejects.toThrow(
      /has no test samples for 1 of the run's problems: PythonMini\/1/,
    );
    store.close();
    store2.close();
  });

  it('passk select --run: generates tests, builds the matrix in the sandbox, selects; a second run re-executes nothing', async () => {
    const db = path.join(work, 'cli.db');
    const store = new Store(db);
    makeRun(store, 'run-cli');
    store.close();
    const select = () =>
      execa(
        'node',
        [cli, 'select', '--db', db, '--run', 'run-cli', '--tests', 'openai-completions:fake-model', '--base-url', server.url, '--test-samples', '1', '--test-timeout', '1', '--sandbox', 'bwrap', '--json'],
        {reject: false, env: {CI: '1', NODE_ENV: 'production'}},
      );
    const result = await select();
    expect(result.exitCode, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).selectionId).toBe(1);
    const raw = new Database(db, {readonly: true});
    const stored = raw.prepare("SELECT source, asserts FROM test_samples WHERE run_id = 'run-cli' ORDER BY problem_id").all() as Array<{source: string; asserts: string}>;
    expect(stored).toHaveLength(2);
    expect(stored[0]!.source).toMatch(/^openai-completions:fake-model \{.*"temperature":0.8.*\}$/);
    expect(JSON.parse(stored[0]!.asserts)).toHaveLength(2);
    const rows = () => raw.prepare("SELECT problem_id, passes, created_at FROM test_results WHERE run_id = 'run-cli' ORDER BY problem_id, solution_sha256").all();
    const first = rows();
    expect(first.length).toBeGreaterThan(0);
    const again = await select();
    expect(again.exitCode, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).selectionId).toBe(2);
    // Same rows, same creation times: the second selection re-ran no solution.
    expect(rows()).toEqual(first);
    raw.close();
  });

  it('passk select --run killed with SIGKILL while it builds the matrix resumes without re-running stored rows', async () => {
    const db = path.join(work, 'killed.db');
    const store = new Store(db);
    // Ten different correct solutions per problem, each taking 0.2 s to load, two per checker job: the build takes seconds and stores rows as it goes.
    makeRun(store, 'run-kill', (problem) => Array.from({length: 10}, (_, i) => `${problem.canonicalSolution}\nimport time  # variant ${i}\ntime.sleep(0.2)\n`));
    store.close();
    const args = [cli, 'select', '--db', db, '--run', 'run-kill', '--tests', 'openai-completions:fake-model', '--base-url', server.url, '--test-samples', '1', '--test-timeout', '1', '--sandbox', 'bwrap', '--json', '--exec-batch', '2'];
    const child = execa('node', args, {reject: false, env: {CI: '1', NODE_ENV: 'production'}});
    const count = () => {
      try {
        const handle = new Database(db, {readonly: true, fileMustExist: true});
        const c = (handle.prepare("SELECT count(*) AS c FROM test_results WHERE run_id = 'run-kill'").get() as {c: number}).c;
        handle.close();
        return c;
      } catch {
        return 0;
      }
    };
    let stored = 0;
    for (let i = 0; i < 600 && stored < 4; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      stored = count();
    }
    child.kill('SIGKILL');
    await child;
    const rowsOf = (handle: Database.Database) =>
      handle.prepare("SELECT problem_id, solution_sha256, passes, created_at FROM test_results WHERE run_id = 'run-kill' ORDER BY problem_id, solution_sha256").all() as Array<{solution_sha256: string}>;
    const before = rowsOf(new Database(db, {readonly: true}));
    expect(before.length).toBeGreaterThanOrEqual(4);
    expect(before.length).toBeLessThan(20);
    const requestsBefore = server.requests.length;

    const resumed = await execa('node', args, {reject: false, env: {CI: '1', NODE_ENV: 'production'}});
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout).results.find((r: {strategy: string}) => r.strategy === 'b4').tasks).toBe(0);
    // The test samples were all stored before the build began: none was asked for again.
    expect(server.requests.slice(requestsBefore).filter((r) => r.path === '/v1/completions')).toEqual([]);
    const raw = new Database(db, {readonly: true});
    const after = rowsOf(raw);
    raw.close();
    expect(after).toHaveLength(20);
    // Rows stored before the kill are the same rows, with the same creation times: not run again.
    const kept = new Set(before.map((row) => JSON.stringify(row)));
    expect(after.filter((row) => kept.has(JSON.stringify(row)))).toHaveLength(before.length);
    expect(after.every((row) => (row as unknown as {passes: string}).passes === '11')).toBe(true);
  });

  it('--compare-matrix on a run: every disagreement is run again and given its cause', async () => {
    const db = path.join(work, 'compare.db');
    const store = new Store(db);
    makeRun(store, 'run-cmp');
    store.close();
    const args = [cli, 'select', '--db', db, '--run', 'run-cmp', '--tests', 'openai-completions:fake-model', '--base-url', server.url, '--test-samples', '1', '--test-timeout', '1', '--sandbox', 'bwrap', '--json'];
    const exported = path.join(work, 'cmp.json');
    const first = await execa('node', [...args, '--export-matrix', exported], {reject: false, env: {CI: '1', NODE_ENV: 'production'}});
    expect(first.exitCode, first.stderr).toBe(0);
    // The "reference": task 0's first cell flipped in both rows (canonical '11', wrong '00'), task 1's first ground truth flipped.
    const doc = JSON.parse(readFileSync(exported, 'utf8'));
    doc.tasks[0].E = doc.tasks[0].E.map((row: string) => (row[0] === '1' ? '0' : '1') + row.slice(1));
    doc.tasks[1].gt[0] = 1 - doc.tasks[1].gt[0];
    const reference = path.join(work, 'cmp-reference.json');
    writeFileSync(reference, JSON.stringify(doc));
    const compared = await execa('node', [...args, '--compare-matrix', reference], {reject: false, env: {CI: '1', NODE_ENV: 'production'}});
    expect(compared.exitCode, compared.stderr).toBe(0);
    const {comparison} = JSON.parse(compared.stdout);
    expect([comparison.cells.agree, comparison.cells.compared, comparison.groundTruth.agree, comparison.groundTruth.compared]).toEqual([6, 8, 3, 4]);
    expect(comparison.disagreements.map((d: {kind: string; solution: number; ours: boolean; cause: string}) => [d.kind, d.solution, d.ours, d.cause])).toEqual([
      ['cell', 0, true, "passes in passk and in-process here: the reference's own failure (its timeout or environment)"],
      ['cell', 1, false, 'fails in passk (failed: AssertionError) and in-process here: failed: AssertionError'],
      ['gt', 0, true, 'check() passes in passk, fails in the reference (its timeout or environment)'],
    ]);
  });

  it('a chat model gets the same code and an instruction; asserts come from its code block', async () => {
    const store = new Store(path.join(work, 'chat.db'));
    makeRun(store, 'run-chat');
    const base = await options(store, 'run-chat', standInBuild);
    const provider = createProvider('openai:fake-model', {bench: (await openRunForSelection(store, 'run-chat')).bench, baseUrl: server.url, maxRetries: 0});
    const result = await selectForRun({...base, tests: {kind: 'generate', source: 'openai:fake-model', provider, n: 1, params: {temperature: 0.8, topP: 0.95, maxTokens: 300}, seed: 0, concurrency: 1}});
    const asked: string = server.requests.at(-1)!.body.messages.at(-1).content;
    expect(asked).toContain('# check the correctness of');
    expect(asked).not.toMatch(/assert $/);
    expect(store.testSamples('run-chat', 'openai:fake-model').map((s) => s.asserts)).toEqual([
      ["assert run_lengths('aab') == [('a', 2), ('b', 1)]", "assert run_lengths('') == []"],
      ['assert merge_ranges([(1, 2)]) == [(1, 2)]', 'assert merge_ranges([]) == []'],
    ]);
    expect(result.matrix.tasks.map((t) => t.tests.length)).toEqual([2, 2]);
    store.close();
  });

  it('an executor answer of the wrong shape fails loudly instead of filling the matrix', async () => {
    const store = new Store(path.join(work, 'g.db'));
    makeRun(store, 'run-g');
    const short: MatrixBuilder = async ({solutions, tests}) => ({execOk: solutions.map(() => true), rows: solutions.map(() => '1'.repeat(tests.length - 1))});
    await expect(selectForRun(await options(store, 'run-g', short))).rejects.toThrow(/matrix row 0 of PythonMini\/0 is not one 0\/1 per test/);
    const missing: MatrixBuilder = async () => ({execOk: [true], rows: ['11']});
    await expect(selectForRun(await options(store, 'run-g', missing))).rejects.toThrow(/1 rows for 2 solutions/);
    expect(store.testResults('run-g', 'openai-completions:fake-model')).toEqual([]);
    store.close();
  });

  it('refuses test sources it cannot use', async () => {
    const store = new Store(path.join(work, 'f.db'));
    makeRun(store, 'run-f');
    const {bench} = await openRunForSelection(store, 'run-f');
    const request = {n: 1, params: {temperature: 0.8, topP: 0.95, maxTokens: 300}, seed: 0, concurrency: 1};
    expect(() => testSource({...request, spec: 'reference'}, bench, {})).toThrow(/--tests reference: use openai:<model>/);
    expect(() => testSource({...request, spec: 'replay:'}, bench, {})).toThrow(/no file after "replay:"/);
    expect(() => testSource({...request, spec: 'openai:m', prompts: 'p.jsonl'}, bench, {})).toThrow(/--test-prompts joins a replayed test file/);
    store.close();
  });

  it('refuses runs it cannot select on', async () => {
    const store = new Store(path.join(work, 'e.db'));
    await expect(openRunForSelection(store, 'nope')).rejects.toThrow(/no run nope in the store/);
    store.createRun({id: 'v', config: {}, configHash: 'h', bench: 'verilog-eval-v2', task: 'spec-to-rtl', model: 'reference'});
    await expect(openRunForSelection(store, 'v')).rejects.toThrow(/needs a humaneval run/);
    makeRun(store, 'unfinished');
    store.updateRun('unfinished', {status: 'running'});
    await expect(openRunForSelection(store, 'unfinished')).rejects.toThrow(/is running; finish it first/);
    store.close();
  });
});
