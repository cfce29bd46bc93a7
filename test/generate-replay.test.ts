import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {gzipSync} from 'node:zlib';
import {afterAll, describe, expect, it} from 'vitest';
import type {Bench} from '../src/bench/bench.js';
import {UserError} from '../src/errors.js';
import type {CompletionRequest} from '../src/generate/provider.js';
import {referenceProvider} from '../src/generate/reference.js';
import {replayProvider} from '../src/generate/replay.js';

const bench: Bench = {
  name: 'fake-bench',
  task: 'unit',
  language: 'python',
  datasetHash: '0'.repeat(64),
  problems: [{id: 'T/0'}, {id: 'T/1'}],
  prompt: () => ({style: 'completion', text: '', stop: []}),
  extract: (_problem, response) => ({code: response, path: 'verbatim', markers: []}),
  reference: (problem) => `reference of ${problem.id}`,
  judge: async () => {
    throw new Error('not used');
  },
};

const dir = mkdtempSync(path.join(tmpdir(), 'passk-replay-'));
afterAll(() => rmSync(dir, {recursive: true, force: true}));

let files = 0;
function samplesFile(lines: string[], name = `samples-${files++}.jsonl`): string {
  const file = path.join(dir, name);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

const row = (taskId: string, completion: string) => JSON.stringify({task_id: taskId, completion});

function request(problemId: string, sampleIndex: number): CompletionRequest {
  return {
    problemId,
    prompt: {style: 'completion', text: '', stop: []},
    sampleIndex,
    seed: sampleIndex,
    params: {temperature: 0, topP: 1, maxTokens: 1},
  };
}

/** The UserError message a call fails with. */
function userError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return (error as Error).message;
  }
  throw new Error('expected a UserError');
}

describe('referenceProvider', () => {
  it('returns the bench reference verbatim', async () => {
    const provider = referenceProvider(bench);
    expect(provider).toMatchObject({id: 'reference', verbatim: true});
    await expect(provider.complete(request('T/1', 0))).resolves.toEqual({
      text: 'reference of T/1',
      latencyMs: 0,
      cached: false,
      attempts: 0,
    });
  });

  it('rejects an unknown problem id', async () => {
    await expect(referenceProvider(bench).complete(request('T/9', 0))).rejects.toThrow(/no problem "T\/9" in fake-bench/);
  });
});

describe('replayProvider', () => {
  it('serves the i-th line of each task as sample i, and counts samples per problem', async () => {
    const file = samplesFile([row('T/0', 'a0'), row('T/1', 'b0'), row('T/0', 'a1'), '', row('T/0', 'a2')]);
    const provider = replayProvider(file, bench);
    expect(provider).toMatchObject({id: `replay:${file}`, verbatim: true});
    expect(provider.samplesFor?.('T/0')).toBe(3);
    expect(provider.samplesFor?.('T/1')).toBe(1);
    const texts = await Promise.all([0, 1, 2].map(async (i) => (await provider.complete(request('T/0', i))).text));
    expect(texts).toEqual(['a0', 'a1', 'a2']);
    await expect(provider.complete(request('T/1', 0))).resolves.toMatchObject({text: 'b0', cached: false, attempts: 0});
  });

  it('fails when a sample beyond the file is asked for', async () => {
    const provider = replayProvider(samplesFile([row('T/0', 'a'), row('T/1', 'b')]), bench);
    await expect(provider.complete(request('T/1', 1))).rejects.toThrow(/has 1 sample\(s\) for T\/1; sample 2 was asked for/);
  });

  it('accepts "solution", extra fields, empty completions, CRLF and gzip', async () => {
    const lines = [
      JSON.stringify({task_id: 'T/0', solution: 'def f(): pass', result: 'passed', passed: true}),
      row('T/1', '') + '\r',
    ];
    const file = path.join(dir, 'samples.jsonl.gz');
    writeFileSync(file, gzipSync(lines.join('\n')));
    const provider = replayProvider(file, bench);
    await expect(provider.complete(request('T/0', 0))).resolves.toMatchObject({text: 'def f(): pass'});
    await expect(provider.complete(request('T/1', 0))).resolves.toMatchObject({text: ''});
  });

  it('names file and line of a malformed row', () => {
    const cases: [string, RegExp][] = [
      ['{"task_id": "T/0", "completion": ', /:2: not valid JSON \(/],
      ['["T/0", "x"]', /:2: expected a JSON object$/],
      ['{"completion": "x"}', /:2: missing "task_id" \(a string\)$/],
      ['{"task_id": "T/0"}', /:2: missing "completion" \(or "solution"\), a string$/],
      ['{"task_id": "T/0", "completion": 3}', /:2: missing "completion"/],
      ['{"task_id": "T/0", "completion": "x", "solution": "y"}', /:2: has both "completion" and "solution"; keep one$/],
      ['{"task_id": "T/7", "completion": "x"}', /:2: unknown task_id "T\/7" \(not in fake-bench unit\)$/],
    ];
    for (const [bad, expected] of cases) {
      const file = samplesFile([row('T/0', 'ok'), bad, row('T/1', 'ok')]);
      const message = userError(() => replayProvider(file, bench));
      expect(message.startsWith(`${file}:2: `)).toBe(true);
      expect(message).toMatch(expected);
      expect(message).not.toContain('\n');
    }
  });

  it('reports no samples for problems the file does not attempt (the run refuses them)', () => {
    const many: Bench = {...bench, problems: Array.from({length: 9}, (_, i) => ({id: `T/${i}`}))};
    const provider = replayProvider(samplesFile([row('T/0', 'x'), row('T/4', 'y'), row('T/4', 'z')]), many);
    expect(many.problems.map((p) => provider.samplesFor?.(p.id))).toEqual([1, 0, 0, 0, 2, 0, 0, 0, 0]);
  });

  it('rejects an empty or missing file', () => {
    const empty = samplesFile(['', '  ']);
    expect(userError(() => replayProvider(empty, bench))).toBe(`${empty}: no samples`);
    const missing = path.join(dir, 'nope.jsonl');
    expect(userError(() => replayProvider(missing, bench))).toMatch(/^cannot read samples file .*nope\.jsonl: ENOENT/);
  });
});

describe("replayProvider: CodeT's {prompt, samples} generation files", () => {
  const prompted: Bench = {...bench, problems: [{id: 'T/0', prompt: 'def f():\n'}, {id: 'T/1', prompt: 'def g():\n'}] as unknown as Bench['problems']};
  const codetLine = (prompt: string, samples: string[]) => JSON.stringify({prompt, samples});

  it("joins records by the bench's prompt and cuts each sample at CodeT's stop tokens, keeping the rest as it is", async () => {
    const file = samplesFile([codetLine('def g():\n', ['    return 1\n\n\ndef h():\n    pass', '    return 2\nif x:\n']), codetLine('def f():\n', ['    return 3\n#c', '  x\nclass'])]);
    const provider = replayProvider(file, prompted);
    expect([provider.samplesFor?.('T/0'), provider.samplesFor?.('T/1')]).toEqual([2, 2]);
    const texts = await Promise.all([request('T/0', 0), request('T/0', 1), request('T/1', 0), request('T/1', 1)].map((r) => provider.complete(r)));
    expect(texts.map((t) => t.text)).toEqual(['    return 3', '  x', '    return 1\n\n', '    return 2']);
  });

  it('joins through a CodeT dataset file when the prompts differ, and says how when they do not join', () => {
    const file = samplesFile([codetLine('other prompt', ['    return 1\n'])]);
    expect(userError(() => replayProvider(file, prompted))).toBe(
      `${file}: record 1 matches no problem's prompt (its prompts are not fake-bench's: give CodeT's dataset file of code prompts with --replay-prompts)`,
    );
    const prompts = samplesFile([JSON.stringify({task_id: 'T/1', prompt: 'other prompt'})]);
    expect(replayProvider(file, prompted, {prompts}).samplesFor?.('T/1')).toBe(1);
    const unknown = samplesFile([JSON.stringify({task_id: 'T/7', prompt: 'other prompt'})]);
    expect(userError(() => replayProvider(file, prompted, {prompts: unknown}))).toMatch(/: unknown task_id "T\/7" \(not in fake-bench unit\)$/);
  });

  it('a prompts file is refused with a samples file of another format', () => {
    const file = samplesFile([row('T/0', 'x')]);
    expect(userError(() => replayProvider(file, bench, {prompts: file}))).toMatch(/is not a CodeT \{"prompt", "samples"\} file; a prompts file joins only those to tasks$/);
  });
});

describe('TuRTLe result documents', () => {
  const entry = (id: string, generation: unknown) => ({prompt: 'p', test_path: `turtle/tasks/verilog-eval/dataset_spec-to-rtl/${id}_test.sv`, ref_path: 'r', reasoning: null, generation});

  it('reads groups of {test_path, generation} by the problem the test path names, gzipped too', async () => {
    const file = path.join(dir, 'turtle.json.gz');
    writeFileSync(file, gzipSync(JSON.stringify([[entry('T_1', 'b0'), entry('T_1', 'b1')], [entry('T_0', 'a0')]])));
    const named: Bench = {...bench, problems: [{id: 'T_0'}, {id: 'T_1'}]};
    const provider = replayProvider(file, named);
    expect([provider.samplesFor!('T_0'), provider.samplesFor!('T_1')]).toEqual([1, 2]);
    expect((await provider.complete(request('T_1', 1))).text).toBe('b1');
  });

  it('refuses an entry without a test path or generation, with its place', () => {
    const named: Bench = {...bench, problems: [{id: 'T_0'}]};
    const noPath = samplesFile([JSON.stringify([[{generation: 'x'}]])], 'no-path.json');
    expect(() => replayProvider(noPath, named)).toThrow(/group 1 entry 1: missing "test_path"/);
    const noCode = samplesFile([JSON.stringify([[entry('T_0', 'a'), entry('T_0', null)]])], 'no-code.json');
    expect(() => replayProvider(noCode, named)).toThrow(/group 1 entry 2: missing "generation"/);
  });
});
