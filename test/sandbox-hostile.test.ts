/**
 * The hostile-sample suite (test/helpers/hostile-suite.ts) against the bubblewrap backend.
 * Skipped, with the reason, where bubblewrap cannot run.
 */
import {openSandbox} from '../src/execute/index.js';
import {hostileSuite} from './helpers/hostile-suite.js';

hostileSuite({
  label: 'bubblewrap sandbox',
  kind: 'bwrap',
  opened: await openSandbox({backend: 'bwrap'}).then(
    (sandbox) => ({sandbox}),
    (error: Error) => ({reason: error.message}),
  ),
  runJobArgs: ['--backend', 'bwrap'],
});
