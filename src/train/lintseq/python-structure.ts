/**
 * LintSeq's line structure for Python, as upstream computes it (src/data_gen/lintseq.py,
 * `ignore_comments=True`, `ignore_global_defs=True`, `indent_bias_sampling_factor=1`):
 * - candidates: every line except blank ones, `#` comments, and the continuation lines of a
 *   multi-line UPPER_CASE global literal (`FOO = [` … `]`);
 * - weights: 1 at top level, indent / tab width when indented (the first indent seen is the tab width);
 * - block: the following lines indented deeper (a line of at most one character, e.g. `)` or a blank
 *   line, keeps the indent of the line before it).
 */
import {lstrip, rstrip} from '../../bench/verilog/pystr.js';
import type {Structure} from './structure.js';

/** Python `str.isupper()`: at least one cased character and none of them lower-case. */
function isUpper(text: string): boolean {
  let cased = false;
  for (const char of text) {
    if (char.toLowerCase() === char.toUpperCase()) continue;
    if (char !== char.toUpperCase()) return false;
    cased = true;
  }
  return cased;
}

/** Upstream's indent per line: lines of at most one character inherit the previous indent. */
export function lineIndents(lines: readonly string[]): {indents: number[]; tabWidth: number | undefined} {
  const indents: number[] = [];
  let tabWidth: number | undefined;
  let indent = 0;
  for (const line of lines) {
    const content = lstrip(line);
    if (content.length > 1) indent = line.length - content.length;
    indents.push(indent);
    if (tabWidth === undefined && indent > 0) tabWidth = indent;
  }
  return {indents, tabWidth};
}

function candidateLines(lines: readonly string[]): number[] {
  const nonComment = lines.flatMap((line, i) => {
    const content = lstrip(line);
    return content.length > 0 && content[0] !== '#' ? [i] : [];
  });
  const candidates: number[] = [];
  let open: ')' | ']' | undefined;
  for (const i of nonComment) {
    const line = lines[i]!;
    const last = rstrip(line).at(-1);
    if (!open) candidates.push(i);
    if (open) {
      if (last === open) open = undefined;
    } else if (line.includes('=') && isUpper(line.slice(0, line.indexOf('=')).replaceAll(' ', '')) && (last === '(' || last === '[')) {
      open = last === '(' ? ')' : ']';
    }
  }
  return candidates;
}

/** Upstream's `_lookup_children`: the run of following lines indented deeper than `line`. */
export function indentChildren(indents: readonly number[], line: number): number[] {
  const children: number[] = [];
  for (let next = line + 1; next < indents.length && indents[next]! > indents[line]!; next++) children.push(next);
  return children;
}

export function indentWeights(indents: readonly number[], tabWidth: number | undefined, candidates: readonly number[]): number[] {
  const weights = indents.map(() => 0);
  for (const i of candidates) weights[i] = indents[i] === 0 ? 1 : indents[i]! / tabWidth!;
  return weights;
}

/** An f-string anywhere: its replacement fields may nest quotes, which the scan below does not follow. */
const fString = /(?:^|[^A-Za-z0-9_])(?:[fF][rR]?|[rR][fF])['"]/;

/** A line that opens a docstring: only an (r/u-prefixed) triple quote starts it. */
const docstringOpen = /^\s*[rRuU]?("""|\'\'\')/;

/**
 * Docstring middle lines (deleting them changes nothing but a docstring's text, which no counted
 * pylint message reads) and the lines holding quotes outside such middles: while all of those are
 * kept, every string keeps its delimiters, so the middles stay inside their docstrings. Empty when
 * the program has an f-string, to stay on the safe side of what this scan follows.
 */
export function docstringInteriors(lines: readonly string[]): {inert: Set<number>; delimiters: Set<number>} {
  const inert = new Set<number>();
  const delimiters = new Set<number>();
  const text = lines.join('\n');
  if (fString.test(text)) return {inert, delimiters};
  let line = 0;
  let previousCode = '';
  let i = 0;
  while (i < text.length) {
    const char = text[i]!;
    if (char === '\n') {
      const done = lines[line]!.replace(/#.*$/, '').trim();
      if (done) previousCode = done;
      line++;
    }
    if (char === '#') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (char !== '"' && char !== "'") {
      i++;
      continue;
    }
    const quote = text.startsWith(char.repeat(3), i) ? char.repeat(3) : char;
    const start = line;
    // A docstring is the first statement of the module or of a block (the code before ends with ":").
    const docstring = quote.length === 3 && docstringOpen.test(lines[start]!) && (previousCode === '' || previousCode.endsWith(':'));
    i += quote.length;
    while (i < text.length && !text.startsWith(quote, i)) {
      if (text[i] === '\n' || (text[i] === '\\' && text[i + 1] === '\n')) line++;
      // A backslash escapes the next character in every string kind as far as where the string ends is concerned.
      i += text[i] === '\\' ? 2 : 1;
    }
    delimiters.add(start).add(line);
    if (docstring) for (let inside = start + 1; inside < line; inside++) inert.add(inside);
    i += quote.length;
  }
  return {inert, delimiters};
}

export function pythonStructure(lines: readonly string[]): Structure {
  const {indents, tabWidth} = lineIndents(lines);
  const candidates = candidateLines(lines);
  return {candidates, weights: indentWeights(indents, tabWidth, candidates), block: (line) => indentChildren(indents, line), ...docstringInteriors(lines)};
}
