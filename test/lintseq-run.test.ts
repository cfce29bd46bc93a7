/**
 * `passk run --response-format lintseq` through the built CLI: a local OpenAI-compatible server
 * plays a LintSeq-trained completion model that answers in upstream's diff format; passk resolves
 * each answer into a program, judges it in the sandbox and scores pass@k.
 */
import {mkdtempSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {execa} from 'execa';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {loadHumanEval, type HumanEvalProblem} from '../src/bench/humaneval/index.js';
import {editPath} from '../src/train/lintseq/edits.js';
import {renderEditPath} from '../src/train/lintseq/resolve.js';
import {startFakeOpenAI, type FakeOpenAI, type RecordedRequest} from './helpers/fake-openai.js';
import {projectRoot} from './helpers/datasets.js';

const cli = path.join(projectRoot, 'bin', 'run.js');
const suite = path.join(projectRoot, 'datasets', 'python-mini', 'problems.jsonl');
const n = 4;

let problems: HumanEvalProblem[];
let server: FakeOpenAI;
let work: string;

/** Writes a program bottom-up, one line per edit: a valid insertion-only edit sequence. */
function asEdits(program: string): string {
  const lines = program.split('\n');
  const chunks = lines.map((_, i) => [lines.length - 1 - i]);
  return renderEditPath('', editPath(program, chunks)).completion.slice('\n<|diff|>'.length);
}

/** Even seeds write the reference program as edits, odd seeds a wrong one. */
function lintseqModel(request: RecordedRequest): string {
  const prompt: string = request.body.prompt;
  const problem = problems.find((p) => prompt.startsWith(p.prompt));
  if (!problem) return 'fake model: unknown prompt';
  const body = request.body.seed % 2 === 0 ? problem.canonicalSolution : '    return None\n';
  return asEdits(problem.prompt + body);
}

beforeAll(async () => {
  problems = [...(await loadHumanEval({dataset: suite})).problems];
  server = await startFakeOpenAI({respond: lintseqModel});
  work = mkdtempSync(path.join(os.tmpdir(), 'passk-lintseq-run-'));
}, 300_000);

afterAll(async () => {
  await server?.close();
});

describe('passk run --response-format lintseq', () => {
  it('prompts with "\\n<|diff|>" and no stop sequence, resolves the edits, and scores pass@k on the programs', async () => {
    const args = ['run', '--bench', 'humaneval', '--dataset', suite, '--base-url', server.url, '-n', String(n), '--json', '--sandbox', 'bwrap'];
    const result = await execa('node', [cli, ...args, '--db', path.join(work, 'passk.db'), '--model', 'openai-completions:lintseq-model', '--response-format', 'lintseq', '-k', '1'], {
      reject: false,
      env: {CI: '1'},
    });
    expect(result.exitCode, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary.passAtK['1'].value).toBe(0.5);
    expect(summary.classes).toEqual({passed: problems.length * 2, failed: problems.length * 2});
    const posts = server.requests.filter((r) => r.path === '/v1/completions');
    expect(posts).toHaveLength(problems.length * n);
    for (const post of posts) {
      expect(post.body.prompt.endsWith('\n<|diff|>')).toBe(true);
      expect(post.body.stop ?? []).toEqual([]);
    }

    // The same answers read as plain completions are not programs: the format flag is what scores them.
    const plain = await execa('node', [cli, ...args, '--db', path.join(work, 'plain.db'), '--model', 'openai-completions:lintseq-model', '-k', '1'], {reject: false, env: {CI: '1'}});
    expect(plain.exitCode, plain.stderr).toBe(0);
    expect(JSON.parse(plain.stdout).passAtK['1'].value).toBe(0);
  }, 600_000);
});
