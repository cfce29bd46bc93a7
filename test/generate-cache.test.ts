import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {canonicalJson, completionCacheKey, MemoryCache, type CacheKeyInput} from '../src/generate/cache.js';
import {EndpointError} from '../src/generate/endpoint-error.js';
import {openAIProvider} from '../src/generate/openai.js';
import type {CompletionRequest} from '../src/generate/provider.js';
import {startFakeOpenAI, type FakeOpenAI} from './helpers/fake-openai.js';

const base: CacheKeyInput = {
  baseUrl: 'http://localhost:8000/v1',
  model: 'm',
  prompt: {style: 'chat', messages: [{role: 'user', content: 'Write an adder.'}]},
  params: {temperature: 0.8, topP: 0.95, maxTokens: 256},
  seed: 7,
  sampleIndex: 0,
};

describe('completionCacheKey', () => {
  const key = (overrides: Partial<CacheKeyInput>) => completionCacheKey({...base, ...overrides});

  it('is a stable sha256 hex digest', () => {
    expect(key({})).toMatch(/^[0-9a-f]{64}$/);
    expect(key({})).toBe(key({}));
  });

  it('changes with everything that shapes the reply', () => {
    const variants: Partial<CacheKeyInput>[] = [
      {sampleIndex: 1},
      {seed: 8},
      {model: 'm2'},
      {baseUrl: 'http://localhost:8001/v1'},
      {params: {...base.params, temperature: 0.2}},
      {params: {...base.params, topP: 1}},
      {params: {...base.params, maxTokens: 512}},
      {prompt: {style: 'chat', messages: [{role: 'user', content: 'Write a mux.'}]}},
      {prompt: {style: 'chat', messages: [{role: 'system', content: 'Write an adder.'}]}},
      {prompt: {style: 'completion', text: 'Write an adder.', stop: []}},
    ];
    const keys = variants.map(key);
    expect(new Set([key({}), ...keys]).size).toBe(variants.length + 1);
    expect(key({prompt: {style: 'completion', text: 't', stop: ['\n']}})).not.toBe(
      key({prompt: {style: 'completion', text: 't', stop: []}}),
    );
  });

  it('spells one endpoint one way', () => {
    const same = ['http://localhost:8000/v1/', 'HTTP://LOCALHOST:8000/v1', 'http://localhost:8000/v1//', 'http://localhost:8000/v1#x'];
    for (const baseUrl of same) expect(key({baseUrl})).toBe(key({}));
    expect(key({baseUrl: 'https://api.openai.com:443/v1'})).toBe(key({baseUrl: 'https://api.openai.com/v1'}));
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every level and keeps array order', () => {
    expect(canonicalJson({b: 1, a: {d: [2, 1], c: null}})).toBe('{"a":{"c":null,"d":[2,1]},"b":1}');
    expect(canonicalJson({a: 1, b: 2})).toBe(canonicalJson({b: 2, a: 1}));
  });
});

describe('the provider with a cache', () => {
  let fake: FakeOpenAI;
  let cache: MemoryCache;
  beforeEach(async () => {
    fake = await startFakeOpenAI({respond: (r) => `sample ${r.body.seed} at T=${r.body.temperature}`});
    cache = new MemoryCache();
  });
  afterEach(async () => {
    await fake.close();
  });

  const provider = (apiKey = 'sk-a') =>
    openAIProvider({model: 'm', baseUrl: fake.url, apiKey, style: 'chat', timeoutMs: 5_000, maxRetries: 0, cache});
  const request = (overrides: Partial<CompletionRequest> = {}): CompletionRequest => ({
    problemId: 'p',
    prompt: base.prompt,
    params: base.params,
    seed: 7,
    sampleIndex: 0,
    ...overrides,
  });

  it('replays an identical request from the cache, with the original latency', async () => {
    fake.setBehaviour({delayMs: 50, respond: () => 'module adder;'});
    const first = await provider().complete(request());
    const second = await provider().complete(request());
    expect(fake.requests).toHaveLength(1);
    expect(first).toMatchObject({text: 'module adder;', cached: false, attempts: 1});
    expect(second).toEqual({text: 'module adder;', finishReason: 'stop', latencyMs: first.latencyMs, cached: true, attempts: 0});
    expect(first.latencyMs).toBeGreaterThanOrEqual(50);
  });

  it('keeps n samples distinct: a different sample index or temperature misses', async () => {
    await provider().complete(request());
    await provider().complete(request({sampleIndex: 1}));
    await provider().complete(request({params: {...base.params, temperature: 0.2}}));
    expect(fake.requests).toHaveLength(3);
    expect(cache.size).toBe(3);
  });

  it('does not key on the API key', async () => {
    await provider('sk-a').complete(request());
    const replay = await provider('sk-b').complete(request());
    expect(replay.cached).toBe(true);
    expect(fake.requests).toHaveLength(1);
  });

  it('keeps finish reason length', async () => {
    fake.setBehaviour({respond: () => ({content: 'module adder(', finishReason: 'length'})});
    await provider().complete(request());
    await expect(provider().complete(request())).resolves.toMatchObject({finishReason: 'length', cached: true});
  });

  it('never caches errors or empty replies', async () => {
    fake.setBehaviour({faults: [{type: 'status', status: 400}], respond: () => ({content: ''})});
    await expect(provider().complete(request())).rejects.toBeInstanceOf(EndpointError);
    await expect(provider().complete(request())).resolves.toMatchObject({text: '', cached: false});
    expect(cache.size).toBe(0);
    fake.setBehaviour({respond: () => 'module adder;'});
    await expect(provider().complete(request())).resolves.toMatchObject({cached: false});
    await expect(provider().complete(request())).resolves.toMatchObject({cached: true});
    expect(fake.requests).toHaveLength(3);
  });
});
