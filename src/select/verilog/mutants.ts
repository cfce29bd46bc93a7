/**
 * Seeded mutant pools from a reference design, for selection cases the real model pools lack
 * (a plurality of distinct wrong answers, a wrong answer more common than the right one). Each
 * mutant changes one site of the reference (comments removed first, so every site is code):
 * - operator: && ↔ ||, & ↔ |, ^ → |, + ↔ -, == ↔ !=, << ↔ >>;
 * - condition: `if (c)` → `if (!(c))`, a unary `~`/`!` dropped;
 * - width: a constant range `[m:l]` (declared or selected) one bit narrower, a bit index off by one;
 * - constant: a number compared against (or a sized decimal) one larger;
 * - reset: the value assigned under `if (reset)` inverted.
 * Whether a mutant is wrong is for the real testbench to say (some are equivalent).
 */
import {seededRandom} from '../rng.js';
import {stripComments} from './interface.js';

export type MutationKind = 'operator' | 'condition' | 'width' | 'constant' | 'reset';

export interface Mutant {
  kind: MutationKind;
  code: string;
  /** What changed, e.g. `operator: & → | at 214`. */
  description: string;
}

interface Site {
  kind: MutationKind;
  start: number;
  end: number;
  replacement: string;
}

const operatorSwaps: Array<[RegExp, string]> = [
  [/&&/g, '||'],
  [/\|\|/g, '&&'],
  [/(?<![&~])&(?![&=])/g, '|'],
  [/(?<![|~])\|(?![|=])/g, '&'],
  [/(?<![~])\^(?![~])/g, '|'],
  [/\+(?![:+=])/g, '-'],
  [/(?<![-<])-(?![:>\-=])/g, '+'],
  [/(?<![=!<>])==(?!=)/g, '!='],
  [/!=(?!=)/g, '=='],
  [/(?<!<)<<(?![<=])/g, '>>'],
  [/(?<!>)>>(?![>=])/g, '<<'],
];

/** Index just past the parenthesis matching the one at `open`. */
function closing(code: string, open: number): number | undefined {
  let depth = 0;
  for (let i = open; i < code.length; i++) {
    if (code[i] === '(') depth++;
    else if (code[i] === ')' && --depth === 0) return i + 1;
  }
  return undefined;
}

function sites(code: string, from: number): Site[] {
  const found: Site[] = [];
  const body = code.slice(from);
  const add = (kind: MutationKind, start: number, end: number, replacement: string) => found.push({kind, start: from + start, end: from + end, replacement});
  for (const [pattern, replacement] of operatorSwaps) {
    for (const match of body.matchAll(pattern)) add('operator', match.index, match.index + match[0].length, replacement);
  }
  for (const match of body.matchAll(/\bif\s*\(/g)) {
    const open = match.index + match[0].length - 1;
    const end = closing(body, open);
    if (end !== undefined) add('condition', open, end, `(!${body.slice(open, end)})`);
  }
  for (const match of body.matchAll(/(?<![~!=])[~!](?![=&|^])/g)) add('condition', match.index, match.index + 1, '');
  for (const match of body.matchAll(/\[\s*(\d+)\s*:\s*(\d+)\s*\]/g)) {
    const msb = Number(match[1]);
    if (msb <= Number(match[2])) continue;
    const at = match.index + match[0].indexOf(match[1]!);
    add('width', at, at + match[1]!.length, String(msb - 1));
  }
  for (const match of body.matchAll(/\w\s*\[\s*(\d+)\s*\]/g)) {
    const index = Number(match[1]);
    const at = match.index + match[0].lastIndexOf(match[1]!);
    add('width', at, at + match[1]!.length, String(index > 0 ? index - 1 : index + 1));
  }
  for (const match of body.matchAll(/(?:==|!=|>=|(?<![<=])<(?![<=])|(?<![>=-])>(?![>=]))\s*(\d+)\b(?!')|\b\d+'d(\d+)\b/g)) {
    const digits = match[1] ?? match[2]!;
    const at = match.index + match[0].lastIndexOf(digits);
    add('constant', at, at + digits.length, String(Number(digits) + 1));
  }
  for (const match of body.matchAll(/\bif\s*\(\s*!?\s*\w*(?:reset|rst)\w*\s*\)\s*(?:begin\s+)?[\w[\]:]+\s*<?=\s*([^;]+);/gi)) {
    const value = match[1]!;
    const at = match.index + match[0].lastIndexOf(value);
    add('reset', at, at + value.length, `~(${value.trim()})`);
  }
  return found;
}

/** Where a whole-module reference's body starts (after its port list), so ports keep their widths. */
function bodyStart(code: string): number {
  const header = /\bmodule\s+\w+\s*(?:#\s*\([\s\S]*?\)\s*)?\(/.exec(code);
  if (!header) return 0;
  return closing(code, header.index + header[0].length - 1) ?? 0;
}

/**
 * Every single-site mutant of `reference` that differs from it, in order of kind and position.
 * `wholeModule`: the reference starts with its module header (v2), whose port list stays as it is;
 * otherwise it is a body after the prompt's header (v1).
 */
export function mutantsOf(reference: string, wholeModule: boolean): Mutant[] {
  const code = stripComments(reference);
  const seen = new Set([code]);
  const mutants: Mutant[] = [];
  for (const site of sites(code, wholeModule ? bodyStart(code) : 0)) {
    const mutated = code.slice(0, site.start) + site.replacement + code.slice(site.end);
    if (seen.has(mutated)) continue;
    seen.add(mutated);
    mutants.push({kind: site.kind, code: mutated, description: `${site.kind}: ${code.slice(site.start, site.end).trim()} → ${site.replacement.trim()} at ${site.start}`});
  }
  return mutants;
}

export interface PoolShape {
  /** Copies of the (comment-free) reference. */
  reference: number;
  /** Copies of each distinct mutant, in order: [2, 1] = one mutant twice and another once. */
  mutants: number[];
}

/** `plurality`: the reference twice among three distinct wrong-looking answers; `minority`: a mutant outnumbers it. */
export const poolShapes: Record<'plurality' | 'minority', PoolShape> = {
  plurality: {reference: 2, mutants: [1, 1, 1]},
  minority: {reference: 1, mutants: [2, 1, 1]},
};

/**
 * A seeded pool: the reference and distinct mutants (kinds taken in turn, so a pool mixes them),
 * shuffled. Fewer mutants than the shape asks for when the reference has fewer sites.
 */
export function mutantPool(reference: string, wholeModule: boolean, shape: PoolShape, seed: number): Array<{code: string; mutant?: Mutant}> {
  const random = seededRandom(seed);
  const byKind = new Map<MutationKind, Mutant[]>();
  for (const mutant of mutantsOf(reference, wholeModule)) byKind.set(mutant.kind, [...(byKind.get(mutant.kind) ?? []), mutant]);
  const kinds = [...byKind.keys()];
  const chosen: Mutant[] = [];
  for (let turn = 0; chosen.length < shape.mutants.length && kinds.some((kind) => byKind.get(kind)!.length > 0); turn++) {
    const candidates = byKind.get(kinds[turn % kinds.length]!)!;
    if (candidates.length === 0) continue;
    chosen.push(candidates.splice(Math.floor(random() * candidates.length), 1)[0]!);
  }
  const pool = [
    ...Array.from({length: shape.reference}, () => ({code: stripComments(reference)})),
    ...chosen.flatMap((mutant, i) => Array.from({length: shape.mutants[i]!}, () => ({code: mutant.code, mutant}))),
  ];
  // Fisher–Yates with the same generator: sample order carries no hint of which is the reference.
  for (let i = pool.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool;
}
