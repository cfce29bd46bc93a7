import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {Bench} from '../src/bench/bench.js';
import {UserError} from '../src/errors.js';
import {createProvider, type ProviderOptions} from '../src/generate/index.js';
import {startFakeOpenAI, type FakeOpenAI} from './helpers/fake-openai.js';

const bench: Bench = {
  name: 'fake-bench',
  task: 'unit',
  language: 'verilog',
  datasetHash: '0'.repeat(64),
  problems: [{id: 'zero'}],
  prompt: () => ({style: 'completion', text: '', stop: []}),
  extract: (_problem, response) => ({code: response, path: 'verbatim', markers: []}),
  reference: () => 'assign zero = 0;',
  judge: async () => {
    throw new Error('not used');
  },
};

let fake: FakeOpenAI;
let options: ProviderOptions;
const dir = mkdtempSync(path.join(tmpdir(), 'passk-spec-'));
beforeAll(async () => {
  fake = await startFakeOpenAI();
  options = {bench, baseUrl: fake.url, timeoutMs: 5_000, maxRetries: 0};
});
afterAll(async () => {
  await fake.close();
  rmSync(dir, {recursive: true, force: true});
});

const params = {temperature: 0, topP: 1, maxTokens: 16};

describe('createProvider', () => {
  it('openai:<model> is a chat provider', async () => {
    const provider = createProvider('openai:gpt-4o', options);
    expect(provider).toMatchObject({id: 'openai:gpt-4o', style: 'chat', verbatim: false});
    await provider.complete({problemId: 'zero', prompt: {style: 'chat', messages: [{role: 'user', content: 'hi'}]}, sampleIndex: 0, seed: 1, params});
    expect(fake.requests.at(-1)).toMatchObject({path: '/v1/chat/completions', body: {model: 'gpt-4o'}});
  });

  it('openai-completions:<model> is a base-model provider; only the first colon splits', async () => {
    const provider = createProvider('openai-completions:llama3:8b', options);
    expect(provider).toMatchObject({id: 'openai-completions:llama3:8b', style: 'completion'});
    await provider.complete({problemId: 'zero', prompt: {style: 'completion', text: 'module', stop: []}, sampleIndex: 0, seed: 1, params});
    expect(fake.requests.at(-1)).toMatchObject({path: '/v1/completions', body: {model: 'llama3:8b'}});
  });

  it('reference and replay:<file> are verbatim providers', () => {
    expect(createProvider('reference', options)).toMatchObject({id: 'reference', verbatim: true});
    const file = path.join(dir, 'samples.jsonl');
    writeFileSync(file, JSON.stringify({task_id: 'zero', completion: 'assign zero = 0;'}) + '\n');
    const replay = createProvider(`replay:${file}`, options);
    expect(replay).toMatchObject({id: `replay:${file}`, verbatim: true});
    expect(replay.samplesFor?.('zero')).toBe(1);
  });

  it('rejects unknown or incomplete specs with a UserError naming the valid forms', () => {
    for (const spec of ['gpt-4o', 'anthropic:claude', 'Reference', 'reference:x', '']) {
      expect(() => createProvider(spec, options)).toThrow(UserError);
      expect(() => createProvider(spec, options)).toThrow(/unknown model spec; use openai:<model>, openai-completions:<model>, reference or replay:<file>/);
    }
    expect(() => createProvider('openai:', options)).toThrow(/no model name after "openai:"/);
    expect(() => createProvider('openai-completions: ', options)).toThrow(UserError);
    expect(() => createProvider('replay:', options)).toThrow(/no file after "replay:"/);
  });
});
