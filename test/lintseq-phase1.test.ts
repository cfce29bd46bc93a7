/**
 * LintSeq phase I without a real linter: the line structure of each language (candidates,
 * weights, blocks), how linter output becomes error lines, and the deletion loop's invariants
 * under scripted linters, including ones that cannot be satisfied.
 */
import {describe, expect, it} from 'vitest';
import {iverilogErrorLines, pylintErrorLines} from '../src/train/lintseq/linters.js';
import {docstringInteriors, pythonStructure} from '../src/train/lintseq/python-structure.js';
import {seededRandom} from '../src/train/lintseq/random.js';
import {LintSeqFailure, pythonErrorLine, sampleDeletionPath, verilogErrorLine, type Lint} from '../src/train/lintseq/sample.js';
import {subsample} from '../src/train/lintseq/subsample.js';
import {verilogStructure} from '../src/train/lintseq/verilog-structure.js';

describe('Python structure (upstream candidate rules and weights)', () => {
  const program = [
    'import os', //              0
    '# a comment', //            1
    'NAMES = [', //              2 candidate; its continuation lines are not
    '    "a",', //               3
    ']', //                      4
    '', //                       5
    'def f(x):', //              6
    '    if x:', //              7
    '        return 1', //       8
    '', //                       9  blank: keeps indent 8, so a child of 7 and 6
    '        # note', //         10
    '    return 2', //           11
  ];
  const structure = pythonStructure(program);

  it('skips blank lines, comments and the tail of an UPPER_CASE global literal', () => {
    expect(structure.candidates).toEqual([0, 2, 6, 7, 8, 11]);
  });

  it('weights: 1 at top level, indent / first indent below it', () => {
    expect(structure.weights).toEqual([1, 0, 1, 0, 0, 0, 1, 1, 2, 0, 0, 1]);
  });

  it('a line takes the following lines indented deeper with it', () => {
    expect(structure.block(6)).toEqual([7, 8, 9, 10, 11]);
    expect(structure.block(7)).toEqual([8, 9, 10]);
    expect(structure.block(8)).toEqual([]);
    expect(structure.block(0)).toEqual([]);
  });
});

describe('docstring middles: deletions the linter need not see', () => {
  it('only the middle lines of docstrings are inert; every line holding a string delimiter is listed', () => {
    const program = [
      '"""Module doc', //           0
      'more', //                    1 inert
      '"""', //                     2
      'def f(a):  # note', //       3
      '    """Doc of f.', //        4
      '    it\'s "quoted"', //      5 inert (quotes inside the docstring)
      '    """', //                 6
      '    x = """not', //          7 a string but no docstring
      '    a doc"""', //            8
      "    y = 'b'", //             9
      '    return x', //            10
    ];
    const {inert, delimiters} = docstringInteriors(program);
    expect([...inert]).toEqual([1, 5]);
    expect([...delimiters].sort((a, b) => a - b)).toEqual([0, 2, 4, 6, 7, 8, 9]);
  });

  it('a program with an f-string gets none (its nested quotes are beyond this scan)', () => {
    expect(docstringInteriors(['def f():', '    """a', '    b', '    """', '    return f"{1}"']).inert.size).toBe(0);
  });

  it('deleting a docstring middle alone skips the linter only while the quote lines are kept', async () => {
    const program = ['def f(a):', '    """Doc.', '    more', '    """', '    return a'];
    const structure = pythonStructure(program);
    let checked = 0;
    for (let seed = 0; seed < 30; seed++) {
      const calls: string[] = [];
      const clean: Lint = async (text) => {
        calls.push(text);
        return [];
      };
      const chunks = await sampleDeletionPath(program, structure, clean, pythonErrorLine, seededRandom(seed));
      const alone = chunks.findIndex((chunk) => chunk.length === 1 && chunk[0] === 2);
      if (alone < 0) continue;
      const before = chunks.slice(0, alone).flat();
      const after = program.filter((_, i) => !before.includes(i) && i !== 2).join('\n');
      expect(calls.includes(after)).toBe(before.includes(1) || before.includes(3));
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
  });
});

describe('Verilog structure (blocks paired by tokens)', () => {
  const program = [
    'module top (', //                          0
    '  input clk,', //                          1
    '  output reg q', //                        2
    ');', //                                    3
    '  // comment', //                          4
    '  always @(posedge clk) begin', //         5
    '    if (q) begin', //                      6
    '      q <= 0;', //                         7
    '    end else begin', //                    8
    '      q <= 1; /* a comment', //            9
    '        over lines */', //                 10
    '    end', //                               11
    '  end', //                                 12
    '  function f; input a; f = a; endfunction', // 13
    'endmodule', //                             14
  ];
  const structure = verilogStructure(program);

  it('candidates are the lines holding code', () => {
    expect(structure.candidates).toEqual([0, 1, 2, 3, 5, 6, 7, 8, 9, 12, 11, 13, 14].sort((a, b) => a - b));
  });

  it('module, its port list and endmodule take the whole module', () => {
    const all = program.map((_, i) => i);
    expect(structure.block(0)).toEqual(all.filter((i) => i !== 0));
    expect(structure.block(3)).toEqual(all.filter((i) => i !== 3));
    expect(structure.block(14)).toEqual(all.filter((i) => i !== 14));
  });

  it('begin/end pairs: "end else begin" joins both branches; a one-line function is no block', () => {
    expect(structure.block(6)).toEqual([7, 8, 9, 10, 11]);
    expect(structure.block(8)).toEqual([6, 7, 9, 10, 11]);
    expect(structure.block(12)).toEqual([5, 6, 7, 8, 9, 10, 11]);
    expect(structure.block(9)).toEqual([10]);
    expect(structure.block(13)).toEqual([]);
    expect(structure.block(7)).toEqual([]);
  });
});

describe('linter messages → error lines', () => {
  it('pylint: every E and F, of W only W0311 and W0231; a syntax error is placed by its "on line N"', () => {
    const lines = pylintErrorLines({
      messages: [
        ['E', 'E0602', 3, 4, "Undefined variable 'y'"],
        ['W', 'W0612', 4, 4, "Unused variable 'z'"],
        ['W', 'W0311', 5, 0, 'Bad indentation. Found 3 spaces, expected 4'],
        ['W', 'W0231', 6, 4, "__init__ method from base class 'B' is not called"],
        ['F', 'F0002', 1, 0, 'astroid error'],
        ['E', 'E0001', 9, 1, "Parsing failed: 'expected an indented block after 'if' statement on line 8 (program, line 9)'"],
        ['E', 'E0001', 2, 7, "Parsing failed: 'invalid syntax (program, line 2)'"],
      ],
    });
    expect(lines).toEqual([3, 5, 6, 1, 8, 2]);
  });

  it('pylint: a message holding "|" falls apart as upstream\'s parse of the text output does (not counted)', () => {
    expect(pylintErrorLines({messages: [['E', 'E1131', 2, 0, "unsupported operand type(s) for |"]]})).toEqual([]);
  });

  it('iverilog: error, syntax error and sorry lines; "No top level modules" is clean; no line at all is a failure', () => {
    const output = [
      '/tmp/lintseq/program.sv:4: error: \'top\' has already been declared in this scope.',
      '/tmp/lintseq/program.sv:1:      : It was declared here as a module.',
      '/tmp/lintseq/program.sv:7: warning: Port 1 (a) of m expects 2 bits, got 1.',
      '/tmp/lintseq/program.sv:9: syntax error',
      '/tmp/lintseq/program.sv:11: sorry: constant selects in always_* processes are not currently supported.',
      'I give up.',
    ].join('\n');
    expect(iverilogErrorLines({rc: 2, output})).toEqual([4, 9, 11]);
    expect(iverilogErrorLines({rc: 0, output: '/tmp/lintseq/program.sv:7: warning: implicit'})).toEqual([]);
    expect(iverilogErrorLines({rc: 1, output: 'No top level modules, and no -s option.\n'})).toEqual([]);
    expect(() => iverilogErrorLines({rc: 2, output: 'Elaboration failed\n'})).toThrow(LintSeqFailure);
  });

  it('error lines map to the kept lines: Python indexes as a list (0 is the last, past the end fails); Verilog clamps to the last kept line', () => {
    const kept = [0, 2, 5];
    expect(pythonErrorLine(2, kept)).toBe(2);
    expect(pythonErrorLine(0, kept)).toBe(5);
    expect(() => pythonErrorLine(4, kept)).toThrow(LintSeqFailure);
    expect(verilogErrorLine(4, kept)).toBe(5);
    expect(() => verilogErrorLine(1, [])).toThrow(LintSeqFailure);
  });
});

describe('the deletion loop', () => {
  const program = ['def f(x):', '    y = x', '    return y', '', 'z = f(1)', 'print(z)'];
  const structure = pythonStructure(program);
  /** A scripted linter: a use of a name whose definition line is gone is an error on the use. */
  const uses: Record<number, number> = {2: 1, 4: 0, 5: 4};
  const scripted = (calls: string[]): Lint => async (text) => {
    calls.push(text);
    const kept = text.split('\n');
    return kept.flatMap((line, i) => {
      const at = program.indexOf(line);
      const needs = uses[at];
      return needs !== undefined && !kept.includes(program[needs]!) ? [i + 1] : [];
    });
  };

  it('deletes every candidate, pulls in blocks and erroneous lines, and leaves only clean states behind', async () => {
    for (let seed = 0; seed < 20; seed++) {
      const calls: string[] = [];
      const chunks = await sampleDeletionPath(program, structure, scripted(calls), pythonErrorLine, seededRandom(seed));
      // The blank line 3 keeps the indent of the line before it: it goes with the def.
      expect(chunks.flat().sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5]);
      // Each state left behind (all deletions so far) must be one the linter passed.
      const lint = scripted([]);
      const deleted = new Set<number>();
      for (const chunk of chunks) {
        for (const line of chunk) deleted.add(line);
        expect(await lint(program.filter((_, i) => !deleted.has(i)).join('\n'))).toEqual([]);
        if (chunk.includes(0)) expect(chunk).toEqual(expect.arrayContaining([...structure.block(0).filter((line) => !chunks.slice(0, chunks.indexOf(chunk)).flat().includes(line))]));
      }
    }
  });

  it('same seed, same path; no candidate line, no path', async () => {
    const a = await sampleDeletionPath(program, structure, scripted([]), pythonErrorLine, seededRandom(7, 0, 1));
    const b = await sampleDeletionPath(program, structure, scripted([]), pythonErrorLine, seededRandom(7, 0, 1));
    expect(a).toEqual(b);
    expect(await sampleDeletionPath(['# only', ''], pythonStructure(['# only', '']), scripted([]), pythonErrorLine, seededRandom(1))).toEqual([]);
  });

  it('a linter that reports a line outside the program fails the sequence instead of looping', async () => {
    const outside: Lint = async () => [99];
    await expect(sampleDeletionPath(program, structure, outside, pythonErrorLine, seededRandom(1))).rejects.toThrow(LintSeqFailure);
  });

  it('a linter that rejects everything ends with every line deleted in one chunk, after at most one call per line', async () => {
    const calls: string[] = [];
    const always: Lint = async (text) => {
      calls.push(text);
      return text === '' ? [] : [1];
    };
    const chunks = await sampleDeletionPath(program, structure, always, pythonErrorLine, seededRandom(3));
    expect(chunks).toHaveLength(1);
    expect(chunks[0]).toEqual([0, 1, 2, 3, 4, 5]);
    expect(calls.length).toBeLessThanOrEqual(program.length + 1);
  });
});

describe('volume matching', () => {
  it('keeps the asked number of sequences, in their order, the same for the same seed', () => {
    const rows = Array.from({length: 50}, (_, i) => i);
    const kept = subsample(rows, 10, 4);
    expect(kept).toHaveLength(10);
    expect([...kept].sort((a, b) => a - b)).toEqual(kept);
    expect(subsample(rows, 10, 4)).toEqual(kept);
    expect(subsample(rows, 10, 5)).not.toEqual(kept);
    expect(subsample(rows, 80, 4)).toEqual(rows);
  });
});
