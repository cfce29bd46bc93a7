/**
 * Response → sample file, exactly as upstream `scripts/sv-generate` writes `P_sampleNN.sv`
 * (main c498220d), including its quirks: the file starts with an empty line; a `[BEGIN]` without a
 * matching `[DONE]` yields no code at all; the code-complete scan treats `module TopModule` and
 * `endmodule` with and without leading whitespace differently in its two passes.
 */
import type {Extraction} from '../bench.js';
import {lstrip, rstrip, splitLines, strip} from './pystr.js';
import type {V2Task} from './v2-prompt.js';

export const markers = {
  noBeginDone: '// VERILOG-EVAL: response did not use <CODE></CODE> correctly',
  abnormalBackticks: '// VERILOG-EVAL: abnormal backticks count',
  errantModule: '// VERILOG-EVAL: errant inclusion of module definition',
  noEndmodule: '// VERILOG-EVAL: endmodule not found',
} as const;

interface Shape {
  backticks: number;
  /** A line starts with `module TopModule` and no `endmodule` line comes before it. */
  hasModule: boolean;
}

function shapeOf(lines: string[]): Shape {
  let backticks = 0;
  let endmoduleFirst = false;
  let hasModule = false;
  for (const line of lines) {
    if (line.startsWith('```')) backticks++;
    else if (line.startsWith('endmodule')) endmoduleFirst ||= !hasModule;
    else if (line.startsWith('module TopModule')) hasModule = true;
  }
  return {backticks, hasModule: hasModule && !endmoduleFirst};
}

interface Scan {
  code: string;
  foundModule: boolean;
  foundEndmodule: boolean;
}

/**
 * Upstream's fence/module scan: with two or more fence lines, the text between the first two;
 * otherwise everything up to the first `endmodule` line, starting at `module TopModule` if the
 * response has one.
 */
function scanCode(lines: string[], shape: Shape): Scan {
  let firstFence = false;
  let secondFence = false;
  let foundModule = false;
  let foundEndmodule = false;
  let code = '';
  for (const line of lines) {
    let echo = true;
    if (strip(line).startsWith('module TopModule')) foundModule = true;
    if (shape.backticks >= 2) {
      if (!firstFence || secondFence) echo = false;
    } else {
      if (foundEndmodule) echo = false;
      if (shape.hasModule && !foundModule) echo = false;
    }
    if (line.startsWith('```')) {
      if (!firstFence) firstFence = true;
      else secondFence = true;
      echo = false;
    } else if (strip(line).startsWith('endmodule')) {
      foundEndmodule = true;
    }
    if (echo) code += `${line}\n`;
  }
  return {code, foundModule, foundEndmodule};
}

function scanPath(shape: Shape): string {
  if (shape.backticks >= 2) return 'fenced';
  return shape.hasModule ? 'module-scan' : 'verbatim';
}

/** The lines between `[BEGIN]` and `[DONE]` (each may share its line with code), if both were found. */
function beginDone(lines: string[]): {started: boolean; code?: string} {
  const found: string[] = [];
  let started = false;
  for (const line of lines) {
    if (!started) {
      if (strip(line) === '[BEGIN]') started = true;
      else if (lstrip(line).startsWith('[BEGIN]')) {
        found.push(lstrip(line).replaceAll('[BEGIN]', ''));
        started = true;
      }
    } else if (strip(line) === '[DONE]') {
      return {started, code: found.map((code) => `${code}\n`).join('')};
    } else if (rstrip(line).endsWith('[DONE]')) {
      found.push(rstrip(line).replaceAll('[DONE]', ''));
      return {started, code: found.map((code) => `${code}\n`).join('')};
    } else {
      found.push(line);
    }
  }
  return {started};
}

function specToRtl(response: string): Extraction {
  const lines = splitLines(response);
  const block = beginDone(lines);
  if (block.code !== undefined) return {code: `\n${block.code}\n`, path: 'begin-done', markers: []};
  if (block.started) return {code: '\n\n', path: 'begin-without-done', markers: []};
  const shape = shapeOf(lines);
  const scan = scanCode(lines, shape);
  return {
    code: `\n${scan.code}\n${markers.noBeginDone}\n\n`,
    path: scanPath(shape),
    markers: [markers.noBeginDone],
  };
}

function codeComplete(response: string, ifc: string): Extraction {
  const lines = splitLines(response);
  const shape = shapeOf(lines);
  const scan = scanCode(lines, shape);
  const found: string[] = [];
  if (shape.backticks === 1 || shape.backticks > 2) found.push(markers.abnormalBackticks);
  if (scan.foundModule) found.push(markers.errantModule);
  if (!scan.foundEndmodule) found.push(markers.noEndmodule);
  const header = shape.hasModule ? '' : `${ifc}\n\n`;
  const path = shape.hasModule ? scanPath(shape) : `ifc-prepended+${scanPath(shape)}`;
  return {
    code: `\n${header}${scan.code}\n${found.map((marker) => `${marker}\n\n`).join('')}\n`,
    path,
    markers: found,
  };
}

/** `ifc` is the problem's `_ifc.txt` (code-complete only), newlines as Python's text-mode read gives them. */
export function extractV2(task: V2Task, response: string, ifc = ''): Extraction {
  return task === 'spec-to-rtl' ? specToRtl(response) : codeComplete(response, ifc);
}
