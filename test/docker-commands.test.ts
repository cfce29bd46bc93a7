/**
 * `passk sandbox doctor` and `passk sandbox cleanup` end to end, through the built CLI (`npm test`
 * builds it first). `passk sandbox build` runs in CI before the tests (see .ci/run).
 */
import os from 'node:os';
import path from 'node:path';
import {execa} from 'execa';
import {describe, expect, it} from 'vitest';
import {connectEngine} from '../src/execute/docker/engines.js';
import {defaultImage} from '../src/execute/docker/image.js';
import {labels, runnerRole} from '../src/execute/docker/settings.js';
import {projectRoot} from './helpers/datasets.js';
import {noDockerReason, usableDockerHosts} from './helpers/docker.js';

const cli = path.join(projectRoot, 'bin', 'run.js');
const [host] = await usableDockerHosts();
if (!host) console.warn(`skipping the sandbox command tests: ${noDockerReason()}`);

function passk(args: string[]) {
  return execa('node', [cli, ...args], {reject: false, env: {CI: '1'}});
}

describe('passk sandbox commands', () => {
  it('doctor names an engine that is not there, and exits 2', async () => {
    const result = await passk(['sandbox', 'doctor', '--docker-host', 'unix:///nonexistent/passk.sock']);
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toContain('engine unix:///nonexistent/passk.sock: not reachable');
  });

  it.skipIf(!host)('doctor reports the engine, the image digest, the toolchain and the confinement in force', async () => {
    const result = await passk(['sandbox', 'doctor', '--docker-host', host!, '--json']);
    expect(result.exitCode, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.image).toBe(defaultImage());
    expect(report.engines[0]).toMatchObject({url: host, version: expect.stringMatching(/^Docker /), image: {id: expect.stringMatching(/^sha256:/)}});
    expect(report.toolchain.iverilog).toMatch(/^Icarus Verilog version 12\./);
    expect(report.inForce).toMatchObject({
      user: 'uid 10001 gid 10001',
      'capabilities (effective)': '0000000000000000',
      no_new_privs: '1',
      seccomp: 'filter',
      'network interfaces': 'lo',
      'root filesystem': 'read-only',
      'pid 1': 'python3 -I /opt/passk/runner.py',
    });
    expect(report.inForce['mount /work']).toMatch(/^tmpfs /);
  });

  // Not --all: that would also take the containers of any other passk running on the engine.
  it.skipIf(!host)('cleanup removes containers left behind by dead passk processes, and keeps those of live ones', async () => {
    const {docker} = connectEngine(host!);
    const image = defaultImage();
    const leftover = async (owner: string) =>
      (await docker.createContainer({Image: image, Labels: {[labels.role]: runnerRole, [labels.owner]: owner}, HostConfig: {NetworkMode: 'none'}})).id.slice(0, 12);
    // pid 2^22 + 1 is above any Linux pid_max: that process cannot be running.
    const dead = await leftover(`${os.hostname()}/4194305`);
    const live = await leftover(`${os.hostname()}/${process.pid}`);
    const first = JSON.parse((await passk(['sandbox', 'cleanup', '--docker-host', host!, '--json'])).stdout);
    expect(first.removed.map((entry: {id: string}) => entry.id)).toContain(dead);
    expect(first.kept.map((entry: {id: string}) => entry.id)).toContain(live);
    const remaining = await docker.listContainers({all: true, filters: {label: [`${labels.role}=${runnerRole}`]}});
    expect(remaining.map((container) => container.Id.slice(0, 12))).not.toContain(dead);
    await docker.getContainer(live).remove({force: true});
  });
});
