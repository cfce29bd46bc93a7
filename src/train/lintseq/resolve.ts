/**
 * A port of upstream LintSeq's `resolve_edit_path` (src/utils.py), quirks included, so that a
 * LintSeq-trained model's output is turned into a program exactly as upstream's evaluation does:
 * - the end is stripped of any of the *characters* of `<|endoftext|>` (Python `rstrip(chars)`),
 *   not of the token; output ending in the stop marker `\n<|diff|>\n<|diff|>` loses nothing of the program;
 * - edits are split on `\n<|diff|>`, hunks on `\n@@`; a hunk whose text holds `@@` other than in
 *   its header, or whose header is not `@@ -a +c[,d] @@`, is malformed: skipped, or the whole
 *   result is `""` with `malformedPenalty`;
 * - every row loses all its leading `-` then all its leading `+` characters, and is inserted at
 *   line c (a `-` row is inserted too);
 * - the position is Python's `int()` of the part before the comma, less one; a position past the
 *   end appends, a negative one counts from the end as a Python slice does.
 */
import {lstrip, strip} from '../../bench/verilog/pystr.js';

export const diffToken = '<|diff|>';
const eosToken = '<|endoftext|>';
const hunkMark = '@@';

function rstripChars(text: string, chars: string): string {
  let end = text.length;
  while (end > 0 && chars.includes(text[end - 1]!)) end--;
  return text.slice(0, end);
}

function lstripChars(text: string, chars: string): string {
  let start = 0;
  while (start < text.length && chars.includes(text[start]!)) start++;
  return text.slice(start);
}

/** Python `int(text)` for the forms a hunk header can take; undefined where Python raises. */
function pythonInt(text: string): number | undefined {
  const match = /^[+-]?\d+(?:_\d+)*$/.exec(strip(text));
  return match ? Number(match[0].replaceAll('_', '')) : undefined;
}

/** Python's clamping of a slice bound. */
function sliceBound(index: number, length: number): number {
  return index < 0 ? Math.max(0, index + length) : Math.min(index, length);
}

class Malformed extends Error {}

function hunkOf(diff: string): {at: number; rows: string[]} {
  const parts = diff.split(hunkMark);
  if (parts.length !== 3) throw new Malformed();
  const [, header, body] = parts as [string, string, string];
  const fields = strip(header).split(' ');
  if (fields.length !== 2) throw new Malformed();
  const target = fields[1]!;
  const start = pythonInt(lstripChars(target.includes(',') ? target.split(',')[0]! : target, '+'));
  if (start === undefined) throw new Malformed();
  return {at: start - 1, rows: lstrip(body).split('\n').map((row) => lstripChars(lstripChars(row, '-'), '+'))};
}

export function resolveEditPath(text: string, options: {malformedPenalty?: boolean} = {}): string {
  const diffs: string[] = [];
  for (const edit of rstripChars(text, eosToken).split(`\n${diffToken}`)) {
    if (!edit.includes(hunkMark)) continue;
    edit.split(`\n${hunkMark}`).forEach((piece, i) => diffs.push(i === 0 ? piece : `\n${hunkMark}${piece}`));
  }
  let lines: string[] = [];
  for (const diff of diffs) {
    if (!diff.includes(hunkMark)) continue;
    let hunk: {at: number; rows: string[]};
    try {
      hunk = hunkOf(diff);
    } catch (error) {
      if (!(error instanceof Malformed)) throw error;
      if (options.malformedPenalty) return '';
      continue;
    }
    if (hunk.at >= lines.length) lines = [...lines, ...hunk.rows];
    else {
      const cut = sliceBound(hunk.at, lines.length);
      lines = [...lines.slice(0, cut), ...hunk.rows, ...lines.slice(cut)];
    }
  }
  return lines.join('\n');
}

/**
 * Upstream's training text (finetune.py `encode_edit_seq_with_coding_completion_format`, without
 * the tokenizer's EOS): the edits joined by `\n<|diff|>` after a leading one, then two empty edits
 * as the stop marker. `completion` is what the model learns to write after the instruction.
 */
export function renderEditPath(instruction: string, edits: readonly string[]): {completion: string; text: string} {
  const completion = ['', ...edits, '', ''].join(`\n${diffToken}`);
  // Upstream inserts "\n" between them only when neither side has whitespace there; the completion always starts with "\n".
  return {completion, text: instruction + completion};
}
