/**
 * The parts of `passk datagen itertl` that need no sandbox: the spec (file:line errors, the
 * published JSON Schema in sync), the seed set, similarity and decontamination measures, keyed
 * records surviving a write cut short, shell templates, and the selection policies.
 */
import {mkdirSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {beforeAll, describe, expect, it} from 'vitest';
import {UserError} from '../src/errors.js';
import {buildNgramIndex, overlap} from '../src/train/itertl/decontaminate.js';
import {appendRecord, readRecords} from '../src/train/itertl/files.js';
import {fillTemplate} from '../src/train/itertl/hooks.js';
import {runItertl, sampleSeed} from '../src/train/itertl/loop.js';
import type {Sandbox} from '../src/execute/sandbox.js';
import {Store} from '../src/store/store.js';
import {readSeeds} from '../src/train/itertl/seeds.js';
import {selectRows, type ScoredSample} from '../src/train/itertl/select.js';
import {editDistance, rougeL, similarity} from '../src/train/itertl/similarity.js';
import {itertlJsonSchema, itertlSpecSchema, loadItertlSpec, type ItertlSpec} from '../src/train/itertl/spec.js';
import {projectRoot} from './helpers/datasets.js';
import {contaminatedSeed, pythonMini, pythonSeeds, seedsJsonl} from './helpers/itertl-fixture.js';

let work: string;
beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'passk-itertl-units-'));
});

function file(name: string, text: string): string {
  const where = path.join(work, name);
  writeFileSync(where, text);
  return where;
}

function errorOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return (error as Error).message;
  }
  throw new Error('accepted');
}

const minimal = 'name: demo\nseeds: seeds.jsonl\nrounds: 2\nendpoint:\n  base_url: http://127.0.0.1:1/v1\n  model: base\nsampling:\n  k: 3\n';

describe('the spec', () => {
  it('fills defaults and resolves paths against the spec file', () => {
    const spec = loadItertlSpec(file('ok.yaml', minimal));
    expect(spec.seeds).toBe(path.join(work, 'seeds.jsonl'));
    expect(spec.out).toBe(path.join(work, '.passk', 'itertl', 'demo'));
    expect(spec.filters).toEqual(['extract', 'compile', 'self_contained', 'simulate', 'tests', 'similarity', 'decontaminate']);
    expect(spec.selection).toEqual({policy: 'all', k: 1, score: 'rouge_l'});
    expect(spec.sampling).toEqual({k: 3, temperature: 0.8, top_p: 0.95, max_tokens: 1024});
  });

  it.each([
    ['an unknown nested key, on its own line', `${minimal}  tempreature: 0.5\n`, 9, /sampling: unknown key "tempreature"/],
    ['a bad value', minimal.replace('k: 3', 'k: 0'), 8, /sampling\.k: .*>=\s*1/],
    ['a filter listed twice', `${minimal}filters: [extract, compile, extract]\n`, 9, /a filter is listed twice/],
    ['serve without train', `${minimal}serve: {vllm: {}}\n`, 9, /serve needs train/],
    ['a train format not exported', `${minimal}exports: [openai]\ntrain: {command: x, format: trl-dpo, base: b}\n`, 10, /train\.format must be one of the exports/],
    ['a key given twice', `${minimal}rounds: 3\n`, 9, /Map keys must be unique/],
  ])('%s: one file:line error', (_name, text, line, message) => {
    const where = file('bad.yaml', text);
    const error = errorOf(() => loadItertlSpec(where));
    expect(error).toMatch(new RegExp(`^${where.replaceAll('.', '\\.')}:${line}: `));
    expect(error).toMatch(message);
  });

  it('the example spec and its seed set are valid', () => {
    const spec = loadItertlSpec(path.join(projectRoot, 'examples', 'itertl', 'itertl.yaml'));
    expect(spec.train?.format).toBe('llamafactory-alpaca');
    expect(readSeeds(spec.seeds).rows.map((row) => row.lang)).toEqual(['verilog', 'python']);
  });

  it('the published JSON Schema is the one the zod schema generates (npx tsx scripts/config-schema.ts)', () => {
    const published = JSON.parse(readFileSync(path.join(projectRoot, 'schema', 'passk.itertl.schema.json'), 'utf8'));
    expect(published).toEqual(itertlJsonSchema());
  });
});

describe('the seed set', () => {
  it('reads rows and hashes the file; a bad row is one file:line error', () => {
    const seeds = readSeeds(file('seeds.jsonl', seedsJsonl(pythonSeeds)));
    expect(seeds.rows.map((r) => r.id)).toEqual(pythonSeeds.map((s) => s.id));
    expect(seeds.sha256).toMatch(/^[0-9a-f]{64}$/);
    const tests = file('tests.jsonl', `${JSON.stringify(pythonSeeds[0])}\n${JSON.stringify({...pythonSeeds[1], entry_point: undefined})}\n`);
    expect(errorOf(() => readSeeds(tests))).toMatch(/tests\.jsonl:2: tests: tests are for Python rows and need entry_point/);
    const dup = file('dup.jsonl', `${JSON.stringify(pythonSeeds[0])}\n${JSON.stringify(pythonSeeds[0])}\n`);
    expect(errorOf(() => readSeeds(dup))).toMatch(/dup\.jsonl:2: id py_add appears twice/);
    const tb = file('tb.jsonl', JSON.stringify({id: 'v', instruction: 'x', reference: 'module RefModule(); endmodule', lang: 'verilog', testbench: 'module tb; endmodule'}) + '\n');
    expect(errorOf(() => readSeeds(tb))).toMatch(/tb\.jsonl:1: testbench: .*Mismatches/);
  });
});

describe('similarity', () => {
  it('edit distance and ROUGE-L on known cases', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    // Tokens a b c d vs a c d e: LCS a c d = 3, P = R = 3/4.
    expect(rougeL('a b c d', 'a c d e')).toBeCloseTo(0.75, 10);
    expect(rougeL('x', 'y')).toBe(0);
    expect(similarity('abc', 'abc')).toEqual({rouge_l: 1, edit_distance: 0, edit_similarity: 1});
    expect(similarity('kitten', 'sitting').edit_distance).toBeCloseTo(3 / 7, 4);
  });
});

describe('decontamination', () => {
  it('a copied eval problem overlaps the embedded suite; an unrelated task does not; the bench hash is recorded', async () => {
    const index = await buildNgramIndex([{bench: 'humaneval'}], 8);
    expect(Object.keys(index.hashes)).toEqual(['humaneval/base']);
    const copied = overlap(index, `${contaminatedSeed.instruction}\n${contaminatedSeed.reference}`);
    expect(copied.overlap).toBeGreaterThan(0.8);
    expect(copied.bench).toBe('humaneval/base');
    const own = overlap(index, `${pythonSeeds[1]!.instruction}\n${pythonSeeds[1]!.reference}`);
    expect(own.overlap).toBe(0);
    // Half of a problem's prompt: about half its n-grams.
    const half = pythonMini[3]!.prompt.slice(0, Math.floor(pythonMini[3]!.prompt.length / 2));
    expect(overlap(index, half).overlap).toBeGreaterThan(0.5);
  });
});

describe('keyed records', () => {
  it('a last line cut short by a kill is dropped from the file, and the next append starts on its own line', () => {
    const where = path.join(work, 'records.jsonl');
    appendRecord(where, {key: 'a#0'});
    appendRecord(where, {key: 'a#1'});
    writeFileSync(where, readFileSync(where, 'utf8') + '{"key": "a#2", "respo');
    expect([...readRecords(where).keys()]).toEqual(['a#0', 'a#1']);
    appendRecord(where, {key: 'a#2'});
    expect(readFileSync(where, 'utf8')).toBe('{"key":"a#0"}\n{"key":"a#1"}\n{"key":"a#2"}\n');
    expect([...readRecords(where).keys()]).toEqual(['a#0', 'a#1', 'a#2']);
  });
});

describe('hooks and seeds', () => {
  it('templates shell-quote every value; an unknown placeholder is refused', () => {
    expect(fillTemplate('train --data {dataset} --out {out}', {dataset: "it's here/d.jsonl", out: '/tmp/a b'}, 'train.command')).toBe(`train --data 'it'\\''s here/d.jsonl' --out '/tmp/a b'`);
    expect(errorOf(() => fillTemplate('x {adaptor}', {adapter: 'a'}, 'serve.command'))).toBe('serve.command: unknown placeholder {adaptor} (known: {adapter})');
  });

  it('sample seeds depend on run, round, row and k', () => {
    const seeds = new Set([sampleSeed('a', 1, 'x', 0), sampleSeed('b', 1, 'x', 0), sampleSeed('a', 2, 'x', 0), sampleSeed('a', 1, 'y', 0), sampleSeed('a', 1, 'x', 1)]);
    expect(seeds.size).toBe(5);
    expect(sampleSeed('a', 1, 'x', 0)).toBe(sampleSeed('a', 1, 'x', 0));
  });
});

describe('selection', () => {
  const row = {...pythonSeeds[0]!};
  const spec = (selection: Partial<ItertlSpec['selection']>) => itertlSpecSchema.parse({name: 'sel', seeds: 's', rounds: 1, endpoint: {base_url: 'http://x/v1', model: 'm'}, sampling: {k: 4}, selection: {policy: 'all', ...selection}}) as ItertlSpec;
  const sample = (idx: number, kept: boolean, rouge: number): ScoredSample => ({
    source_id: row.id,
    sample_idx: idx,
    seed: idx,
    model: 'm',
    code: `def add(a, b):\n    return a + b  # ${idx}\n`,
    extraction_path: 'fence-entry-point',
    verdicts: {extract: {pass: true}, tests: kept ? {pass: true} : {pass: false, detail: 'failed: AssertionError'}},
    scores: {rouge_l: rouge, edit_distance: 1 - rouge, edit_similarity: rouge},
    kept,
    ...(kept ? {} : {dropped_by: 'tests' as const}),
  });
  const samples = [sample(0, true, 0.5), sample(1, false, 0.9), sample(2, true, 0.8), sample(3, true, 0.7)];

  it('all, best_of_k, top_k by score; provenance on every row', () => {
    const rows = (policy: 'all' | 'best_of_k' | 'top_k', k = 1) => selectRows(spec({policy, k}), 2, [row], samples).rows.map((r) => r.sample_idx);
    expect(rows('all')).toEqual([0, 2, 3]);
    expect(rows('best_of_k')).toEqual([2]);
    expect(rows('top_k', 2)).toEqual([2, 3]);
    const [first] = selectRows(spec({policy: 'best_of_k'}), 2, [row], samples).rows;
    expect(first).toMatchObject({id: 'sel/r2/py_add/2', round: 2, source_id: 'py_add', sample_idx: 2, seed: 2, gen: {model: 'm', temperature: 0.8, top_p: 0.95, seed: 2}});
  });

  it('pairs: the best kept sample against rejected ones, or the reference when none was kept; ranking groups end with the reference at 1', () => {
    const selection = selectRows(spec({policy: 'pairs', k: 2}), 1, [row], samples);
    expect(selection.pairs.map((p) => [p.chosen.sample_idx, p.rejected.sample_idx])).toEqual([[2, 1]]);
    expect(selection.groups[0]!.scores).toEqual([0.8, 0.7, 0.5, 1]);
    expect(selection.groups[0]!.responses.at(-1)).toBe(row.reference);
    const none = selectRows(spec({policy: 'pairs'}), 1, [row], [sample(0, false, 0.1)]);
    expect(none.pairs.map((p) => [p.chosen.sample_idx, p.chosen.completion, p.rejected.sample_idx])).toEqual([[-1, row.reference, 0]]);
    expect(none.rows).toEqual([]);
    expect(none.groups).toEqual([]);
  });
});

describe('the run folder', () => {
  /** Both refusals come before any sandbox or endpoint is used. */
  const unused = {} as Sandbox;

  async function refusal(out: string, setup: () => void): Promise<string> {
    writeFileSync(path.join(work, 'seeds.jsonl'), seedsJsonl(pythonSeeds));
    const spec = loadItertlSpec(file('run.yaml', `${minimal}out: ${out}\n`));
    mkdirSync(spec.out!, {recursive: true});
    setup();
    const store = new Store(':memory:');
    try {
      await runItertl({spec, store, sandbox: unused, passkVersion: 'test'});
    } catch (error) {
      expect(error).toBeInstanceOf(UserError);
      return (error as Error).message;
    } finally {
      store.close();
    }
    throw new Error('accepted');
  }

  it('refuses to resume rounds made with another spec', async () => {
    const out = path.join(work, 'other-spec');
    const message = await refusal(out, () => writeFileSync(path.join(out, 'run.json'), JSON.stringify({name: 'demo', spec_sha256: 'f'.repeat(64), seeds_sha256: '', created_at: '', curves: []})));
    expect(message).toMatch(/holds rounds made with another seed set, endpoint model, sampling, filters, selection or exports/);
  });

  it('refuses a folder another live process is running', async () => {
    const out = path.join(work, 'locked');
    const message = await refusal(out, () => writeFileSync(path.join(out, 'lock'), String(process.ppid)));
    expect(message).toBe(`${out} is being run by process ${process.ppid}; wait for it or stop it first`);
  });
});
