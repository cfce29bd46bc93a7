/**
 * `passk datagen itertl` killed (SIGKILL) in each long stage of a round (sampling, judging, the train
 * hook, the serve hook, the eval run) resumes to exactly the data an uninterrupted run of the same
 * spec makes: no sample, verdict or exported row lost or made twice. A failing train hook stops the
 * loop with exit 2 and a clear message, and the run resumes once it is fixed.
 */
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {execa, type ResultPromise} from 'execa';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {projectRoot} from './helpers/datasets.js';
import {startFakeOpenAI, type FakeOpenAI, type RecordedRequest} from './helpers/fake-openai.js';
import {isEvalRequest, pythonSeeds, respond, seedsJsonl, verilogSeeds} from './helpers/itertl-fixture.js';

const cli = path.join(projectRoot, 'bin', 'run.js');
const seeds = [...pythonSeeds, verilogSeeds[0]!];
const K = 3;
let work: string;
let fake: FakeOpenAI;
/** Called on every request the fake endpoint answers: the tests kill passk from here at chosen moments. */
let onRequest: (request: RecordedRequest) => void = () => {};

beforeAll(async () => {
  await execa('npx', ['tsc', '-p', 'tsconfig.build.json'], {cwd: projectRoot});
  work = mkdtempSync(path.join(os.tmpdir(), 'passk-itertl-resume-'));
  fake = await startFakeOpenAI({
    respond: (request) => {
      onRequest(request);
      return respond(request, seeds);
    },
    models: ['base'],
  });
  writeFileSync(path.join(work, 'seeds.jsonl'), seedsJsonl(seeds));
  // Hooks that can be made to hang (while a marker file exists) or fail, and that record their pid so a
  // test can end the one it orphaned by killing passk.
  writeFileSync(
    path.join(work, 'train.sh'),
    `set -e\necho $$ > "$4/hook.pid"\necho "training started"\nwhile [ -f "$4/slow-train" ]; do sleep 0.05; done\nif [ -f "$4/broken-train" ]; then echo "CUDA out of memory" >&2; exit 1; fi\nmkdir -p "$2"\ncp "$1" "$2/train.jsonl"\necho '{}' > "$2/adapter_config.json"\n`,
  );
  writeFileSync(path.join(work, 'serve.sh'), `echo $$ > "$3/hook.pid"\necho "serving $1 from $2"\nwhile [ -f "$3/slow-serve" ]; do sleep 0.05; done\necho "$1" >> "$3/served.txt"\n`);
}, 300_000);

afterAll(async () => {
  await fake?.close();
});

function writeSpec(name: string, markers: string): string {
  mkdirSync(markers, {recursive: true});
  const file = path.join(work, `${name}.yaml`);
  writeFileSync(
    file,
    `name: resume
out: ${name}
seeds: seeds.jsonl
rounds: 2
endpoint: {base_url: "${fake.url}", model: base, max_retries: 0, concurrency: 2}
sampling: {k: ${K}}
exports: [trl-messages, trl-dpo, llamafactory-alpaca, rtlcoder-ranking]
train: {command: "sh ${path.join(work, 'train.sh')} {dataset} {out} {prev} ${markers}", format: trl-messages, base: base-weights}
serve: {command: "sh ${path.join(work, 'serve.sh')} {model} {adapter} ${markers}"}
eval: {bench: humaneval, problems: [PythonMini/0, PythonMini/1, PythonMini/2, PythonMini/3]}
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
  it('SIGKILL while sampling, judging, training, serving and evaluating: resumes to the data of an uninterrupted run', async () => {
    const markers = path.join(work, 'markers-killed');
    const spec = writeSpec('killed', markers);
    const db = path.join(work, 'killed.db');
    const round1 = path.join(work, 'killed', 'round-1');
    const total = seeds.length * K;

    // Sampling: killed at the 5th request.
    await killedRun(spec, db, {request: (request, count) => !isEvalRequest(request, seeds) && count >= 5});
    expect(manifestState(round1)).toBe('started');
    expect(lines(path.join(round1, 'samples.jsonl')).length).toBeLessThan(total);

    // Judging: killed once a few verdicts are stored.
    await killedRun(spec, db, {poll: () => lines(path.join(round1, 'verdicts.jsonl')).length >= 3});
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

    // The eval run.
    await killedRun(spec, db, {request: (request, count) => isEvalRequest(request, seeds) && count >= 2});
    expect(manifestState(round1)).toBe('served');

    const finished = await passk(spec, db);
    expect(finished.exitCode, finished.stderr).toBe(0);

    const reference = await passk(writeSpec('uninterrupted', path.join(work, 'markers-uninterrupted')), path.join(work, 'uninterrupted.db'));
    expect(reference.exitCode, reference.stderr).toBe(0);
    for (const round of [1, 2]) {
      const killed = roundData(path.join(work, 'killed'), round);
      expect((killed.samples as unknown[]).length).toBe(total);
      expect(lines(path.join(work, 'killed', `round-${round}`, 'samples.jsonl'))).toHaveLength(total);
      expect(lines(path.join(work, 'killed', `round-${round}`, 'verdicts.jsonl'))).toHaveLength(total);
      expect(killed).toEqual(roundData(path.join(work, 'uninterrupted'), round));
    }
    expect(lines(path.join(markers, 'served.txt'))).toEqual(['resume-r1', 'resume-r2']);
  }, 240_000);

  it('a failing train hook stops the loop with exit 2 and a clear message; the same command resumes once it is fixed', async () => {
    const markers = path.join(work, 'markers-broken');
    const spec = writeSpec('broken', markers);
    const db = path.join(work, 'broken.db');
    writeFileSync(path.join(markers, 'broken-train'), '');
    const failed = await passk(spec, db);
    expect(failed.exitCode).toBe(2);
    const log = path.join(work, 'broken', 'round-1', 'train.log');
    expect(failed.stderr.trim().split('\n').at(-1)).toBe(`passk: train hook exited with 1 (see ${log}); fix it and run the same command again to resume`);
    expect(readFileSync(log, 'utf8')).toContain('CUDA out of memory');
    expect(manifestState(path.join(work, 'broken', 'round-1'))).toBe('exported');
    const asked = fake.requests.length;

    rmSync(path.join(markers, 'broken-train'));
    const fixed = await passk(spec, db);
    expect(fixed.exitCode, fixed.stderr).toBe(0);
    expect(manifestState(path.join(work, 'broken', 'round-2'))).toBe('evaluated');
    // Round 1's samples were not asked for again.
    const resampled = fake.requests.slice(asked).filter((r) => !isEvalRequest(r, seeds) && r.path === '/v1/chat/completions' && r.body.model === 'base');
    expect(resampled).toEqual([]);
  }, 240_000);
});
