/**
 * `passk run --response-format lintseq`: scoring a LintSeq-trained model. Its prompt is upstream's
 * (`instruction + "\n<|diff|>"` for a completion model, with no stop sequence: the model ends with
 * the stop marker and EOS), and its answer, an insertion edit sequence, is resolved into a program
 * by the port of upstream's `resolve_edit_path` before the bench extracts code from it as from a
 * chat answer (a whole program, fenced or not).
 */
import type {Bench, Extraction, Problem, Prompt, PromptStyle} from '../../bench/bench.js';
import {diffToken, resolveEditPath} from './resolve.js';

export const responseFormats = ['plain', 'lintseq'] as const;
export type ResponseFormat = (typeof responseFormats)[number];

export function withLintSeqResponses<P extends Problem>(bench: Bench<P>): Bench<P> {
  return {
    name: bench.name,
    task: bench.task,
    language: bench.language,
    datasetHash: bench.datasetHash,
    problems: bench.problems,
    prompt(problem: P, style: PromptStyle): Prompt {
      const prompt = bench.prompt(problem, style);
      return prompt.style === 'completion' ? {style: 'completion', text: `${prompt.text}\n${diffToken}`, stop: []} : prompt;
    },
    extract(problem: P, response: string): Extraction {
      const extraction = bench.extract(problem, resolveEditPath(response), 'chat');
      return {...extraction, path: `lintseq+${extraction.path}`};
    },
    reference: (problem) => bench.reference(problem),
    judge: (problem, code, ctx) => bench.judge(problem, code, ctx),
  };
}
