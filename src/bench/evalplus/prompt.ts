/**
 * EvalPlus's prompts (evalplus.codegen and its OpenAI provider) and the way a response becomes a
 * self-contained solution. Base models continue `prompt.strip() + "\n"` and stop at EvalPlus's
 * stop sequences; the solution is that prompt plus the continuation. Chat models get EvalPlus's
 * instruction with the prompt in a python fence; the solution is the code picked from the answer.
 */
import type {Extraction, Prompt, PromptStyle} from '../bench.js';
import {dropMainGuard, dropThinking, pickCode, definesEntryPoint} from '../humaneval/extract.js';
import type {EvalPlusFlavour, EvalPlusProblem} from './dataset.js';

const commonStops = ['<|endoftext|>', '<|endofmask|>', '</s>', '\nif __name__', '\ndef main(', '\nprint('];
const flavourStops: Record<EvalPlusFlavour, string[]> = {
  humaneval: ['\ndef ', '\nclass ', '\nimport ', '\nfrom ', '\nassert '],
  mbpp: ['\n"""', '\nassert'],
};

export function evalPlusStops(flavour: EvalPlusFlavour): string[] {
  return [...commonStops, ...flavourStops[flavour]];
}

export const instructionPrefix = 'Please provide a self-contained Python script that solves the following problem in a markdown code block:';

/** What EvalPlus sends a model: the stripped prompt, ending in one newline. */
export function basePrompt(problem: EvalPlusProblem): string {
  return `${problem.prompt.trim()}\n`;
}

export function evalPlusPrompt(problem: EvalPlusProblem, style: PromptStyle): Prompt {
  if (style === 'completion') return {style, text: basePrompt(problem), stop: evalPlusStops(problem.flavour)};
  return {style, messages: [{role: 'user', content: `${instructionPrefix}\n\`\`\`python\n${problem.prompt.trim()}\n\`\`\``}]};
}

function truncateAt(text: string, stops: string[]): {text: string; truncated: boolean} {
  const end = Math.min(...stops.map((stop) => text.indexOf(stop)).filter((at) => at !== -1), text.length);
  return {text: text.slice(0, end), truncated: end < text.length};
}

export function extractEvalPlus(problem: EvalPlusProblem, response: string, style: PromptStyle): Extraction {
  if (style === 'completion') {
    const {text, truncated} = truncateAt(response, evalPlusStops(problem.flavour));
    return {code: basePrompt(problem) + text, path: truncated ? 'stop-truncated' : 'verbatim', markers: []};
  }
  const {code, path} = pickCode(dropThinking(response), problem.entryPoint);
  const solution = dropMainGuard(code);
  // A bare body answers the prompt's stub: it continues it, as a base model's completion would.
  if (!definesEntryPoint(solution, problem.entryPoint)) return {code: basePrompt(problem) + solution, path: `${path}+prompt`, markers: []};
  return {code: solution, path, markers: []};
}
