/**
 * A local OpenAI-compatible server for tests (127.0.0.1, random port): /v1/models,
 * /v1/chat/completions and /v1/completions, a programmable responder, and injectable faults
 * (error statuses with Retry-After, slow replies, cut-off bodies, malformed JSON, connection resets,
 * replies that echo the request, and a server that dies after N completion requests), and vLLM's
 * runtime LoRA loading (POST /v1/load_lora_adapter adds the adapter to /v1/models; the responder
 * sees the served model name in each request, so answers can improve with the model).
 * Every request is recorded so tests can assert seeds, parameters and retry counts.
 */
import {createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse} from 'node:http';
import type {AddressInfo} from 'node:net';
import {setTimeout as sleep} from 'node:timers/promises';

export interface RecordedRequest {
  method: string;
  /** e.g. `/v1/chat/completions` */
  path: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body (typed loosely: tests read arbitrary fields); undefined for GET or non-JSON. */
  body: any;
  /** performance.now() when the request arrived, for measuring waits between retries. */
  receivedAt: number;
}

/** What the model "says": content may be null or a non-string to imitate odd servers. */
export interface FakeReply {
  content: unknown;
  finishReason?: string | null;
}

export type Responder = (request: RecordedRequest) => string | FakeReply;

export type Fault =
  /** This status with an OpenAI-style error body and extra headers (e.g. retry-after). */
  | {type: 'status'; status: number; message?: string; headers?: Record<string, string>}
  /** Reply normally, but only after `ms`. */
  | {type: 'slow'; ms: number}
  /** Announce a full body, send half of it, then drop the connection. */
  | {type: 'truncated'}
  /** A complete 200 reply whose body is not JSON. */
  | {type: 'malformed'}
  /** A complete 200 reply with this JSON body (e.g. one without choices). */
  | {type: 'body'; body: unknown}
  /** Reset the connection (TCP RST) without replying. */
  | {type: 'reset'}
  /** A 200 reply without choices that echoes the request, headers included (some proxies do). */
  | {type: 'echo'};

export interface FakeBehaviour {
  /** Default: "fake reply (seed S)". */
  respond?: Responder;
  /** Consumed one per request (any path), in order; requests after the last fault get normal replies. */
  faults?: Fault[];
  /** Delay before every normal reply. */
  delayMs?: number;
  /** Listed by /v1/models; default ['fake-model']. */
  models?: string[];
  /** When set, requests without `Authorization: Bearer <apiKey>` get a 401. */
  apiKey?: string;
  /** Serve this many completion requests, then stop listening (later requests are refused). */
  dieAfter?: number;
}

export interface FakeOpenAI {
  /** Base URL, ending in /v1. */
  url: string;
  /** Every request received, in arrival order. */
  requests: RecordedRequest[];
  /** LoRA adapters loaded through POST /v1/load_lora_adapter: name → path, in load order. */
  adapters: Map<string, string>;
  /** Replaces the behaviour (and its fault queue) for the following requests. */
  setBehaviour(behaviour: FakeBehaviour): void;
  close(): Promise<void>;
}

export function times(n: number, fault: Fault): Fault[] {
  return Array.from({length: n}, () => fault);
}

/** `port`: listen there (e.g. to bring back an endpoint that died, at the same URL); default any free port. */
export async function startFakeOpenAI(initial: FakeBehaviour = {}, port = 0): Promise<FakeOpenAI> {
  let behaviour = initial;
  let faults = [...(initial.faults ?? [])];
  const requests: RecordedRequest[] = [];
  const adapters = new Map<string, string>();
  let served = 0;

  const server = createServer(async (req, res) => {
    const recorded = await record(req);
    requests.push(recorded);
    if (recorded.method === 'POST' && behaviour.dieAfter !== undefined && ++served > behaviour.dieAfter) {
      // Gone: no more connections are accepted, and this one is dropped unanswered.
      server.close();
      server.closeAllConnections();
      return;
    }
    const fault = faults.shift();
    if (fault?.type === 'slow') await sleep(fault.ms);
    else if (fault) return sendFault(fault, res, recorded);
    if (behaviour.apiKey !== undefined && req.headers.authorization !== `Bearer ${behaviour.apiKey}`) {
      return sendError(res, 401, 'Incorrect API key provided', 'invalid_api_key');
    }
    if (behaviour.delayMs) await sleep(behaviour.delayMs);
    if (res.destroyed) return;
    if (req.method === 'GET' && recorded.path === '/v1/models') {
      const data = [...(behaviour.models ?? ['fake-model']), ...adapters.keys()].map((id) => ({id, object: 'model', owned_by: 'fake'}));
      return sendJson(res, 200, {object: 'list', data});
    }
    if (req.method === 'POST' && recorded.path === '/v1/load_lora_adapter') {
      // vLLM's answers: 400 for a name already loaded, 200 with a plain-text message otherwise.
      const {lora_name: name, lora_path: where} = recorded.body ?? {};
      if (typeof name !== 'string' || typeof where !== 'string') return sendError(res, 400, 'lora_name and lora_path are required', 'invalid_request');
      if (adapters.has(name)) return sendError(res, 400, `The lora adapter '${name}' has already been loaded.`, 'invalid_request');
      adapters.set(name, where);
      res.writeHead(200, {'content-type': 'text/plain'});
      return res.end(`Success: LoRA adapter '${name}' added successfully.`);
    }
    if (req.method === 'POST' && recorded.path === '/v1/chat/completions') {
      return sendJson(res, 200, completionBody('chat', recorded, behaviour.respond));
    }
    if (req.method === 'POST' && recorded.path === '/v1/completions') {
      return sendJson(res, 200, completionBody('completion', recorded, behaviour.respond));
    }
    sendError(res, 404, `no route ${req.method} ${recorded.path}`, 'not_found');
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${address.port}/v1`,
    requests,
    adapters,
    setBehaviour(next) {
      behaviour = next;
      faults = [...(next.faults ?? [])];
      served = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function record(req: IncomingMessage): Promise<RecordedRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  const path = new URL(req.url ?? '/', 'http://fake').pathname;
  return {method: req.method ?? 'GET', path, headers: req.headers, body, receivedAt: performance.now()};
}

function completionBody(style: 'chat' | 'completion', request: RecordedRequest, respond?: Responder): unknown {
  const answer = respond ? respond(request) : `fake reply (seed ${request.body?.seed})`;
  const reply: FakeReply = typeof answer === 'string' ? {content: answer} : answer;
  const finishReason = reply.finishReason === undefined ? 'stop' : reply.finishReason;
  const choice =
    style === 'chat'
      ? {index: 0, message: {role: 'assistant', content: reply.content}, finish_reason: finishReason}
      : {index: 0, text: reply.content, logprobs: null, finish_reason: finishReason};
  return {
    id: `fake-${Math.random().toString(36).slice(2)}`,
    object: style === 'chat' ? 'chat.completion' : 'text_completion',
    created: Math.floor(Date.now() / 1000),
    model: request.body?.model,
    choices: [choice],
    usage: {prompt_tokens: 1, completion_tokens: 1, total_tokens: 2},
  };
}

function sendFault(fault: Exclude<Fault, {type: 'slow'}>, res: ServerResponse, request: RecordedRequest): void {
  switch (fault.type) {
    case 'status':
      return sendError(res, fault.status, fault.message ?? `fake ${fault.status}`, 'fake_fault', fault.headers);
    case 'truncated': {
      const body = JSON.stringify({id: 'cut', choices: [{index: 0, message: {role: 'assistant', content: 'x'.repeat(64)}}]});
      res.writeHead(200, {'content-type': 'application/json', 'content-length': Buffer.byteLength(body)});
      res.write(body.slice(0, body.length / 2), () => res.socket?.destroy());
      return;
    }
    case 'malformed':
      res.writeHead(200, {'content-type': 'application/json'});
      res.end('{"id": "broken", "choices": [');
      return;
    case 'body':
      return sendJson(res, 200, fault.body);
    case 'reset':
      res.socket?.resetAndDestroy();
      return;
    case 'echo':
      return sendJson(res, 200, {request: {headers: request.headers, body: request.body}});
  }
}

function sendError(
  res: ServerResponse,
  status: number,
  message: string,
  code: string,
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, {error: {message, type: 'fake_error', code}}, headers);
}

function sendJson(res: ServerResponse, status: number, json: unknown, headers: Record<string, string> = {}): void {
  if (res.destroyed) return;
  res.writeHead(status, {'content-type': 'application/json', ...headers});
  res.end(JSON.stringify(json));
}
