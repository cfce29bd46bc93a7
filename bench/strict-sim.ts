/**
 * What strict mode's simulation launcher (sandbox/strict-sim.py) costs per Verilog job: judges the
 * first N VerilogEval v2 spec-to-rtl references one at a time in compat mode (vvp run directly, the
 * baseline) and in strict mode (vvp under the launcher), on the bubblewrap and the Docker backend,
 * and prints the time per job and the ratio strict / compat, then the time per job by step (compile,
 * simulation, the rest: the job round trip and passk's own work). Strict mode also hardens the
 * testbench (renamed scopes, one more $display), which costs nothing measurable next to a process.
 *
 * Rounds are interleaved (each round runs every backend and mode, in a rotating order), so load from
 * elsewhere falls on all alike. One job at a time, so the difference per job is the added latency.
 *
 *   npx tsx bench/strict-sim.ts [--problems 30] [--rounds 3] [--docker-host URL]...
 */
import {existsSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {parseArgs} from 'node:util';
import type {VerdictMode} from '../src/bench/bench.js';
import {loadVerilogEvalV2} from '../src/bench/verilog/v2.js';
import {openSandbox} from '../src/execute/index.js';
import type {Sandbox} from '../src/execute/sandbox.js';

const {values: flags} = parseArgs({
  options: {
    problems: {type: 'string', default: '30'},
    rounds: {type: 'string', default: '3'},
    'docker-host': {type: 'string', multiple: true},
  },
});

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const datasets = process.env.PASSK_DATASETS ?? path.resolve(root, '..', 'shared', 'datasets');
if (!existsSync(path.join(datasets, 'verilog-eval'))) {
  console.error(`reference data not found at ${datasets} (set PASSK_DATASETS)`);
  process.exit(2);
}
const bench = loadVerilogEvalV2({dataset: path.join(datasets, 'verilog-eval'), task: 'spec-to-rtl'});
const problems = bench.problems.slice(0, Number(flags.problems));

const backends: [string, Sandbox][] = [['bwrap', await openSandbox({backend: 'bwrap'})]];
const docker = await openSandbox({backend: 'docker', dockerHosts: flags['docker-host'], poolSize: 1}).catch((error: Error) => {
  console.log(`docker: skipped (${error.message})`);
  return undefined;
});
if (docker) backends.push(['docker', docker]);

const modes: VerdictMode[] = ['compat', 'strict'];
const totals = new Map<string, number>();
/** Step durations the sandbox measured (compile, simulation), summed per backend and mode. */
const steps = new Map<string, {compile: number; sim: number}>();
const disagreements: string[] = [];
for (let round = 0; round < Number(flags.rounds); round++) {
  const order = backends.flatMap(([name, sandbox]) => modes.map((mode) => ({name, sandbox, mode})));
  for (let turn = 0; turn < order.length; turn++) {
    const {name, sandbox, mode} = order[(turn + round) % order.length]!;
    const started = performance.now();
    for (const problem of problems) {
      const verdict = await bench.judge(problem, bench.reference(problem), {sandbox, mode});
      const step = steps.get(`${name} ${mode}`) ?? {compile: 0, sim: 0};
      step.compile += Number(verdict.details?.compileMs ?? 0);
      step.sim += Number(verdict.details?.simulationMs ?? 0);
      steps.set(`${name} ${mode}`, step);
      if (!verdict.passed && !['T', 'C'].includes(verdict.class ?? '')) disagreements.push(`${name} ${mode} ${problem.id}: ${verdict.result}`);
    }
    const key = `${name} ${mode}`;
    totals.set(key, (totals.get(key) ?? 0) + performance.now() - started);
  }
}

const jobs = problems.length * Number(flags.rounds);
console.log(`${problems.length} references × ${flags.rounds} rounds, one job at a time; ms per job`);
console.log(['backend', 'compat (vvp)', 'strict (launcher)', 'added', 'strict / compat'].join(' | '));
for (const [name] of backends) {
  const [compat, strict] = modes.map((mode) => totals.get(`${name} ${mode}`)! / jobs);
  console.log([name, compat!.toFixed(1), strict!.toFixed(1), (strict! - compat!).toFixed(1), `${(strict! / compat!).toFixed(2)}×`].join(' | '));
}
console.log('\nsteps, ms per job: backend | mode | compile | simulation | rest of the job');
for (const [key, {compile, sim}] of steps) {
  const [name, mode] = key.split(' ');
  console.log([name, mode, (compile / jobs).toFixed(1), (sim / jobs).toFixed(1), ((totals.get(key)! - compile - sim) / jobs).toFixed(1)].join(' | '));
}
if (disagreements.length > 0) console.log(`unexpected failures:\n${disagreements.join('\n')}`);
await Promise.all(backends.map(([, sandbox]) => sandbox.close()));
