/**
 * The Docker backend's pure parts, no engine needed: engine URLs, the container settings, and the
 * runner protocol's encoding of jobs and decoding of results (which must read exactly as the local
 * backends' results do).
 */
import {describe, expect, it} from 'vitest';
import {connectEngine} from '../src/execute/docker/engines.js';
import {containerOptions} from '../src/execute/docker/settings.js';
import {decodeStep, encodeJob, hostDeadlineMs, shapeOf, type RunnerStep} from '../src/execute/runner/protocol.js';
import {cleanEnv} from '../src/execute/job.js';
import {defaultLimits, type Job} from '../src/execute/sandbox.js';
import {UserError} from '../src/errors.js';

const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('Docker engine URLs', () => {
  it('accepts unix sockets, tcp, https and ssh, as dockerode does', () => {
    const modem = (url: string) => connectEngine(url).docker.modem as unknown as Record<string, unknown>;
    expect(modem('unix:///run/a.sock')).toMatchObject({socketPath: '/run/a.sock'});
    expect(modem('/var/run/docker.sock')).toMatchObject({socketPath: '/var/run/docker.sock'});
    expect(modem('tcp://10.0.0.2:2375')).toMatchObject({host: '10.0.0.2', port: '2375', protocol: 'http'});
    expect(modem('https://box:2376')).toMatchObject({host: 'box', port: '2376', protocol: 'https'});
    expect(modem('ssh://me@box')).toMatchObject({host: 'box', protocol: 'ssh', username: 'me'});
  });

  it('goes where the URL says, whatever DOCKER_HOST and DOCKER_CLIENT_TIMEOUT say', () => {
    const saved = {host: process.env.DOCKER_HOST, timeout: process.env.DOCKER_CLIENT_TIMEOUT};
    process.env.DOCKER_HOST = 'tcp://10.9.9.9:2376';
    process.env.DOCKER_CLIENT_TIMEOUT = '1000';
    try {
      const modem = connectEngine('unix:///run/a.sock').docker.modem as unknown as Record<string, unknown>;
      expect(modem).toMatchObject({socketPath: '/run/a.sock', host: undefined, timeout: undefined});
    } finally {
      for (const [name, value] of [['DOCKER_HOST', saved.host], ['DOCKER_CLIENT_TIMEOUT', saved.timeout]] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  it('refuses anything else with a usable message', () => {
    expect(() => connectEngine('ftp://box')).toThrow(UserError);
    expect(() => connectEngine('not a url')).toThrow(/not a Docker host URL/);
  });
});

describe('sandbox container settings', () => {
  const options = containerOptions({image: 'sha256:abc', shape: shapeOf(defaultLimits), runnerHash: 'r', cpus: 1});

  it('lock the container down', () => {
    expect(options).toMatchObject({
      Image: 'sha256:abc',
      User: '10001:10001',
      NetworkDisabled: true,
      Env: Object.entries(cleanEnv).map(([name, value]) => `${name}=${value}`),
      HostConfig: {NetworkMode: 'none', ReadonlyRootfs: true, CapDrop: ['ALL'], SecurityOpt: ['no-new-privileges'], IpcMode: 'private', NanoCpus: 1e9, AutoRemove: true},
    });
    const host = options.HostConfig!;
    expect(host.MemorySwap).toBe(host.Memory);
    expect(host.Memory).toBeGreaterThan(defaultLimits.memoryBytes);
    expect(host.PidsLimit).toBeGreaterThan(defaultLimits.maxProcesses);
    // Docker's tmpfs is noexec unless told otherwise: compiled simulations must run from /work.
    expect(host.Tmpfs?.['/work']).toMatch(/(^|,)exec(,|$)/);
    expect(host.Tmpfs?.['/work']).toMatch(/size=268435456/);
    expect(options.Labels).toMatchObject({'passk.sandbox': 'runner', 'passk.owner': expect.stringContaining(`/${process.pid}`)});
  });

  it('follow the limits of the jobs (the shape)', () => {
    const small = containerOptions({image: 'x', shape: shapeOf({...defaultLimits, maxDiskBytes: 8 * 1024 ** 2, maxProcesses: 16}), runnerHash: 'r', cpus: 2});
    expect(small.HostConfig).toMatchObject({ShmSize: 8 * 1024 ** 2, PidsLimit: 20, NanoCpus: 2e9});
  });
});

describe('runner protocol', () => {
  const job: Job = {files: {'a/../main.py': 'print("é")'}, steps: [{argv: ['python3', '-I', 'main.py']}, {argv: ['true'], timeoutMs: 5, mergeStderr: true}], stdin: 'in\n', limits: defaultLimits};

  it('encodes a job with checked names, exact bytes and every step’s own timeout', () => {
    const request = encodeJob(job, 7, cleanEnv, true);
    expect(request).toMatchObject({
      id: 7,
      files: [['main.py', b64('print("é")')]],
      stdin: b64('in\n'),
      steps: [
        {argv: ['python3', '-I', 'main.py'], timeoutMs: defaultLimits.timeoutMs, merge: false},
        {argv: ['true'], timeoutMs: 5, merge: true},
      ],
      limits: {memoryBytes: defaultLimits.memoryBytes, maxOutputBytes: defaultLimits.maxOutputBytes, maxFileBytes: defaultLimits.maxFileBytes, openFiles: 256},
      stopOnFailure: true,
      fastPython: true,
    });
    expect(encodeJob({...job, stdin: undefined, stopOnFailure: false}, 1, cleanEnv, false)).toMatchObject({stdin: null, stopOnFailure: false, fastPython: false});
    expect(hostDeadlineMs(request)).toBeGreaterThan(defaultLimits.timeoutMs + 5);
    expect(() => encodeJob({...job, files: {'../x': ''}}, 1, cleanEnv, true)).toThrow(/escapes the working directory/);
  });

  it('decodes results as the local backends read them', () => {
    const step = (fields: Partial<RunnerStep>): RunnerStep => ({exitCode: 0, signal: null, timedOut: false, oom: false, truncated: false, stdout: '', stderr: '', durationMs: 1.4, forked: false, ...fields});
    expect(decodeStep(step({stdout: b64('ok\n')}))).toEqual({exitCode: 0, signal: null, timedOut: false, oom: false, truncated: false, stdout: 'ok\n', stderr: '', durationMs: 1});
    // A shell's 128 + N is a death by signal N, as bwrap's init reports it.
    expect(decodeStep(step({exitCode: 137}))).toMatchObject({exitCode: null, signal: 'SIGKILL'});
    expect(decodeStep(step({exitCode: null, signal: 6}))).toMatchObject({exitCode: null, signal: 'SIGABRT'});
    expect(decodeStep(step({exitCode: 1, stderr: b64('MemoryError\n')}))).toMatchObject({oom: true});
    expect(decodeStep(step({exitCode: null, signal: 9, timedOut: true, stderr: b64('MemoryError\n')}))).toMatchObject({oom: false, timedOut: true});
  });
});
