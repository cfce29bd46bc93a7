/**
 * A small ITERTL world for tests: a seed set (hand-made Python tasks with tests, two VerilogEval-style
 * problems of the embedded verilog-mini suite with their testbenches, and one row copied from the
 * embedded HumanEval-style suite, which decontamination must drop), and a fake model whose answers
 * improve with the served model's name: model level L of 4 answers sample seed s right when
 * s % 4 < L, and eval problem i right when i % 4 < L. Wrong answers come in three kinds (by seed % 3)
 * that the filters must tell apart: no code, code that does not compile, and code that compiles but
 * is wrong (Python: fails the tests; Verilog: instantiates a module nobody defines).
 */
import {readFileSync} from 'node:fs';
import path from 'node:path';
import type {RecordedRequest} from './fake-openai.js';
import {projectRoot} from './datasets.js';

export interface SeedFixture {
  id: string;
  instruction: string;
  reference: string;
  lang: 'verilog' | 'python';
  testbench?: string;
  tests?: string;
  entry_point?: string;
}

interface MiniProblem {
  task_id: string;
  prompt: string;
  entry_point: string;
  canonical_solution: string;
  test: string;
}

export const pythonMini: MiniProblem[] = readFileSync(path.join(projectRoot, 'datasets', 'python-mini', 'problems.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line) as MiniProblem);

function verilogMini(name: string): SeedFixture {
  const file = (suffix: string) => readFileSync(path.join(projectRoot, 'datasets', 'verilog-mini', 'spec-to-rtl', `${name}${suffix}`), 'utf8');
  return {id: name, instruction: file('_prompt.txt'), reference: file('_ref.sv'), lang: 'verilog', testbench: file('_test.sv')};
}

export const pythonSeeds: SeedFixture[] = [
  {
    id: 'py_add',
    instruction: 'Write a Python function add(a, b) that returns the sum of the two numbers.',
    reference: 'def add(a, b):\n    return a + b\n',
    lang: 'python',
    tests: 'def check(candidate):\n    assert candidate(1, 2) == 3\n    assert candidate(-4, 4) == 0\n',
    entry_point: 'add',
  },
  {
    id: 'py_reverse_words',
    instruction: 'Write reverse_words(s) returning the words of s (split on whitespace) in reverse order, joined by single spaces.',
    reference: 'def reverse_words(s):\n    return " ".join(reversed(s.split()))\n',
    lang: 'python',
    tests: "def check(candidate):\n    assert candidate('a b  c') == 'c b a'\n    assert candidate('') == ''\n",
    entry_point: 'reverse_words',
  },
  {
    id: 'py_vowels',
    instruction: 'Implement count_vowels(text): how many of its characters are vowels (a, e, i, o, u, either case).',
    reference: 'def count_vowels(text):\n    return sum(1 for ch in text.lower() if ch in "aeiou")\n',
    lang: 'python',
    tests: "def check(candidate):\n    assert candidate('Hello World') == 3\n    assert candidate('xyz') == 0\n",
  entry_point: 'count_vowels',
  },
];

/** A copy of the eval suite's first problem: decontamination's target. */
export const contaminatedSeed: SeedFixture = {
  id: 'py_contaminated',
  instruction: pythonMini[0]!.prompt,
  reference: pythonMini[0]!.prompt + pythonMini[0]!.canonical_solution,
  lang: 'python',
  tests: pythonMini[0]!.test,
  entry_point: pythonMini[0]!.entry_point,
};

export const verilogSeeds: SeedFixture[] = [verilogMini('Mini01_majority3'), verilogMini('Mini02_mux4')];

export const allSeeds: SeedFixture[] = [...pythonSeeds, contaminatedSeed, ...verilogSeeds];

/** Model level: the base model answers a quarter right, each served round one quarter more. */
export function modelLevel(model: string): number {
  const round = /-r(\d+)$/.exec(model)?.[1];
  return Math.min(4, 1 + (round === undefined ? 0 : Number(round)));
}

export type AnswerKind = 'right' | 'no code' | 'syntax' | 'wrong';

export function answerKind(model: string, seed: number): AnswerKind {
  if (seed % 4 < modelLevel(model)) return 'right';
  return (['syntax', 'wrong', 'no code'] as const)[seed % 3]!;
}

/** The filter that must drop an answer of this kind for this seed row (undefined: kept). */
export function expectedDrop(row: SeedFixture, kind: AnswerKind): string | undefined {
  if (kind === 'no code') return 'extract';
  if (kind === 'syntax') return 'compile';
  if (kind === 'wrong') return row.lang === 'python' ? 'tests' : 'self_contained';
  return row.id === contaminatedSeed.id ? 'decontaminate' : undefined;
}

/** The program a right answer holds (the reference, as the model is asked to write it). */
export function target(row: SeedFixture): string {
  const program = row.lang === 'verilog' ? row.reference.replace(/\bmodule(\s+)RefModule\b/, 'module$1TopModule') : row.reference;
  return `${program.trim()}\n`;
}

function seedAnswer(row: SeedFixture, kind: AnswerKind): string {
  const fence = row.lang === 'verilog' ? 'verilog' : 'python';
  if (kind === 'no code') return 'Sorry, I cannot help with that.';
  if (kind === 'right') return `Here it is:\n\`\`\`${fence}\n${target(row)}\`\`\`\n`;
  if (row.lang === 'python') {
    const body = kind === 'syntax' ? `def ${row.entry_point}(x:\n    return x\n` : `def ${row.entry_point}(*args, **kwargs):\n    return None\n`;
    return `\`\`\`python\n${body}\`\`\``;
  }
  const code = kind === 'syntax' ? 'module TopModule(input a\nendmodule\n' : target(row).replace(/endmodule\s*$/, '  helper_unit u_helper();\nendmodule\n');
  return `\`\`\`verilog\n${code}\`\`\``;
}

function evalAnswer(problem: MiniProblem, index: number, level: number): string {
  const code = index % 4 < level ? problem.prompt + problem.canonical_solution : `def ${problem.entry_point}(*args, **kwargs):\n    return None\n`;
  return `\`\`\`python\n${code}\`\`\``;
}

/** The fake model's answer to a chat request: a seed row's sample or an eval problem. */
export function respond(request: RecordedRequest, seeds: SeedFixture[] = allSeeds): string {
  const model = String(request.body?.model);
  const messages = (request.body?.messages ?? []) as Array<{role: string; content: string}>;
  const user = messages.find((m) => m.role === 'user')?.content ?? '';
  const row = seeds.find((s) => s.instruction === user);
  if (row) return seedAnswer(row, answerKind(model, Number(request.body?.seed)));
  const index = pythonMini.findIndex((p) => user.includes(p.prompt.trim()));
  if (index >= 0) return evalAnswer(pythonMini[index]!, index, modelLevel(model));
  return 'unknown request';
}

/** Whether a recorded request asked for an eval problem (not a seed row's sample). */
export function isEvalRequest(request: RecordedRequest, seeds: SeedFixture[] = allSeeds): boolean {
  const user = ((request.body?.messages ?? []) as Array<{role: string; content: string}>).find((m) => m.role === 'user')?.content;
  return request.path === '/v1/chat/completions' && !seeds.some((s) => s.instruction === user);
}

/** Expected eval pass@1 of a model on the first `count` problems of the embedded suite. */
export function expectedEvalPass1(model: string, count = pythonMini.length): number {
  const level = modelLevel(model);
  return Array.from({length: count}, (_, i) => i).filter((i) => i % 4 < level).length / count;
}

export function seedsJsonl(seeds: SeedFixture[]): string {
  return seeds.map((row) => JSON.stringify(row)).join('\n') + '\n';
}
