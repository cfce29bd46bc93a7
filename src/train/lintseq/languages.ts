/** The two languages LintSeq runs on here: how a program's lines are structured and linted. */
import {strip} from '../../bench/verilog/pystr.js';
import {iverilogErrorLines, pylintErrorLines, type LinterKind, type WorkerReply} from './linters.js';
import {pythonStructure} from './python-structure.js';
import {pythonErrorLine, verilogErrorLine, type MapErrorLine} from './sample.js';
import type {Structure} from './structure.js';
import {verilogStructure} from './verilog-structure.js';

export const languageNames = ['python', 'verilog'] as const;
export type LanguageName = (typeof languageNames)[number];

export interface Language {
  name: LanguageName;
  linter: LinterKind;
  /** The Markdown fence tag of code blocks kept from a response (upstream `strip_chain_of_thought`). */
  fence: string;
  structure(lines: readonly string[]): Structure;
  errorLines(reply: WorkerReply): number[];
  mapErrorLine: MapErrorLine;
}

export const languages: Record<LanguageName, Language> = {
  python: {name: 'python', linter: 'pylint', fence: 'python', structure: pythonStructure, errorLines: pylintErrorLines, mapErrorLine: pythonErrorLine},
  verilog: {name: 'verilog', linter: 'iverilog', fence: 'verilog', structure: verilogStructure, errorLines: iverilogErrorLines, mapErrorLine: verilogErrorLine},
};

/**
 * Upstream's `strip_chain_of_thought`: when the response holds ```` ```<fence> ```` blocks, only
 * their contents, joined by newlines and stripped; otherwise the response as it is.
 */
export function programOf(response: string, fence: string): string {
  const open = '```' + fence;
  const chunks: string[] = [];
  let rest = response;
  while (rest.includes(open)) {
    const after = rest.slice(rest.indexOf(open) + open.length);
    const end = after.indexOf('```');
    // Python's find() gives -1 for an unclosed block: the chunk then drops its last character.
    chunks.push(after.slice(0, end === -1 ? -1 : end));
    rest = end === -1 ? after.slice(2) : after.slice(end + 3);
  }
  if (chunks.length === 0) return response;
  return strip(chunks.join('\n'));
}
