/**
 * Which linter messages count as errors, and on which line: the rules phase I runs on.
 * - Python (upstream `file_linter`): pylint messages read back from the text upstream parses,
 *   `{C}|{msg_id}|{line}|{column}|{msg}`, one per output line (a message holding `|` or a newline
 *   falls apart there, as upstream's does); every E and F counts, of W only W0311 (bad indentation)
 *   and W0231 (super-init not called); a syntax error's line is re-read from "on line N" in its text.
 * - Verilog: `iverilog -g2012 -t null`; every `error`, `syntax error` and `sorry` line counts.
 *   "No top level modules" (an empty program, or one with only directives left) counts as clean.
 */
import {LintSeqFailure} from './sample.js';

export type PylintMessage = [category: string, msgId: string, line: number, column: number, msg: string];

export type WorkerReply = {messages: PylintMessage[]} | {rc: number; output: string} | {error: string} | {ready: string};

export type LinterKind = 'pylint' | 'iverilog';

function failed(reply: WorkerReply): reply is {error: string} {
  return 'error' in reply;
}

/** Python `int()` of a decimal string, or a failure (upstream's sample would have died there). */
function lineNumber(text: string): number {
  if (!/^\s*[+-]?\d+\s*$/.test(text)) throw new LintSeqFailure(`pylint reported an unreadable line number: ${text}`);
  return Number(text);
}

export function pylintErrorLines(reply: WorkerReply): number[] {
  if (failed(reply)) throw new LintSeqFailure(`pylint failed: ${reply.error}`);
  if (!('messages' in reply)) throw new Error('the pylint worker sent a reply of another linter');
  const lines: number[] = [];
  for (const [category, msgId, line, column, msg] of reply.messages) {
    for (const row of `${category}|${msgId}|${line}|${column}|${msg}`.split('\n')) {
      const fields = row.split('|');
      if (fields.length !== 5) continue;
      const [c, id, lineId, , text] = fields as [string, string, string, string, string];
      if (c === 'W' && id !== 'W0311' && id !== 'W0231') continue;
      if (id === 'E0001' && text.includes('on line')) {
        const words = text.slice(0, text.lastIndexOf('(')).trimEnd().split(' ');
        lines.push(lineNumber(words[words.length - 1]!));
      } else lines.push(lineNumber(lineId));
    }
  }
  return lines;
}

const icarusError = /^[^\n]*?:(\d+): (?:syntax error|error|sorry)\b/;
/** The same message from file s<k>.sv of a batch (sandbox/lint_worker.py names the files so). */
const batchError = /^s(\d+)\.sv:(\d+): (?:syntax error|error|sorry)\b/;

export function iverilogErrorLines(reply: WorkerReply): number[] {
  if (failed(reply)) throw new LintSeqFailure(`iverilog failed: ${reply.error}`);
  if (!('rc' in reply)) throw new Error('the iverilog worker sent a reply of another linter');
  if (reply.rc === 0) return [];
  const lines = reply.output.split('\n').flatMap((row) => {
    const match = icarusError.exec(row);
    return match ? [Number(match[1])] : [];
  });
  if (lines.length > 0) return lines;
  if (reply.output.includes('No top level modules')) return [];
  throw new LintSeqFailure(`iverilog rejected the program without naming a line: ${reply.output.trim().split('\n')[0] ?? `exit ${reply.rc}`}`);
}

/**
 * Per text of an Icarus batch run (each text a compilation unit of its own, s0.sv, s1.sv, …): its
 * error lines as linting it alone gives them, or undefined where the run does not tell; undefined
 * for the whole batch when the run is not understood (the caller lints each text alone then).
 * - No error at all, and exit 0 or "No top level modules": every text is clean.
 * - A file with errors: exactly its own. Each unit is parsed on its own, so its parse errors do
 *   not depend on the others; and Icarus stops after parsing when any file has a parse error,
 *   and after the first elaboration phase in which any module fails, so a file reporting errors
 *   failed in the phase it would stop at alone too.
 * - A file without errors in a run that failed: unknown (its elaboration may not have run).
 * test/lintseq-batch.test.ts checks this against linting alone on every state LintSeq visits
 * over the VerilogEval v2 references.
 */
export function iverilogBatchErrorLines(reply: WorkerReply, count: number): Array<number[] | undefined> | undefined {
  if (failed(reply)) return undefined;
  if (!('rc' in reply)) throw new Error('the iverilog worker sent a reply of another linter');
  const lines: number[][] = Array.from({length: count}, () => []);
  let errors = 0;
  for (const row of reply.output.split('\n')) {
    if (!icarusError.test(row)) continue;
    const match = batchError.exec(row);
    const file = match ? Number(match[1]) : count;
    if (file >= count) return undefined;
    lines[file]!.push(Number(match![2]));
    errors++;
  }
  if (errors === 0) return reply.rc === 0 || reply.output.includes('No top level modules') ? lines : undefined;
  return lines.map((found) => (found.length > 0 ? found : undefined));
}
