/** The strict-verdict forgery suite (helpers/forgery-suite.ts) on the bubblewrap backend. */
import {openSandbox} from '../src/execute/index.js';
import {forgerySuite} from './helpers/forgery-suite.js';
import {sharedDataset} from './helpers/datasets.js';

const opened = await openSandbox({backend: 'bwrap'}).then(
  (sandbox) => ({sandbox}),
  (error: Error) => ({reason: error.message}),
);
forgerySuite({label: 'bubblewrap sandbox', opened, verilogEval: sharedDataset('verilog-eval')});
