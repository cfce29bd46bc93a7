/**
 * `passk datagen itertl` end to end through the built CLI, against the local fake endpoint (answers
 * improve with the served model's name), with real sandboxed judging:
 * - three rounds with a fake train command writing an adapter folder, vLLM-style LoRA hot-loading and
 *   a passk eval run per round: the manifests, every verdict on every sample against the fake model's
 *   known answers, the exports parsed back against each trainer's documented shape, the hooks' inputs,
 *   per-round kept counts and eval pass@1;
 * - killed (SIGKILL) while sampling, judging, training, serving and evaluating, and stopped by a failing
 *   train hook (exit 2, a clear message), a run resumes to exactly the data an uninterrupted run of the
 *   same spec makes: no sample, verdict or exported row lost or made twice.
 * One file, so the CLI is built once.
 */
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {execa, type ResultPromise} from 'execa';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {z} from 'zod';
import {sampleSeed} from '../src/train/itertl/loop.js';
import {projectRoot} from './helpers/datasets.js';
import {startFakeOpenAI, type FakeOpenAI, type RecordedRequest} from './helpers/fake-openai.js';
import {allSeeds, answerKind, expectedDrop, expectedEvalPass1, isEvalRequest, pythonSeeds, respond, seedsJsonl, target} from './helpers/itertl-fixture.js';

const cli = path.join(projectRoot, 'bin', 'run.js');
let work: string;
let fake: FakeOpenAI;
/** Called on every completion request the fake endpoint answers: tests kill passk from here at chosen moments. */
let onRequest: (request: RecordedRequest) => void = () => {};
/** Eval runs on the suite's first problems: i % 4 decides the answer, so pass@1 rises 1/4, 2/4, 3/4, 1. */
const evalProblems = ['PythonMini/0', 'PythonMini/1', 'PythonMini/2', 'PythonMini/3'];

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'passk-itertl-'));
  fake = await startFakeOpenAI({
    respond: (request) => {
      onRequest(request);
      return respond(request);
    },
    models: ['base'],
  });
}, 300_000);

afterAll(async () => {
  await fake?.close();
});

function jsonlRows(file: string): Array<Record<string, any>> {
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, any>);
}

const K = 3;
const ROUNDS = 3;

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

function writeE2ESpec(): string {
  const dir = path.join(work, 'e2e');
  mkdirSync(dir, {recursive: true});
  writeFileSync(path.join(dir, 'seeds.jsonl'), seedsJsonl(allSeeds));
  // The fake trainer: copies its dataset into the adapter folder, notes what it started from, writes the adapter config.
  writeFileSync(path.join(dir, 'train.sh'), 'set -e\nmkdir -p "$2"\ncp "$1" "$2/train.jsonl"\nprintf %s "$3" > "$2/prev"\necho training on "$1"\necho \'{"r": 8}\' > "$2/adapter_config.json"\n');
  const file = path.join(dir, 'itertl.yaml');
  writeFileSync(
    file,
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
train: {command: "sh ${path.join(dir, 'train.sh')} {dataset} {out} {prev}", format: trl-messages, base: base-weights}
serve: {vllm: {}}
eval: {bench: humaneval, problems: [${evalProblems.join(', ')}]}
sandbox: {backend: bwrap, exec_concurrency: 2}
`,
  );
  return file;
}

describe('passk datagen itertl', () => {
  it('three rounds: every verdict on every sample, kept counts, exports in each trainer\'s shape, hooks, eval pass@1 rising with the served model', async () => {
    const spec = writeE2ESpec();
    const result = await execa('node', [cli, 'datagen', 'itertl', '--spec', spec, '--db', path.join(work, 'e2e.db'), '--json'], {reject: false, env: {CI: '1'}});
    expect(result.exitCode, result.stderr).toBe(0);
    const out = path.join(work, 'e2e', 'out');
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
      const pass1 = expectedEvalPass1(`loop-r${round}`, evalProblems.length);
      expect(manifest.eval.passAtK['1']).toBeCloseTo(pass1, 10);
      expect(run.curves[round - 1].eval_pass_at_k['1']).toBeCloseTo(pass1, 10);
    }
    const evalCurve = run.curves.map((c: {eval_pass_at_k: Record<string, number>}) => c.eval_pass_at_k['1']);
    for (let i = 1; i < evalCurve.length; i++) expect(evalCurve[i]).toBeGreaterThan(evalCurve[i - 1]);

    // Status shows the same curves.
    const status = await execa('node', [cli, 'datagen', 'status', '--spec', spec, '--json'], {reject: false});
    expect(status.exitCode, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout).rounds.map((r: {curve: unknown}) => r.curve)).toEqual(run.curves);
  }, 240_000);
});

// Python only: the Verilog filters are the e2e test's; here what matters is where the run stops.
const resumeSeeds = pythonSeeds;
const resumeK = 2;

function writeResumeSpec(name: string, markers: string): string {
  mkdirSync(markers, {recursive: true});
  writeFileSync(path.join(work, 'resume-seeds.jsonl'), seedsJsonl(resumeSeeds));
  // Hooks that hang while a marker file exists or fail while another does, and record their pid so a
  // test can end the one it orphaned by killing passk.
  writeFileSync(
    path.join(work, 'train.sh'),
    `set -e\necho $$ > "$4/hook.pid"\necho "training started"\nwhile [ -f "$4/slow-train" ]; do sleep 0.05; done\nif [ -f "$4/broken-train" ]; then echo "CUDA out of memory" >&2; exit 1; fi\nmkdir -p "$2"\ncp "$1" "$2/train.jsonl"\necho '{}' > "$2/adapter_config.json"\n`,
  );
  writeFileSync(path.join(work, 'serve.sh'), `echo $$ > "$3/hook.pid"\necho "serving $1 from $2"\nwhile [ -f "$3/slow-serve" ]; do sleep 0.05; done\necho "$1" >> "$3/served.txt"\n`);
  const file = path.join(work, `${name}.yaml`);
  writeFileSync(
    file,
    `name: resume
out: ${name}
seeds: resume-seeds.jsonl
rounds: 2
endpoint: {base_url: "${fake.url}", model: base, max_retries: 0, concurrency: 2}
sampling: {k: ${resumeK}}
exports: [trl-messages, trl-dpo, llamafactory-alpaca, rtlcoder-ranking]
train: {command: "sh ${path.join(work, 'train.sh')} {dataset} {out} {prev} ${markers}", format: trl-messages, base: base-weights, accumulate: true}
serve: {command: "sh ${path.join(work, 'serve.sh')} {model} {adapter} ${markers}"}
eval: {bench: humaneval, problems: [${evalProblems.join(', ')}]}
sandbox: {backend: bwrap, exec_concurrency: 2}
`,
  );
  return file;
}

function passk(spec: string, db: string): ResultPromise<{reject: false; env: {CI: string}}> {
  return execa('node', [cli, 'datagen', 'itertl', '--spec', spec, '--db', db], {reject: false, env: {CI: '1'}});
}

const lines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);
const manifestState = (dir: string) => JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')).state as string;

async function waitFor(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** Runs passk until `trigger` says to kill it (polled, or called from the fake endpoint), then SIGKILLs it. */
async function killedRun(spec: string, db: string, trigger: {poll?: () => boolean; request?: (request: RecordedRequest, count: number) => boolean}): Promise<void> {
  const child = passk(spec, db);
  let count = 0;
  onRequest = (request) => {
    if (trigger.request?.(request, ++count)) child.kill('SIGKILL');
  };
  if (trigger.poll) {
    const poll = trigger.poll;
    await Promise.race([waitFor(poll, 'the kill point'), child]);
    child.kill('SIGKILL');
  }
  const result = await child;
  onRequest = () => {};
  expect(result.signal, `passk should have been killed, but ended: ${result.stderr}`).toBe('SIGKILL');
}

/** Ends the hook a killed passk left behind (its pid, recorded by the hook itself). */
function endOrphanedHook(markers: string): void {
  const pid = Number(readFileSync(path.join(markers, 'hook.pid'), 'utf8'));
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

/** A round's data, in a form two runs can be compared by: records sorted by key, cache flags left out. */
function roundData(out: string, round: number): Record<string, unknown> {
  const dir = path.join(out, `round-${round}`);
  const sorted = (file: string) =>
    lines(path.join(dir, file))
      .map((line) => JSON.parse(line) as {key: string; cached?: boolean})
      .map(({cached: _cached, ...rest}) => rest)
      .sort((a, b) => a.key.localeCompare(b.key));
  const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  return {
    samples: sorted('samples.jsonl'),
    verdicts: sorted('verdicts.jsonl'),
    exports: ['rows.jsonl', 'pairs.jsonl', 'ranking.jsonl', 'dataset.trl-messages.jsonl', 'dataset.trl-dpo.jsonl', 'dataset.llamafactory-alpaca.jsonl', 'dataset.rtlcoder-ranking.jsonl', 'dataset_info.json'].map((file) =>
      readFileSync(path.join(dir, file), 'utf8'),
    ),
    adapter: readFileSync(path.join(dir, 'adapter', 'train.jsonl'), 'utf8'),
    manifest: {state: manifest.state, model: manifest.model, counts: manifest.counts, exports: manifest.exports, serve: manifest.serve?.model, eval: manifest.eval.passAtK, curve: manifest.curve},
  };
}

describe('passk datagen itertl, interrupted', () => {
  it('SIGKILL while sampling, judging, training, serving and evaluating, and a failing train hook: resumes to the data of an uninterrupted run', async () => {
    const markers = path.join(work, 'markers-killed');
    const spec = writeResumeSpec('killed', markers);
    const db = path.join(work, 'killed.db');
    const round1 = path.join(work, 'killed', 'round-1');
    const total = resumeSeeds.length * resumeK;

    // Sampling: killed at the 3rd request.
    await killedRun(spec, db, {request: (request, count) => !isEvalRequest(request) && count >= 3});
    expect(manifestState(round1)).toBe('started');
    expect(lines(path.join(round1, 'samples.jsonl')).length).toBeLessThan(total);

    // Judging: killed once a verdict or two are stored.
    await killedRun(spec, db, {poll: () => lines(path.join(round1, 'verdicts.jsonl')).length >= 2});
    expect(manifestState(round1)).toBe('sampled');
    expect(lines(path.join(round1, 'samples.jsonl'))).toHaveLength(total);
    expect(lines(path.join(round1, 'verdicts.jsonl')).length).toBeLessThan(total);

    // The train hook: killed while it runs.
    writeFileSync(path.join(markers, 'slow-train'), '');
    await killedRun(spec, db, {poll: () => existsSync(path.join(round1, 'train.log')) && readFileSync(path.join(round1, 'train.log'), 'utf8').includes('training started')});
    endOrphanedHook(markers);
    rmSync(path.join(markers, 'slow-train'));
    expect(manifestState(round1)).toBe('exported');

    // The serve hook.
    writeFileSync(path.join(markers, 'slow-serve'), '');
    await killedRun(spec, db, {poll: () => existsSync(path.join(round1, 'serve.log')) && readFileSync(path.join(round1, 'serve.log'), 'utf8').includes('serving')});
    endOrphanedHook(markers);
    rmSync(path.join(markers, 'slow-serve'));
    expect(manifestState(round1)).toBe('trained');

    // The eval run; then, in round 2, the train hook fails.
    await killedRun(spec, db, {request: (request, count) => isEvalRequest(request) && count >= 2});
    expect(manifestState(round1)).toBe('served');
    writeFileSync(path.join(markers, 'broken-train'), '');
    const failed = await passk(spec, db);
    expect(failed.exitCode).toBe(2);
    const log = path.join(work, 'killed', 'round-2', 'train.log');
    expect(failed.stderr.trim().split('\n').at(-1)).toBe(`passk: train hook exited with 1 (see ${log}); fix it and run the same command again to resume`);
    expect(readFileSync(log, 'utf8')).toContain('CUDA out of memory');
    expect(manifestState(round1)).toBe('evaluated');
    expect(manifestState(path.join(work, 'killed', 'round-2'))).toBe('exported');

    // Fixed: the same command finishes, asking the model nothing it was asked before.
    rmSync(path.join(markers, 'broken-train'));
    const asked = fake.requests.length;
    const finished = await passk(spec, db);
    expect(finished.exitCode, finished.stderr).toBe(0);
    expect(fake.requests.slice(asked).filter((r) => r.path === '/v1/chat/completions' && !isEvalRequest(r))).toEqual([]);

    const reference = await passk(writeResumeSpec('uninterrupted', path.join(work, 'markers-uninterrupted')), path.join(work, 'uninterrupted.db'));
    expect(reference.exitCode, reference.stderr).toBe(0);
    for (const round of [1, 2]) {
      const killed = roundData(path.join(work, 'killed'), round);
      expect((killed.samples as unknown[]).length).toBe(total);
      expect(lines(path.join(work, 'killed', `round-${round}`, 'samples.jsonl'))).toHaveLength(total);
      expect(lines(path.join(work, 'killed', `round-${round}`, 'verdicts.jsonl'))).toHaveLength(total);
      expect(killed).toEqual(roundData(path.join(work, 'uninterrupted'), round));
    }
    expect(lines(path.join(markers, 'served.txt'))).toEqual(['resume-r1', 'resume-r2']);
    // accumulate: round 2 trained on round 1's rows and its own.
    const exported = (round: number) => readFileSync(path.join(work, 'killed', `round-${round}`, 'dataset.trl-messages.jsonl'), 'utf8');
    expect(readFileSync(path.join(work, 'killed', 'round-2', 'adapter', 'train.jsonl'), 'utf8')).toBe(exported(1) + exported(2));
    expect(readFileSync(path.join(work, 'killed', 'round-1', 'adapter', 'train.jsonl'), 'utf8')).toBe(exported(1));
  }, 300_000);
});
