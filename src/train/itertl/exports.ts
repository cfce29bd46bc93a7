/**
 * Rendering the canonical rows per trainer, each in the shape its documentation gives:
 * - TRL: conversational `messages`, `prompt`/`completion`, DPO `prompt`/`chosen`/`rejected`;
 * - axolotl: `chat_template` (`messages` with role/content) and template-free `input_output`
 *   (`segments`, the prompt unlabelled);
 * - LLaMA-Factory: `alpaca` and `sharegpt` (and its pairwise `ranking` alpaca form), each with the
 *   `dataset_info.json` entry LLaMA-Factory requires;
 * - RTLCoder-style ranking rows (`Instruction`, `Input`, `Response[]`, `Score[]`, reference last);
 * - OpenAI fine-tuning chat JSONL (`messages`).
 */
import type {PreferencePair, RankingGroup, Selection} from './select.js';
import type {ExportFormat} from './spec.js';

interface Message {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

function messages(row: {system?: string; prompt: string}, answer: string): Message[] {
  return [...(row.system === undefined ? [] : [{role: 'system' as const, content: row.system}]), {role: 'user', content: row.prompt}, {role: 'assistant', content: answer}];
}

function dpo(pair: PreferencePair) {
  return {prompt: pair.prompt, chosen: pair.chosen.completion, rejected: pair.rejected.completion};
}

function ranking(group: RankingGroup) {
  return {Instruction: group.prompt, Input: '', Response: group.responses, Score: group.scores};
}

/** The rows of one export file. */
export function renderExport(format: ExportFormat, selection: Selection): unknown[] {
  const {rows, pairs, groups} = selection;
  switch (format) {
    case 'trl-messages':
    case 'axolotl-chat-template':
    case 'openai':
      return rows.map((row) => ({messages: messages(row, row.completion)}));
    case 'trl-prompt-completion':
      return rows.map((row) => ({prompt: row.prompt, completion: row.completion}));
    case 'trl-dpo':
      return pairs.map(dpo);
    case 'axolotl-input-output':
      return rows.map((row) => ({segments: [{label: false, text: row.prompt}, {label: true, text: row.completion}]}));
    case 'llamafactory-alpaca':
      return rows.map((row) => ({instruction: row.prompt, input: '', output: row.completion, ...(row.system === undefined ? {} : {system: row.system})}));
    case 'llamafactory-sharegpt':
      return rows.map((row) => ({
        conversations: [{from: 'human', value: row.prompt}, {from: 'gpt', value: row.completion}],
        ...(row.system === undefined ? {} : {system: row.system}),
      }));
    case 'llamafactory-ranking':
      return pairs.map((pair) => ({instruction: pair.prompt, input: '', chosen: pair.chosen.completion, rejected: pair.rejected.completion}));
    case 'rtlcoder-ranking':
      return groups.map(ranking);
  }
}

export function exportFile(format: ExportFormat): string {
  return `dataset.${format}.jsonl`;
}

/** LLaMA-Factory's dataset_info.json entries for the LLaMA-Factory exports among `formats`. */
export function datasetInfo(formats: readonly ExportFormat[], prefix: string): Record<string, unknown> {
  const info: Record<string, unknown> = {};
  if (formats.includes('llamafactory-alpaca')) {
    info[`${prefix}_alpaca`] = {file_name: exportFile('llamafactory-alpaca'), formatting: 'alpaca', columns: {prompt: 'instruction', query: 'input', response: 'output', system: 'system'}};
  }
  if (formats.includes('llamafactory-sharegpt')) {
    info[`${prefix}_sharegpt`] = {
      file_name: exportFile('llamafactory-sharegpt'),
      formatting: 'sharegpt',
      columns: {messages: 'conversations', system: 'system'},
      tags: {role_tag: 'from', content_tag: 'value', user_tag: 'human', assistant_tag: 'gpt'},
    };
  }
  if (formats.includes('llamafactory-ranking')) {
    info[`${prefix}_ranking`] = {file_name: exportFile('llamafactory-ranking'), formatting: 'alpaca', ranking: true, columns: {prompt: 'instruction', query: 'input', chosen: 'chosen', rejected: 'rejected'}};
  }
  return info;
}
