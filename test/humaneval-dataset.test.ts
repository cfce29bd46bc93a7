import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {gzipSync} from 'node:zlib';
import {describe, expect, it} from 'vitest';
import {loadHumanEval} from '../src/bench/humaneval/index.js';
import {UserError} from '../src/errors.js';
import {projectRoot, sharedDataset} from './helpers/datasets.js';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'passk-humaneval-'));
let fileCount = 0;
function writeDataset(text: string | Buffer, extension = '.jsonl'): string {
  const file = path.join(scratch, `dataset-${fileCount++}${extension}`);
  writeFileSync(file, text);
  return file;
}

const row = (fields: Record<string, unknown> = {}) =>
  JSON.stringify({task_id: 'T/0', prompt: 'def f():\n', entry_point: 'f', canonical_solution: '    return 1\n', test: 'def check(c):\n    assert c() == 1\n', ...fields});

async function loadError(text: string): Promise<string> {
  const file = writeDataset(text);
  const error = await loadHumanEval({dataset: file}).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(UserError);
  return (error as UserError).message.replace(file, '<file>');
}

describe('loadHumanEval validation', () => {
  it('loads a minimal file and names the bench', async () => {
    const bench = await loadHumanEval({dataset: writeDataset(`${row()}\n\n${row({task_id: 'T/1'})}\n`)});
    expect(bench.name).toBe('humaneval');
    expect(bench.task).toBe('base');
    expect(bench.language).toBe('python');
    expect(bench.problems.map((problem) => problem.id)).toEqual(['T/0', 'T/1']);
    expect(bench.problems[0]).toMatchObject({entryPoint: 'f', canonicalSolution: '    return 1\n'});
    expect(bench.reference(bench.problems[0]!)).toBe('    return 1\n');
  });

  it('reads gzip by content and hashes the bytes as stored', async () => {
    const bytes = gzipSync(`${row()}\n`);
    const bench = await loadHumanEval({dataset: writeDataset(bytes, '.jsonl.gz')});
    expect(bench.problems).toHaveLength(1);
    const {createHash} = await import('node:crypto');
    expect(bench.datasetHash).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it('reports malformed JSON with file and line', async () => {
    expect(await loadError(`${row()}\n{"task_id": "T/1",\n`)).toMatch(/^<file>:2: not valid JSON \(/);
  });

  it('reports a non-object line', async () => {
    expect(await loadError(`${row()}\n[1, 2]\n`)).toMatch(/^<file>:2: expected a JSON object/);
  });

  it('reports missing and mistyped fields', async () => {
    const {test: _unused, ...withoutTest} = JSON.parse(row()) as Record<string, unknown>;
    expect(await loadError(`${JSON.stringify(withoutTest)}\n`)).toBe('<file>:1: missing field "test"');
    expect(await loadError(`${row({prompt: 3})}\n`)).toBe('<file>:1: field "prompt" must be a string');
  });

  it('recognises a samples file passed as a problem file', async () => {
    expect(await loadError('{"task_id": "T/0", "completion": "    return 1"}\n')).toMatch(/missing field "prompt" \(this looks like a samples file/);
  });

  it('rejects duplicate ids, naming both lines', async () => {
    expect(await loadError(`${row()}\n${row({task_id: 'T/1'})}\n${row()}\n`)).toBe('<file>:3: duplicate task_id "T/0" (first on line 1)');
  });

  it('rejects an entry point that is not an identifier, and an empty id', async () => {
    expect(await loadError(`${row({entry_point: 'f()'})}\n`)).toMatch(/^<file>:1: entry_point "f\(\)" is not a Python identifier/);
    expect(await loadError(`${row({task_id: ' '})}\n`)).toBe('<file>:1: task_id is empty');
  });

  it('rejects empty, unreadable and corrupt files', async () => {
    expect(await loadError('\n\n')).toBe('<file>: no problems found');
    await expect(loadHumanEval({dataset: path.join(scratch, 'absent.jsonl')})).rejects.toThrow(/absent\.jsonl: cannot read dataset \(no such file\)$/);
    const corrupt = writeDataset(Buffer.concat([gzipSync(row()).subarray(0, 12)]), '.jsonl.gz');
    await expect(loadHumanEval({dataset: corrupt})).rejects.toThrow(/corrupt gzip data/);
  });
});

describe('reference datasets', () => {
  const shared = sharedDataset('humaneval');

  it.skipIf(!shared)('HumanEval.jsonl.gz: 164 problems, hash as in PROVENANCE.md', async () => {
    const bench = await loadHumanEval({dataset: path.join(shared!, 'human-eval', 'HumanEval.jsonl.gz')});
    expect(bench.problems).toHaveLength(164);
    expect(bench.problems[0]!.id).toBe('HumanEval/0');
    expect(bench.problems[163]!.id).toBe('HumanEval/163');
    expect(bench.datasetHash).toBe('b796127e635a67f93fb35c04f4cb03cf06f38c8072ee7cee8833d7bee06979ef');
    expect(bench.problems.every((problem) => problem.prompt.endsWith('\n'))).toBe(true);
  });

  it('python-mini: our own suite loads, and every demo sample names one of its problems', async () => {
    const bench = await loadHumanEval({dataset: path.join(projectRoot, 'datasets', 'python-mini', 'problems.jsonl')});
    expect(bench.problems.length).toBeGreaterThanOrEqual(12);
    expect(bench.problems.length).toBeLessThanOrEqual(15);
    const ids = new Set(bench.problems.map((problem) => problem.id));
    const samples = readFileSync(path.join(projectRoot, 'datasets', 'demo', 'python-samples.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as {task_id: string; completion: string});
    expect(samples.every((sample) => ids.has(sample.task_id) && typeof sample.completion === 'string')).toBe(true);
    expect(new Set(samples.map((sample) => sample.task_id))).toEqual(ids);
  });
});
