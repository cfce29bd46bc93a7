import {readFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import type {Prompt} from '../src/bench/bench.js';
import {loadVerilogEvalV1} from '../src/bench/verilog/v1.js';
import {loadVerilogEvalV2} from '../src/bench/verilog/v2.js';
import {sharedDataset} from './helpers/datasets.js';

const dataset = sharedDataset('verilog-eval');

const specSystem = '\nYou are a Verilog RTL designer that only writes code using correct Verilog syntax.\n';
const completeSystem =
  "\nYou only complete chats with syntax correct Verilog code. End the Verilog module code completion with 'endmodule'. Do not include module, input and output definitions.\n";
const implementLine =
  '\n// Implement the Verilog module based on the following description. Assume that signals are positive clock/clk triggered unless otherwise stated.\n';

const prob001Spec = `
Question:
I would like you to implement a module named TopModule with the following
interface. All input and output ports are one bit unless otherwise
specified.

 - output zero

The module should always outputs a LOW.

Enclose your code with [BEGIN] and [DONE]. Only output the code snippet
and do NOT output anything else.

Answer:
`;

const prob001Complete = `${implementLine}// 
// Build a circuit that always outputs a LOW.
// 

module TopModule (
  output zero
);
`;

function chat(prompt: Prompt): [string, string] {
  if (prompt.style !== 'chat') throw new Error('expected a chat prompt');
  expect(prompt.messages.map((message) => message.role)).toEqual(['system', 'user']);
  return [prompt.messages[0]!.content, prompt.messages[1]!.content];
}

describe.skipIf(!dataset)('VerilogEval v2 prompts (byte-identical to sv-generate)', () => {
  const root = dataset!;
  const icl = (task: string, shots: number) =>
    readFileSync(path.join(root, 'icl-examples', `verilog-example-prefix_${task}_${shots}-shot.txt`), 'utf8');

  it('renders Prob001 spec-to-rtl, 0-shot', () => {
    const bench = loadVerilogEvalV2({dataset: root, task: 'spec-to-rtl', shots: 0});
    expect(chat(bench.prompt(bench.problems[0]!, 'chat'))).toEqual([specSystem, prob001Spec]);
  });

  it('renders Prob001 code-complete, 0-shot, with the description commented out', () => {
    const bench = loadVerilogEvalV2({dataset: root, task: 'code-complete', shots: 0});
    expect(chat(bench.prompt(bench.problems[0]!, 'chat'))).toEqual([completeSystem, prob001Complete]);
  });

  it.each([1, 2, 3, 4])('prepends the %i-shot ICL file verbatim', (shots) => {
    const spec = loadVerilogEvalV2({dataset: root, task: 'spec-to-rtl', shots});
    expect(chat(spec.prompt(spec.problems[0]!, 'chat'))[1]).toBe(icl('spec-to-rtl', shots) + prob001Spec);
    const complete = loadVerilogEvalV2({dataset: root, task: 'code-complete', shots});
    expect(chat(complete.prompt(complete.problems[0]!, 'chat'))[1]).toBe(icl('code-complete-iccad2023', shots) + prob001Complete);
  });

  it('appends the --rules text before the answer-format request', () => {
    const bench = loadVerilogEvalV2({dataset: root, task: 'spec-to-rtl', rules: true});
    const user = chat(bench.prompt(bench.problems[0]!, 'chat'))[1];
    expect(user).toBe(
      prob001Spec.replace(
        'outputs a LOW.\n',
        `outputs a LOW.

Here are some additional rules and coding conventions.

 - Declare all ports and signals as logic; do not to use wire or reg.

 - For combinational logic with an always block do not explicitly specify
   the sensitivity list; instead use always @(*).

 - All sized numeric constants must have a size greater than zero
   (e.g, 0'b0 is not a valid expression).

 - An always block must read at least one signal otherwise it will never
   be executed; use an assign statement instead of an always block in
   situations where there is no need to read any signals.

 - if the module uses a synchronous reset signal, this means the reset
   signal is sampled with respect to the clock. When implementing a
   synchronous reset signal, do not include posedge reset in the
   sensitivity list of any sequential always block.
`,
      ),
    );
  });

  it('gives base models the system text and the user text as one string (upstream mistral form)', () => {
    const bench = loadVerilogEvalV2({dataset: root, task: 'spec-to-rtl'});
    const prompt = bench.prompt(bench.problems[0]!, 'completion');
    expect(prompt).toEqual({style: 'completion', text: `${specSystem}\n${prob001Spec}`, stop: ['\nQuestion:']});
  });

  it('keeps the header ranges of code-complete prompts verbatim', () => {
    const bench = loadVerilogEvalV2({dataset: root, task: 'code-complete'});
    const problem = bench.problems.find((candidate) => candidate.id === 'Prob094_gatesv')!;
    const user = chat(bench.prompt(problem, 'chat'))[1];
    expect(user).toContain('\n\nmodule TopModule (\n  input [3:0] in,\n  output [2:0] out_both,');
    expect(user.split('\n').filter((line) => line.includes('module TopModule'))).toHaveLength(1);
  });
});

describe.skipIf(!dataset)('VerilogEval v1 prompts', () => {
  it('uses the ICCAD’23 form: system message, implement line, commented description, header', () => {
    const bench = loadVerilogEvalV1({dataset: path.join(dataset!, 'v1'), task: 'human'});
    const problem = bench.problems.find((candidate) => candidate.id === 'zero')!;
    expect(chat(bench.prompt(problem, 'chat'))).toEqual([
      completeSystem,
      `${implementLine}// \n// Build a circuit that always outputs a LOW.\n// \n\nmodule top_module(\n\toutput zero);\n`,
    ]);
  });

  it('comments out every line of multi-line descriptions', () => {
    const bench = loadVerilogEvalV1({dataset: path.join(dataset!, 'v1'), task: 'machine'});
    for (const problem of bench.problems) {
      const user = chat(bench.prompt(problem, 'chat'))[1];
      const [description] = user.slice(implementLine.length).split('\n\nmodule top_module');
      expect(user.split('\n').filter((line) => line.includes('module top_module'))).toHaveLength(1);
      expect(description!.split('\n').every((line) => line.startsWith('// '))).toBe(true);
    }
  });
});
