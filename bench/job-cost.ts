/**
 * What one sandbox job costs, by kind, on the bubblewrap pool: wall time and the CPU of the
 * sandbox's own processes (the runner, its zygote and everything they reaped), one job at a time.
 * Kinds: a `true` step (the runner's own cost), `python3 -I` on a two-line file forked from the
 * zygote, HumanEval's first N canonical solutions judged in compat and in strict mode, and
 * VerilogEval v2 spec-to-rtl's first N references likewise (compile + vvp; strict: vvp under the
 * launcher, sandbox/strict-sim.py).
 *
 *   npx tsx bench/job-cost.ts [--n 60] [--reps 40]
 *
 * Needs the reference data ($PASSK_DATASETS or ../shared/datasets) and the toolchain root.
 */
import {readdirSync, readFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {parseArgs} from 'node:util';
import {openBench} from '../src/bench/index.js';
import {openSandbox} from '../src/execute/index.js';
import {defaultLimits, type Job} from '../src/execute/sandbox.js';

const {values: flags} = parseArgs({options: {n: {type: 'string', default: '60'}, reps: {type: 'string', default: '40'}}});
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const datasets = process.env.PASSK_DATASETS || path.resolve(root, '..', 'shared', 'datasets');
const ticksPerSecond = 100;

/** utime + stime of every runner process and of the children it reaped, in ms. */
function sandboxCpuMs(): number {
  let ticks = 0;
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('runner.py')) continue;
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return (ticks * 1000) / ticksPerSecond;
}

async function measure(label: string, count: number, one: (i: number) => Promise<void>): Promise<void> {
  await one(0); // warm: the zygote and the page cache
  const [cpu, started] = [sandboxCpuMs(), performance.now()];
  for (let i = 0; i < count; i++) await one(i);
  const wall = (performance.now() - started) / count;
  console.log(`${label.padEnd(34)} wall ${wall.toFixed(1).padStart(6)} ms/job   sandbox CPU ${((sandboxCpuMs() - cpu) / count).toFixed(1).padStart(6)} ms/job`);
}

const sandbox = await openSandbox({backend: 'bwrap'});
try {
  console.log(`${os.cpus()[0]?.model ?? 'cpu'}, ${os.availableParallelism()} cores; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const reps = Number(flags.reps);
  const python = (source: string): Job => ({files: {'p.py': source}, steps: [{argv: ['python3', '-I', 'p.py']}], limits: defaultLimits});
  await measure('true', reps, async () => void (await sandbox.run({files: {}, steps: [{argv: ['true']}], limits: defaultLimits})));
  await measure('python3 -I (zygote), two lines', reps, async () => void (await sandbox.run(python('import time\nprint(time.monotonic())\n'))));
  const bench = await openBench({bench: 'humaneval', dataset: path.join(datasets, 'humaneval', 'human-eval', 'HumanEval.jsonl.gz')});
  const problems = bench.problems.slice(0, Number(flags.n));
  for (const mode of ['compat', 'strict'] as const) {
    await measure(`HumanEval ${mode}, ${problems.length} canonical`, problems.length, async (i) => void (await bench.judge(problems[i]!, bench.reference(problems[i]!), {sandbox, mode})));
  }
  const verilog = await openBench({bench: 'verilog-eval-v2', task: 'spec-to-rtl', dataset: path.join(datasets, 'verilog-eval')});
  const references = verilog.problems.slice(0, Number(flags.n));
  for (const mode of ['compat', 'strict'] as const) {
    await measure(`VerilogEval ${mode}, ${references.length} refs`, references.length, async (i) => void (await verilog.judge(references[i]!, verilog.reference(references[i]!), {sandbox, mode})));
  }
} finally {
  await sandbox.close();
}
