/**
 * What one Icarus lint run costs in the sandbox, and what it costs for many states at once: the
 * figures behind batching LintSeq's Verilog states (BENCHMARKS.md, LintSeq). Inside one sandboxed
 * job: a bare process start (/bin/true), the iverilog driver on one state, on 20 states as 20 files
 * parsed as one stream, and with -u (each file its own compilation unit, which the driver does by
 * starting a preprocessor per file); then through a linter worker: one state per driver call
 * against 20 states per batch run (ivl started directly). Medians of --rounds.
 *
 *   npx tsx bench/icarus-runs.ts [--rounds 20]
 *
 * The 20 states are clean VerilogEval v2 references, design units renamed apart as batches do.
 */
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {parseArgs} from 'node:util';
import {openSandbox} from '../src/execute/index.js';
import {defaultLimits} from '../src/execute/sandbox.js';
import {renameUnits} from '../src/train/lintseq/batch.js';
import {readBenchRows} from '../src/train/lintseq/sources.js';
import {LintWorker} from '../src/train/lintseq/worker.js';

const {values: flags} = parseArgs({options: {rounds: {type: 'string', default: '20'}}});
const rounds = Number(flags.rounds);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const datasets = process.env.PASSK_DATASETS ?? path.resolve(root, '..', 'shared', 'datasets');

const states = (await readBenchRows('verilog-eval-v2', path.join(datasets, 'verilog-eval'))).slice(0, 20).map((row, k) => renameUnits(row.response, k));
const files = Object.fromEntries(states.map((text, k) => [`s${k}.sv`, text]));
const names = states.map((_, k) => `s${k}.sv`);

/** Times each command `rounds` times inside the sandbox, interleaved; prints the medians as JSON. */
const probe = `
import json, subprocess, sys, time
commands = json.loads(sys.argv[1])
rounds = int(sys.argv[2])
times = {name: [] for name in commands}
for _ in range(rounds):
    for name, argv in commands.items():
        started = time.perf_counter()
        done = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        times[name].append((time.perf_counter() - started) * 1000)
        if name != 'true' and done.returncode != 0:
            sys.exit(f'{name}: exit {done.returncode}: {done.stdout.decode()}')
print(json.dumps({name: sorted(values)[len(values) // 2] for name, values in times.items()}))
`;
const commands = {
  true: ['/bin/true'],
  'iverilog, 1 state': ['iverilog', '-g2012', '-t', 'null', 's0.sv'],
  'iverilog, 20 files as one stream': ['iverilog', '-g2012', '-t', 'null', ...names],
  'iverilog -u, 20 files (a preprocessor per file)': ['iverilog', '-g2012', '-u', '-t', 'null', ...names],
};

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const sandbox = await openSandbox({backend: 'bwrap'});
try {
  console.log(`Icarus lint runs, ${rounds} rounds, ${os.availableParallelism()} cores, load average ${os.loadavg()[0]!.toFixed(1)} at start`);
  const result = await sandbox.run({files: {...files, 'probe.py': probe}, steps: [{argv: ['python3', '-I', 'probe.py', JSON.stringify(commands), String(rounds)], timeoutMs: 600_000}], limits: {...defaultLimits, timeoutMs: 600_000}});
  const step = result.steps[0]!;
  if (step.exitCode !== 0) throw new Error(`probe failed: ${step.stdout}${step.stderr}`);
  for (const [name, ms] of Object.entries(JSON.parse(step.stdout) as Record<string, number>)) console.log(`  ${name}: ${ms.toFixed(1)} ms`);
  const worker = await LintWorker.start(sandbox, 'iverilog');
  try {
    const single: number[] = [];
    const batch: number[] = [];
    for (let round = 0; round < rounds; round++) {
      let started = performance.now();
      await worker.lint(states[0]!);
      single.push(performance.now() - started);
      started = performance.now();
      const reply = await worker.lintBatch(states);
      batch.push(performance.now() - started);
      if (!('rc' in reply) || reply.rc !== 0) throw new Error(`batch run failed: ${JSON.stringify(reply)}`);
    }
    console.log(`  worker, 1 state through the driver: ${median(single).toFixed(1)} ms; worker, 20 states in one batch run (ivl, -u): ${median(batch).toFixed(1)} ms`);
  } finally {
    await worker.close();
  }
  console.log(`load average ${os.loadavg()[0]!.toFixed(1)} at the end`);
} finally {
  await sandbox.close();
}
