/**
 * The CI regression gate through the built CLI, as a CI pipeline uses it: a baseline run, named and
 * exported; imported into a fresh store; a regressed candidate gated against it (exit 1, the right
 * problems listed, reports written), an unchanged one (exit 0), and the error paths (exit 2).
 */
import {execa} from 'execa';
import {existsSync, mkdtempSync, readFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {beforeAll, describe, expect, it} from 'vitest';
import {projectRoot} from './helpers/datasets.js';
import {pythonMini, writeReplayFile} from './helpers/replay-runs.js';

const cli = path.join(projectRoot, 'bin', 'run.js');
const ids = Array.from({length: 8}, (_, i) => `PythonMini/${i}`);
const broken = ids.slice(0, 6);

let work: string;

function passk(args: string[]) {
  return execa('node', [cli, ...args], {reject: false, env: {CI: '1'}});
}

function runArgs(db: string, model: string, extra: string[] = []): string[] {
  return ['run', '--bench', 'humaneval', '--dataset', pythonMini, '--model', model, '--problems', ids.join(','), '--sandbox', 'bwrap', '--db', db, ...extra];
}

/** Each step spawns the CLI (and runs sandboxed samples): generous on a loaded machine. */
const slow = 300_000;

beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'passk-gate-'));
});

describe('CI gate end to end', () => {
  const producer = () => path.join(work, 'producer.db');
  const consumer = () => path.join(work, 'consumer.db');
  const bundle = () => path.join(work, 'main.passk.json.gz');

  it('a baseline run is named and exported', async () => {
    const run = await passk(runArgs(producer(), 'reference'));
    expect(run.exitCode, run.stderr).toBe(0);
    const set = await passk(['baseline', 'set', 'main', 'latest', '--db', producer()]);
    expect(set.exitCode, set.stderr).toBe(0);
    const exported = await passk(['runs', 'export', 'main', '-o', bundle(), '--db', producer()]);
    expect(exported.exitCode, exported.stderr).toBe(0);
    expect(exported.stdout).toMatch(/exported run \S+ \(8 samples\)/);
  }, slow);

  it('imported into a fresh store, it gates a regressed candidate: exit 1 with the regressed problems and reports', async () => {
    const imported = await passk(['runs', 'import', bundle(), '--as-baseline', 'main', '--db', consumer(), '--json']);
    expect(imported.exitCode, imported.stderr).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({samples: 8, baseline: 'main'});

    const replay = await writeReplayFile(path.join(work, 'cand.jsonl'), ids, 1, (id) => !broken.includes(id));
    const reports = ['gate.md', 'gate.junit.xml', 'gate.json', 'gate.html'].map((f) => path.join(work, f));
    const run = await passk(runArgs(consumer(), `replay:${replay}`, ['--baseline', 'main', '--max-regression', '2%', ...reports.flatMap((f) => ['-o', f])]));
    expect(run.exitCode, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/gate FAILED \(exit 1\): pass@1 changed by -75\.0 points .*p = 0\.031, exact McNemar.*significant regression/);
    const regressedLine = run.stdout.split('\n').find((line) => line.trim().startsWith('regressed ('))!;
    expect(regressedLine).toContain('regressed (6)');
    for (const id of broken) expect(regressedLine).toContain(`${id} (1/1 → 0/1)`);
    for (const file of reports) expect(existsSync(file)).toBe(true);
    const summary = JSON.parse(readFileSync(reports[2]!, 'utf8'));
    expect(summary.gate).toMatchObject({passed: false, exitCode: 1});
    expect(summary.comparison.problems.filter((p: {status: string}) => p.status === 'regressed')).toHaveLength(6);
    expect(readFileSync(reports[0]!, 'utf8')).toContain('**Gate failed (exit 1):**');
  }, slow);

  it('passk compare: the same comparison, gated only when asked', async () => {
    const plain = await passk(['compare', 'main', 'latest', '--db', consumer()]);
    expect(plain.exitCode, plain.stderr).toBe(0);
    expect(plain.stdout).toMatch(/pass@1: 100\.0% → 25\.0%/);
    expect(plain.stdout).toMatch(/note: low power: with 8 problems the 95% CI of pass@1 is ±/);
    const gated = await passk(['compare', 'main', 'latest', '--fail-on-regression', '--db', consumer(), '--json']);
    expect(gated.exitCode).toBe(1);
    const result = JSON.parse(gated.stdout);
    expect(result.gate.passed).toBe(false);
    expect(result.comparison.ks[0]).toMatchObject({k: 1, test: 'mcnemar-exact', discordant: {regressed: 6, improved: 0}});
    expect(result.comparison.ks[0].pValue).toBeCloseTo(2 / 64, 12);
    const loose = await passk(['compare', 'main', 'latest', '--fail-on-regression', '--max-regression', '0.8', '--db', consumer()]);
    expect(loose.exitCode, loose.stdout).toBe(0);
    expect(loose.stdout).toMatch(/gate passed: .*within --max-regression 80\.0 points/);
  }, slow);

  it('an unchanged candidate passes the gate: exit 0 with the reason', async () => {
    const run = await passk(runArgs(consumer(), 'reference', ['--baseline', 'main']));
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/gate passed: pass@1 changed by \+0\.0 points/);
    const underFloor = await passk(['compare', 'main', 'latest', '--fail-under', '1.01', '--db', consumer()]);
    expect(underFloor.exitCode).toBe(2);
    expect(underFloor.stderr).toMatch(/^passk: .*--fail-under must be between 0 and 1/);
  }, slow);

  it('bad input exits 2 with one line, before any run starts', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['compare', 'nosuch', 'latest', '--db', consumer()], /no run or baseline named "nosuch"/],
      [['report', 'latest', '-o', path.join(work, 'x.txt'), '--db', consumer()], /cannot tell the report format of .*x\.txt/],
      [runArgs(consumer(), 'reference', ['--baseline', 'nosuch']), /no run or baseline named "nosuch"/],
      [['baseline', 'set', 'latest', 'main', '--db', consumer()], /baseline name "latest" is not allowed/],
      [['runs', 'import', bundle(), '--db', consumer()], /is already in the store/],
      [['runs', 'import', path.join(work, 'cand.jsonl'), '--db', consumer()], /not a passk run bundle/],
    ];
    for (const [args, message] of cases) {
      const result = await passk(args);
      expect(result.exitCode, args.join(' ')).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(message);
    }
  }, slow);

  it('runs rm deletes a run and the baseline naming it', async () => {
    const rm = await passk(['runs', 'rm', 'main', '--db', consumer()]);
    expect(rm.exitCode).toBe(2); // a baseline name is not a run id: rm takes ids only
    const id = JSON.parse((await passk(['baseline', 'list', '--db', consumer(), '--json'])).stdout)[0].runId;
    const removed = await passk(['runs', 'rm', id, '--db', consumer()]);
    expect(removed.exitCode, removed.stderr).toBe(0);
    expect(JSON.parse((await passk(['baseline', 'list', '--db', consumer(), '--json'])).stdout)).toEqual([]);
  }, slow);
});
