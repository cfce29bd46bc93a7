/**
 * Store additions for CI: named baselines (moved, resolved, removed with their run), run bundles
 * (export → import into a fresh store gives back the same run, samples and verdicts; bad bundles
 * are refused and leave nothing behind), and the response cache's stats and pruning.
 */
import {mkdtempSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {gzipSync} from 'node:zlib';
import {describe, expect, it} from 'vitest';
import {UserError} from '../src/errors.js';
import {checkBaselineName, findRun, scoredSummary} from '../src/score/run-ref.js';
import {exportRun, importRun} from '../src/store/bundle.js';
import {Store} from '../src/store/store.js';
import {summaryOf} from './helpers/summaries.js';

function storedRun(store: Store, id: string): void {
  store.createRun({id, config: {model: id}, configHash: 'h', bench: 'humaneval', task: 'base', model: id});
  const a = store.addSample({runId: id, problemId: 'P0', sampleIndex: 0, seed: 0, code: 'return 1', markers: ['m']});
  store.addExecution(a.id, {passed: true, result: 'passed', durationMs: 12, details: {stdoutTail: 'ok'}});
  const b = store.addSample({runId: id, problemId: 'P1', sampleIndex: 0, seed: 0, code: 'return 2'});
  store.addExecution(b.id, {passed: false, result: 'failed: AssertionError', durationMs: 30, details: {stderrTail: 'Traceback'}});
  store.addSample({runId: id, problemId: 'P2', sampleIndex: 0, seed: 0, error: 'endpoint: 503'});
  store.updateRun(id, {status: 'done', summary: summaryOf(id, [{id: 'P0', n: 1, passed: 1}, {id: 'P1', n: 1, passed: 0}]) as unknown as Record<string, unknown>});
}

describe('baselines', () => {
  it('a name points at a run, moves when set again, and goes with its run', () => {
    const store = new Store(':memory:');
    storedRun(store, 'r1');
    storedRun(store, 'r2');
    store.setBaseline('main', 'r1');
    expect(findRun(store, 'main').id).toBe('r1');
    store.setBaseline('main', 'r2');
    expect(findRun(store, 'main').id).toBe('r2');
    expect(findRun(store, 'r1').id).toBe('r1'); // run ids still resolve
    expect(findRun(store, 'latest').id).toBe('r2');
    expect(store.deleteRun('r2')).toBe(true);
    expect(store.listBaselines()).toEqual([]);
    expect(() => findRun(store, 'main')).toThrow(/no run or baseline named "main"/);
    store.close();
  });

  it('an unscored run cannot be compared, and odd names are refused', () => {
    const store = new Store(':memory:');
    store.createRun({id: 'half', config: {}, configHash: 'h', bench: 'humaneval', task: 'base', model: 'm'});
    expect(() => scoredSummary(findRun(store, 'half'))).toThrow(/has no score yet/);
    for (const bad of ['latest', '-x', 'a b', '']) expect(() => checkBaselineName(bad)).toThrow(UserError);
    expect(() => checkBaselineName('main-2026.1_x')).not.toThrow();
    store.close();
  });
});

describe('run bundles', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'passk-bundle-'));

  for (const name of ['run.passk.json', 'run.passk.json.gz']) {
    it(`export → import into a fresh store gives back the same run (${name})`, () => {
      const source = new Store(':memory:');
      storedRun(source, 'r1');
      const file = path.join(dir, name);
      exportRun(source, 'r1', file);
      const target = new Store(path.join(dir, `${name}.db`));
      importRun(target, file);
      expect(target.getRun('r1')).toEqual(source.getRun('r1'));
      const strip = (rows: ReturnType<Store['samples']>) => rows.map(({id: _id, ...rest}) => rest);
      expect(strip(target.samples('r1'))).toEqual(strip(source.samples('r1')));
      expect(() => importRun(target, file)).toThrow(/already in the store/);
      source.close();
      target.close();
    });
  }

  it('refuses what is not a bundle, and a bad bundle leaves nothing behind', () => {
    const store = new Store(':memory:');
    const write = (name: string, content: string | Buffer) => {
      const file = path.join(dir, name);
      writeFileSync(file, content);
      return file;
    };
    expect(() => importRun(store, write('x.json', '{"task_id": 1}'))).toThrow(/not a passk run bundle/);
    expect(() => importRun(store, write('x.txt', 'hello'))).toThrow(/not JSON/);
    expect(() => importRun(store, write('v9.json', JSON.stringify({format: 'passk-run', version: 9})))).toThrow(/version 9 bundle/);
    expect(() => importRun(store, path.join(dir, 'missing.json'))).toThrow(/cannot read the bundle .*ENOENT/);
    const sample = {runId: 'dup', problemId: 'P0', sampleIndex: 0, seed: 0, id: 1};
    const run = {id: 'dup', createdAt: 'c', updatedAt: 'u', status: 'done', config: {}, configHash: 'h', bench: 'b', task: 't', model: 'm'};
    const duplicate = write('dup.json.gz', gzipSync(JSON.stringify({format: 'passk-run', version: 1, run, samples: [sample, sample]})));
    expect(() => importRun(store, duplicate)).toThrow(/holds sample P0#0 twice/);
    expect(store.getRun('dup')).toBeUndefined();
    store.close();
  });
});

describe('response cache', () => {
  it('stats count entries and bytes; prune drops what is older than asked, or everything', () => {
    const store = new Store(':memory:');
    store.put('a', {text: 'x'.repeat(1000), latencyMs: 5});
    store.put('b', {text: 'é', latencyMs: 5});
    expect(store.cacheStats()).toMatchObject({entries: 2, bytes: 1002, calibrations: 0});
    expect(store.pruneCache('2000-01-01T00:00:00.000Z')).toBe(0);
    expect(store.pruneCache(new Date(Date.now() + 60_000).toISOString())).toBe(2);
    store.put('c', {text: 'y', latencyMs: 1});
    expect(store.pruneCache()).toBe(1);
    expect(store.cacheStats().entries).toBe(0);
    store.close();
  });
});
