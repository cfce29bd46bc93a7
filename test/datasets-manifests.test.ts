/**
 * The shipped manifests: well-formed, pinned to the upstream URLs of the provenance notes, hashes
 * equal to the shared reference copies, and reproducible by scripts/make-manifests.ts.
 */
import {createHash} from 'node:crypto';
import {readFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {buildManifests, formatManifest} from '../scripts/make-manifests.js';
import {defaultDatasetDir, fileUrl, loadManifest, loadManifests, manifestsDir, parseManifest} from '../src/datasets/index.js';
import {mirrorBaseUrl} from '../src/datasets/manifest.js';
import {UserError} from '../src/errors.js';
import {sharedDataset, sharedDatasetsRoot} from './helpers/datasets.js';

const manifests = loadManifests();
const byName = (name: string) => manifests.find((m) => m.name === name)!;
const url = (name: string, filePath: string) => {
  const manifest = byName(name);
  return fileUrl(manifest.baseUrl, manifest.files.find((f) => f.path === filePath)!);
};

/** Where each manifest's files live in the shared reference folder. */
const sharedFolders: Record<string, string> = {
  'verilog-eval': 'verilog-eval',
  humaneval: 'humaneval/human-eval',
  humanevalplus: 'humaneval/evalplus',
  mbppplus: 'humaneval/evalplus',
};

describe('shipped manifests', () => {
  it('are the four datasets, each valid', () => {
    expect(manifests.map((m) => m.name)).toEqual(['humaneval', 'humanevalplus', 'mbppplus', 'verilog-eval']);
    expect(manifests.map((m) => m.files.length)).toEqual([4, 4, 3, 1118]);
  });

  it('point at the pinned upstream commits and release assets', () => {
    const main = 'https://raw.githubusercontent.com/NVlabs/verilog-eval/c498220d0a52248f8e3fdffe279075215bde2da6';
    const release = 'https://raw.githubusercontent.com/NVlabs/verilog-eval/4fa0ac4ed70ff1685114c25cd2e4c17cbba6a0c4';
    expect(url('verilog-eval', 'spec-to-rtl/problems.txt')).toBe(`${main}/dataset_spec-to-rtl/problems.txt`);
    expect(url('verilog-eval', 'code-complete-iccad2023/Prob001_zero_ifc.txt')).toBe(`${main}/dataset_code-complete-iccad2023/Prob001_zero_ifc.txt`);
    expect(url('verilog-eval', 'icl-examples/verilog-example-prefix_spec-to-rtl_1-shot default.txt')).toBe(
      `${main}/scripts/verilog-example-prefix_spec-to-rtl_1-shot%20default.txt`,
    );
    expect(url('verilog-eval', 'LICENSE')).toBe(`${main}/LICENSE`);
    expect(url('verilog-eval', 'v1/LICENSE')).toBe(`${release}/LICENSE`);
    expect(url('verilog-eval', 'v1/data/VerilogEval_Human.jsonl')).toBe(`${release}/data/VerilogEval_Human.jsonl`);
    expect(url('verilog-eval', 'v1/descriptions/VerilogDescription_Machine.jsonl')).toBe(`${release}/descriptions/VerilogDescription_Machine.jsonl`);
    expect(url('verilog-eval', 'v1/example/ExampleEval.jsonl')).toBe(`${release}/data/example/ExampleEval.jsonl`);
    expect(url('humaneval', 'HumanEval.jsonl.gz')).toBe(
      'https://raw.githubusercontent.com/openai/human-eval/6d43fb980f9fee3c892a914eda09951f772ad10d/data/HumanEval.jsonl.gz',
    );
    expect(url('humanevalplus', 'HumanEvalPlus-v0.1.10.jsonl.gz')).toBe('https://github.com/evalplus/humanevalplus_release/releases/download/v0.1.10/HumanEvalPlus.jsonl.gz');
    expect(url('humanevalplus', 'LICENSE-humanevalplus_release')).toBe(
      'https://github.com/evalplus/humanevalplus_release/raw/200defce9e3429d28ca215b6dd061c0f7f31c18b/LICENSE',
    );
    expect(url('mbppplus', 'MbppPlus-OriginFmt-v0.2.0.jsonl.gz')).toBe('https://github.com/evalplus/mbppplus_release/releases/download/v0.2.0/MbppPlus-OriginFmt.jsonl.gz');
  });

  it('list exactly the files of verilog-eval/SHA256SUMS', (context) => {
    const shared = sharedDataset('verilog-eval');
    if (!shared) return context.skip('reference dataset verilog-eval not found (set PASSK_DATASETS)');
    const sums = readFileSync(path.join(shared, 'SHA256SUMS'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => [line.slice(68), line.slice(0, 64)] as const);
    expect(new Map(byName('verilog-eval').files.map((f) => [f.path, f.sha256]))).toEqual(new Map(sums));
  });

  // it.for, not it.each: only it.for hands the test its context, to skip with a reason.
  it.for(manifests.map((m) => m.name))('%s: every hash and size matches the shared reference copy', (name, context) => {
    const folder = sharedDataset(sharedFolders[name]!);
    if (!folder) return context.skip(`reference dataset ${sharedFolders[name]} not found (set PASSK_DATASETS)`);
    for (const file of byName(name).files) {
      const bytes = readFileSync(path.join(folder, file.path));
      expect(createHash('sha256').update(bytes).digest('hex'), file.path).toBe(file.sha256);
      expect(bytes.length, file.path).toBe(file.size);
    }
  });

  it('are reproduced byte for byte by scripts/make-manifests.ts', (context) => {
    if (!sharedDataset('verilog-eval') || !sharedDataset('humaneval')) return context.skip('reference datasets verilog-eval and humaneval not found (set PASSK_DATASETS)');
    for (const manifest of buildManifests(sharedDatasetsRoot())) {
      expect(formatManifest(manifest), manifest.name).toBe(readFileSync(path.join(manifestsDir, `${manifest.name}.json`), 'utf8'));
    }
  });
});

describe('manifest validation', () => {
  const valid = {
    name: 'demo',
    description: 'd',
    license: 'MIT',
    source: 's',
    baseUrl: 'https://example.org/repo/',
    runWith: [],
    files: [{path: 'a/b.txt', source: 'commit/b.txt', sha256: 'a'.repeat(64)}],
  };
  const problem = (change: Record<string, unknown>, file: Record<string, unknown> = {}) => {
    try {
      parseManifest({...valid, ...change, files: [{...valid.files[0], ...file}]}, 'm.json');
    } catch (error) {
      expect(error).toBeInstanceOf(UserError);
      return (error as Error).message;
    }
    return 'accepted';
  };

  it('accepts a valid manifest', () => {
    expect(problem({})).toBe('accepted');
  });

  it.each([
    [{path: '../escape.txt'}, 'files[0].path must be a relative path inside the dataset folder'],
    [{path: '/etc/passwd'}, 'files[0].path must be a relative path inside the dataset folder'],
    [{path: 'a/./b'}, 'files[0].path must be a relative path inside the dataset folder'],
    [{source: 'https://elsewhere.example/b.txt'}, 'a/b.txt: source must be a URL relative to baseUrl'],
    [{source: '/b.txt'}, 'a/b.txt: source must be a URL relative to baseUrl'],
    [{source: '%2E%2E/other/b.txt'}, 'a/b.txt: source must be a URL relative to baseUrl'],
    [{sha256: 'ABC'}, 'a/b.txt: sha256 must be 64 lower-case hex digits'],
    [{size: -1}, 'a/b.txt: size must be a whole number of bytes'],
  ])('rejects file %j', (file, message) => {
    expect(problem({}, file)).toBe(`m.json: invalid manifest: ${message}`);
  });

  it('rejects a base URL that is not http(s) or does not end with a slash, and duplicate paths', () => {
    expect(problem({baseUrl: 'https://example.org/repo'})).toContain('must be an http(s) URL ending with "/"');
    expect(problem({baseUrl: 'file:///tmp/'})).toContain('must be an http(s) URL ending with "/"');
    expect(() => parseManifest({...valid, files: [valid.files[0], valid.files[0]]}, 'm.json')).toThrow('m.json: invalid manifest: a/b.txt is listed twice');
  });

  it('names the known datasets for an unknown one', () => {
    expect(() => loadManifest('humaneval-x')).toThrow('unknown dataset "humaneval-x"; known datasets: humaneval, humanevalplus, mbppplus, verilog-eval');
  });

  it('keeps the path of a mirror base URL', () => {
    const file = valid.files[0]!;
    expect(fileUrl(mirrorBaseUrl('http://127.0.0.1:8080/mirror/verilog-eval'), file)).toBe('http://127.0.0.1:8080/mirror/verilog-eval/commit/b.txt');
  });
});

describe('default dataset folder', () => {
  it('is under $PASSK_CACHE_DIR, else ~/.cache/passk', () => {
    expect(defaultDatasetDir('humaneval', {PASSK_CACHE_DIR: '/var/cache/p'})).toBe('/var/cache/p/datasets/humaneval');
    expect(defaultDatasetDir('humaneval', {})).toBe(path.join(os.homedir(), '.cache', 'passk', 'datasets', 'humaneval'));
  });
});
