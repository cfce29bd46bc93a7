/**
 * A Verilog module's interface as behavioural selection needs it: the ports with their directions
 * and widths, read from a module header (ANSI `module M (input [7:0] a, output reg q);` or the
 * older list-of-names form with declarations in the body), and which inputs are the clock and the
 * reset, found by name and by how candidates use them (`posedge clk`, `negedge resetn`).
 */

export type Direction = 'input' | 'output' | 'inout';

export interface Port {
  name: string;
  direction: Direction;
  /** Bits; the port is declared [width-1:0] in the stimulus testbench whatever its own range was. */
  width: number;
}

export interface ModuleInterface {
  ports: Port[];
}

export interface PortRoles {
  clock?: string;
  reset?: {name: string; activeLow: boolean};
}

/** Code without comments or attributes, so neither can hide or fake a declaration. */
export function stripComments(code: string): string {
  return code
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/\/\/[^\n]*/g, '')
    .replace(/\(\*[\s\S]*?\*\)/g, ' ');
}

/** The text between the parenthesis at `open` and its match, or undefined when unbalanced. */
function balanced(text: string, open: number): {inner: string; end: number} | undefined {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return {inner: text.slice(open + 1, i), end: i};
  }
  return undefined;
}

/** Splits at commas outside brackets, braces and parentheses. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((part) => part.trim()).filter((part) => part !== '');
}

/** An integer constant expression over numbers, known parameters, + - * and parentheses. */
function evaluate(expression: string, parameters: Map<string, number>): number | undefined {
  const tokens = expression.match(/\d+|[A-Za-z_]\w*|[-+*()]|\S/g) ?? [];
  let at = 0;
  const atom = (): number => {
    const token = tokens[at++];
    if (token === '(') {
      const value = sum();
      if (tokens[at++] !== ')') return Number.NaN;
      return value;
    }
    if (token === '-') return -atom();
    if (token !== undefined && /^\d+$/.test(token)) return Number(token);
    return token !== undefined && parameters.has(token) ? parameters.get(token)! : Number.NaN;
  };
  const product = (): number => {
    let value = atom();
    while (tokens[at] === '*') {
      at++;
      value *= atom();
    }
    return value;
  };
  const sum = (): number => {
    let value = product();
    while (tokens[at] === '+' || tokens[at] === '-') value += tokens[at++] === '+' ? product() : -product();
    return value;
  };
  const value = sum();
  return at === tokens.length && Number.isSafeInteger(value) ? value : undefined;
}

const directionWord = /^(input|output|inout)\b/;

/** One declaration's type part and names: `output reg signed [7:0] q, r` → width 8, names [q, r]. */
function parseDeclaration(text: string, parameters: Map<string, number>): {direction?: Direction; width?: number; names: string[]} | undefined {
  const direction = directionWord.exec(text)?.[1] as Direction | undefined;
  let rest = direction ? text.slice(direction.length) : text;
  rest = rest.replace(/^\s*(?:(?:wire|reg|logic|var|tri|signed|unsigned)\b\s*)*/, '');
  let width: number | undefined;
  const range = /^\[([^\]:]+):([^\]]+)\]\s*/.exec(rest);
  if (range) {
    const msb = evaluate(range[1]!, parameters);
    const lsb = evaluate(range[2]!, parameters);
    if (msb === undefined || lsb === undefined) return undefined;
    width = Math.abs(msb - lsb) + 1;
    rest = rest.slice(range[0].length);
  } else if (direction) width = 1;
  const names = splitTopLevel(rest).map((item) => item.replace(/\s*=[\s\S]*$/, '').trim());
  // Unpacked arrays, interfaces and anything else we cannot drive bit by bit.
  if (names.length === 0 || names.some((name) => !/^[A-Za-z_]\w*$/.test(name))) return undefined;
  return {direction, width, names};
}

/**
 * The ports of `module <name>` in `code`, or undefined when there is no such module or its header
 * is beyond this reader (unpacked array ports, ranges that are not constant expressions).
 */
export function parseInterface(code: string, moduleName: string): ModuleInterface | undefined {
  const text = stripComments(code);
  const header = new RegExp(`\\bmodule\\s+${moduleName}\\b\\s*`).exec(text);
  if (!header) return undefined;
  let at = header.index + header[0].length;
  const parameters = new Map<string, number>();
  const collectParameters = (source: string) => {
    for (const match of source.matchAll(/\b(?:parameter|localparam)\b(?:\s+integer)?\s+(\w+)\s*=\s*([^,;)]+)/g)) {
      const value = evaluate(match[2]!, parameters);
      if (value !== undefined) parameters.set(match[1]!, value);
    }
  };
  if (text[at] === '#') {
    const open = text.indexOf('(', at);
    const params = balanced(text, open);
    if (!params) return undefined;
    collectParameters(params.inner);
    at = params.end + 1;
  }
  const open = /^\s*\(/.exec(text.slice(at));
  if (!open) return undefined;
  const list = balanced(text, at + open[0].length - 1);
  if (!list) return undefined;
  const bodyEnd = text.indexOf('endmodule', list.end);
  const body = text.slice(list.end + 1, bodyEnd < 0 ? undefined : bodyEnd);
  collectParameters(body);
  const items = splitTopLevel(list.inner);
  const ports: Port[] = [];
  if (items.length > 0 && directionWord.test(items[0]!)) {
    // ANSI: a name without a direction continues the previous declaration's type.
    let current: {direction: Direction; width: number} | undefined;
    for (const item of items) {
      const declaration = parseDeclaration(item, parameters);
      if (!declaration) return undefined;
      if (declaration.direction) current = {direction: declaration.direction, width: declaration.width!};
      if (!current) return undefined;
      for (const name of declaration.names) ports.push({name, ...current});
    }
  } else {
    // Names in the header, directions and widths in the body.
    const declared = new Map<string, {direction: Direction; width: number}>();
    for (const statement of body.split(';')) {
      const trimmed = statement.trim();
      if (!directionWord.test(trimmed)) continue;
      const declaration = parseDeclaration(trimmed, parameters);
      if (!declaration?.direction) return undefined;
      for (const name of declaration.names) declared.set(name, {direction: declaration.direction, width: declaration.width!});
    }
    for (const name of items) {
      const found = declared.get(name);
      if (!found) return undefined;
      ports.push({name, ...found});
    }
  }
  return ports.length > 0 && new Set(ports.map((p) => p.name)).size === ports.length ? {ports} : undefined;
}

/** A key equal for equal interfaces (the same ports, in any order: the testbench connects them by name). */
export function interfaceKey(iface: ModuleInterface): string {
  return iface.ports
    .map((p) => `${p.direction} ${p.width} ${p.name}`)
    .sort()
    .join(', ');
}

/** The interface most candidates declare (weighted by how many samples each is), first seen on a tie. */
export function majorityInterface(candidates: Array<{code: string; weight: number}>, moduleName: string): ModuleInterface | undefined {
  const votes = new Map<string, {iface: ModuleInterface; weight: number}>();
  for (const {code, weight} of candidates) {
    const iface = parseInterface(code, moduleName);
    if (!iface) continue;
    const key = interfaceKey(iface);
    const entry = votes.get(key) ?? {iface, weight: 0};
    entry.weight += weight;
    votes.set(key, entry);
  }
  let best: {iface: ModuleInterface; weight: number} | undefined;
  for (const entry of votes.values()) if (!best || entry.weight > best.weight) best = entry;
  return best?.iface;
}

const clockName = /^(?:clk|clock|clk_?i|i_?clk)$/i;
const resetName = /^(?:a|s)?(?:reset|rst)(?:_?n|_?b|_ni)?$/i;
const activeLowName = /(?:_?n|_?b|_ni)$/i;

function edgeUses(codes: string[], name: string, edge: 'posedge' | 'negedge'): number {
  const pattern = new RegExp(`\\b${edge}\\s+${name}\\b`);
  return codes.filter((code) => pattern.test(stripComments(code))).length;
}

/**
 * Clock: a one-bit input named like a clock, else one that most candidates use as `posedge X`.
 * Reset: a one-bit input named like a reset; active low when its name says so (`resetn`, `rst_n`)
 * or most candidates that use one of its edges use `negedge`.
 */
export function detectRoles(iface: ModuleInterface, codes: string[]): PortRoles {
  const bits = iface.ports.filter((p) => p.direction === 'input' && p.width === 1);
  const resetPort = bits.find((p) => resetName.test(p.name));
  let clock = bits.find((p) => clockName.test(p.name))?.name;
  if (!clock && codes.length > 0) {
    const used = bits.filter((p) => p !== resetPort).map((p) => ({name: p.name, uses: edgeUses(codes, p.name, 'posedge')}));
    const best = used.sort((a, b) => b.uses - a.uses)[0];
    if (best && best.uses * 2 > codes.length) clock = best.name;
  }
  const roles: PortRoles = clock ? {clock} : {};
  if (resetPort && resetPort.name !== clock) {
    const negative = edgeUses(codes, resetPort.name, 'negedge');
    const positive = edgeUses(codes, resetPort.name, 'posedge');
    roles.reset = {name: resetPort.name, activeLow: activeLowName.test(resetPort.name.replace(/^(?:a|s)?(?:reset|rst)/i, '')) || negative > positive};
  }
  return roles;
}
