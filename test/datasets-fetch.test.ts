/**
 * `passk datasets fetch` against a local mirror on 127.0.0.1 that serves files at the URL paths the
 * manifest names: a small synthetic manifest for the failure modes, the real verilog-eval and
 * humaneval manifests over the shared reference copies, and the built CLI.
 */
import {createHash} from 'node:crypto';
import {existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {createServer, type Server} from 'node:http';
import type {AddressInfo} from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {execa} from 'execa';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {readHumanEvalDataset} from '../src/bench/humaneval/dataset.js';
import {datasetStatus, fetchDataset, fileUrl, loadManifest, parseManifest, type FetchProgress, type Manifest} from '../src/datasets/index.js';
import {UserError} from '../src/errors.js';
import {projectRoot, sharedDataset} from './helpers/datasets.js';

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'passk-datasets-'));
let dirCount = 0;
const freshDir = () => path.join(scratch, `dataset-${dirCount++}`);

/** Serves local files at URL paths; faults are keyed by URL path. */
class Mirror {
  readonly routes = new Map<string, string>();
  readonly corrupt = new Set<string>();
  readonly missing = new Set<string>();
  /** URL path → how many more requests get a 503. */
  readonly flaky = new Map<string, number>();
  requests: string[] = [];
  inFlight = 0;
  maxInFlight = 0;
  delayMs = 0;
  private server!: Server;
  origin = '';

  async start(): Promise<this> {
    this.server = createServer(async (request, response) => {
      const urlPath = new URL(request.url ?? '/', this.origin).pathname;
      this.requests.push(urlPath);
      this.inFlight++;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      try {
        if (this.delayMs) await sleep(this.delayMs);
        const file = this.routes.get(urlPath);
        const failuresLeft = this.flaky.get(urlPath) ?? 0;
        if (failuresLeft > 0) {
          this.flaky.set(urlPath, failuresLeft - 1);
          response.writeHead(503).end('busy');
        } else if (!file || this.missing.has(urlPath)) {
          response.writeHead(404).end('not found');
        } else {
          const bytes = readFileSync(file);
          if (this.corrupt.has(urlPath)) bytes[bytes.length - 1]! ^= 0xff;
          response.writeHead(200, {'content-type': 'application/octet-stream', 'content-length': bytes.length}).end(bytes);
        }
      } finally {
        this.inFlight--;
      }
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Serves a manifest's files from `folder` below /<prefix>/; returns the base URL to fetch from. */
  serve(prefix: string, manifest: Manifest, folder: string): string {
    const baseUrl = `${this.origin}/${prefix}/`;
    for (const file of manifest.files) this.routes.set(this.urlPath(baseUrl, manifest, file.path), path.join(folder, file.path));
    return baseUrl;
  }

  urlPath(baseUrl: string, manifest: Manifest, filePath: string): string {
    return new URL(fileUrl(baseUrl, manifest.files.find((f) => f.path === filePath)!)).pathname;
  }

  reset(): void {
    this.corrupt.clear();
    this.missing.clear();
    this.flaky.clear();
    this.requests = [];
    this.maxInFlight = 0;
    this.delayMs = 0;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Every file below a folder, relative, with forward slashes. */
function listFiles(dir: string): string[] {
  return (readdirSync(dir, {recursive: true, withFileTypes: true}) as import('node:fs').Dirent[])
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .sort();
}

async function expectFetchError(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(UserError);
  const message = (error as UserError).message;
  expect(message).not.toContain('\n');
  return message;
}

let mirror: Mirror;
beforeAll(async () => {
  mirror = await new Mirror().start();
});
afterAll(async () => {
  await mirror?.close();
  rmSync(scratch, {recursive: true, force: true});
});

describe('fetchDataset with a synthetic manifest', () => {
  // Upstream-like: nested folders, a name with a space, a source layout unlike ours.
  const upstream = path.join(scratch, 'upstream');
  const contents: Record<string, string> = {
    'a/problems.txt': 'Prob001_zero\nProb002_one\n',
    'a/Prob001_zero_prompt.txt': 'I would like you to implement a module that outputs zero.\n',
    'b/prefix 1-shot default.txt': 'Question:\n'.repeat(1000),
    'LICENSE': 'MIT\n',
  };
  const manifest = parseManifest(
    {
      name: 'synthetic',
      description: 'test data',
      license: 'MIT',
      source: 'generated',
      baseUrl: 'https://example.invalid/repo/',
      runWith: [{bench: 'verilog-eval-v2', dataset: '.'}],
      files: Object.entries(contents).map(([file, text]) => ({
        path: file,
        source: `commit/upstream_${file.split('/').map(encodeURIComponent).join('/')}`,
        sha256: sha256(text),
        size: Buffer.byteLength(text),
      })),
    },
    'synthetic manifest',
  );
  for (const [file, text] of Object.entries(contents)) {
    mkdirSync(path.dirname(path.join(upstream, file)), {recursive: true});
    writeFileSync(path.join(upstream, file), text);
  }
  let baseUrl: string;
  const fileNames = Object.keys(contents).sort();
  const fetchSynthetic = (dir: string, options: Partial<Parameters<typeof fetchDataset>[1]> = {}) =>
    fetchDataset(manifest, {dir, baseUrl, retries: 0, ...options});

  beforeAll(() => {
    baseUrl = mirror.serve('synthetic', manifest, upstream);
  });

  it('downloads every file, verified, at the URL paths the manifest names; a second fetch downloads nothing', async () => {
    mirror.reset();
    const dir = freshDir();
    const progress: FetchProgress[] = [];
    const result = await fetchSynthetic(dir, {onProgress: (p) => progress.push(p)});
    expect(result).toEqual({name: 'synthetic', dir, files: 4, downloaded: 4, reused: 0});
    expect(listFiles(dir)).toEqual(fileNames);
    for (const [file, text] of Object.entries(contents)) expect(readFileSync(path.join(dir, file), 'utf8')).toBe(text);
    expect(mirror.requests.sort()).toEqual(
      ['/synthetic/commit/upstream_LICENSE', '/synthetic/commit/upstream_a/Prob001_zero_prompt.txt', '/synthetic/commit/upstream_a/problems.txt', '/synthetic/commit/upstream_b/prefix%201-shot%20default.txt'].sort(),
    );
    expect(progress.map((p) => p.done)).toEqual([1, 2, 3, 4]);
    expect(progress.every((p) => p.outcome === 'downloaded' && p.total === 4)).toBe(true);

    mirror.reset();
    expect(await fetchSynthetic(dir)).toEqual({name: 'synthetic', dir, files: 4, downloaded: 0, reused: 4});
    expect(mirror.requests).toEqual([]);

    expect(await fetchSynthetic(dir, {force: true})).toMatchObject({downloaded: 4, reused: 0});
    expect(mirror.requests).toHaveLength(4);
  });

  it('replaces a file whose content changed, and only that one', async () => {
    const dir = freshDir();
    await fetchSynthetic(dir);
    writeFileSync(path.join(dir, 'LICENSE'), 'edited\n');
    mirror.reset();
    expect(await fetchSynthetic(dir)).toMatchObject({downloaded: 1, reused: 3});
    expect(mirror.requests).toEqual(['/synthetic/commit/upstream_LICENSE']);
    expect(readFileSync(path.join(dir, 'LICENSE'), 'utf8')).toBe(contents.LICENSE);
  });

  it('a wrong hash is an error naming the file and both hashes; the bad file is not left in place, the good ones stay', async () => {
    mirror.reset();
    const bad = 'b/prefix 1-shot default.txt';
    const badBytes = Buffer.from(contents[bad]!);
    badBytes[badBytes.length - 1]! ^= 0xff;
    mirror.corrupt.add(mirror.urlPath(baseUrl, manifest, bad));
    const dir = freshDir();
    const message = await expectFetchError(fetchSynthetic(dir, {concurrency: 1}));
    expect(message).toContain(`synthetic/${bad}`);
    expect(message).toContain(`expected ${sha256(contents[bad]!)}`);
    expect(message).toContain(`got ${sha256(badBytes)}`);
    // One at a time in manifest order: the two files before the bad one are verified and kept, LICENSE after it never started.
    expect(listFiles(dir)).toEqual(['a/Prob001_zero_prompt.txt', 'a/problems.txt']);
    for (const file of listFiles(dir)) expect(readFileSync(path.join(dir, file), 'utf8')).toBe(contents[file]);

    mirror.reset();
    expect(await fetchSynthetic(dir)).toMatchObject({downloaded: 2, reused: 2});
    expect(listFiles(dir)).toEqual(fileNames);
  });

  it('concurrent failures leave no partial file behind', async () => {
    mirror.reset();
    mirror.delayMs = 20;
    for (const file of manifest.files) mirror.corrupt.add(mirror.urlPath(baseUrl, manifest, file.path));
    const dir = freshDir();
    await expectFetchError(fetchSynthetic(dir, {concurrency: 4}));
    expect(existsSync(dir) ? listFiles(dir) : []).toEqual([]);
  });

  it('a 404 is a one-line error naming the file, the status and the URL', async () => {
    mirror.reset();
    mirror.missing.add(mirror.urlPath(baseUrl, manifest, 'LICENSE'));
    const message = await expectFetchError(fetchSynthetic(freshDir()));
    expect(message).toBe(`cannot download synthetic/LICENSE: HTTP 404 Not Found from ${baseUrl}commit/upstream_LICENSE`);
  });

  it('an unreachable server is a one-line error with the cause', async () => {
    const closed = await new Mirror().start();
    await closed.close();
    const message = await expectFetchError(fetchSynthetic(freshDir(), {baseUrl: `${closed.origin}/mirror`}));
    expect(message).toMatch(/^cannot download synthetic\/\S+ from http:\/\/127\.0\.0\.1:\d+\/mirror\/commit\/\S+: connect ECONNREFUSED/);
  });

  it('retries 5xx replies, and reports them once the retries are used up', async () => {
    mirror.reset();
    const license = mirror.urlPath(baseUrl, manifest, 'LICENSE');
    mirror.flaky.set(license, 1);
    expect(await fetchSynthetic(freshDir(), {retries: 1, retryDelayMs: 10})).toMatchObject({downloaded: 4});
    expect(mirror.requests.filter((p) => p === license)).toHaveLength(2);

    mirror.reset();
    mirror.flaky.set(license, 5);
    expect(await expectFetchError(fetchSynthetic(freshDir(), {retries: 1, retryDelayMs: 10}))).toContain('HTTP 503 Service Unavailable');
  });

  it('keeps at most `concurrency` downloads in flight', async () => {
    mirror.reset();
    mirror.delayMs = 30;
    await fetchSynthetic(freshDir(), {concurrency: 2});
    expect(mirror.maxInFlight).toBe(2);
  });

  it('a bad base URL is a one-line error', async () => {
    expect(await expectFetchError(fetchSynthetic(freshDir(), {baseUrl: 'ftp://mirror/'}))).toBe('base URL "ftp://mirror/" is not an http(s) URL');
  });
});

const sharedVerilog = sharedDataset('verilog-eval');
const sharedHumanEval = sharedDataset('humaneval');

describe.skipIf(!sharedVerilog)('fetching verilog-eval from a mirror of the reference copy', () => {
  it('produces the layout passk run reads, all hashes verified, and resumes with nothing to do', async () => {
    const manifest = loadManifest('verilog-eval');
    const baseUrl = mirror.serve('NVlabs/verilog-eval', manifest, sharedVerilog!);
    mirror.reset();
    const dir = freshDir();
    const result = await fetchDataset(manifest, {dir, baseUrl, retries: 0});
    expect(result).toEqual({name: 'verilog-eval', dir, files: manifest.files.length, downloaded: manifest.files.length, reused: 0});
    expect(result.files).toBe(1118);
    expect(await datasetStatus(manifest, dir)).toMatchObject({verified: 1118, complete: true});
    expect(listFiles(dir)).toEqual(manifest.files.map((f) => f.path).sort());
    // Upstream paths at the two pinned commits.
    expect(mirror.requests).toContain('/NVlabs/verilog-eval/c498220d0a52248f8e3fdffe279075215bde2da6/dataset_spec-to-rtl/problems.txt');
    expect(mirror.requests).toContain('/NVlabs/verilog-eval/4fa0ac4ed70ff1685114c25cd2e4c17cbba6a0c4/data/example/ExampleEval.jsonl');

    for (const [folder, suffixes] of [
      ['spec-to-rtl', ['_prompt.txt', '_ref.sv', '_test.sv']],
      ['code-complete-iccad2023', ['_ifc.txt', '_prompt.txt', '_ref.sv', '_test.sv']],
    ] as const) {
      const problems = readFileSync(path.join(dir, folder, 'problems.txt'), 'utf8').split('\n').map((l) => l.trim()).filter(Boolean);
      expect(problems).toHaveLength(156);
      for (const problem of problems) for (const suffix of suffixes) expect(existsSync(path.join(dir, folder, problem + suffix)), problem + suffix).toBe(true);
    }
    for (const task of ['spec-to-rtl', 'code-complete-iccad2023']) {
      for (const shots of [1, 2, 3, 4]) expect(existsSync(path.join(dir, 'icl-examples', `verilog-example-prefix_${task}_${shots}-shot.txt`))).toBe(true);
    }
    for (const file of ['v1/data/VerilogEval_Human.jsonl', 'v1/data/VerilogEval_Machine.jsonl', 'v1/descriptions/VerilogDescription_Human.jsonl', 'LICENSE']) {
      expect(existsSync(path.join(dir, file)), file).toBe(true);
    }

    mirror.reset();
    expect(await fetchDataset(manifest, {dir, baseUrl})).toMatchObject({downloaded: 0, reused: 1118});
    expect(mirror.requests).toEqual([]);
  });
});

describe.skipIf(!sharedHumanEval)('fetching humaneval from a mirror of the reference copy', () => {
  it('gives a HumanEval.jsonl.gz the humaneval bench reads: 164 problems', async () => {
    const manifest = loadManifest('humaneval');
    const baseUrl = mirror.serve('openai/human-eval', manifest, path.join(sharedHumanEval!, 'human-eval'));
    const dir = freshDir();
    expect(await fetchDataset(manifest, {dir, baseUrl})).toMatchObject({files: 4, downloaded: 4});
    expect(listFiles(dir)).toEqual(['HumanEval.jsonl.gz', 'LICENSE', 'example_problem.jsonl', 'example_samples.jsonl']);
    const {problems} = await readHumanEvalDataset(path.join(dir, 'HumanEval.jsonl.gz'));
    expect(problems).toHaveLength(164);
  });
});

describe('the passk datasets commands (built CLI)', () => {
  const cli = path.join(projectRoot, 'bin', 'run.js');
  const built = existsSync(path.join(projectRoot, 'dist', 'commands', 'datasets', 'fetch.js'));
  if (!built) console.warn('skipping CLI tests: run `npm run build` first');
  const passk = (args: string[], env: Record<string, string> = {}) => execa('node', [cli, ...args], {reject: false, env: {CI: '1', ...env}});

  it.skipIf(!built)('an unknown dataset exits 2 with one line listing the known ones', async () => {
    const result = await passk(['datasets', 'fetch', 'nope']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim()).toBe('passk: unknown dataset "nope"; known datasets: humaneval, humanevalplus, mbppplus, verilog-eval');
    const json = await passk(['datasets', 'fetch', 'nope', '--json']);
    expect(json.exitCode).toBe(2);
    expect(JSON.parse(json.stdout)).toEqual({error: {message: expect.stringContaining('unknown dataset "nope"'), exitCode: 2}});
  });

  it.skipIf(!built || !sharedHumanEval)('fetch --json prints the result document; list shows the dataset cached; a 404 exits 2', async () => {
    const manifest = loadManifest('humaneval');
    const baseUrl = mirror.serve('cli/human-eval', manifest, path.join(sharedHumanEval!, 'human-eval'));
    mirror.reset();
    const dir = freshDir();
    const fetched = await passk(['datasets', 'fetch', 'humaneval', '--base-url', baseUrl, '--dir', dir, '--json']);
    expect(fetched.exitCode, fetched.stderr).toBe(0);
    expect(JSON.parse(fetched.stdout)).toEqual({name: 'humaneval', dir, files: 4, downloaded: 4, reused: 0});

    // Without --dir: the cache folder under $PASSK_CACHE_DIR; the human-readable output names the run command.
    const cacheRoot = freshDir();
    const env = {PASSK_CACHE_DIR: cacheRoot};
    const plain = await passk(['datasets', 'fetch', 'humaneval', '--base-url', baseUrl], env);
    expect(plain.exitCode, plain.stderr).toBe(0);
    const cached = path.join(cacheRoot, 'datasets', 'humaneval');
    expect(plain.stdout).toContain(`passk run --bench humaneval --dataset ${path.join(cached, 'HumanEval.jsonl.gz')}`);
    expect(plain.stderr).toContain('[4/4]');

    const listed = await passk(['datasets', 'list', '--json'], env);
    expect(listed.exitCode, listed.stderr).toBe(0);
    const datasets = JSON.parse(listed.stdout).datasets as Array<{name: string; files: number; cache: {dir: string; complete: boolean; verified: number}}>;
    expect(datasets.map((d) => d.name)).toEqual(['humaneval', 'humanevalplus', 'mbppplus', 'verilog-eval']);
    expect(datasets.find((d) => d.name === 'humaneval')!.cache).toEqual({dir: cached, verified: 4, total: 4, complete: true});
    expect(datasets.find((d) => d.name === 'verilog-eval')).toMatchObject({files: 1118, cache: {verified: 0, complete: false}});

    const missing = await passk(['datasets', 'fetch', 'humaneval', '--base-url', `${mirror.origin}/nowhere/`, '--dir', freshDir()]);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr.trim().split('\n').at(-1)).toMatch(/^passk: cannot download humaneval\/\S+: HTTP 404 Not Found from /);
  });
});
