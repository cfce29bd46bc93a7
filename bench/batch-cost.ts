/**
 * What batching strict-checker jobs saves: wall time per program, one job at a time on the
 * bubblewrap pool, with B programs per job (B = 1 is a job per program, the baseline), each
 * program a two-line function checked by 20 asserts. Prints ms per program and the checker's own
 * time in the program (load, calls), so the rest is the per-job and per-candidate overhead.
 *
 *   npx tsx bench/batch-cost.ts [--jobs 20] [--batch 1 --batch 10 --batch 25]
 */
import os from 'node:os';
import {parseArgs} from 'node:util';
import {runCheckerBatch, type CheckerSpec} from '../src/bench/humaneval/checker.js';
import {openSandbox} from '../src/execute/index.js';

const {values: flags} = parseArgs({options: {jobs: {type: 'string', default: '20'}, batch: {type: 'string', multiple: true}}});
const jobs = Number(flags.jobs);
const batches = (flags.batch ?? ['1', '10', '25']).map(Number);
const prelude = 'def add(a, b):\n    """add"""\n';
const spec: CheckerSpec = {program: `${prelude}    return a + b\n`, entry: 'add', prelude, tests: Array.from({length: 20}, (_, i) => `assert add(${i}, 1) == ${i + 1}\n`), testTimeoutMs: 1000};

const sandbox = await openSandbox({backend: 'bwrap'});
try {
  console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  for (const batch of batches) {
    await runCheckerBatch(sandbox, Array(batch).fill(spec)); // warm the pool's slot
    let inPrograms = 0;
    const started = performance.now();
    for (let job = 0; job < jobs; job++) {
      for (const outcome of await runCheckerBatch(sandbox, Array(batch).fill(spec))) {
        if (outcome.kind !== 'results' || outcome.results.some((r) => r.status !== 'passed')) throw new Error(`a program was not judged: ${outcome.kind}`);
        inPrograms += outcome.step.durationMs;
      }
    }
    const perProgram = (performance.now() - started) / (batch * jobs);
    console.log(`${batch} per job: ${perProgram.toFixed(1)} ms per program wall, ${(inPrograms / (batch * jobs)).toFixed(1)} ms of it in the program`);
  }
} finally {
  await sandbox.close();
}
