/**
 * The run store: one SQLite file (WAL) holding runs, samples, their executions, calibration
 * verdicts and the LLM response cache. Every row is written as soon as it exists, so a run killed
 * at any moment resumes with nothing lost and nothing done twice. All SQL lives in this module.
 */
import {existsSync, mkdirSync, statSync} from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type {Verdict} from '../bench/bench.js';
import type {CachedCompletion, ResponseCache} from '../generate/cache.js';
import {UserError} from '../errors.js';

const schemaVersion = 1;

const schema = `
CREATE TABLE runs (
  id TEXT PRIMARY KEY,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  status TEXT NOT NULL,              -- running | done | failed
  holder INTEGER,                    -- pid of the process running it now (one at a time)
  config TEXT NOT NULL,              -- JSON, no secrets
  config_hash TEXT NOT NULL,
  bench TEXT NOT NULL,
  task TEXT NOT NULL,
  model TEXT NOT NULL,
  environment TEXT,                  -- JSON: toolchain versions, sandbox backend, passk version
  summary TEXT                       -- JSON summary document once scored
);
CREATE TABLE samples (
  id INTEGER PRIMARY KEY,
  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  problem_id TEXT NOT NULL,
  sample_index INTEGER NOT NULL,
  seed INTEGER NOT NULL,
  response TEXT,                     -- raw model response (null for verbatim providers)
  code TEXT,                         -- what gets judged
  extraction_path TEXT,
  markers TEXT,                      -- JSON array
  finish_reason TEXT,
  latency_ms INTEGER,
  cached INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0,
  error TEXT,                        -- generation failed (infrastructure), not a model failure
  created_at TEXT NOT NULL,
  UNIQUE (run_id, problem_id, sample_index)
);
CREATE TABLE executions (
  sample_id INTEGER PRIMARY KEY REFERENCES samples(id) ON DELETE CASCADE,
  passed INTEGER NOT NULL,
  result TEXT NOT NULL,
  class TEXT,
  errored INTEGER NOT NULL DEFAULT 0,
  duration_ms INTEGER NOT NULL,
  details TEXT,
  created_at TEXT NOT NULL
);
CREATE TABLE calibrations (
  bench_key TEXT NOT NULL,           -- bench/task/dataset hash
  environment_key TEXT NOT NULL,     -- sandbox backend + toolchain versions + verdict settings
  problem_id TEXT NOT NULL,
  verdict TEXT NOT NULL,
  PRIMARY KEY (bench_key, environment_key, problem_id)
);
CREATE TABLE llm_cache (
  key TEXT PRIMARY KEY,
  text TEXT NOT NULL,
  finish_reason TEXT,
  latency_ms INTEGER NOT NULL,
  created_at TEXT NOT NULL
);
`;

/**
 * Tables added after schema version 1, created when missing. Additive only (nothing existing changes
 * shape), so a version-1 store gains them on open without a migration step.
 */
const additiveTables = `
CREATE TABLE IF NOT EXISTS baselines (
  name TEXT PRIMARY KEY,             -- e.g. "main": what a CI gate compares against
  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  updated_at TEXT NOT NULL
);
-- Solution selection (src/select): generated test samples, the passing matrix rows the executor
-- fills, and selection reports, all per run and test source.
CREATE TABLE IF NOT EXISTS test_samples (
  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  source TEXT NOT NULL,              -- the --tests spec: openai:<m>, openai-completions:<m>, replay:<file>
  problem_id TEXT NOT NULL,
  sample_index INTEGER NOT NULL,
  seed INTEGER,
  response TEXT,                     -- the raw test sample (a continuation of the CodeT test prompt, or a chat answer)
  asserts TEXT,                      -- JSON array: every valid assert extracted, in order (the per-sample limit applies later)
  finish_reason TEXT,
  latency_ms INTEGER,
  cached INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0,
  error TEXT,                        -- generation failed (infrastructure); generated again next time
  created_at TEXT NOT NULL,
  PRIMARY KEY (run_id, source, problem_id, sample_index)
);
CREATE TABLE IF NOT EXISTS test_results (
  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  source TEXT NOT NULL,
  problem_id TEXT NOT NULL,
  solution_sha256 TEXT NOT NULL,     -- sha256 of the solution code: one matrix row
  tests_sha256 TEXT NOT NULL,        -- sha256 of the JSON array of the problem's unique tests, in column order
  exec_ok INTEGER NOT NULL,          -- the solution ran with the tests (its definition did not crash)
  passes TEXT NOT NULL,              -- one '0'/'1' per test in that order; '' when exec_ok is 0
  created_at TEXT NOT NULL,
  PRIMARY KEY (run_id, source, problem_id, solution_sha256, tests_sha256)
);
CREATE TABLE IF NOT EXISTS selections (
  id INTEGER PRIMARY KEY,
  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  source TEXT NOT NULL,
  options TEXT NOT NULL,             -- JSON: strategies, beta0, alphaXY, dedup, protocols, ks, seed
  report TEXT NOT NULL,              -- JSON: results, sampling, task classes, conventions, per-task picks
  created_at TEXT NOT NULL
);
`;

export interface TestSampleRow {
  runId: string;
  source: string;
  problemId: string;
  sampleIndex: number;
  seed?: number;
  response?: string;
  asserts?: string[];
  finishReason?: string;
  latencyMs?: number;
  cached?: boolean;
  attempts?: number;
  error?: string;
}

export interface TestResultRow {
  problemId: string;
  solutionSha256: string;
  testsSha256: string;
  execOk: boolean;
  passes: string;
}

export interface SelectionRow {
  id: number;
  runId: string;
  source: string;
  options: Record<string, unknown>;
  report: Record<string, unknown>;
  createdAt: string;
}

export type RunStatus = 'running' | 'done' | 'failed';

export interface RunRow {
  id: string;
  createdAt: string;
  updatedAt: string;
  status: RunStatus;
  config: Record<string, unknown>;
  configHash: string;
  bench: string;
  task: string;
  model: string;
  environment?: Record<string, unknown>;
  summary?: Record<string, unknown>;
}

export interface NewSample {
  runId: string;
  problemId: string;
  sampleIndex: number;
  seed: number;
  response?: string;
  code?: string;
  extractionPath?: string;
  markers?: string[];
  finishReason?: string;
  latencyMs?: number;
  cached?: boolean;
  attempts?: number;
  error?: string;
}

export interface CacheStats {
  entries: number;
  bytes: number;
  oldest?: string;
  newest?: string;
  calibrations: number;
}

export interface SampleRow extends NewSample {
  id: number;
  verdict?: Verdict;
}

const now = () => new Date().toISOString();

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
const json = (value: unknown) => (value === undefined ? null : JSON.stringify(value));
const parse = <T>(text: string | null): T | undefined => (text === null ? undefined : (JSON.parse(text) as T));

interface RawRun {
  id: string;
  created_at: string;
  updated_at: string;
  status: RunStatus;
  config: string;
  config_hash: string;
  bench: string;
  task: string;
  model: string;
  environment: string | null;
  summary: string | null;
}

interface RawSample {
  id: number;
  run_id: string;
  problem_id: string;
  sample_index: number;
  seed: number;
  response: string | null;
  code: string | null;
  extraction_path: string | null;
  markers: string | null;
  finish_reason: string | null;
  latency_ms: number | null;
  cached: number;
  attempts: number;
  error: string | null;
  passed: number | null;
  result: string | null;
  class: string | null;
  errored: number | null;
  duration_ms: number | null;
  details: string | null;
}

function toRun(row: RawRun): RunRow {
  return {
    id: row.id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    status: row.status,
    config: JSON.parse(row.config),
    configHash: row.config_hash,
    bench: row.bench,
    task: row.task,
    model: row.model,
    environment: parse(row.environment),
    summary: parse(row.summary),
  };
}

function toSample(row: RawSample): SampleRow {
  const sample: SampleRow = {
    id: row.id,
    runId: row.run_id,
    problemId: row.problem_id,
    sampleIndex: row.sample_index,
    seed: row.seed,
    response: row.response ?? undefined,
    code: row.code ?? undefined,
    extractionPath: row.extraction_path ?? undefined,
    markers: parse(row.markers),
    finishReason: row.finish_reason ?? undefined,
    latencyMs: row.latency_ms ?? undefined,
    cached: row.cached === 1,
    attempts: row.attempts,
    error: row.error ?? undefined,
  };
  if (row.result !== null) {
    sample.verdict = {
      passed: row.passed === 1,
      result: row.result,
      class: row.class ?? undefined,
      errored: row.errored === 1 || undefined,
      durationMs: row.duration_ms ?? 0,
      details: parse(row.details),
    };
  }
  return sample;
}

/** Creates the store's folder; a parent that is a file (or not a folder) is refused without touching anything. */
function createParent(file: string): void {
  const dir = path.dirname(path.resolve(file));
  let existing = dir;
  while (!existsSync(existing)) existing = path.dirname(existing);
  if (!statSync(existing).isDirectory()) throw new Error(`${existing} is not a folder`);
  // Recursive mkdir spins forever under /proc (a Node bug), so only create below ordinary folders.
  if (existing !== dir && (existing === '/proc' || existing.startsWith('/proc/'))) throw new Error(`cannot create folders under ${existing}`);
  mkdirSync(dir, {recursive: true});
}

export class Store implements ResponseCache {
  private readonly db: Database.Database;

  constructor(file: string) {
    try {
      if (file !== ':memory:') createParent(file);
      this.db = new Database(file);
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      this.db.pragma('busy_timeout = 5000');
      this.db.pragma('foreign_keys = ON');
      this.migrate();
      this.db.exec(additiveTables);
    } catch (error) {
      if (error instanceof UserError) throw error;
      throw new UserError(`cannot open the store ${file}: ${(error as Error).message}`);
    }
  }

  private migrate(): void {
    const version = this.db.pragma('user_version', {simple: true}) as number;
    if (version === schemaVersion) return;
    if (version !== 0) {
      throw new UserError(`the store has schema version ${version}; this passk understands ${schemaVersion}`);
    }
    const tables = this.db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as {n: number};
    if (tables.n > 0) throw new UserError('the file is an SQLite database but not a passk store');
    this.db.transaction(() => {
      this.db.exec(schema);
      this.db.pragma(`user_version = ${schemaVersion}`);
    })();
  }

  close(): void {
    this.db.close();
  }

  createRun(run: Omit<RunRow, 'createdAt' | 'updatedAt' | 'status'>): RunRow {
    const stamp = now();
    this.db
      .prepare(
        `INSERT INTO runs (id, created_at, updated_at, status, config, config_hash, bench, task, model, environment)
         VALUES (?, ?, ?, 'running', ?, ?, ?, ?, ?, ?)`,
      )
      .run(run.id, stamp, stamp, JSON.stringify(run.config), run.configHash, run.bench, run.task, run.model, json(run.environment));
    return this.getRun(run.id)!;
  }

  getRun(id: string): RunRow | undefined {
    const row = this.db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as RawRun | undefined;
    return row && toRun(row);
  }

  latestRun(): RunRow | undefined {
    const row = this.db.prepare('SELECT * FROM runs ORDER BY created_at DESC, rowid DESC LIMIT 1').get() as RawRun | undefined;
    return row && toRun(row);
  }

  listRuns(limit = 50): RunRow[] {
    const rows = this.db.prepare('SELECT * FROM runs ORDER BY created_at DESC, rowid DESC LIMIT ?').all(limit) as RawRun[];
    return rows.map(toRun);
  }

  updateRun(id: string, fields: {status?: RunStatus; environment?: Record<string, unknown>; summary?: Record<string, unknown>}): void {
    const current = this.getRun(id);
    if (!current) throw new UserError(`no run ${id} in the store`);
    this.db
      .prepare('UPDATE runs SET status = ?, environment = ?, summary = ?, updated_at = ? WHERE id = ?')
      .run(
        fields.status ?? current.status,
        json(fields.environment ?? current.environment),
        json(fields.summary ?? current.summary),
        now(),
        id,
      );
  }

  /**
   * Claims a run for this process. Returns the pid of another live process that holds it (the
   * caller must not run it), or undefined when the claim succeeded; a holder that died is replaced.
   */
  claimRun(id: string, pid: number): number | undefined {
    return this.db.transaction(() => {
      const row = this.db.prepare('SELECT holder FROM runs WHERE id = ?').get(id) as {holder: number | null} | undefined;
      if (!row) throw new UserError(`no run ${id} in the store`);
      if (row.holder !== null && row.holder !== pid && processAlive(row.holder)) return row.holder;
      this.db.prepare('UPDATE runs SET holder = ? WHERE id = ?').run(pid, id);
      return undefined;
    }).immediate();
  }

  releaseRun(id: string): void {
    this.db.prepare('UPDATE runs SET holder = NULL WHERE id = ?').run(id);
  }

  /**
   * Inserts a generated sample. A sample that already exists for the same (run, problem, index) is
   * left as it is: `inserted` is false and `id` is the stored row's, whose code is the one to judge.
   */
  addSample(sample: NewSample): {id: number; inserted: boolean} {
    const result = this.db
      .prepare(
        `INSERT INTO samples (run_id, problem_id, sample_index, seed, response, code, extraction_path, markers,
           finish_reason, latency_ms, cached, attempts, error, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (run_id, problem_id, sample_index) DO NOTHING`,
      )
      .run(
        sample.runId,
        sample.problemId,
        sample.sampleIndex,
        sample.seed,
        sample.response ?? null,
        sample.code ?? null,
        sample.extractionPath ?? null,
        json(sample.markers),
        sample.finishReason ?? null,
        sample.latencyMs ?? null,
        sample.cached ? 1 : 0,
        sample.attempts ?? 0,
        sample.error ?? null,
        now(),
      );
    const row = this.db
      .prepare('SELECT id FROM samples WHERE run_id = ? AND problem_id = ? AND sample_index = ?')
      .get(sample.runId, sample.problemId, sample.sampleIndex) as {id: number};
    return {id: row.id, inserted: result.changes === 1};
  }

  /** One sample with its verdict if judged. */
  sample(id: number): SampleRow | undefined {
    const row = this.db
      .prepare(
        `SELECT s.*, e.passed, e.result, e.class, e.errored, e.duration_ms, e.details
         FROM samples s LEFT JOIN executions e ON e.sample_id = s.id WHERE s.id = ?`,
      )
      .get(id) as RawSample | undefined;
    return row && toSample(row);
  }

  /** Drops a sample (and its execution) so it is generated again: used for --retry-errors. */
  deleteSample(id: number): void {
    this.db.prepare('DELETE FROM samples WHERE id = ?').run(id);
  }

  addExecution(sampleId: number, verdict: Verdict): void {
    this.db
      .prepare(
        `INSERT INTO executions (sample_id, passed, result, class, errored, duration_ms, details, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (sample_id) DO UPDATE SET passed = excluded.passed, result = excluded.result, class = excluded.class,
           errored = excluded.errored, duration_ms = excluded.duration_ms, details = excluded.details, created_at = excluded.created_at`,
      )
      .run(
        sampleId,
        verdict.passed ? 1 : 0,
        verdict.result,
        verdict.class ?? null,
        verdict.errored ? 1 : 0,
        Math.round(verdict.durationMs),
        json(verdict.details),
        now(),
      );
  }

  /** Every sample of a run with its verdict if judged, in problem and sample order. */
  samples(runId: string): SampleRow[] {
    const rows = this.db
      .prepare(
        `SELECT s.*, e.passed, e.result, e.class, e.errored, e.duration_ms, e.details
         FROM samples s LEFT JOIN executions e ON e.sample_id = s.id
         WHERE s.run_id = ? ORDER BY s.problem_id, s.sample_index`,
      )
      .all(runId) as RawSample[];
    return rows.map(toSample);
  }

  /** Deletes a run with its samples, executions and any baseline naming it; false when there was none. */
  deleteRun(id: string): boolean {
    return this.db.prepare('DELETE FROM runs WHERE id = ?').run(id).changes === 1;
  }

  /**
   * Adds a run made elsewhere (an exported bundle) exactly as it was: same id, times, config,
   * environment, summary, samples and verdicts. One transaction: a bad bundle leaves nothing behind.
   */
  importRun(run: RunRow, samples: SampleRow[]): void {
    this.db.transaction(() => {
      if (this.getRun(run.id)) throw new UserError(`run ${run.id} is already in the store`);
      this.db
        .prepare(
          `INSERT INTO runs (id, created_at, updated_at, status, config, config_hash, bench, task, model, environment, summary)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(run.id, run.createdAt, run.updatedAt, run.status, JSON.stringify(run.config), run.configHash, run.bench, run.task, run.model, json(run.environment), json(run.summary));
      for (const sample of samples) {
        const {id, inserted} = this.addSample({...sample, runId: run.id});
        if (!inserted) throw new UserError(`the bundle holds sample ${sample.problemId}#${sample.sampleIndex} twice`);
        if (sample.verdict) this.addExecution(id, sample.verdict);
      }
    })();
  }

  /** Names a run as a baseline (the explicit "bless" step); an existing name moves to the new run. */
  setBaseline(name: string, runId: string): void {
    this.db
      .prepare('INSERT INTO baselines (name, run_id, updated_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET run_id = excluded.run_id, updated_at = excluded.updated_at')
      .run(name, runId, now());
  }

  baseline(name: string): string | undefined {
    const row = this.db.prepare('SELECT run_id FROM baselines WHERE name = ?').get(name) as {run_id: string} | undefined;
    return row?.run_id;
  }

  listBaselines(): Array<{name: string; runId: string; updatedAt: string}> {
    const rows = this.db.prepare('SELECT name, run_id, updated_at FROM baselines ORDER BY name').all() as Array<{name: string; run_id: string; updated_at: string}>;
    return rows.map((row) => ({name: row.name, runId: row.run_id, updatedAt: row.updated_at}));
  }

  calibration(benchKey: string, environmentKey: string, problemId: string): Verdict | undefined {
    const row = this.db
      .prepare('SELECT verdict FROM calibrations WHERE bench_key = ? AND environment_key = ? AND problem_id = ?')
      .get(benchKey, environmentKey, problemId) as {verdict: string} | undefined;
    return row && (JSON.parse(row.verdict) as Verdict);
  }

  addCalibration(benchKey: string, environmentKey: string, problemId: string, verdict: Verdict): void {
    this.db
      .prepare('INSERT OR REPLACE INTO calibrations (bench_key, environment_key, problem_id, verdict) VALUES (?, ?, ?, ?)')
      .run(benchKey, environmentKey, problemId, JSON.stringify(verdict));
  }

  /** What the LLM response cache holds: entries, bytes of text, and the oldest and newest entry times. */
  cacheStats(): CacheStats {
    const row = this.db.prepare('SELECT count(*) AS entries, coalesce(sum(length(CAST(text AS BLOB))), 0) AS bytes, min(created_at) AS oldest, max(created_at) AS newest FROM llm_cache').get() as {
      entries: number;
      bytes: number;
      oldest: string | null;
      newest: string | null;
    };
    const calibrations = (this.db.prepare('SELECT count(*) AS n FROM calibrations').get() as {n: number}).n;
    return {entries: row.entries, bytes: row.bytes, ...(row.oldest ? {oldest: row.oldest} : {}), ...(row.newest ? {newest: row.newest} : {}), calibrations};
  }

  /** Drops cached LLM responses created before `before` (an ISO time; all of them when absent); returns how many. */
  pruneCache(before?: string): number {
    const statement = before === undefined ? this.db.prepare('DELETE FROM llm_cache') : this.db.prepare('DELETE FROM llm_cache WHERE created_at < ?');
    return (before === undefined ? statement.run() : statement.run(before)).changes;
  }

  get(key: string): CachedCompletion | undefined {
    const row = this.db.prepare('SELECT text, finish_reason, latency_ms FROM llm_cache WHERE key = ?').get(key) as
      | {text: string; finish_reason: string | null; latency_ms: number}
      | undefined;
    return row && {text: row.text, finishReason: row.finish_reason ?? undefined, latencyMs: row.latency_ms};
  }

  put(key: string, value: CachedCompletion): void {
    this.db
      .prepare('INSERT OR REPLACE INTO llm_cache (key, text, finish_reason, latency_ms, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(key, value.text, value.finishReason ?? null, Math.round(value.latencyMs), now());
  }

  /** Inserts or replaces a test sample (a retried generation replaces its error). */
  putTestSample(sample: TestSampleRow): void {
    this.db
      .prepare(
        `INSERT OR REPLACE INTO test_samples (run_id, source, problem_id, sample_index, seed, response, asserts, finish_reason,
           latency_ms, cached, attempts, error, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        sample.runId,
        sample.source,
        sample.problemId,
        sample.sampleIndex,
        sample.seed ?? null,
        sample.response ?? null,
        json(sample.asserts),
        sample.finishReason ?? null,
        sample.latencyMs ?? null,
        sample.cached ? 1 : 0,
        sample.attempts ?? 0,
        sample.error ?? null,
        now(),
      );
  }

  /** A run's test samples from one source, in problem and sample order. */
  testSamples(runId: string, source: string): TestSampleRow[] {
    const rows = this.db
      .prepare('SELECT * FROM test_samples WHERE run_id = ? AND source = ? ORDER BY problem_id, sample_index')
      .all(runId, source) as Array<Record<string, string | number | null>>;
    return rows.map((row) => ({
      runId: row.run_id as string,
      source: row.source as string,
      problemId: row.problem_id as string,
      sampleIndex: row.sample_index as number,
      seed: (row.seed as number | null) ?? undefined,
      response: (row.response as string | null) ?? undefined,
      asserts: parse(row.asserts as string | null),
      finishReason: (row.finish_reason as string | null) ?? undefined,
      latencyMs: (row.latency_ms as number | null) ?? undefined,
      cached: row.cached === 1,
      attempts: row.attempts as number,
      error: (row.error as string | null) ?? undefined,
    }));
  }

  /** Stores matrix rows (the executor's output), replacing earlier ones for the same solution and tests. */
  putTestResults(runId: string, source: string, rows: TestResultRow[]): void {
    const insert = this.db.prepare(
      `INSERT OR REPLACE INTO test_results (run_id, source, problem_id, solution_sha256, tests_sha256, exec_ok, passes, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const stamp = now();
    this.db.transaction(() => {
      for (const row of rows) insert.run(runId, source, row.problemId, row.solutionSha256, row.testsSha256, row.execOk ? 1 : 0, row.passes, stamp);
    })();
  }

  testResults(runId: string, source: string): TestResultRow[] {
    const rows = this.db
      .prepare('SELECT problem_id, solution_sha256, tests_sha256, exec_ok, passes FROM test_results WHERE run_id = ? AND source = ?')
      .all(runId, source) as Array<{problem_id: string; solution_sha256: string; tests_sha256: string; exec_ok: number; passes: string}>;
    return rows.map((row) => ({
      problemId: row.problem_id,
      solutionSha256: row.solution_sha256,
      testsSha256: row.tests_sha256,
      execOk: row.exec_ok === 1,
      passes: row.passes,
    }));
  }

  addSelection(runId: string, source: string, options: Record<string, unknown>, report: Record<string, unknown>): number {
    const result = this.db
      .prepare('INSERT INTO selections (run_id, source, options, report, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(runId, source, JSON.stringify(options), JSON.stringify(report), now());
    return Number(result.lastInsertRowid);
  }

  selections(runId: string): SelectionRow[] {
    const rows = this.db.prepare('SELECT * FROM selections WHERE run_id = ? ORDER BY id').all(runId) as Array<{
      id: number;
      run_id: string;
      source: string;
      options: string;
      report: string;
      created_at: string;
    }>;
    return rows.map((row) => ({
      id: row.id,
      runId: row.run_id,
      source: row.source,
      options: JSON.parse(row.options),
      report: JSON.parse(row.report),
      createdAt: row.created_at,
    }));
  }
}
