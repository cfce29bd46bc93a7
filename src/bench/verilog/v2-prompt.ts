/**
 * VerilogEval v2 prompts, byte-identical to upstream `scripts/sv-generate` (main c498220d).
 * Leading and trailing newlines are part of the upstream strings.
 */
import type {Prompt, PromptStyle} from '../bench.js';
import {rstrip, splitLines, strip} from './pystr.js';

export type V2Task = 'spec-to-rtl' | 'code-complete';

export const systemMessages: Record<V2Task, string> = {
  'spec-to-rtl': '\nYou are a Verilog RTL designer that only writes code using correct Verilog syntax.\n',
  'code-complete':
    "\nYou only complete chats with syntax correct Verilog code. End the Verilog module code completion with 'endmodule'. Do not include module, input and output definitions.\n",
};

export const codeCompletePrefix =
  '\n// Implement the Verilog module based on the following description. Assume that signals are positive clock/clk triggered unless otherwise stated.\n';

const rulesSuffix = `
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
`;

const answerFormatSuffix = `
Enclose your code with [BEGIN] and [DONE]. Only output the code snippet
and do NOT output anything else.
`;

export interface PromptParts {
  task: V2Task;
  /** The problem's `_prompt.txt`, newlines as Python's text-mode read gives them. */
  promptText: string;
  /** The N-shot ICL prefix file's text, or '' for 0 shots. */
  iclPrefix: string;
  rules: boolean;
}

/**
 * The code-complete user text: the description lines commented out with `// `, an empty line,
 * then the header verbatim from the first line naming `module TopModule` (`moduleKeyword` lets v1
 * reuse this with its `module top_module` headers).
 */
export function commentedDescription(promptText: string, moduleKeyword = 'module TopModule'): string {
  const lines: string[] = [];
  let inDescription = true;
  for (const line of splitLines(promptText)) {
    if (line.includes(moduleKeyword)) {
      lines.push('');
      inDescription = false;
    }
    lines.push(inDescription ? `// ${line}` : line);
  }
  return lines.join('\n');
}

/** The user message upstream sends. */
export function userMessage({task, promptText, iclPrefix, rules}: PromptParts): string {
  if (task === 'code-complete') return iclPrefix + codeCompletePrefix + commentedDescription(promptText);
  let text = `${iclPrefix}\nQuestion:\n${strip(promptText)}\n`;
  if (rules) text += rulesSuffix;
  return `${rstrip(text)}\n${answerFormatSuffix}\nAnswer:\n`;
}

/**
 * Stop sequences for base models. A completion continues right where the chat answer would start,
 * so extraction stays exactly upstream's; these only stop a base model that goes on to invent the
 * next few-shot item (`Question:` in spec-to-rtl, the comment header or a new `module` in
 * code-complete). `[DONE]` and `endmodule` are deliberately not stops: stop strings are cut from
 * the text, and extraction needs both.
 */
export const completionStops: Record<V2Task, string[]> = {
  'spec-to-rtl': ['\nQuestion:'],
  'code-complete': ['\n// Implement the Verilog module', '\nmodule '],
};

/**
 * Chat: system + user messages. Completion: the system text, a newline and the user text as one
 * string, which is exactly what upstream sends as the user message for models that ignore system
 * messages (`ai-mistral-large`).
 */
export function renderPrompt(system: string, user: string, style: PromptStyle, stop: string[]): Prompt {
  if (style === 'chat') {
    return {
      style,
      messages: [
        {role: 'system', content: system},
        {role: 'user', content: user},
      ],
    };
  }
  return {style, text: `${system}\n${user}`, stop};
}
