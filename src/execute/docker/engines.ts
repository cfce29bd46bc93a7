/**
 * Docker engines by URL, as `--docker-host` and DOCKER_HOST name them: unix sockets, tcp (plain
 * http), https, and ssh. Each engine gets its own dockerode client with a bounded HTTP connection
 * pool for API calls; the runners' attach streams leave that pool once upgraded, so a full pool
 * never blocks them (nor they it).
 */
import http from 'node:http';
import https from 'node:https';
import {readFileSync} from 'node:fs';
import {within} from '../within.js';
import path from 'node:path';
import Docker from 'dockerode';
import {UserError} from '../../errors.js';

export interface Engine {
  /** The URL as given, e.g. unix:///var/run/docker.sock, tcp://10.0.0.2:2375, ssh://me@box. */
  readonly url: string;
  readonly docker: Docker;
  /**
   * A client without kept-alive connections, for health pings: a daemon that is shutting down
   * still answers on connections it already has, so only a new connection tells that it is gone.
   */
  readonly probe: Docker;
}

/** API connections per engine (create, start, inspect, remove); plenty for a pool of dozens of containers. */
const maxApiSockets = 16;

export function defaultDockerHost(): string {
  return process.env.DOCKER_HOST || 'unix:///var/run/docker.sock';
}

type ClientOptions = Docker.DockerOptions & {agent?: http.Agent};

/** TLS material as the docker CLI finds it (DOCKER_CERT_PATH), for https engines. */
function tlsFiles(): Pick<ClientOptions, 'ca' | 'cert' | 'key'> {
  const dir = process.env.DOCKER_CERT_PATH;
  if (!dir) return {};
  return {ca: readFileSync(path.join(dir, 'ca.pem')), cert: readFileSync(path.join(dir, 'cert.pem')), key: readFileSync(path.join(dir, 'key.pem'))};
}

function endpoint(url: string): ClientOptions {
  const socket = (socketPath: string): ClientOptions => ({socketPath, protocol: 'http', agent: new http.Agent({keepAlive: true, maxSockets: maxApiSockets})});
  if (url.startsWith('/')) return socket(url);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UserError(`not a Docker host URL: ${url} (unix:///path, tcp://host:port, https://host:port or ssh://user@host)`);
  }
  const tls = parsed.protocol === 'https:' || (parsed.protocol === 'tcp:' && process.env.DOCKER_TLS_VERIFY === '1');
  switch (parsed.protocol) {
    case 'unix:':
      return socket(parsed.pathname);
    case 'tcp:':
    case 'http:':
    case 'https:':
      return tls
        ? {protocol: 'https', host: parsed.hostname, port: parsed.port || 2376, ...tlsFiles(), agent: new https.Agent({keepAlive: true, maxSockets: maxApiSockets})}
        : {protocol: 'http', host: parsed.hostname, port: parsed.port || 2375, agent: new http.Agent({keepAlive: true, maxSockets: maxApiSockets})};
    case 'ssh:':
      return {
        protocol: 'ssh',
        host: parsed.hostname,
        port: parsed.port || 22,
        username: decodeURIComponent(parsed.username) || undefined,
        sshOptions: {agent: process.env.SSH_AUTH_SOCK},
      };
    default:
      throw new UserError(`unsupported Docker host URL scheme ${parsed.protocol} in ${url} (unix, tcp, https or ssh)`);
  }
}

/**
 * docker-modem merges DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH and DOCKER_CLIENT_TIMEOUT
 * into whatever it is given; every field is set here so that the URL alone decides, and no client
 * timeout cuts the runners' long-lived attach streams.
 */
function clientOptions(url: string): ClientOptions {
  return {socketPath: undefined, host: undefined, port: undefined, username: undefined, ca: undefined, cert: undefined, key: undefined, timeout: undefined, ...endpoint(url)};
}

export function connectEngine(url: string): Engine {
  const options = clientOptions(url);
  // (Node's default agent keeps connections alive too.)
  const fresh = options.protocol === 'https' ? new https.Agent({keepAlive: false}) : options.protocol === 'ssh' ? undefined : new http.Agent({keepAlive: false});
  const probeOptions: ClientOptions = {...options, agent: fresh};
  return {url, docker: new Docker(options), probe: new Docker(probeOptions)};
}

/** Undefined when the engine answers a ping, else why not. */
export async function unreachable(engine: Engine, ms = 3000): Promise<string | undefined> {
  try {
    await within(engine.probe.ping(), ms, 'ping');
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** e.g. "Docker 20.10.24+dfsg1 (API 1.41)". */
export async function engineVersion(engine: Engine): Promise<string> {
  const version = await within(engine.docker.version(), 10_000, 'version');
  return `Docker ${version.Version} (API ${version.ApiVersion})`;
}

/** The HTTP status of a failed dockerode call, if it got that far. */
export function statusOf(error: unknown): number | undefined {
  return (error as {statusCode?: number}).statusCode;
}
