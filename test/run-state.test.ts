/**
 * What a run says about itself when things go wrong: an endpoint that dies mid-run, signals, keys
 * echoed back by an endpoint, re-scoring without an endpoint. Through the built CLI, against the
 * fake endpoint, with real bubblewrap judging and a real store.
 */
import {execa, type ResultPromise} from 'execa';
import {execFileSync} from 'node:child_process';
import {existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statfsSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {startFakeOpenAI, times, type FakeOpenAI} from './helpers/fake-openai.js';
import {projectRoot} from './helpers/datasets.js';

const cli = path.join(projectRoot, 'bin', 'run.js');
const key = 'sk-test-never-print-0123456789';
let work: string;
const servers: FakeOpenAI[] = [];

async function server(...args: Parameters<typeof startFakeOpenAI>): Promise<FakeOpenAI> {
  const started = await startFakeOpenAI(...args);
  servers.push(started);
  return started;
}

function passk(args: string[]): ResultPromise<{reject: false; env: Record<string, string>}> {
  return execa('node', [cli, ...args], {reject: false, env: {CI: '1', NODE_ENV: 'production', OPENAI_API_KEY: key}});
}

/** A correct-looking answer for any python-mini prompt is not needed: these tests are about run state, not scores. */
const answer = () => '    return None\n';

/** The first `count` problems of python-mini: runs small enough for a loaded 2-core machine. */
function firstProblems(count: number): string[] {
  return ['--problems', Array.from({length: count}, (_, i) => `PythonMini/${i}`).join(',')];
}

function runArgs(url: string, db: string, extra: string[] = []): string[] {
  return ['run', '--bench', 'humaneval', '--model', 'openai-completions:fake-model', '--base-url', url, '--db', db, ...extra];
}

function runRow(db: string): {id: string; status: string; holder: number | null} {
  const handle = new Database(db, {readonly: true});
  try {
    return handle.prepare('SELECT id, status, holder FROM runs').get() as {id: string; status: string; holder: number | null};
  } finally {
    handle.close();
  }
}

function count(db: string, sql: string): number {
  const handle = new Database(db, {readonly: true});
  try {
    return (handle.prepare(sql).get() as {c: number}).c;
  } finally {
    handle.close();
  }
}

beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'passk-run-state-'));
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

describe('API keys', () => {
  it('a 200 reply without choices that echoes the request never puts the key on stderr or in the store', async () => {
    const fake = await server({respond: answer, faults: [{type: 'slow', ms: 1}, ...times(200, {type: 'echo'})]});
    const db = path.join(work, 'echo.db');
    const result = await passk(runArgs(fake.url, db, ['--problems', 'PythonMini/0', '--max-retries', '0']));
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/reply has no choices/);
    expect(result.stderr + result.stdout).not.toContain(key);
    expect(count(db, `SELECT count(*) AS c FROM samples WHERE error LIKE '%${key}%'`)).toBe(0);
  });
});

describe('an endpoint that fails', () => {
  it('one garbled reply after ordinary 429/5xx/reset retries does not stop the run', async () => {
    const fake = await server({
      respond: answer,
      faults: [
        {type: 'slow', ms: 1}, // the reachability check
        {type: 'reset'},
        {type: 'status', status: 429, headers: {'retry-after-ms': '10'}},
        {type: 'status', status: 503, headers: {'retry-after-ms': '10'}},
        {type: 'malformed'},
      ],
    });
    const db = path.join(work, 'garbled.db');
    const result = await passk(runArgs(fake.url, db, ['--problems', 'PythonMini/0', '-j', '1', '--max-retries', '5', '--json']));
    expect(result.exitCode, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({errors: 0, samples: 1});
  });

  it('an endpoint that dies after the start check stops the run early (exit 2, resumable), and the run finishes once it is back', async () => {
    const fake = await server({respond: answer, dieAfter: 2});
    const port = Number(new URL(fake.url).port);
    const db = path.join(work, 'dies.db');
    const n = 4;
    const result = await passk(runArgs(fake.url, db, [...firstProblems(8), '-n', String(n), '-j', '2', '--max-retries', '2']));
    expect(result.exitCode, result.stderr).toBe(2);
    const lines = result.stderr.split('\n').filter((line) => line.startsWith('passk:'));
    expect(lines).toHaveLength(1);
    const {id, status, holder} = runRow(db);
    expect(lines[0]).toMatch(/stopped answering/);
    expect(lines[0]).toContain(`--resume ${id} --retry-errors`);
    expect(status).toBe('failed');
    expect(holder).toBeNull();
    // Stopped early: most samples were never tried (every one of them would otherwise run through its retries).
    const total = 8 * n;
    expect(count(db, 'SELECT count(*) AS c FROM samples')).toBeLessThan(total / 2);

    const back = await server({respond: answer}, port);
    const resumed = await passk(['run', '--resume', id, '--retry-errors', '--db', db, '--json']);
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({runId: id, samples: total, errors: 0, complete: true});
    expect(back.requests.filter((r) => r.method === 'POST').length).toBeGreaterThan(total / 2);
  });
});

describe('signals', () => {
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    it(`${signal} stops the run cleanly: marked interrupted, resume command printed, exit ${code}`, async () => {
      const fake = await server({respond: answer, delayMs: 100});
      const db = path.join(work, `${signal}.db`);
      const child = passk(runArgs(fake.url, db, [...firstProblems(4), '-n', '4', '-j', '2', '--no-cache']));
      for (let i = 0; i < 200 && fake.requests.filter((r) => r.method === 'POST').length < 4; i++) await new Promise((r) => setTimeout(r, 50));
      child.kill(signal);
      const result = await child;
      expect(result.exitCode, result.stderr).toBe(code);
      const {id, status, holder} = runRow(db);
      expect(status).toBe('interrupted');
      expect(holder).toBeNull();
      const lines = result.stderr.split('\n').filter((line) => line.startsWith('passk:'));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`passk run --resume ${id}`);
      expect(lines[0]).toContain(signal);
      // Requests abandoned mid-way left no error rows behind: they are simply generated on resume.
      expect(count(db, 'SELECT count(*) AS c FROM samples WHERE error IS NOT NULL')).toBe(0);
      const list = await passk(['runs', 'list', '--db', db, '--json']);
      expect(JSON.parse(list.stdout).runs[0]).toMatchObject({id, status: 'interrupted'});

      const resumed = await passk(['run', '--resume', id, '--db', db, '--json', '--no-cache']);
      expect(resumed.exitCode, resumed.stderr).toBe(0);
      expect(JSON.parse(resumed.stdout)).toMatchObject({runId: id, samples: 4 * 4, errors: 0, complete: true});
    });
  }

  it('runs list shows a run whose holder died (SIGKILL) as interrupted, not running', async () => {
    const fake = await server({respond: answer, delayMs: 100});
    const db = path.join(work, 'sigkill.db');
    const child = passk(runArgs(fake.url, db, [...firstProblems(4), '-n', '4', '-j', '2', '--no-cache']));
    for (let i = 0; i < 200 && fake.requests.filter((r) => r.method === 'POST').length < 2; i++) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGKILL');
    await child;
    expect(runRow(db).status).toBe('running');
    const list = await passk(['runs', 'list', '--db', db, '--json']);
    expect(JSON.parse(list.stdout).runs[0].status).toBe('interrupted');
    const show = await passk(['runs', 'show', runRow(db).id, '--db', db]);
    expect(show.stdout + show.stderr).toContain('interrupted');
  });
});

describe('re-scoring and k', () => {
  it('re-scores a finished run with other k without the model endpoint', async () => {
    const fake = await server({respond: answer});
    const db = path.join(work, 'rescore.db');
    const first = await passk(runArgs(fake.url, db, ['-n', '2', '--problems', 'PythonMini/0,PythonMini/1', '--json']));
    expect(first.exitCode, first.stderr).toBe(0);
    const {id} = runRow(db);
    await fake.close();
    const rescored = await passk(['run', '--resume', id, '-k', '2', '--db', db, '--json']);
    expect(rescored.exitCode, rescored.stderr).toBe(0);
    expect(Object.keys(JSON.parse(rescored.stdout).passAtK)).toEqual(['2']);
  });

  it('refuses a k larger than n instead of dropping it silently', async () => {
    const fake = await server({respond: answer});
    const db = path.join(work, 'k-too-large.db');
    const result = await passk(runArgs(fake.url, db, ['-n', '2', '-k', '1', '-k', '5', '--problems', 'PythonMini/0']));
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/-k 5 .*n = 2/);
    expect(fake.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
  });
});

describe('range checks and report folders', () => {
  it('--max-error-rate is a fraction', async () => {
    for (const value of ['5', '-0.1', '1.5']) {
      const result = await passk(['run', '--bench', 'humaneval', '--model', 'reference', '--max-error-rate', value, '--db', path.join(work, 'range.db')]);
      expect(result.exitCode, value).toBe(2);
      expect(result.stderr.trim(), value).toBe(`passk: --max-error-rate must be a fraction between 0 and 1, got ${value}`);
    }
  });

  it('leaves no empty --out folder when the run cannot start', async () => {
    const out = path.join(work, 'never-written', 'report');
    const result = await passk(['run', '--bench', 'humaneval', '--dataset', path.join(work, 'missing.jsonl'), '--model', 'reference', '--out', out, '--db', path.join(work, 'x.db')]);
    expect(result.exitCode).toBe(2);
    expect(existsSync(path.join(work, 'never-written'))).toBe(false);
  });

  it('still refuses an --out that cannot be written before the run starts', async () => {
    const file = path.join(work, 'a-file');
    writeFileSync(file, '');
    for (const out of [path.join(file, 'report'), '/proc/passk-report']) {
      const result = await passk(['run', '--bench', 'humaneval', '--model', 'reference', '--out', out, '--db', path.join(work, 'x.db')]);
      expect(result.exitCode, out).toBe(2);
      expect(result.stderr.trim(), out).toMatch(new RegExp(`^passk: cannot write the report folder ${out}`));
    }
  });
});

/** A real, small file system: a tmpfs of `size` mounted for the test (root only). */
function smallDisk(name: string, size: string): string {
  const dir = path.join(work, name);
  mkdirSync(dir);
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'passk-test-full', dir]);
  mounts.push(dir);
  return dir;
}

/** Fills the file system holding `dir` until only about `leaveBytes` are free. */
function fill(dir: string, leaveBytes: number): void {
  const {bavail, bsize} = statfsSync(dir);
  const bytes = bavail * bsize - leaveBytes;
  if (bytes > 0) writeFileSync(path.join(dir, 'filler'), Buffer.alloc(bytes));
}

const mounts: string[] = [];
afterAll(() => {
  for (const dir of mounts) execFileSync('umount', ['--lazy', dir]);
});

const isRoot = process.getuid?.() === 0;
if (!isRoot) console.warn('skipping the full-disk tests: mounting a small tmpfs needs root');

describe.skipIf(!isRoot)('full disks', () => {
  it('a full --db is a store error (exit 2), not a sample generation error', async () => {
    const disk = smallDisk('db-disk', '1m');
    const db = path.join(disk, 'passk.db');
    // The store exists and the run starts; then a 200 kB answer cannot be stored.
    expect((await passk(['runs', 'list', '--db', db])).exitCode).toBe(0);
    fill(disk, 96 * 1024);
    const fake = await server({respond: () => `    return None\n${'    x = 1\n'.repeat(20_000)}`});
    const result = await passk(runArgs(fake.url, db, ['--problems', 'PythonMini/0', '-n', '2', '-j', '1']));
    expect(result.exitCode, result.stderr).toBe(2);
    const lines = result.stderr.split('\n').filter((line) => line.startsWith('passk:'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`cannot write the store ${db}`);
    expect(lines[0]).toMatch(/full/);
    rmSync(path.join(disk, 'filler'));
    expect(count(db, "SELECT count(*) AS c FROM samples WHERE error IS NOT NULL")).toBe(0);
  });

  it('a full --out names the file and leaves no half-written results.jsonl beside a complete summary.json', async () => {
    const disk = smallDisk('out-disk', '64k');
    const fake = await server({respond: () => `    return None\n${' '.repeat(2_000)}\n`});
    const db = path.join(work, 'full-out.db');
    fill(disk, 8 * 1024);
    const out = path.join(disk, 'report');
    const result = await passk(runArgs(fake.url, db, ['--problems', 'PythonMini/0,PythonMini/1', '-n', '4', '--out', out]));
    expect(result.exitCode, result.stderr).toBe(2);
    const lines = result.stderr.split('\n').filter((line) => line.startsWith('passk:'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/results\.jsonl/);
    expect(lines[0]).toMatch(/ENOSPC|no space/i);
    // Nothing half-written, no temporary files left: either no report, or a complete one.
    expect(readdirSync(out).filter((f) => f !== 'summary.json' && f !== 'results.jsonl')).toEqual([]);
    expect(existsSync(path.join(out, 'results.jsonl'))).toBe(false);
    expect(existsSync(path.join(out, 'summary.json'))).toBe(false);
    // The run itself is stored and done: only the report is missing.
    expect(runRow(db).status).toBe('done');
  });
});

describe('environments', () => {
  it('--force on resume records the new environment beside the old one, never over it', async () => {
    // Two samples fail on the endpoint, two are judged under the default (trixie, Python 3.13) toolchain.
    const fake = await server({respond: answer, faults: [{type: 'slow', ms: 1}, ...times(2, {type: 'status', status: 503})]});
    const db = path.join(work, 'environments.db');
    const first = await passk(runArgs(fake.url, db, ['--problems', 'PythonMini/0,PythonMini/1', '-n', '2', '-j', '1', '--max-retries', '0']));
    expect(first.exitCode, first.stderr).toBe(3);
    const {id} = runRow(db);
    const resume = ['run', '--resume', id, '--retry-errors', '--toolchain-root', '/', '--db', db, '--json'];
    const refused = await passk(resume);
    expect(refused.exitCode).toBe(2);
    expect(JSON.parse(refused.stdout).error.message).toMatch(/different toolchain/);

    // The host's Python (3.11 on Debian 12) judges the other two.
    const forced = await passk([...resume, '--force']);
    expect(forced.exitCode, forced.stderr).toBe(0);
    const summary = JSON.parse(forced.stdout);
    expect(summary.environments).toHaveLength(2);
    const [old, now] = summary.environments;
    expect(old.toolchain.python3).not.toBe(now.toolchain.python3);
    expect(old.verdicts).toBe(2);
    expect(now.verdicts).toBe(2);

    const show = await passk(['runs', 'show', id, '--db', db, '--json']);
    const shown = JSON.parse(show.stdout);
    // The run's own record still names the toolchain it started with.
    expect(shown.environment.toolchain.python3).toBe(old.toolchain.python3);
    expect(shown.environments.map((e: {environment: {toolchain: {python3: string}}}) => e.environment.toolchain.python3)).toEqual([old.toolchain.python3, now.toolchain.python3]);
  });
});

describe('k and failed samples', () => {
  it('a requested k that failed samples made unreportable is named with the reason, not dropped silently', async () => {
    const fake = await server({respond: answer, faults: [{type: 'slow', ms: 1}, {type: 'status', status: 503}]});
    const db = path.join(work, 'k-errors.db');
    const result = await passk(runArgs(fake.url, db, ['--problems', 'PythonMini/0,PythonMini/1', '-n', '2', '-k', '1', '-k', '2', '-j', '1', '--max-retries', '0', '--json']));
    expect(result.exitCode, result.stderr).toBe(3);
    const summary = JSON.parse(result.stdout);
    expect(Object.keys(summary.passAtK)).toEqual(['1']);
    expect(summary.unreportedKs['2']).toMatch(/1 problem has fewer than 2 judged samples/);
  });
});
