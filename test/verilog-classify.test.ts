import {describe, expect, it} from 'vitest';
import {classify} from '../src/bench/verilog/classify.js';
import {fileLines, pyInt, splitLines, strip} from '../src/bench/verilog/pystr.js';

const passLog = [
  'VCD info: dumpfile wave.vcd opened for output.',
  "Hint: Output 'zero' has no mismatches.",
  'Hint: Total mismatched samples is 0 out of 20 samples',
  '',
  'Simulation finished at 102 ps',
  'Mismatches: 0 in 20 samples',
  '',
].join('\n');

const failLog = passLog.replace("has no mismatches.", "has 7 mismatches. First mismatch occurred at time 5.").replace(/0 (out of|in) 20/g, '7 $1 20');

describe('classify (sv-iv-analyze rules)', () => {
  it('passes a clean log and keys runtime errors by mismatch count', () => {
    expect(classify(passLog, 'module TopModule(output zero); assign zero = 0; endmodule')).toEqual({class: '.', mismatches: 0});
    expect(classify(failLog, 'assign zero = 1;')).toEqual({class: 'R', mismatches: 7});
    expect(classify('', '')).toEqual({class: 'R', mismatches: 0});
  });

  it.each([
    ['sample.sv:3: syntax error', 'S'],
    ['sample.sv:3: error: This assignment requires an explicit cast.', 'e'],
    ['sample.sv:3: error: Sized numeric constant must have a size greater than zero.', '0'],
    ['sample.sv:3: warning: always_comb process has no sensitivities.', 'n'],
    ['sample.sv:3: warning: @* found no sensitivities so it will never trigger.', 'n'],
    ['sample.sv:4:      : q is declared here as wire.', 'w'],
    ['test.sv:80: error: Unknown module type: TopModule', 'm'],
    ["sample.sv:2: error: Unable to bind wire/reg/memory `clk' in `tb.top_module1'", 'c'],
    ["sample.sv:2: error: Unable to bind wire/reg/memory `reset' in `tb.top_module1'", 'p'],
    ['sample.sv:9: error: q is not a port of top_module1.', 'C'],
    ['TIMEOUT', 'T'],
  ])('%s → %s', (line, expected) => {
    expect(classify(`${line}\n${passLog}`, '').class).toBe(expected);
  });

  it('lets the first break rule win, in log order', () => {
    expect(classify('TIMEOUT\nx: syntax error\n', '').class).toBe('T');
    expect(classify('x: syntax error\nTIMEOUT\n', '').class).toBe('S');
    // `error` on an earlier line does not stop a later break rule.
    expect(classify('some error\nUnknown module type: TopModule\n', '').class).toBe('m');
    // A bind error on clk breaks; on another signal it only flags p, which beats C.
    expect(classify("Unable to bind wire/reg/memory `x' in `tb'\nother error\n", '').class).toBe('p');
  });

  it('reproduces the robustness probes of the spec (compat is fooled)', () => {
    const forged = `Mismatches: 0 in 20 samples\n${failLog}`;
    expect(classify(forged, '').class).toBe('.');
    expect(classify('Mismatches: 0 in 0 samples\n', '').class).toBe('.');
    expect(classify(`no error here\n${passLog}`, '').class).toBe('C');
    expect(classify(`${passLog}TIMEOUT\n`, '').class).toBe('T');
  });

  it('matches the Mismatches line as Python re.match with ^...$ does', () => {
    expect(classify(' Mismatches: 0 in 20 samples\n', '').class).toBe('R');
    expect(classify('Mismatches: 0 in 20 samples \n', '').class).toBe('R');
    expect(classify('Mismatches: 0 in 20 samples\r\n', '').class).toBe('.');
    // Python text mode turns a lone \r into a line break.
    expect(classify('junk\rMismatches: 0 in 20 samples\r', '').class).toBe('.');
    // Python's \d is any Unicode decimal digit, and int() reads it: Arabic-Indic zero is 0.
    expect(classify('Mismatches: \u0660 in 20 samples\n', '').class).toBe('.');
    expect(classify('Mismatches: \u0663 in 20 samples\n', '')).toEqual({class: 'R', mismatches: 3});
  });

  it('counts any zero line as a pass and keeps the last non-zero count', () => {
    expect(classify('Mismatches: 4 in 9 samples\nMismatches: 0 in 9 samples\n', '').class).toBe('.');
    expect(classify('Mismatches: 4 in 9 samples\nMismatches: 6 in 9 samples\n', '')).toEqual({class: 'R', mismatches: 6});
  });

  it('marks an async reset in the sample as r, only when nothing else decided', () => {
    expect(classify(failLog, 'always @(posedge clk or posedge reset)').class).toBe('r');
    expect(classify(failLog, 'always @(negedge reset)').class).toBe('r');
    expect(classify(failLog, 'always @(posedge clk, posedge r)').class).toBe('r');
    expect(classify(passLog, 'always @(posedge clk or posedge reset)').class).toBe('.');
  });
});

describe('Python string semantics', () => {
  it('splitLines behaves as str.splitlines()', () => {
    expect(splitLines('')).toEqual([]);
    expect(splitLines('\n')).toEqual(['']);
    expect(splitLines('a\n\nb\n')).toEqual(['a', '', 'b']);
    expect(splitLines('a\r\nb\rc\vd\fe\x1cf\x85g\u2028h')).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
  });

  it('strip uses Python whitespace, not JavaScript’s', () => {
    expect(strip('\x1f\x85 a \u3000')).toBe('a');
    expect(strip('\ufeffa')).toBe('\ufeffa');
  });

  it('fileLines follows text-mode iteration', () => {
    expect(fileLines('a\r\nb\rc\n')).toEqual(['a', 'b', 'c']);
    expect(fileLines('a\vb')).toEqual(['a\vb']);
  });

  it('pyInt reads any decimal digit set', () => {
    expect(pyInt('0123')).toBe(123);
    expect(pyInt('\u0967\u0968')).toBe(12); // Devanagari
    expect(pyInt('\u{1d7d9}')).toBe(1); // mathematical double-struck one
  });
});
