/**
 * Writes datasets/manifests/*.json from the provenance facts of the reference copies in the shared
 * datasets folder (verilog-eval/SHA256SUMS and PROVENANCE.md, humaneval/PROVENANCE.md): upstream
 * URLs at pinned commits and tags, sha256 and sizes. No data goes into the manifests.
 *
 *   npx tsx scripts/make-manifests.ts [shared-datasets-dir]   (default $PASSK_DATASETS, else ../shared/datasets)
 *
 * It also checks that every listed hash matches the reference copy, so a manifest never names bytes
 * nobody has seen.
 */
import {createHash} from 'node:crypto';
import {readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {parseManifest, type Manifest, type ManifestFile} from '../src/datasets/manifest.js';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const verilogEval = {
  repo: 'https://github.com/NVlabs/verilog-eval',
  main: 'c498220d0a52248f8e3fdffe279075215bde2da6',
  release: '4fa0ac4ed70ff1685114c25cd2e4c17cbba6a0c4',
};
const humanEval = {repo: 'https://github.com/openai/human-eval', commit: '6d43fb980f9fee3c892a914eda09951f772ad10d'};
const humanEvalPlus = {repo: 'https://github.com/evalplus/humanevalplus_release', tag: 'v0.1.10', commit: '200defce9e3429d28ca215b6dd061c0f7f31c18b'};
const mbppPlus = {repo: 'https://github.com/evalplus/mbppplus_release', tag: 'v0.2.0', commit: 'dadf43da556a00f7bacd71cb154f2932757d9144'};

/** Our folder (prefix of a SHA256SUMS path) → upstream commit and path prefix (PROVENANCE.md's table). */
const verilogEvalSources: Array<{local: string; commit: string; upstream: string}> = [
  {local: 'spec-to-rtl/', commit: verilogEval.main, upstream: 'dataset_spec-to-rtl/'},
  {local: 'code-complete-iccad2023/', commit: verilogEval.main, upstream: 'dataset_code-complete-iccad2023/'},
  {local: 'icl-examples/', commit: verilogEval.main, upstream: 'scripts/'},
  {local: 'LICENSE', commit: verilogEval.main, upstream: 'LICENSE'},
  {local: 'v1/data/', commit: verilogEval.release, upstream: 'data/'},
  {local: 'v1/descriptions/', commit: verilogEval.release, upstream: 'descriptions/'},
  {local: 'v1/example/', commit: verilogEval.release, upstream: 'data/example/'},
  {local: 'v1/LICENSE', commit: verilogEval.release, upstream: 'LICENSE'},
];

/** A path as a relative URL: each segment percent-encoded (some upstream names contain spaces). */
function relativeUrl(filePath: string): string {
  return filePath.split('/').map(encodeURIComponent).join('/');
}

/** A manifest entry for a reference file, after checking the hash the provenance notes give for it. */
function entry(referenceFile: string, localPath: string, source: string, expected: string): ManifestFile {
  const bytes = readFileSync(referenceFile);
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (actual !== expected) throw new Error(`${referenceFile}: sha256 ${actual}, but the provenance notes say ${expected}`);
  return {path: localPath, source, sha256: expected, size: bytes.length};
}

function requireMention(document: string, file: string, facts: string[]): void {
  for (const fact of facts) if (!document.includes(fact)) throw new Error(`${file} does not mention ${fact}: update this script's pins`);
}

function verilogEvalManifest(sharedRoot: string): Manifest {
  const root = path.join(sharedRoot, 'verilog-eval');
  const provenance = readFileSync(path.join(root, 'PROVENANCE.md'), 'utf8');
  requireMention(provenance, 'verilog-eval/PROVENANCE.md', [verilogEval.main, verilogEval.release, ...verilogEvalSources.map((s) => s.upstream.replace(/\/$/, ''))]);
  const files = readFileSync(path.join(root, 'SHA256SUMS'), 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const match = /^([0-9a-f]{64}) [ *]\.\/(.+)$/.exec(line);
      if (!match) throw new Error(`verilog-eval/SHA256SUMS: unexpected line ${JSON.stringify(line)}`);
      const [, hash, localPath] = match as unknown as [string, string, string];
      const rule = verilogEvalSources.find((s) => (s.local.endsWith('/') ? localPath.startsWith(s.local) : localPath === s.local));
      if (!rule) throw new Error(`verilog-eval/SHA256SUMS: no upstream source known for ${localPath}`);
      const upstreamPath = rule.upstream + localPath.slice(rule.local.length);
      return entry(path.join(root, localPath), localPath, relativeUrl(`${rule.commit}/${upstreamPath}`), hash);
    })
    .sort((a, b) => (a.path < b.path ? -1 : 1));
  return {
    name: 'verilog-eval',
    description: 'VerilogEval v2 (spec-to-rtl, code-complete-iccad2023, ICL examples) and v1 (Human/Machine JSONL), NVlabs',
    license: 'MIT, Copyright (c) 2023-2024 NVIDIA Research Projects (LICENSE; v1/LICENSE for v1)',
    source: `${verilogEval.repo}: v2 from main ${verilogEval.main} (dataset_spec-to-rtl/, dataset_code-complete-iccad2023/, scripts/*.txt as icl-examples/); v1 from release/1.0.0 ${verilogEval.release} (data/, descriptions/, data/example/ as v1/)`,
    baseUrl: 'https://raw.githubusercontent.com/NVlabs/verilog-eval/',
    runWith: [
      {bench: 'verilog-eval-v2', dataset: '.'},
      {bench: 'verilog-eval-v1', dataset: 'v1'},
    ],
    files,
  };
}

/** Rows `| file | source path | bytes | sha256 |` of the PROVENANCE.md section starting at `heading`. */
function provenanceTable(document: string, heading: string): Array<{file: string; source: string; sha256: string}> {
  const start = document.indexOf(`\n${heading}`);
  if (start < 0) throw new Error(`humaneval/PROVENANCE.md has no section ${heading}`);
  const end = document.indexOf('\n## ', start + 1);
  const section = document.slice(start, end < 0 ? undefined : end);
  const rows = [...section.matchAll(/^\| (\S+) \| (\S+) \| \d+ \| ([0-9a-f]{64}) \|$/gm)].map(([, file, source, hash]) => ({file: file!, source: source!, sha256: hash!}));
  if (rows.length === 0) throw new Error(`humaneval/PROVENANCE.md section ${heading} lists no files`);
  return rows;
}

function humanEvalManifest(sharedRoot: string): Manifest {
  const root = path.join(sharedRoot, 'humaneval');
  const provenance = readFileSync(path.join(root, 'PROVENANCE.md'), 'utf8');
  requireMention(provenance, 'humaneval/PROVENANCE.md', [humanEval.commit]);
  const files = provenanceTable(provenance, '## human-eval/').map((row) =>
    entry(path.join(root, 'human-eval', row.file), row.file, relativeUrl(row.source), row.sha256),
  );
  return {
    name: 'humaneval',
    description: 'OpenAI HumanEval: 164 Python problems (HumanEval.jsonl.gz) and the upstream example problem and samples',
    license: 'MIT, Copyright (c) OpenAI (LICENSE)',
    source: `${humanEval.repo} at ${humanEval.commit} (data/)`,
    baseUrl: `https://raw.githubusercontent.com/openai/human-eval/${humanEval.commit}/`,
    runWith: [{bench: 'humaneval', dataset: 'HumanEval.jsonl.gz'}],
    files,
  };
}

/**
 * The evalplus release assets plus the release repository's LICENSE. Both live below
 * github.com/<repo>/ (`releases/download/<tag>/…`, `raw/<commit>/LICENSE`; GitHub redirects), so one
 * base URL serves the whole manifest and a mirror replaces it.
 */
function evalPlusManifest(
  sharedRoot: string,
  release: {repo: string; tag: string; commit: string},
  filePrefix: string,
  details: Pick<Manifest, 'name' | 'description' | 'license' | 'runWith'>,
): Manifest {
  const root = path.join(sharedRoot, 'humaneval');
  const provenance = readFileSync(path.join(root, 'PROVENANCE.md'), 'utf8');
  requireMention(provenance, 'humaneval/PROVENANCE.md', [release.repo, release.tag, release.commit]);
  const licenseFile = `LICENSE-${release.repo.split('/').pop()}`;
  const files = provenanceTable(provenance, '## evalplus/')
    .filter((row) => row.file.startsWith(filePrefix) || row.file === licenseFile)
    .map((row) => {
      const source = row.file === licenseFile ? `raw/${release.commit}/${row.source}` : `releases/download/${release.tag}/${row.source}`;
      return entry(path.join(root, 'evalplus', row.file), row.file, relativeUrl(source), row.sha256);
    });
  return {
    ...details,
    source: `${release.repo} release ${release.tag} (commit ${release.commit}); the version evalplus pins`,
    baseUrl: `${release.repo}/`,
    files,
  };
}

export function buildManifests(sharedRoot: string): Manifest[] {
  const manifests = [
    verilogEvalManifest(sharedRoot),
    humanEvalManifest(sharedRoot),
    evalPlusManifest(sharedRoot, humanEvalPlus, 'HumanEvalPlus-', {
      name: 'humanevalplus',
      description: 'HumanEval+ v0.1.10 (evalplus): full, Mini and OriginFmt (HumanEval shape, tests need numpy)',
      license: 'Apache-2.0, and MIT via HumanEval (LICENSE-humanevalplus_release)',
      runWith: [{bench: 'humaneval', dataset: 'HumanEvalPlus-OriginFmt-v0.1.10.jsonl.gz'}],
    }),
    evalPlusManifest(sharedRoot, mbppPlus, 'MbppPlus-', {
      name: 'mbppplus',
      description: 'MBPP+ v0.2.0 (evalplus): 378 Python problems, evalplus format and OriginFmt',
      license: 'Apache-2.0 (LICENSE-mbppplus_release); the MBPP problems are CC-BY-4.0 (google-research/mbpp): keep attribution',
      runWith: [],
    }),
  ];
  // The same checks `passk datasets fetch` applies.
  for (const manifest of manifests) parseManifest(JSON.parse(formatManifest(manifest)), `generated ${manifest.name}`);
  return manifests;
}

/** Indented JSON with one line per file, so a diff shows exactly which files changed. */
export function formatManifest(manifest: Manifest): string {
  const {name, description, license, source, baseUrl, runWith, files} = manifest;
  const head = JSON.stringify({name, description, license, source, baseUrl, runWith}, null, 2).replace(/\n}$/, '');
  return `${head},\n  "files": [\n${files.map((file) => `    ${JSON.stringify(file)}`).join(',\n')}\n  ]\n}\n`;
}

function main(): void {
  const sharedRoot = path.resolve(process.argv[2] ?? process.env.PASSK_DATASETS ?? path.join(projectRoot, '..', 'shared', 'datasets'));
  for (const manifest of buildManifests(sharedRoot)) {
    const file = path.join(projectRoot, 'datasets', 'manifests', `${manifest.name}.json`);
    writeFileSync(file, formatManifest(manifest));
    console.log(`${path.relative(projectRoot, file)}: ${manifest.files.length} files`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) main();
