import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import type {ChatMessage} from '../src/bench/bench.js';
import {EndpointError} from '../src/generate/endpoint-error.js';
import {checkEndpoint, openAIProvider, type OpenAIProviderOptions} from '../src/generate/openai.js';
import type {CompletionRequest} from '../src/generate/provider.js';
import {UserError} from '../src/errors.js';
import {startFakeOpenAI, times, type FakeOpenAI} from './helpers/fake-openai.js';

let fake: FakeOpenAI;
beforeEach(async () => {
  fake = await startFakeOpenAI();
});
afterEach(async () => {
  await fake.close();
});

function provider(overrides: Partial<OpenAIProviderOptions> = {}) {
  return openAIProvider({
    model: 'fake-model',
    baseUrl: fake.url,
    style: 'chat',
    timeoutMs: 5_000,
    maxRetries: 3,
    retryBaseMs: 5,
    ...overrides,
  });
}

const messages: ChatMessage[] = [
  {role: 'system', content: 'You only write Verilog.'},
  {role: 'user', content: 'Write an adder.'},
];

function chatRequest(overrides: Partial<CompletionRequest> = {}): CompletionRequest {
  return {
    problemId: 'p1',
    prompt: {style: 'chat', messages},
    sampleIndex: 0,
    seed: 42,
    params: {temperature: 0.8, topP: 0.95, maxTokens: 256},
    ...overrides,
  };
}

function completionRequest(overrides: Partial<CompletionRequest> = {}): CompletionRequest {
  return chatRequest({prompt: {style: 'completion', text: 'def add(a, b):\n', stop: ['\ndef', '\nclass']}, ...overrides});
}

/** The EndpointError a promise rejects with (fails the test if it resolves or throws something else). */
async function endpointError(promise: Promise<unknown>): Promise<EndpointError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EndpointError);
  return error as EndpointError;
}

describe('request shape', () => {
  it('posts chat messages with all sampling parameters, n = 1 and the key as a bearer token', async () => {
    const completion = await provider({apiKey: 'sk-test'}).complete(chatRequest());
    expect(fake.requests).toHaveLength(1);
    const [request] = fake.requests;
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/v1/chat/completions');
    expect(request.headers.authorization).toBe('Bearer sk-test');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.body).toEqual({
      model: 'fake-model',
      messages,
      temperature: 0.8,
      top_p: 0.95,
      max_tokens: 256,
      seed: 42,
      n: 1,
    });
    expect(completion).toMatchObject({text: 'fake reply (seed 42)', finishReason: 'stop', cached: false, attempts: 1});
    expect(completion.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('posts raw text and stop sequences to /completions for base models', async () => {
    fake.setBehaviour({respond: () => '    return a + b\n'});
    const completion = await provider({style: 'completion'}).complete(completionRequest());
    const [request] = fake.requests;
    expect(request.path).toBe('/v1/completions');
    expect(request.headers.authorization).toBeUndefined();
    expect(request.body).toEqual({
      model: 'fake-model',
      prompt: 'def add(a, b):\n',
      stop: ['\ndef', '\nclass'],
      temperature: 0.8,
      top_p: 0.95,
      max_tokens: 256,
      seed: 42,
      n: 1,
    });
    expect(completion.text).toBe('    return a + b\n');
  });

  it('leaves out an empty stop list', async () => {
    await provider({style: 'completion'}).complete(completionRequest({prompt: {style: 'completion', text: 'x', stop: []}}));
    expect(fake.requests[0].body).not.toHaveProperty('stop');
  });

  it('sends one request per sample, each with its own seed', async () => {
    const p = provider();
    for (const i of [0, 1, 2]) await p.complete(chatRequest({sampleIndex: i, seed: 100 + i}));
    expect(fake.requests.map((r) => r.body.seed)).toEqual([100, 101, 102]);
    expect(fake.requests.every((r) => r.body.n === 1)).toBe(true);
  });

  it('accepts a base URL with a trailing slash', async () => {
    await provider({baseUrl: `${fake.url}/`}).complete(chatRequest());
    expect(fake.requests[0].path).toBe('/v1/chat/completions');
  });

  it('names itself after the endpoint style', () => {
    expect(provider().id).toBe('openai:fake-model');
    expect(provider({style: 'completion'}).id).toBe('openai-completions:fake-model');
    expect(provider().verbatim).toBe(false);
  });

  it('refuses a prompt of the other style', async () => {
    await expect(provider().complete(completionRequest())).rejects.toThrow(/sends chat prompts/);
    expect(fake.requests).toHaveLength(0);
  });

  it('rejects bad base URLs and options up front', () => {
    expect(() => provider({baseUrl: 'http://user:secret@127.0.0.1:1/v1'})).toThrow(UserError);
    expect(() => provider({baseUrl: 'http://user:secret@127.0.0.1:1/v1'})).not.toThrow(/secret/);
    expect(() => provider({baseUrl: 'ftp://127.0.0.1/v1'})).toThrow(/only http and https/);
    expect(() => provider({baseUrl: 'localhost:8000'})).toThrow(UserError);
    expect(() => provider({model: ''})).toThrow(UserError);
    expect(() => provider({maxRetries: -1})).toThrow(UserError);
  });
});

describe('replies', () => {
  it('keeps a reply cut short by max_tokens, with finish reason length', async () => {
    fake.setBehaviour({respond: () => ({content: 'module top(', finishReason: 'length'})});
    const completion = await provider().complete(chatRequest());
    expect(completion).toMatchObject({text: 'module top(', finishReason: 'length', attempts: 1});
  });

  it('returns empty content as the answer, without retrying', async () => {
    fake.setBehaviour({respond: () => ({content: '', finishReason: 'length'})});
    const completion = await provider().complete(chatRequest());
    expect(completion).toMatchObject({text: '', finishReason: 'length', attempts: 1});
    expect(fake.requests).toHaveLength(1);
  });

  it('returns a refusal (null content) as its refusal text, or nothing', async () => {
    fake.setBehaviour({respond: () => ({content: null})});
    await expect(provider().complete(chatRequest())).resolves.toMatchObject({text: ''});
  });

  it('fails on content that is not a string', async () => {
    fake.setBehaviour({respond: () => ({content: 42})});
    const error = await endpointError(provider({maxRetries: 0}).complete(chatRequest()));
    expect(error.kind).toBe('malformed');
    expect(error.message).toMatch(/reply text is number/);
  });

  it('fails on a 200 reply without choices, quoting the error it carries', async () => {
    fake.setBehaviour({faults: [{type: 'body', body: {error: {message: 'upstream overloaded'}}}]});
    const error = await endpointError(provider({maxRetries: 0}).complete(chatRequest()));
    expect(error.kind).toBe('malformed');
    expect(error.message).toContain('reply has no choices: upstream overloaded');
  });

  it('never shows the key when a reply without choices echoes the request', async () => {
    const key = 'sk-secret-echoed-0123456789';
    fake.setBehaviour({faults: times(5, {type: 'echo'})});
    const error = await endpointError(provider({apiKey: key, maxRetries: 0}).complete(chatRequest()));
    expect(error.kind).toBe('malformed');
    expect(error.message).toMatch(/reply has no choices/);
    expect(error.message).not.toContain(key);
    expect(error.detail).not.toContain(key);
    expect(String(error.cause ?? '')).not.toContain(key);
  });

  it('never shows the key when a non-JSON reply or an error status carries it, even without being told the key', async () => {
    const key = 'sk-secret-0123456789abcdef';
    const leaks = [
      {type: 'body', body: `not json: Authorization: Bearer ${key}`} as const,
      {type: 'status', status: 500, message: `upstream got header Bearer ${key}`} as const,
      {type: 'status', status: 400, message: `bad key ${key}`} as const,
      {type: 'status', status: 401, message: `Incorrect API key provided: ${key}`} as const,
      {type: 'status', status: 404, message: `no model for key ${key}`} as const,
      {type: 'status', status: 429, message: `quota of ${key} exhausted`, headers: {'retry-after': '3600'}} as const,
      {type: 'echo'} as const,
    ];
    for (const fault of leaks) {
      fake.setBehaviour({faults: [fault]});
      const error = await endpointError(provider({apiKey: key, maxRetries: 0}).complete(chatRequest()));
      expect(error.message, JSON.stringify(fault)).not.toContain(key);
      expect(error.message, JSON.stringify(fault)).not.toMatch(/sk-secret/);
      expect(error.detail, JSON.stringify(fault)).not.toMatch(/sk-secret/);
    }
    // A key-shaped bearer token the provider was not given (a proxy's own) is hidden too.
    fake.setBehaviour({faults: [{type: 'status', status: 502, message: 'proxy sent Authorization: Bearer sk-proxy-abcdef0123456789'}]});
    const error = await endpointError(provider({apiKey: key, maxRetries: 0}).complete(chatRequest()));
    expect(error.message).not.toContain('sk-proxy-abcdef0123456789');
  });

  it('never shows part of the key when an error message is cut short in the middle of it', async () => {
    const key = `hf_${'K'.repeat(40)}`;
    fake.setBehaviour({faults: [{type: 'status', status: 500, message: `${'x'.repeat(185)} ${key}`}]});
    const error = await endpointError(provider({apiKey: key, maxRetries: 0}).complete(chatRequest()));
    // The key (past the 200-character quote limit) is replaced before the quote is cut.
    expect(error.message).toMatch(/x \*\*\*$/);
    expect(error.message).not.toContain(key.slice(0, 8));
  });

  it('counts the garbled-reply budget in garbled replies, not in every attempt', async () => {
    // Three ordinary transient failures, then one garbled reply: the garbled reply deserves its own retries.
    fake.setBehaviour({faults: [{type: 'status', status: 429}, {type: 'status', status: 503}, {type: 'reset'}, {type: 'malformed'}]});
    const completion = await provider({maxRetries: 5}).complete(chatRequest());
    expect(completion.attempts).toBe(5);
  });

  it('retries a malformed reply a couple of times only', async () => {
    fake.setBehaviour({faults: times(10, {type: 'malformed'})});
    const error = await endpointError(provider({maxRetries: 5}).complete(chatRequest()));
    expect(error.kind).toBe('malformed');
    expect(error.message).toMatch(/reply is not JSON/);
    expect(fake.requests).toHaveLength(3);
    expect(error.attempts).toBe(3);
  });

  it('recovers from one malformed reply', async () => {
    fake.setBehaviour({faults: [{type: 'malformed'}]});
    const completion = await provider().complete(chatRequest());
    expect(completion.attempts).toBe(2);
  });
});

describe('retries', () => {
  it('waits as long as retry-after-ms asks, instead of its own backoff', async () => {
    fake.setBehaviour({faults: [{type: 'status', status: 429, headers: {'retry-after-ms': '150'}}]});
    // A backoff base of a minute would time the test out if the server's wait were ignored.
    const completion = await provider({retryBaseMs: 60_000}).complete(chatRequest());
    expect(completion.attempts).toBe(2);
    const [first, second] = fake.requests;
    expect(second.receivedAt - first.receivedAt).toBeGreaterThanOrEqual(150);
    expect(second.receivedAt - first.receivedAt).toBeLessThan(1_000);
  }, 5_000);

  it('honours Retry-After in seconds', async () => {
    fake.setBehaviour({faults: [{type: 'status', status: 429, headers: {'retry-after': '1'}}]});
    const completion = await provider({retryBaseMs: 60_000}).complete(chatRequest());
    expect(completion.attempts).toBe(2);
    const waited = fake.requests[1].receivedAt - fake.requests[0].receivedAt;
    expect(waited).toBeGreaterThanOrEqual(1_000);
    expect(waited).toBeLessThan(2_000);
  }, 5_000);

  it('retries 429s and 5xx until success', async () => {
    fake.setBehaviour({
      faults: [
        {type: 'status', status: 429},
        {type: 'status', status: 500},
        {type: 'status', status: 503},
        {type: 'status', status: 408},
      ],
    });
    const completion = await provider({maxRetries: 4}).complete(chatRequest());
    expect(completion).toMatchObject({text: 'fake reply (seed 42)', attempts: 5});
    expect(fake.requests).toHaveLength(5);
  });

  it('gives up after maxRetries with the last status and the endpoint message', async () => {
    fake.setBehaviour({faults: times(5, {type: 'status', status: 500, message: 'CUDA out of memory'})});
    const error = await endpointError(provider({maxRetries: 2}).complete(chatRequest()));
    expect(error).toMatchObject({kind: 'http', status: 500, retryable: true, attempts: 3});
    expect(error.message).toBe(
      `POST ${fake.url}/chat/completions: 500 Internal Server Error: CUDA out of memory (after 3 attempts)`,
    );
    expect(fake.requests).toHaveLength(3);
  });

  it('retries connection resets', async () => {
    fake.setBehaviour({faults: times(2, {type: 'reset'})});
    const completion = await provider().complete(chatRequest());
    expect(completion.attempts).toBe(3);
  });

  it('retries a body cut off mid-JSON', async () => {
    fake.setBehaviour({faults: [{type: 'truncated'}]});
    const completion = await provider().complete(chatRequest());
    expect(completion.attempts).toBe(2);
  });

  it('reports persistent transport failures as retryable network errors', async () => {
    fake.setBehaviour({faults: times(3, {type: 'truncated'})});
    const error = await endpointError(provider({maxRetries: 2}).complete(chatRequest()));
    expect(error).toMatchObject({kind: 'network', retryable: true, attempts: 3});
    expect(error.message.split('\n')).toHaveLength(1);
  });

  it('times out a slow reply and retries it', async () => {
    fake.setBehaviour({faults: [{type: 'slow', ms: 1_000}]});
    const completion = await provider({timeoutMs: 200}).complete(chatRequest());
    expect(completion.attempts).toBe(2);
  });

  it('reports a reply that never comes in time as a timeout', async () => {
    fake.setBehaviour({delayMs: 1_000});
    const error = await endpointError(provider({timeoutMs: 100, maxRetries: 1}).complete(chatRequest()));
    expect(error).toMatchObject({kind: 'timeout', retryable: true, attempts: 2});
    expect(error.message).toContain('no reply within 100 ms');
  });

  it('retries a refused connection and reports it as a network error', async () => {
    const url = fake.url;
    await fake.close();
    const error = await endpointError(provider({baseUrl: url, maxRetries: 1}).complete(chatRequest()));
    expect(error).toMatchObject({kind: 'network', retryable: true, attempts: 2});
    expect(error.message).toContain('ECONNREFUSED');
    fake = await startFakeOpenAI();
  });

  it('fails a 400 at once with the status and the endpoint message', async () => {
    fake.setBehaviour({faults: [{type: 'status', status: 400, message: "'max_tokens' is too large"}]});
    const error = await endpointError(provider().complete(chatRequest()));
    expect(error).toMatchObject({kind: 'http', status: 400, retryable: false, attempts: 1});
    expect(error.message).toBe(`POST ${fake.url}/chat/completions: 400 Bad Request: 'max_tokens' is too large`);
    expect(fake.requests).toHaveLength(1);
  });

  it('fails a 401 at once and never shows the key', async () => {
    fake.setBehaviour({
      apiKey: 'sk-right',
      faults: [{type: 'status', status: 401, message: 'Incorrect API key provided: sk-wrong-123'}],
    });
    const error = await endpointError(provider({apiKey: 'sk-wrong-123'}).complete(chatRequest()));
    expect(error).toMatchObject({status: 401, retryable: false});
    expect(error.message).toContain('401 Unauthorized: Incorrect API key provided: ***');
    expect(error.message).not.toContain('sk-wrong-123');
    expect(fake.requests).toHaveLength(1);
  });

  it('fails a 404 (unknown model) at once', async () => {
    fake.setBehaviour({faults: [{type: 'status', status: 404, message: 'The model `nope` does not exist'}]});
    const error = await endpointError(provider().complete(chatRequest()));
    expect(error).toMatchObject({status: 404, retryable: false});
    expect(fake.requests).toHaveLength(1);
  });
});

describe('checkEndpoint', () => {
  it('lists the models of a live endpoint, sending the key', async () => {
    fake.setBehaviour({models: ['a', 'b'], apiKey: 'sk-test'});
    await expect(checkEndpoint(fake.url, 'sk-test')).resolves.toEqual({models: ['a', 'b']});
    expect(fake.requests[0]).toMatchObject({method: 'GET', path: '/v1/models'});
  });

  it('fails with one line when nothing listens', async () => {
    const url = fake.url;
    await fake.close();
    const error = await checkEndpoint(url).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(/^cannot reach the model endpoint: GET .*ECONNREFUSED.*is the server running/);
    expect((error as Error).message).not.toContain('\n');
    fake = await startFakeOpenAI();
  });

  it('fails when the key is refused, without showing it', async () => {
    fake.setBehaviour({apiKey: 'sk-right'});
    const error = await checkEndpoint(fake.url, 'sk-wrong').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(/401 Unauthorized: Incorrect API key provided \(check OPENAI_API_KEY\)$/);
    expect((error as Error).message).not.toContain('sk-wrong');
  });

  it('never shows the key when the refusal echoes it, whether or not it is the key sent', async () => {
    for (const echoed of ['sk-secret-0123456789abcdef', 'sk-other-0123456789abcdef']) {
      fake.setBehaviour({faults: [{type: 'status', status: 401, message: `Incorrect API key provided: ${echoed}`}]});
      const error = await checkEndpoint(fake.url, 'sk-secret-0123456789abcdef').then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(error).toBeInstanceOf(UserError);
      expect(error!.message).not.toContain(echoed);
    }
  });

  it('accepts a server without a model list', async () => {
    await expect(checkEndpoint(`${fake.url}/elsewhere`)).resolves.toEqual({});
  });
});
