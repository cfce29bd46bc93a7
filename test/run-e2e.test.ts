/**
 * `passk run` end to end through the built CLI: a local OpenAI-compatible server plays the model,
 * real sandboxed Python judges the samples, a real SQLite store keeps them.
 */
import {execa, type ResultPromise} from 'execa';
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {loadHumanEval} from '../src/bench/humaneval/index.js';
import type {HumanEvalProblem} from '../src/bench/humaneval/index.js';
import {startFakeOpenAI, times, type FakeOpenAI, type RecordedRequest} from './helpers/fake-openai.js';
import {projectRoot} from './helpers/datasets.js';

const cli = path.join(projectRoot, 'bin', 'run.js');
const suite = path.join(projectRoot, 'datasets', 'python-mini', 'problems.jsonl');
const n = 4;

let problems: HumanEvalProblem[];
let server: FakeOpenAI;
let work: string;

/** A deterministic "model": even seeds answer with the reference solution, odd seeds with a wrong body. */
function answerFor(request: RecordedRequest): {problem: HumanEvalProblem; correct: boolean} {
  const body = request.body;
  const text: string = body.prompt ?? body.messages.map((m: {content: string}) => m.content).join('\n');
  const problem = problems.find((p) => text.includes(p.prompt.trim()));
  if (!problem) throw new Error('fake model: unknown prompt');
  return {problem, correct: body.seed % 2 === 0};
}

const wrongBody = '    return None\n';

function completionResponder(request: RecordedRequest): string {
  const {problem, correct} = answerFor(request);
  // A base model keeps talking after the function: the stop sequences must cut it off.
  return (correct ? problem.canonicalSolution : wrongBody) + '\n\ndef unrelated():\n    pass\n';
}

function chatResponder(request: RecordedRequest): string {
  const {problem, correct} = answerFor(request);
  const code = problem.prompt + (correct ? problem.canonicalSolution : wrongBody);
  return `<think>The user wants ${problem.entryPoint}. \`\`\`python\nbroken(\n\`\`\`</think>\nHere it is:\n\`\`\`python\n${code}\`\`\`\nDone.`;
}

function passk(args: string[], env: Record<string, string> = {}): ResultPromise<{reject: false; env: Record<string, string>}> {
  return execa('node', [cli, ...args], {reject: false, env: {CI: '1', NODE_ENV: 'production', ...env}});
}

function runArgs(db: string, extra: string[] = []): string[] {
  return ['run', '--bench', 'humaneval', '--dataset', suite, '--base-url', server.url, '-n', String(n), '--db', db, '--json', ...extra];
}

beforeAll(async () => {
  problems = [...(await loadHumanEval({dataset: suite})).problems];
  server = await startFakeOpenAI({respond: completionResponder});
  work = mkdtempSync(path.join(os.tmpdir(), 'passk-e2e-'));
});

afterAll(async () => {
  await server?.close();
});

/** Expected per-sample outcome of the fake model: passes exactly when the seed is even. */
function expectAlternating(results: Array<{task_id: string; sample_index: number; passed: boolean}>) {
  expect(results).toHaveLength(problems.length * n);
  for (const r of results) expect(r.passed, `${r.task_id}#${r.sample_index}`).toBe(r.sample_index % 2 === 0);
}

/** passk's own error lines (progress lines may precede them on stderr). */
function errorLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line.startsWith('passk:'));
}

function readResults(dir: string) {
  return readFileSync(path.join(dir, 'results.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
}

describe('passk run against an OpenAI-compatible endpoint', () => {
  it('completions mode survives 429 with Retry-After, 500s, resets and truncated replies', async () => {
    server.setBehaviour({
      respond: completionResponder,
      faults: [
        {type: 'slow', ms: 1}, // taken by the GET /models reachability check
        {type: 'status', status: 429, headers: {'retry-after': '1'}},
        ...times(2, {type: 'status', status: 500}),
        {type: 'truncated'},
        {type: 'reset'},
        {type: 'slow', ms: 300},
      ],
    });
    const out = path.join(work, 'completions-out');
    const result = await passk(runArgs(path.join(work, 'completions.db'), ['--model', 'openai-completions:fake-model', '--out', out, '-k', '1', '-k', '2', '--max-retries', '8']));
    expect(result.exitCode, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary.passAtK['1'].value).toBe(0.5);
    // 2 of 4 correct: pass@2 = 1 - C(2,2)/C(4,2) = 5/6 for every problem.
    expect(summary.passAtK['2'].value).toBeCloseTo(5 / 6, 12);
    expect(summary.passAtK['1'].stderr).toBe(0);
    expect(summary).toMatchObject({schemaVersion: 1, bench: 'humaneval', task: 'base', n, problems: problems.length, invalidProblems: [], verdictMode: 'strict'});
    expect(summary.sandbox.backend).toBe('bwrap');
    expect(summary.toolchain.python3).toMatch(/^Python 3\./);
    expect(summary.classes).toEqual({passed: problems.length * 2, failed: problems.length * 2});
    expect(JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'))).toEqual(summary);
    const results = readResults(out);
    expectAlternating(results);
    for (const r of results) expect(r.completion).not.toContain('unrelated');
    // Every sample had its own seed and one successful request; the five faulted requests were retried.
    const posts = server.requests.filter((r) => r.path === '/v1/completions');
    expect(posts).toHaveLength(problems.length * n + 5);
    expect(new Set(posts.map((r) => `${r.body.prompt}|${r.body.seed}`)).size).toBe(problems.length * n);
  });

  it('chat mode extracts the right fenced block past <think> noise', async () => {
    server.setBehaviour({respond: chatResponder});
    const out = path.join(work, 'chat-out');
    const result = await passk(runArgs(path.join(work, 'chat.db'), ['--model', 'openai:fake-model', '--out', out]));
    expect(result.exitCode, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).passAtK['1'].value).toBe(0.5);
    expectAlternating(readResults(out));
  });

  it('a run killed with SIGKILL mid-way and resumed ends with exactly the uninterrupted results', async () => {
    server.setBehaviour({respond: completionResponder, delayMs: 40});
    const db = path.join(work, 'killed.db');
    // --no-cache: every sample generated again would show up as a request to the endpoint.
    const child = passk(runArgs(db, ['--model', 'openai-completions:fake-model', '-j', '2', '--no-cache']));
    // Wait until some, but not all, samples are stored, then kill without warning.
    const total = problems.length * n;
    let stored = 0;
    for (let i = 0; i < 400 && stored < total / 3; i++) {
      await new Promise((r) => setTimeout(r, 50));
      try {
        const handle = new Database(db, {readonly: true, fileMustExist: true});
        stored = (handle.prepare('SELECT count(*) AS c FROM executions').get() as {c: number}).c;
        handle.close();
      } catch {
        stored = 0;
      }
    }
    child.kill('SIGKILL');
    await child;
    expect(stored).toBeGreaterThan(0);
    expect(stored).toBeLessThan(total);

    const handle = new Database(db, {readonly: true});
    const {id} = handle.prepare('SELECT id FROM runs').get() as {id: string};
    const generated = (handle.prepare('SELECT count(*) AS c FROM samples').get() as {c: number}).c;
    const judgedBefore = handle.prepare('SELECT sample_id, passed, result, created_at FROM executions ORDER BY sample_id').all();
    handle.close();
    server.setBehaviour({respond: completionResponder});
    const requestsBefore = server.requests.length;
    const out = path.join(work, 'resumed-out');
    const resumed = await passk(['run', '--resume', id, '--db', db, '--json', '--out', out, '--no-cache']);
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout).runId).toBe(id);
    // Only the samples missing at the kill were asked for (plus the reachability check), and
    // nothing judged before the kill was judged again.
    const asked = server.requests.slice(requestsBefore).filter((r) => r.path === '/v1/completions');
    expect(asked).toHaveLength(total - generated);

    const final = new Database(db, {readonly: true});
    const counts = final.prepare('SELECT count(*) AS samples, count(DISTINCT problem_id || \'#\' || sample_index) AS distinct_samples FROM samples').get();
    const executions = (final.prepare('SELECT count(*) AS c FROM executions').get() as {c: number}).c;
    const ids = judgedBefore.map((row) => (row as {sample_id: number}).sample_id);
    const judgedAfter = final.prepare(`SELECT sample_id, passed, result, created_at FROM executions WHERE sample_id IN (${ids.join(',')}) ORDER BY sample_id`).all();
    final.close();
    expect(judgedAfter).toEqual(judgedBefore);
    expect(counts).toEqual({samples: total, distinct_samples: total});
    expect(executions).toBe(total);

    // The uninterrupted run's results, sample for sample.
    const reference = readResults(path.join(work, 'completions-out')).map(({task_id, sample_index, passed, result, completion}) => ({task_id, sample_index, passed, result, completion}));
    const after = readResults(out).map(({task_id, sample_index, passed, result, completion}) => ({task_id, sample_index, passed, result, completion}));
    expect(after).toEqual(reference);
  });

  it('lists and shows stored runs', async () => {
    const db = path.join(work, 'completions.db');
    const list = await passk(['runs', 'list', '--db', db, '--json']);
    expect(list.exitCode, list.stderr).toBe(0);
    const {runs} = JSON.parse(list.stdout);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({status: 'done', bench: 'humaneval', task: 'base', model: 'openai-completions:fake-model', pass1: 0.5});
    const show = await passk(['runs', 'show', runs[0].id, '--db', db, '--per-problem']);
    expect(show.exitCode, show.stderr).toBe(0);
    expect(show.stdout).toContain('pass@1: 50.0%');
    for (const problem of problems) expect(show.stdout).toMatch(new RegExp(`${problem.id.replace('/', '\\/')}\\s+2/4\\s+50\\.0%`));
    const missing = await passk(['runs', 'show', 'no-such-run', '--db', db]);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr.trim()).toBe(`passk: no run no-such-run in ${db}`);
  });

  it('refuses to resume with a different configuration', async () => {
    const db = path.join(work, 'completions.db');
    const handle = new Database(db, {readonly: true});
    const {id} = handle.prepare('SELECT id FROM runs').get() as {id: string};
    handle.close();
    const result = await passk(['run', '--resume', id, '--db', db, '--temperature', '0.8']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/different configuration.*params/);
  });
});

describe('passk run refuses bad input with one line and exit 2', () => {
  it('an endpoint whose replies are malformed stops the run, keeping what is stored', async () => {
    server.setBehaviour({respond: () => ({content: 42})});
    const db = path.join(work, 'malformed.db');
    const result = await passk(runArgs(db, ['--model', 'openai:fake-model', '--problems', 'PythonMini/0,PythonMini/1']).filter((a) => a !== '--json'));
    expect(result.exitCode).toBe(2);
    expect(errorLines(result.stderr)).toHaveLength(1);
    expect(result.stderr).toMatch(/passk: .*chat\/completions.*stopped, its samples are kept .*--resume/);
    const handle = new Database(db, {readonly: true});
    expect(handle.prepare('SELECT status FROM runs').get()).toEqual({status: 'failed'});
    handle.close();
  });

  it('a run whose samples mostly fail on infrastructure finishes, stores everything, and exits 3', async () => {
    server.setBehaviour({respond: completionResponder, faults: [{type: 'slow', ms: 1}, ...times(3, {type: 'status', status: 503})]});
    const db = path.join(work, 'errors.db');
    const args = ['run', '--bench', 'humaneval', '--base-url', server.url, '--db', db, '--model', 'openai-completions:fake-model', '--problems', 'PythonMini/0', '-n', '3', '--max-retries', '0', '-j', '1'];
    const result = await passk(args);
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toMatch(/3 of 3 samples hit infrastructure errors/);
    const handle = new Database(db, {readonly: true});
    const {id} = handle.prepare('SELECT id FROM runs').get() as {id: string};
    expect((handle.prepare('SELECT count(*) AS c FROM samples WHERE error IS NOT NULL').get() as {c: number}).c).toBe(3);
    handle.close();
    // The endpoint is healthy again: --retry-errors regenerates exactly the failed samples.
    server.setBehaviour({respond: completionResponder});
    const retried = await passk(['run', '--resume', id, '--retry-errors', '--db', db, '--json']);
    expect(retried.exitCode, retried.stderr).toBe(0);
    const summary = JSON.parse(retried.stdout);
    expect(summary.errors).toBe(0);
    expect(summary.perProblem).toEqual([{id: 'PythonMini/0', n: 3, passed: 2, invalid: false}]);
  });

  it('an unreachable endpoint', async () => {
    const result = await passk(['run', '--bench', 'humaneval', '--model', 'openai:x', '--base-url', 'http://127.0.0.1:9/v1', '--db', path.join(work, 'x.db')]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/127\.0\.0\.1:9/);
  });

  it('a malformed dataset', async () => {
    const bad = path.join(work, 'bad.jsonl');
    writeFileSync(bad, '{"task_id": "x/0", "prompt": "def f():\\n"}\nnot json\n');
    const result = await passk(['run', '--bench', 'humaneval', '--dataset', bad, '--model', 'reference', '--db', path.join(work, 'x.db')]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('bad.jsonl');
  });

  it('a malformed samples file, without touching stored runs', async () => {
    const samples = path.join(work, 'samples.jsonl');
    writeFileSync(samples, '{"task_id": "PythonMini/0", "completion": "    return []\\n"}\n{"task_id": \n');
    const db = path.join(work, 'completions.db');
    const before = readFileSync(db).length;
    const result = await passk(['run', '--bench', 'humaneval', '--model', `replay:${samples}`, '--db', db]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('samples.jsonl');
    expect(readFileSync(db).length).toBeGreaterThanOrEqual(before);
    const handle = new Database(db, {readonly: true});
    expect((handle.prepare('SELECT count(*) AS c FROM executions').get() as {c: number}).c).toBe(problems.length * n);
    handle.close();
  });

  it('an unknown flag value and an unknown bench task', async () => {
    for (const args of [['run', '--verdict', 'lenient'], ['run', '--bench', 'humaneval', '--task', 'plus']]) {
      const result = await passk([...args, '--db', path.join(work, 'x.db')]);
      expect(result.exitCode).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
