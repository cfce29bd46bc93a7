/**
 * What the model sees. Base models continue the raw prompt (the Codex protocol); chat models get
 * an instruction with the prompt in a python fence and are asked for the complete function.
 */
import type {Prompt, PromptStyle} from '../bench.js';
import type {HumanEvalProblem} from './dataset.js';

/**
 * The Codex paper's stop sequences (also human-eval's and bigcode's): anything at column 0 after the
 * body ends the completion. Note: OpenAI's hosted completions endpoint accepts at most 4 stops, so a
 * provider may send a subset; `extract` truncates at all five regardless.
 */
export const completionStops = ['\nclass ', '\ndef ', '\n#', '\nif ', '\nprint'];

const systemMessage =
  'You are an expert Python programmer. Answer with one ```python code block that contains the complete ' +
  'function, including its signature and any imports it needs.';

/**
 * The instruction sentence is evalplus' chat-mode instruction (`evalplus.codegen`, instruction_prefix),
 * so numbers stay comparable with evalplus-style chat evaluations; the fence is labelled python.
 */
const instruction = 'Please provide a self-contained Python script that solves the following problem in a markdown code block:';

export function humanEvalPrompt(problem: HumanEvalProblem, style: PromptStyle): Prompt {
  if (style === 'completion') return {style, text: problem.prompt, stop: [...completionStops]};
  return {
    style,
    messages: [
      {role: 'system', content: systemMessage},
      {role: 'user', content: `${instruction}\n\`\`\`python\n${problem.prompt.trim()}\n\`\`\`\n`},
    ],
  };
}
