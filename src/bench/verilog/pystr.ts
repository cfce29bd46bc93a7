/**
 * The few Python `str` semantics VerilogEval's scripts rely on. Upstream splits responses with
 * `str.splitlines()`, trims with `str.strip()`, reads files in text mode (universal newlines) and
 * parses numbers with `\d` + `int()`; JavaScript's nearest built-ins differ at the edges (JS
 * `trim()` strips U+FEFF but not U+001C..U+001F or U+0085, `split('\n')` ignores `\r`, `\v`,
 * U+2028...), and byte-identical prompts and samples need the Python behaviour.
 */

/** Characters `str.splitlines()` breaks on; `\r\n` counts as one break. */
const lineBreak = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/;

/** Characters for which Python's `str.isspace()` is true. */
const whitespace = '\t\n\v\f\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000';

/** Python `text.splitlines()`: no trailing empty line, `[]` for the empty string. */
export function splitLines(text: string): string[] {
  const lines = text.split(lineBreak);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export function lstrip(text: string): string {
  let start = 0;
  while (start < text.length && whitespace.includes(text[start]!)) start++;
  return text.slice(start);
}

export function rstrip(text: string): string {
  let end = text.length;
  while (end > 0 && whitespace.includes(text[end - 1]!)) end--;
  return text.slice(0, end);
}

export function strip(text: string): string {
  return lstrip(rstrip(text));
}

/** What Python's text-mode `read()` returns for a file: `\r\n` and lone `\r` become `\n`. */
export function universalNewlines(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

/** The lines `for line in open(path)` yields, without their terminators. */
export function fileLines(text: string): string[] {
  const lines = universalNewlines(text).split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** One or more Unicode decimal digits: what Python's `\d` matches in a `str` pattern. */
export const pyDigits = '\\p{Nd}+';

/**
 * Python `int()` of a run of Unicode decimal digits. Unicode encodes every decimal digit set as a
 * contiguous run 0..9, so a digit's value is its distance from the start of its run, modulo 10.
 */
export function pyInt(digits: string): number {
  let value = 0;
  for (const char of digits) {
    let codePoint = char.codePointAt(0)!;
    let offset = 0;
    while (/\p{Nd}/u.test(String.fromCodePoint(codePoint - 1))) {
      codePoint--;
      offset++;
    }
    value = value * 10 + (offset % 10);
  }
  return value;
}
