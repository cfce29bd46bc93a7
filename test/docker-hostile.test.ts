/**
 * The hostile-sample suite (test/helpers/hostile-suite.ts) against the Docker backend, on one
 * engine with a pool of two containers. Skipped, with the reason, when no test engine holds the image.
 */
import {openSandbox} from '../src/execute/index.js';
import {noDockerReason, usableDockerHosts} from './helpers/docker.js';
import {hostileSuite} from './helpers/hostile-suite.js';

const [host] = await usableDockerHosts();

hostileSuite({
  label: 'Docker sandbox',
  kind: 'docker',
  opened: host
    ? await openSandbox({backend: 'docker', dockerHosts: [host], poolSize: 2}).then(
        (sandbox) => ({sandbox}),
        (error: Error) => ({reason: error.message}),
      )
    : {reason: noDockerReason()},
  runJobArgs: ['--backend', 'docker', '--docker-host', host ?? ''],
});
