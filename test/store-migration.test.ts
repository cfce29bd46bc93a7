/** A store written by an earlier passk opens, migrated, with nothing of its history lost. */
import {mkdtempSync, readFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import {describe, expect, it} from 'vitest';
import {Store} from '../src/store/store.js';
import {projectRoot} from './helpers/datasets.js';

describe('store migration', () => {
  it('opens a version-1 store and attributes its verdicts to the environment the run recorded', () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'passk-migrate-')), 'v1.db');
    const old = new Database(file);
    old.exec(readFileSync(path.join(projectRoot, 'test', 'fixtures', 'store-v1.sql'), 'utf8'));
    old.close();

    const store = new Store(file);
    const [run] = store.listRuns();
    expect(run).toBeDefined();
    const environments = store.environments(run!.id);
    expect(environments).toHaveLength(1);
    expect(environments[0]).toMatchObject({environment: run!.environment, verdicts: 2});
    expect(store.samples(run!.id).every((s) => s.verdict !== undefined)).toBe(true);

    // A forced resume elsewhere adds an environment; the run's own record stays as it began.
    const elsewhere = {...run!.environment, toolchain: {python3: 'Python 3.11.2'}};
    const id = store.recordEnvironment(run!.id, elsewhere);
    expect(store.recordEnvironment(run!.id, elsewhere)).toBe(id);
    expect(store.environments(run!.id).map((e) => e.environment)).toEqual([run!.environment, elsewhere]);
    expect(store.getRun(run!.id)!.environment).toEqual(run!.environment);
    store.close();
  });
});
