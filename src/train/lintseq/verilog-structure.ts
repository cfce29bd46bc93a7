/**
 * LintSeq's line structure for Verilog. Indentation says little about Verilog blocks, so blocks
 * are paired by tokens: `module`…`endmodule`, `begin`…`end`, `case`…`endcase`, `function`,
 * `task`, `generate` (and the other SystemVerilog `x`…`endx` pairs), plus brackets and block
 * comments that span lines (multi-line port lists `( … );`, concatenations). Deleting a line
 * that opens or closes such a span deletes the whole span, and with it any span sharing a line
 * with it (`end else begin`). Without this, a lone `endmodule` or `end` deleted leaves an error
 * that Icarus reports only at the end of the file.
 *
 * Candidates are the lines holding code (not blank, not only comments); weights follow
 * indentation as upstream's Python ones do.
 */
import {indentWeights, lineIndents} from './python-structure.js';
import type {Structure} from './structure.js';

const closerOf: Record<string, string[]> = {
  begin: ['end'],
  case: ['endcase'],
  casex: ['endcase'],
  casez: ['endcase'],
  randcase: ['endcase'],
  module: ['endmodule'],
  macromodule: ['endmodule'],
  function: ['endfunction'],
  task: ['endtask'],
  generate: ['endgenerate'],
  fork: ['join', 'join_any', 'join_none'],
  interface: ['endinterface'],
  package: ['endpackage'],
  class: ['endclass'],
  program: ['endprogram'],
  primitive: ['endprimitive'],
  table: ['endtable'],
  specify: ['endspecify'],
  config: ['endconfig'],
  clocking: ['endclocking'],
  property: ['endproperty'],
  sequence: ['endsequence'],
  covergroup: ['endgroup'],
  checker: ['endchecker'],
};
const closers = new Set(Object.values(closerOf).flat());
const bracketCloser: Record<string, string> = {'(': ')', '[': ']', '{': '}'};

interface Token {
  text: string;
  line: number;
}

export interface Span {
  start: number;
  end: number;
}

/**
 * Keywords, brackets and the lines holding code, with comments, strings, compiler directives,
 * system tasks and escaped identifiers skipped. Multi-line block comments opened after code are
 * spans too: deleting their first line would turn the rest into code.
 */
function scan(lines: readonly string[]): {tokens: Token[]; code: boolean[]; commentSpans: Span[]} {
  const tokens: Token[] = [];
  const code = lines.map(() => false);
  const commentSpans: Span[] = [];
  let comment: {start: number; afterCode: boolean} | undefined;
  lines.forEach((line, index) => {
    let i = 0;
    while (i < line.length) {
      if (comment) {
        const close = line.indexOf('*/', i);
        if (close === -1) return;
        if (comment.afterCode && index > comment.start) commentSpans.push({start: comment.start, end: index});
        comment = undefined;
        i = close + 2;
        continue;
      }
      const char = line[i]!;
      const rest = line.slice(i);
      if (rest.startsWith('//')) return;
      if (rest.startsWith('/*')) {
        comment = {start: index, afterCode: code[index]!};
        i += 2;
        continue;
      }
      if (/\s/.test(char)) {
        i++;
        continue;
      }
      code[index] = true;
      if (char === '"') {
        i++;
        while (i < line.length && line[i] !== '"') i += line[i] === '\\' ? 2 : 1;
        i++;
        continue;
      }
      const word = /^[`$\\]?[A-Za-z_][A-Za-z0-9_$]*/.exec(rest);
      if (word) {
        // `directive, $system_task and \escaped identifiers are never block keywords.
        if (/^[A-Za-z_]/.test(word[0])) tokens.push({text: word[0], line: index});
        i += word[0].length;
        continue;
      }
      if ('()[]{}'.includes(char)) tokens.push({text: char, line: index});
      i++;
    }
  });
  return {tokens, code, commentSpans};
}

/** Spans of paired keywords and brackets that cover more than one line. An unmatched opener is dropped at its enclosing closer. */
export function verilogSpans(lines: readonly string[]): Span[] {
  const {tokens, commentSpans} = scan(lines);
  const spans: Span[] = [...commentSpans];
  const keywords: Token[] = [];
  const brackets: Token[] = [];
  const close = (stack: Token[], matches: (opener: string) => boolean, line: number) => {
    let at = stack.length - 1;
    while (at >= 0 && !matches(stack[at]!.text)) at--;
    if (at === -1) return;
    const opener = stack[at]!;
    stack.length = at;
    if (line > opener.line) spans.push({start: opener.line, end: line});
  };
  for (const token of tokens) {
    if (token.text in closerOf) keywords.push(token);
    else if (closers.has(token.text)) close(keywords, (opener) => closerOf[opener]!.includes(token.text), token.line);
    else if (token.text in bracketCloser) brackets.push(token);
    else if (')]}'.includes(token.text)) close(brackets, (opener) => bracketCloser[opener] === token.text, token.line);
  }
  return spans;
}

/** Design units whose names are global across files (not per compilation unit). */
const globalUnits = new Set(['module', 'macromodule', 'primitive', 'interface', 'package', 'program', 'config', 'checker']);

/** Names the program declares as modules and other global design units (`module automatic m` too). */
export function designUnitNames(lines: readonly string[]): string[] {
  const {tokens} = scan(lines);
  const names = new Set<string>();
  tokens.forEach((token, at) => {
    if (!globalUnits.has(token.text)) return;
    const next = tokens[at + 1]?.text === 'automatic' || tokens[at + 1]?.text === 'static' ? tokens[at + 2] : tokens[at + 1];
    if (next && /^[A-Za-z_]/.test(next.text)) names.add(next.text);
  });
  return [...names];
}

export function verilogStructure(lines: readonly string[]): Structure {
  const {code} = scan(lines);
  const spans = verilogSpans(lines);
  const {indents, tabWidth} = lineIndents(lines);
  const candidates = code.flatMap((hasCode, i) => (hasCode ? [i] : []));
  const block = (line: number): number[] => {
    const members = new Set([line]);
    for (let grew = true; grew; ) {
      grew = false;
      for (const span of spans) {
        if (!members.has(span.start) && !members.has(span.end)) continue;
        for (let i = span.start; i <= span.end; i++) {
          if (!members.has(i)) {
            members.add(i);
            grew = true;
          }
        }
      }
    }
    members.delete(line);
    return [...members].sort((a, b) => a - b);
  };
  return {candidates, weights: indentWeights(indents, tabWidth, candidates), block};
}
