/** The strict-verdict forgery suite (helpers/forgery-suite.ts) on the Docker backend. */
import {openSandbox} from '../src/execute/index.js';
import {forgerySuite} from './helpers/forgery-suite.js';
import {sharedDataset} from './helpers/datasets.js';
import {noDockerReason, usableDockerHosts} from './helpers/docker.js';

const hosts = await usableDockerHosts();
const opened = hosts.length === 0 ? {reason: noDockerReason()} : {sandbox: await openSandbox({backend: 'docker', dockerHosts: hosts})};
forgerySuite({label: 'Docker sandbox', opened, verilogEval: sharedDataset('verilog-eval')});
