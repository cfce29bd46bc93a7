/**
 * A stimulus testbench derived from a module's interface alone (no reference, no trusted
 * testbench): seeded input vectors in blocks, applied to the design, and every output printed at
 * fixed points, so two designs can be compared by what they print.
 *
 * Vectors come in blocks, each starting from reset (when the design has a clock and a reset):
 * block 0 walks corner values (all zeros, all ones, one-hot, alternating; the one-bit inputs count
 * through their combinations), the middle blocks draw random values (a fifth of them corner
 * values) with a rare reset, and the last block is long (32 blocks' worth of cycles) with reset only
 * at its start, so counters and state machines get deep. A clocked design is sampled twice a
 * cycle, before the rising edge (inputs settled, state unchanged) and after it (state updated), as
 * VerilogEval's testbenches compare on both edges; a design without a clock once per vector.
 */
import {seededRandom} from '../rng.js';
import type {ModuleInterface, Port, PortRoles} from './interface.js';

export interface StimulusOptions {
  seed: number;
  /** Blocks of vectors, at least 3 (corner, random..., long). */
  blocks: number;
  /** Cycles (or vectors) per block; the last block has 32 times as many. */
  cycles: number;
}

export const defaultStimulus: Omit<StimulusOptions, 'seed'> = {blocks: 8, cycles: 32};

/** Cycles each block starts with reset asserted. */
const resetCycles = 2;
/** Chance of a reset in a random block's later cycle. */
const resetChance = 0.05;
/** Chance that a random vector's multi-bit value is a corner value. */
const cornerChance = 0.2;
const longBlockFactor = 32;

export interface Stimulus {
  /** Inputs the vectors drive (every input but the clock), in port order. */
  driven: Port[];
  outputs: Port[];
  roles: PortRoles;
  /** Per block, per cycle: one value per driven input, a bit string MSB first. */
  blocks: string[][][];
}

const repeat = (bit: string, width: number) => bit.repeat(width);

function cornerValues(width: number, cycle: number): string[] {
  const walking = width - 1 - (cycle % width);
  const oneAt = (position: number, bit: string, other: string) =>
    Array.from({length: width}, (_, i) => (i === position ? bit : other)).join('');
  return [
    repeat('0', width),
    repeat('1', width),
    oneAt(width - 1, '1', '0'),
    oneAt(0, '1', '0'),
    Array.from({length: width}, (_, i) => String(i % 2)).join(''),
    Array.from({length: width}, (_, i) => String(1 - (i % 2))).join(''),
    oneAt(walking, '1', '0'),
    oneAt(walking, '0', '1'),
  ];
}

function randomBits(width: number, random: () => number): string {
  let bits = '';
  for (let i = 0; i < width; i++) bits += random() < 0.5 ? '0' : '1';
  return bits;
}

export function planStimulus(iface: ModuleInterface, roles: PortRoles, options: StimulusOptions): Stimulus {
  if (!Number.isInteger(options.blocks) || options.blocks < 3) throw new Error(`stimulus blocks must be an integer ≥ 3, got ${options.blocks}`);
  if (!Number.isInteger(options.cycles) || options.cycles < resetCycles + 1) throw new Error(`stimulus cycles must be an integer ≥ ${resetCycles + 1}, got ${options.cycles}`);
  const random = seededRandom(options.seed);
  const driven = iface.ports.filter((p) => p.direction === 'input' && p.name !== roles.clock);
  const outputs = iface.ports.filter((p) => p.direction !== 'input');
  const reset = roles.clock ? roles.reset : undefined;
  const resetValue = (active: boolean) => (active !== Boolean(reset?.activeLow) ? '1' : '0');
  const blocks: string[][][] = [];
  for (let b = 0; b < options.blocks; b++) {
    const kind = b === 0 ? 'corner' : b === options.blocks - 1 ? 'long' : 'random';
    const cycles = kind === 'long' ? options.cycles * longBlockFactor : options.cycles;
    const block: string[][] = [];
    for (let cycle = 0; cycle < cycles; cycle++) {
      let oneBit = 0;
      block.push(
        driven.map((port, index) => {
          if (port.name === reset?.name) {
            const active = cycle < resetCycles || (kind === 'random' && random() < resetChance);
            return resetValue(active);
          }
          if (kind === 'corner') {
            // One-bit inputs count through their combinations; wider ones step through the corner values.
            if (port.width === 1) return String((cycle >> oneBit++) & 1);
            const corners = cornerValues(port.width, cycle);
            return corners[(cycle + index) % corners.length]!;
          }
          if (port.width > 1 && random() < cornerChance) {
            const corners = cornerValues(port.width, Math.floor(random() * port.width));
            return corners[Math.floor(random() * corners.length)]!;
          }
          return randomBits(port.width, random);
        }),
      );
    }
    blocks.push(block);
  }
  return {driven, outputs, roles: {...(roles.clock ? {clock: roles.clock} : {}), ...(reset ? {reset} : {})}, blocks};
}

/** Samples printed per cycle (before and after the rising edge) or per vector. */
export function samplesPerCycle(stimulus: Stimulus): number {
  return stimulus.roles.clock ? 2 : 1;
}

export interface StimulusTestbench {
  source: string;
  /** Its top module, for `iverilog -s`. */
  top: string;
  /** Tags the lines the testbench prints, so a design's own `$display`s are never read as its trace. */
  tag: string;
}

const declare = (kind: 'reg' | 'wire', port: Port, prefix = '') =>
  `  ${kind} ${port.width > 1 ? `[${port.width - 1}:0] ` : ''}${prefix}${port.name};`;

/** The testbench for a design whose top module is `top`; `tag` and the module name are fresh per job. */
export function renderTestbench(stimulus: Stimulus, top: string, tag: string): StimulusTestbench {
  const {driven, outputs, roles} = stimulus;
  const name = `passk_stim_${tag}`;
  const clock = roles.clock;
  const values = outputs.length === 0 ? '' : `, ${outputs.map((p) => p.name).join(', ')}`;
  const format = outputs.map(() => ' %b').join('');
  const show = (phase: string) => `$display("${tag} %0d ${phase}${format}", passk_k${values});`;
  const connections = [...(clock ? [clock] : []), ...driven.map((p) => p.name), ...outputs.map((p) => p.name)]
    .map((port) => `.${port}(${port})`)
    .join(', ');
  const taskInputs = ['input integer passk_k', ...driven.map((p) => `input ${p.width > 1 ? `[${p.width - 1}:0] ` : ''}passk_v_${p.name}`)];
  const apply = [
    ...driven.map((p) => `      ${p.name} = passk_v_${p.name};`),
    ...(clock
      ? [`      #4 ${show('a')}`, `      #1 ${clock} = 1'b1;`, `      #4 ${show('b')}`, `      #1 ${clock} = 1'b0;`]
      : [`      #5 ${show('a')}`, '      #5;']),
  ];
  let k = 0;
  const calls = stimulus.blocks.flatMap((block) =>
    block.map((vector) => `    passk_apply(${[String(k++), ...vector.map((bits) => `${bits.length}'b${bits}`)].join(', ')});`),
  );
  const source = [
    '`timescale 1 ps/1 ps',
    `module ${name};`,
    ...(clock ? [`  reg ${clock} = 1'b0;`] : []),
    ...driven.map((p) => declare('reg', p)),
    ...outputs.map((p) => declare('wire', p)),
    `  ${top} passk_dut_${tag} (${connections});`,
    `  task automatic passk_apply(${taskInputs.join(', ')});`,
    '    begin',
    ...apply,
    '    end',
    '  endtask',
    '  initial begin',
    // Inputs start unknown; the first vector then changes them, so combinational blocks see an event.
    '    #1;',
    ...calls,
    `    $display("${tag} end");`,
    '    $finish;',
    '  end',
    'endmodule',
    '',
  ].join('\n');
  return {source, top: name, tag};
}
