/**
 * `passk datagen lintseq` through the built CLI: rows from a file or a bench, upstream's row shape
 * plus the rendered text, volume matching, and one-line errors with exit code 2 for bad input.
 */
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {execa} from 'execa';
import {beforeAll, describe, expect, it} from 'vitest';
import {resolveEditPath} from '../src/train/lintseq/resolve.js';
import {projectRoot} from './helpers/datasets.js';

const cli = path.join(projectRoot, 'bin', 'run.js');
let work: string;

function passk(args: string[]) {
  return execa('node', [cli, 'datagen', 'lintseq', ...args], {reject: false, env: {CI: '1'}});
}

function readRows(file: string): Array<Record<string, unknown>> {
  return readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
}

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'passk-lintseq-cli-'));
}, 300_000);

describe('passk datagen lintseq', () => {
  it('a JSONL file of Verilog rows: s rows per program in upstream\'s shape, each resolving to its program; --max-sequences cuts them', async () => {
    const input = path.join(work, 'rows.jsonl');
    const programs = [
      'module top(input a, input b, output y);\n  wire t;\n  assign t = a & b;\n  assign y = ~t;\nendmodule\n',
      '```verilog\nmodule inv(input a, output y);\n  assign y = ~a;\nendmodule\n```\nThat is all.',
    ];
    writeFileSync(input, programs.map((response, i) => JSON.stringify({instruction: `Write design ${i}.`, response})).join('\n') + '\n');
    const out = path.join(work, 'out.jsonl');
    const result = await passk(['--lang', 'verilog', '--input', input, '-s', '3', '--seed', '2', '--out', out, '--json', '--workers', '1']);
    expect(result.exitCode, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary).toMatchObject({programs: 2, sequences: 6, generated: 6, problems: []});
    const rows = readRows(out);
    expect(rows.map((row) => [row.index, row.sequence])).toEqual([[0, 0], [0, 1], [0, 2], [1, 0], [1, 1], [1, 2]]);
    for (const row of rows) {
      expect(Object.keys(row).sort()).toEqual(['completion', 'edit_path', 'index', 'sequence', 'source_file', 'source_instruction', 'source_response', 'text'].sort());
      expect(row.source_file).toBe(input);
      expect(row.text).toBe(`${row.source_instruction}${row.completion}`);
      expect((row.completion as string).endsWith('\n<|diff|>\n<|diff|>')).toBe(true);
    }
    expect(resolveEditPath(rows[0]!.completion as string)).toBe(programs[0]!.trim());
    // Only the fenced block is the program.
    expect(resolveEditPath(rows[3]!.completion as string)).toBe('module inv(input a, output y);\n  assign y = ~a;\nendmodule');

    const cut = path.join(work, 'cut.jsonl');
    const again = await passk(['--lang', 'verilog', '--input', input, '-s', '3', '--seed', '2', '--out', cut, '--max-sequences', '4', '--workers', '1']);
    expect(again.exitCode, again.stderr).toBe(0);
    const kept = readRows(cut);
    expect(kept).toHaveLength(4);
    for (const row of kept) expect(rows).toContainEqual(row);
  });

  it('bad input: one line on stderr and exit code 2', async () => {
    const missing = await passk(['--lang', 'python', '--input', path.join(work, 'nope.jsonl'), '--out', path.join(work, 'x.jsonl')]);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr.trim()).toMatch(/^passk: cannot read .*nope\.jsonl: ENOENT$/);
    const broken = path.join(work, 'broken.jsonl');
    writeFileSync(broken, '{"instruction": "x"}\n');
    const noResponse = await passk(['--lang', 'python', '--input', broken, '--out', path.join(work, 'x.jsonl')]);
    expect(noResponse.exitCode).toBe(2);
    expect(noResponse.stderr.trim()).toBe(`passk: ${broken}:1: needs string fields "instruction" and "response"`);
    const noLang = await passk(['--input', broken, '--out', path.join(work, 'x.jsonl')]);
    expect(noLang.exitCode).toBe(2);
    expect(noLang.stderr.trim()).toBe('passk: --lang python|verilog is required with --input');
    const clash = await passk(['--bench', 'humaneval', '--lang', 'verilog', '--out', path.join(work, 'x.jsonl')]);
    expect(clash.exitCode).toBe(2);
    expect(clash.stderr.trim()).toBe('passk: --bench humaneval holds python programs, not verilog');
  });
});
