/**
 * `passk datagen itertl` end to end through the built CLI: three rounds against the local fake
 * endpoint (answers improve with the served model's name), a fake train command writing an adapter
 * folder, vLLM-style LoRA hot-loading, and a passk eval run per round. Checks the manifests, every
 * verdict on every sample against the fake model's known answers, the exports parsed back against
 * each trainer's documented shape, the hooks' inputs, per-round kept counts and eval pass@1.
 */
import {chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {execa} from 'execa';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {z} from 'zod';
import {sampleSeed} from '../src/train/itertl/loop.js';
import {projectRoot} from './helpers/datasets.js';
import {startFakeOpenAI, type FakeOpenAI} from './helpers/fake-openai.js';
import {allSeeds, answerKind, expectedDrop, expectedEvalPass1, isEvalRequest, respond, seedsJsonl, target} from './helpers/itertl-fixture.js';

const cli = path.join(projectRoot, 'bin', 'run.js');
const K = 4;
const ROUNDS = 3;
let work: string;
let fake: FakeOpenAI;

function jsonlRows(file: string): Array<Record<string, any>> {
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, any>);
}

const message = z.strictObject({role: z.enum(['system', 'user', 'assistant']), content: z.string()});
/** Each trainer's documented row shape (see src/train/itertl/exports.ts for the sources). */
const shapes = {
  'trl-messages': z.strictObject({messages: z.array(message).min(2)}),
  'trl-prompt-completion': z.strictObject({prompt: z.string(), completion: z.string()}),
  'trl-dpo': z.strictObject({prompt: z.string(), chosen: z.string(), rejected: z.string()}),
  'axolotl-chat-template': z.strictObject({messages: z.array(message).min(2)}),
  'axolotl-input-output': z.strictObject({segments: z.tuple([z.strictObject({label: z.literal(false), text: z.string()}), z.strictObject({label: z.literal(true), text: z.string()})])}),
  'llamafactory-alpaca': z.strictObject({instruction: z.string(), input: z.string(), output: z.string(), system: z.string().optional()}),
  'llamafactory-sharegpt': z.strictObject({conversations: z.tuple([z.strictObject({from: z.literal('human'), value: z.string()}), z.strictObject({from: z.literal('gpt'), value: z.string()})]), system: z.string().optional()}),
  'llamafactory-ranking': z.strictObject({instruction: z.string(), input: z.string(), chosen: z.string(), rejected: z.string()}),
  'rtlcoder-ranking': z.strictObject({Instruction: z.string(), Input: z.string(), Response: z.array(z.string()).min(2), Score: z.array(z.number().min(0).max(1)).min(2)}),
  openai: z.strictObject({messages: z.array(message).min(2)}),
} as const;

beforeAll(async () => {
  await execa('npx', ['tsc', '-p', 'tsconfig.build.json'], {cwd: projectRoot});
  work = mkdtempSync(path.join(os.tmpdir(), 'passk-itertl-'));
  fake = await startFakeOpenAI({respond: (request) => respond(request), models: ['base']});
  writeFileSync(path.join(work, 'seeds.jsonl'), seedsJsonl(allSeeds));
  // The fake trainer: copies its dataset into the adapter folder, notes what it started from, writes the adapter config.
  writeFileSync(path.join(work, 'train.sh'), 'set -e\nmkdir -p "$2"\ncp "$1" "$2/train.jsonl"\nprintf %s "$3" > "$2/prev"\necho training on "$1"\necho \'{"r": 8}\' > "$2/adapter_config.json"\n');
  chmodSync(path.join(work, 'train.sh'), 0o755);
  writeFileSync(
    path.join(work, 'itertl.yaml'),
    `$schema: ${path.join(projectRoot, 'schema', 'passk.itertl.schema.json')}
name: loop
out: out
seeds: seeds.jsonl
rounds: ${ROUNDS}
endpoint: {base_url: "${fake.url}", model: base, max_retries: 0}
system: You write correct, self-contained code.
sampling: {k: ${K}, temperature: 0.8, top_p: 0.95, max_tokens: 512}
decontaminate: {benches: [{bench: humaneval}], n: 8, threshold: 0.3}
selection: {policy: all}
train: {command: "sh ${path.join(work, 'train.sh')} {dataset} {out} {prev}", format: trl-messages, base: base-weights}
serve: {vllm: {}}
eval: {bench: humaneval, samples: 1, k: [1]}
sandbox: {backend: bwrap, exec_concurrency: 2}
`,
  );
}, 300_000);

afterAll(async () => {
  await fake?.close();
});

describe('passk datagen itertl', () => {
  it('three rounds: every verdict on every sample, kept counts, exports in each trainer\'s shape, hooks, eval pass@1 rising with the served model', async () => {
    const db = path.join(work, 'passk.db');
    const result = await execa('node', [cli, 'datagen', 'itertl', '--spec', path.join(work, 'itertl.yaml'), '--db', db, '--json'], {reject: false, env: {CI: '1'}});
    expect(result.exitCode, result.stderr).toBe(0);
    const out = path.join(work, 'out');
    const run = JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8'));
    expect(run.curves).toHaveLength(ROUNDS);

    for (let round = 1; round <= ROUNDS; round++) {
      const dir = path.join(out, `round-${round}`);
      const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
      const model = round === 1 ? 'base' : `loop-r${round - 1}`;
      expect(manifest).toMatchObject({round, state: 'evaluated', model, serve: {model: `loop-r${round}`, how: 'vllm'}});
      expect(manifest.inputs.seeds_sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(Object.keys(manifest.inputs.decontamination)).toEqual(['humaneval/base']);
      expect(manifest.tools.iverilog).toMatch(/Icarus Verilog/);
      expect(fake.adapters.get(`loop-r${round}`)).toBe(path.join(dir, 'adapter'));

      // Samples: one per (row, k), from the round's model, with seeds derived from (run, round, id, k).
      const samples = jsonlRows(path.join(dir, 'samples.jsonl'));
      expect(samples).toHaveLength(allSeeds.length * K);
      expect(new Set(samples.map((s) => s.key)).size).toBe(samples.length);
      for (const sample of samples) {
        expect(sample.seed).toBe(sampleSeed('loop', round, sample.source_id, sample.sample_idx));
        expect(sample.model).toBe(model);
      }

      // Verdicts: all seven filters on every sample; the first failing one is the one the answer's kind predicts.
      const verdicts = new Map(jsonlRows(path.join(dir, 'verdicts.jsonl')).map((v) => [v.key, v]));
      expect(verdicts.size).toBe(samples.length);
      let kept = 0;
      const dropped: Record<string, number> = {};
      for (const sample of samples) {
        const row = allSeeds.find((s) => s.id === sample.source_id)!;
        const verdict = verdicts.get(sample.key)!;
        expect(Object.keys(verdict.verdicts).sort()).toEqual(['compile', 'decontaminate', 'extract', 'self_contained', 'similarity', 'simulate', 'tests']);
        const drop = expectedDrop(row, answerKind(model, sample.seed));
        expect(verdict.dropped_by, `${sample.key}: ${JSON.stringify(verdict.verdicts)}`).toBe(drop);
        expect(verdict.kept).toBe(drop === undefined);
        if (drop === undefined) {
          kept++;
          expect(verdict.code).toBe(target(row));
          expect(verdict.scores).toEqual({rouge_l: 1, edit_distance: 0, edit_similarity: 1});
        } else dropped[drop] = (dropped[drop] ?? 0) + 1;
        // Rows without a testbench or tests skip those filters, recorded as such.
        if (row.lang === 'python') expect(verdict.verdicts.simulate).toEqual({pass: true, skipped: true});
        else expect(verdict.verdicts.tests).toEqual({pass: true, skipped: true});
      }
      expect(manifest.counts.samples).toBe(samples.length);
      expect(manifest.counts.kept).toBe(kept);
      for (const [name, counts] of Object.entries(manifest.counts.by_filter) as Array<[string, {dropped: number}]>) expect(counts.dropped, name).toBe(dropped[name] ?? 0);
      expect(manifest.curve).toMatchObject({round, samples: samples.length, kept, kept_fraction: Math.round((kept / samples.length) * 1e4) / 1e4});
      expect(manifest.counts.references).toEqual(Object.fromEntries(allSeeds.map((s) => [s.id, 'passed'])));

      // Exports: every format parses back in its trainer's shape, with the rows the selection made.
      for (const [format, shape] of Object.entries(shapes)) {
        const rows = jsonlRows(path.join(dir, `dataset.${format}.jsonl`));
        for (const row of rows) shape.parse(row);
        expect(manifest.exports[format].rows, format).toBe(rows.length);
      }
      const messages = jsonlRows(path.join(dir, 'dataset.trl-messages.jsonl'));
      expect(messages).toHaveLength(kept);
      for (const {messages: [system, user, assistant]} of messages) {
        expect(system).toEqual({role: 'system', content: 'You write correct, self-contained code.'});
        const row = allSeeds.find((s) => s.instruction === user.content)!;
        expect(assistant).toEqual({role: 'assistant', content: target(row)});
      }
      for (const pair of jsonlRows(path.join(dir, 'dataset.trl-dpo.jsonl'))) {
        const row = allSeeds.find((s) => s.instruction === pair.prompt)!;
        expect(pair.chosen).toBe(target(row));
        expect(pair.rejected).not.toBe(pair.chosen);
      }
      for (const group of jsonlRows(path.join(dir, 'dataset.rtlcoder-ranking.jsonl'))) {
        const row = allSeeds.find((s) => s.instruction === group.Instruction)!;
        expect(group.Response.at(-1)).toBe(target(row));
        expect(group.Score.at(-1)).toBe(1);
        expect(group.Response).toHaveLength(group.Score.length);
      }
      const info = JSON.parse(readFileSync(path.join(dir, 'dataset_info.json'), 'utf8'));
      expect(info.loop_alpaca).toEqual({file_name: 'dataset.llamafactory-alpaca.jsonl', formatting: 'alpaca', columns: {prompt: 'instruction', query: 'input', response: 'output', system: 'system'}});
      expect(info.loop_sharegpt).toMatchObject({file_name: 'dataset.llamafactory-sharegpt.jsonl', formatting: 'sharegpt', tags: {role_tag: 'from', content_tag: 'value', user_tag: 'human', assistant_tag: 'gpt'}});
      expect(info.loop_ranking).toMatchObject({file_name: 'dataset.llamafactory-ranking.jsonl', ranking: true});
      for (const entry of Object.values(info) as Array<{file_name: string}>) expect(existsSync(path.join(dir, entry.file_name))).toBe(true);

      // The train hook got this round's dataset and started from the previous round's adapter.
      expect(readFileSync(path.join(dir, 'adapter', 'train.jsonl'), 'utf8')).toBe(readFileSync(path.join(dir, 'dataset.trl-messages.jsonl'), 'utf8'));
      expect(readFileSync(path.join(dir, 'adapter', 'prev'), 'utf8')).toBe(round === 1 ? 'base-weights' : path.join(out, `round-${round - 1}`, 'adapter'));
      expect(readFileSync(path.join(dir, 'train.log'), 'utf8')).toContain('training on');

      // Eval: the served model on the embedded HumanEval-style suite.
      const pass1 = expectedEvalPass1(`loop-r${round}`);
      expect(manifest.eval.passAtK['1']).toBeCloseTo(pass1, 10);
      expect(run.curves[round - 1].eval_pass_at_k['1']).toBeCloseTo(pass1, 10);
    }
    const evalCurve = run.curves.map((c: {eval_pass_at_k: Record<string, number>}) => c.eval_pass_at_k['1']);
    for (let i = 1; i < evalCurve.length; i++) expect(evalCurve[i]).toBeGreaterThan(evalCurve[i - 1]);

    // Status shows the same curves; running again asks the model nothing (every round is done).
    const status = await execa('node', [cli, 'datagen', 'status', '--spec', path.join(work, 'itertl.yaml'), '--json'], {reject: false});
    expect(status.exitCode, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout).rounds.map((r: {curve: unknown}) => r.curve)).toEqual(run.curves);
    const asked = fake.requests.filter((r) => r.method === 'POST').length;
    const again = await execa('node', [cli, 'datagen', 'itertl', '--spec', path.join(work, 'itertl.yaml'), '--db', db], {reject: false, env: {CI: '1'}});
    expect(again.exitCode, again.stderr).toBe(0);
    expect(fake.requests.filter((r) => r.method === 'POST').length).toBe(asked);
    expect(again.stdout).toContain('eval pass@1');
    expect(fake.requests.filter((r) => isEvalRequest(r)).length).toBeGreaterThan(0);
  }, 240_000);
});
