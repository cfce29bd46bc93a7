/**
 * passk against an independent model of upstream VerilogEval: a Python re-implementation of the
 * rules of `sv-generate` (prompt, extraction), `sv-iv-analyze` (failure classes) and v1
 * `execution.py` (result strings), using Python's own string and file semantics; and, for the
 * reference solutions of v2 (both tasks) and v1 (Human, Machine), upstream's compile/simulate
 * commands run literally through bash/sh in the same toolchain. passk's verdicts must agree.
 * `npm test` judges an even subset of each set (plus the v2 references upstream fails);
 * `npm run test:full` every reference.
 */
import {spawnSync} from 'node:child_process';
import path from 'node:path';
import pLimit from 'p-limit';
import {afterAll, describe, expect, it} from 'vitest';
import type {Bench, Problem, Verdict} from '../src/bench/bench.js';
import {openSandbox, type Sandbox} from '../src/execute/index.js';
import {classify} from '../src/bench/verilog/classify.js';
import {loadVerilogEvalV1, type V1Problem} from '../src/bench/verilog/v1.js';
import {v1Result} from '../src/bench/verilog/v1-result.js';
import {loadVerilogEvalV2, v2TaskDirs, type V2Problem, type V2Task} from '../src/bench/verilog/v2.js';
import {extractV2} from '../src/bench/verilog/v2-extract.js';
import {sharedDataset} from './helpers/datasets.js';
import {fullSweeps, sweep, sweepLabel} from './helpers/sweep.js';

const oracleScript = String.raw`
import json, os, re, sys, tempfile

SYSTEM = {
  'spec-to-rtl': "\nYou are a Verilog RTL designer that only writes code using correct Verilog syntax.\n",
  'code-complete': "\nYou only complete chats with syntax correct Verilog code. End the Verilog module code completion with 'endmodule'. Do not include module, input and output definitions.\n",
}
IMPLEMENT = "\n// Implement the Verilog module based on the following description. Assume that signals are positive clock/clk triggered unless otherwise stated.\n"
RULES = """
Here are some additional rules and coding conventions.

 - Declare all ports and signals as logic; do not to use wire or reg.

 - For combinational logic with an always block do not explicitly specify
   the sensitivity list; instead use always @(*).

 - All sized numeric constants must have a size greater than zero
   (e.g, 0'b0 is not a valid expression).

 - An always block must read at least one signal otherwise it will never
   be executed; use an assign statement instead of an always block in
   situations where there is no need to read any signals.

 - if the module uses a synchronous reset signal, this means the reset
   signal is sampled with respect to the clock. When implementing a
   synchronous reset signal, do not include posedge reset in the
   sensitivity list of any sequential always block.
"""
FORMAT = "\nEnclose your code with [BEGIN] and [DONE]. Only output the code snippet\nand do NOT output anything else.\n"

def user_message(req):
    text = open(req['icl']).read() if req['icl'] else ''
    prompt = open(req['prompt']).read()
    if req['task'] == 'code-complete':
        lines, commenting = [], True
        for line in prompt.splitlines():
            if 'module TopModule' in line:
                lines.append('')
                commenting = False
            lines.append('// ' + line if commenting else line)
        return text + IMPLEMENT + '\n'.join(lines)
    text += '\nQuestion:\n' + prompt.strip() + '\n'
    if req['rules']:
        text += RULES
    return text.rstrip() + '\n' + FORMAT + '\nAnswer:\n'

FENCE = '\x60\x60\x60'

def shape(lines):
    ticks, has_module, end_first = 0, False, False
    for l in lines:
        if l.startswith(FENCE):
            ticks += 1
        elif l.startswith('endmodule'):
            end_first = end_first or not has_module
        elif l.startswith('module TopModule'):
            has_module = True
    return ticks, has_module and not end_first

def scan(lines, ticks, has_module, out):
    first = second = module = end = False
    for l in lines:
        echo = True
        if l.strip().startswith('module TopModule'):
            module = True
        if ticks >= 2:
            echo = first and not second
        elif end or (has_module and not module):
            echo = False
        if l.startswith(FENCE):
            if first:
                second = True
            first = True
            echo = False
        elif l.strip().startswith('endmodule'):
            end = True
        if echo:
            print(l, file=out)
    return module, end

def extract(req):
    import io
    out = io.StringIO()
    print('', file=out)
    lines = req['response'].splitlines()
    ticks, has_module = shape(lines)
    if req['task'] == 'spec-to-rtl':
        code, started, done = [], False, False
        for l in lines:
            if done:
                break
            if not started:
                if l.strip() == '[BEGIN]':
                    started = True
                elif l.lstrip().startswith('[BEGIN]'):
                    code.append(l.lstrip().replace('[BEGIN]', ''))
                    started = True
            elif l.strip() == '[DONE]':
                done = True
            elif l.rstrip().endswith('[DONE]'):
                code.append(l.rstrip().replace('[DONE]', ''))
                done = True
            else:
                code.append(l)
        if started and done:
            for l in code:
                print(l, file=out)
        if not started:
            scan(lines, ticks, has_module, out)
            print('', file=out)
            print('// VERILOG-EVAL: response did not use <CODE></CODE> correctly', file=out)
    else:
        if not has_module:
            print(open(req['ifc']).read() + '\n', file=out)
        module, end = scan(lines, ticks, has_module, out)
        print('', file=out)
        if ticks == 1 or ticks > 2:
            print('// VERILOG-EVAL: abnormal backticks count', file=out)
            print('', file=out)
        if module:
            print('// VERILOG-EVAL: errant inclusion of module definition', file=out)
            print('', file=out)
        if not end:
            print('// VERILOG-EVAL: endmodule not found', file=out)
            print('', file=out)
    print('', file=out)
    return out.getvalue()

def write(text):
    fd, name = tempfile.mkstemp()
    with os.fdopen(fd, 'w', encoding='utf-8', newline='') as f:
        f.write(text)
    return name

def classify(req):
    log, sample = write(req['log']), write(req['sample'])
    code, bind, other_error, zero = '?', False, False, False
    with open(log, encoding='utf-8') as f:
        for line in f:
            if 'syntax error' in line:
                code = 'S'; break
            if 'error' in line:
                other_error = True
            hit = None
            for needle, letter in [
                ('error: This assignment requires an explicit cast', 'e'),
                ('error: Sized numeric constant must have a size greater than zero', '0'),
                ('warning: always_comb process has no sensitivities', 'n'),
                ('found no sensitivities so it will never trigger', 'n'),
                ('is declared here as wire', 'w'),
                ('Unknown module type', 'm'),
            ]:
                if needle in line:
                    hit = letter; break
            if hit:
                code = hit; break
            if 'Unable to bind wire/reg' in line:
                bind = True
            if "Unable to bind wire/reg/memory \x60clk'" in line:
                code = 'c'; break
            if 'TIMEOUT' in line:
                code = 'T'; break
            m = re.match(r'^Mismatches: (\d+) in \d+ samples$', line)
            if m and int(m.group(1)) == 0:
                zero = True
    if code == '?':
        code = 'p' if bind else 'C' if other_error else '.' if zero else '?'
    if code == '?':
        with open(sample, encoding='utf-8') as f:
            text = f.read()
        code = 'r' if any(n in text for n in ('posedge reset', 'negedge reset', 'posedge r)')) else 'R'
    os.unlink(log); os.unlink(sample)
    return code

def v1(req):
    if req['timedOut']:
        return 'timed out'
    try:
        m = re.search(r'Mismatches: ([0-9]*) in ([0-9]*) samples', req['stdout'])
        if 'syntax error' in req['stderr']:
            return 'failed: syntax error.'
        if len(req['stderr']) > 0:
            return 'failed: compile error.'
        if m:
            wrong, total = [int(g) for g in m.groups()]
            return 'passed' if wrong == 0 else f'failed: {wrong} out of {total} samples.'
        return 'failed: info string not matched.'
    except BaseException as e:
        return f'failed: {e}'

req = json.load(sys.stdin)
json.dump({
    'system': SYSTEM,
    'prompts': [user_message(r) for r in req.get('prompts', [])],
    'extractions': [extract(r) for r in req.get('extractions', [])],
    'classes': [classify(r) for r in req.get('classes', [])],
    'v1': [v1(r) for r in req.get('v1', [])],
}, sys.stdout)
`;

interface OracleRequest {
  prompts?: {task: V2Task; prompt: string; icl: string | null; rules: boolean}[];
  extractions?: {task: V2Task; response: string; ifc: string}[];
  classes?: {log: string; sample: string}[];
  v1?: {stdout: string; stderr: string; timedOut: boolean}[];
}

interface OracleAnswer {
  system: Record<V2Task, string>;
  prompts: string[];
  extractions: string[];
  classes: string[];
  v1: string[];
}

const hasPython = spawnSync('python3', ['--version']).status === 0;

function oracle(request: OracleRequest): OracleAnswer {
  const run = spawnSync('python3', ['-c', oracleScript], {input: JSON.stringify(request), maxBuffer: 1024 ** 3, encoding: 'utf8'});
  if (run.status !== 0) throw new Error(`python oracle failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as OracleAnswer;
}

/** Deterministic pseudo-random choices, so a failure reproduces. */
function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const compose = (pieces: readonly string[], separators: readonly string[], count: number) =>
    Array.from({length: count}, () => pick(pieces) + pick(separators)).join('');
  return {pick, compose, int: (max: number) => Math.floor(next() * max)};
}

const separators = ['\n', '\n', '\n', '\r\n', '\r', '\v', '\f', '\x1c', '\x85', '\u2028', '\n\n'];
const decorations = ['', '', '', ' ', '\t', '\x1f', '\xa0', '\u3000', '\ufeff'];

const dataset = sharedDataset('verilog-eval');

describe.skipIf(!dataset || !hasPython)('prompts and extraction vs a Python model of sv-generate', () => {
  it('renders every v2 prompt (both tasks, 0..4 shots, --rules) byte for byte', () => {
    const requests: NonNullable<OracleRequest['prompts']> = [];
    const mine: string[] = [];
    for (const task of ['spec-to-rtl', 'code-complete'] as const) {
      for (const shots of [0, 1, 2, 3, 4]) {
        for (const rules of task === 'spec-to-rtl' ? [false, true] : [false]) {
          const bench = loadVerilogEvalV2({dataset: dataset!, task, shots, rules});
          const icl = shots ? path.join(dataset!, 'icl-examples', `verilog-example-prefix_${v2TaskDirs[task]}_${shots}-shot.txt`) : null;
          for (const problem of bench.problems) {
            const prompt = bench.prompt(problem, 'chat');
            if (prompt.style !== 'chat') throw new Error('chat expected');
            mine.push(`${prompt.messages[0]!.content}\u0000${prompt.messages[1]!.content}`);
            requests.push({task, prompt: path.join(dataset!, v2TaskDirs[task], `${problem.id}_prompt.txt`), icl, rules});
          }
        }
      }
    }
    const answer = oracle({prompts: requests});
    expect(mine).toHaveLength(156 * 15);
    const theirs = requests.map((request, index) => `${answer.system[request.task]}\u0000${answer.prompts[index]}`);
    for (let index = 0; index < mine.length; index++) expect(mine[index], `prompt #${index}`).toBe(theirs[index]);
  });

  it('extracts samples exactly as upstream from 3000 generated responses', () => {
    const rng = random(20240817);
    const pieces = [
      '[BEGIN]', '[DONE]', '  [BEGIN]', '[BEGIN]  ', '[BEGIN]module TopModule(input a);', 'assign x = 1;[DONE]', 'x [DONE]  ',
      '[BEGIN] [BEGIN] y', '[DONE][DONE]', 'text [BEGIN]', '```', '```verilog', ' ```', 'module TopModule (', '  module TopModule (',
      'module TopModule(output zero);', 'endmodule', '  endmodule', 'endmodule // done', 'module Other;', 'Here is the code:', '',
      '   ', '\t// comment', 'assign out = a & b;', "  assign zero = 1'b0;",
    ];
    const ifc = path.join(dataset!, 'code-complete-iccad2023', 'Prob094_gatesv_ifc.txt');
    const ifcText = loadVerilogEvalV2({dataset: dataset!, task: 'code-complete'}).problems.find((problem) => problem.id === 'Prob094_gatesv')!.ifc;
    const requests = Array.from({length: 3000}, (_, index) => ({
      task: (index % 2 ? 'code-complete' : 'spec-to-rtl') as V2Task,
      response: rng.pick(decorations) + rng.compose(pieces.map((piece) => rng.pick(decorations) + piece + rng.pick(decorations)), separators, 1 + rng.int(12)),
      ifc,
    }));
    const answer = oracle({extractions: requests});
    requests.forEach((request, index) => {
      expect(extractV2(request.task, request.response, ifcText).code, JSON.stringify(request.response)).toBe(answer.extractions[index]);
    });
  });
});

describe.skipIf(!hasPython)('failure classes and v1 results vs a Python model of upstream', () => {
  it('classifies 3000 generated logs as sv-iv-analyze does', () => {
    const rng = random(7);
    const lines = [
      'Mismatches: 0 in 20 samples', 'Mismatches: 3 in 20 samples', ' Mismatches: 0 in 20 samples', 'Mismatches: 0 in 20 samples ',
      'Mismatches: \u0660 in 20 samples', 'Mismatches: 0 in  samples', 'syntax error', 'a.sv:1: error: x', 'Error', 'TIMEOUT', 'timeout',
      "Unable to bind wire/reg/memory `clk' in `tb'", "Unable to bind wire/reg/memory `x' in `tb'", 'Unknown module type: TopModule',
      'is declared here as wire', 'warning: always_comb process has no sensitivities', 'found no sensitivities so it will never trigger',
      'error: Sized numeric constant must have a size greater than zero', 'error: This assignment requires an explicit cast',
      'Hint: Output q has no mismatches.', 'VCD info: dumpfile wave.vcd opened for output.', '',
    ];
    const samples = ['', 'always @(posedge reset)', 'negedge reset', 'posedge r)', 'posedge\rreset', 'posedge rst', 'posedge  reset'];
    const requests = Array.from({length: 3000}, () => ({
      log: rng.compose(lines, separators, 1 + rng.int(6)),
      sample: rng.compose(samples, separators, 1 + rng.int(3)),
    }));
    const answer = oracle({classes: requests});
    requests.forEach((request, index) => expect(classify(request.log, request.sample).class, JSON.stringify(request)).toBe(answer.classes[index]));
  });

  it('derives v1 result strings as execution.py does', () => {
    const rng = random(11);
    const outs = ['Mismatches: 0 in 20 samples', 'Mismatches: 4 in 20 samples', 'xMismatches: 0 in 1 samplesx', 'Mismatches:  in 3 samples', 'Mismatches: 0 in  samples', 'VCD info', ''];
    const errs = ['', '', '', 'a.sv:2: syntax error', 'a.sv:2: warning: implicit definition', 'I give up.'];
    const requests = Array.from({length: 500}, () => ({
      stdout: rng.compose(outs, ['\n'], 1 + rng.int(3)),
      stderr: rng.pick(errs),
      timedOut: rng.int(10) === 0,
    }));
    const answer = oracle({v1: requests});
    requests.forEach((request, index) => expect(v1Result(request), JSON.stringify(request)).toBe(answer.v1[index]));
  });
});

// Opened only when the data is there; then a sandbox that fails to open fails the suite.
const sandbox: Sandbox | undefined = dataset && hasPython ? await openSandbox() : undefined;
afterAll(() => sandbox?.close());

const marker = '=== passk oracle: next problem ===';

/**
 * Upstream's per-sample Makefile recipe for v2, run literally (bash, `timeout 30`, the exit-124
 * echo) for each problem folder of the job; the logs come back separated by a marker line.
 */
const upstreamV2Recipe = String.raw`
for P in "$@"; do
  S=$P/$P\_sample01
  iverilog -Wall -Winfloop -Wno-timescale -g2012 -s tb -o $S $S.sv $P/test.sv $P/ref.sv &> $S-sv-iv-test.log
  timeout 30 ./$S &>> $S-sv-iv-test.log; if [[ ${'$'}{PIPESTATUS[0]} == 124 ]]; then echo "TIMEOUT" &>> $S-sv-iv-test.log; fi
  cat $S-sv-iv-test.log; echo "${marker}"
done
`;

/** v1 `execution.py`'s shell command per task folder; stdout and stderr come back separately. */
const upstreamV1Command = String.raw`
for P in "$@"; do
  (cd $P && iverilog -Wall -Winfloop -Wno-timescale -g2012 -s tb -o test.vvp $P.sv; vvp -n test.vvp) 2>> stderr.txt
  echo "${marker}"; echo "${marker}" >> stderr.txt
done
cat stderr.txt >&2
`;

/**
 * Runs a shell loop over problem folders in two batch jobs (one per core) and returns each
 * problem's stdout and stderr.
 */
async function batch(shell: string, script: string, folders: Map<string, Record<string, string>>): Promise<{stdout: string; stderr: string}[]> {
  const ids = [...folders.keys()];
  const halves = [ids.filter((_, index) => index % 2 === 0), ids.filter((_, index) => index % 2 === 1)];
  const limits = {timeoutMs: 600_000, memoryBytes: 2 * 1024 ** 3, maxProcesses: 64, maxOutputBytes: 64 * 1024 ** 2, maxFileBytes: 64 * 1024 ** 2, maxDiskBytes: 1024 ** 3};
  const outputs = await Promise.all(
    halves.map(async (half) => {
      const files = Object.fromEntries(half.flatMap((id) => Object.entries(folders.get(id)!).map(([name, text]) => [`${id}/${name}`, text])));
      const run = await sandbox!.run({files, steps: [{argv: [shell, '-c', script, 'oracle', ...half]}], limits});
      if (run.error || run.steps[0]?.exitCode !== 0) throw new Error(`oracle batch failed: ${run.error ?? run.steps[0]?.stderr}`);
      const split = (text: string) => text.split(`${marker}\n`).slice(0, half.length);
      const [stdout, stderr] = [split(run.steps[0]!.stdout), split(run.steps[0]!.stderr)];
      return new Map(half.map((id, index) => [id, {stdout: stdout[index]!, stderr: stderr[index] ?? ''}]));
    }),
  );
  return ids.map((id) => (outputs[0]!.get(id) ?? outputs[1]!.get(id))!);
}

/** Judges each reference in strict mode (the default, as a run's calibration does), two jobs at a time. */
async function judgeReferences<P extends Problem>(bench: Bench<P>, problems: P[]): Promise<Verdict[]> {
  const limit = pLimit(2);
  return Promise.all(problems.map((problem) => limit(() => bench.judge(problem, bench.reference(problem), {sandbox: sandbox!, mode: 'strict'}))));
}

/** References judged per set in `npm test`, besides the v2 references upstream itself fails (VerilogEval #13, the 1 µs guard). */
const perSet = 30;
const failingUpstream = new Set(['Prob082_lfsr32', 'Prob099_m2014_q6c', 'Prob141_count_clock', 'Prob156_review2015_fancytimer']);

function report(title: string, ids: string[], verdicts: Verdict[], what: (verdict: Verdict) => string): void {
  const failing = verdicts.flatMap((verdict, index) => (verdict.passed ? [] : [`\n  ${ids[index]}: ${what(verdict)}`]));
  console.info(`${title}: ${verdicts.length - failing.length}/${verdicts.length} references pass${failing.join('')}`);
}

describe.skipIf(!sandbox)('every reference solution vs upstream’s commands run literally', async () => {
  const toolchain = sandbox ? await sandbox.toolchain() : {};

  it.each(['spec-to-rtl', 'code-complete'] as const)(`v2 %s, ${sweepLabel(156, perSet, true)}: passk classes equal the literal recipe + sv-iv-analyze model`, async (task) => {
    const bench = loadVerilogEvalV2({dataset: dataset!, task});
    expect(bench.problems).toHaveLength(156);
    const problems = sweep(bench.problems, perSet, (problem) => failingUpstream.has(problem.id));
    const folders = new Map(
      problems.map((problem: V2Problem) => [problem.id, {[`${problem.id}_sample01.sv`]: bench.reference(problem), 'test.sv': problem.test, 'ref.sv': problem.ref}]),
    );
    const [mine, logs] = await Promise.all([judgeReferences(bench, problems), batch('bash', upstreamV2Recipe, folders)]);
    const upstream = oracle({classes: problems.map((problem, index) => ({log: logs[index]!.stdout, sample: bench.reference(problem)}))}).classes;
    const firstProblemLine = (verdict: Verdict) => String(verdict.details?.logTail).split('\n').find((line) => /error|TIMEOUT|sorry/.test(line)) ?? '';
    report(`${toolchain.iverilog}, v2 ${task}`, [...folders.keys()], mine, (verdict) => `class ${verdict.class} (${verdict.result}) ${firstProblemLine(verdict)}`);
    mine.forEach((verdict, index) => {
      const id = problems[index]!.id;
      expect(verdict.class, id).toBe(upstream[index]);
      expect(verdict.passed, `${id}: ${verdict.result}`).toBe(upstream[index] === '.');
    });
  });

  it.each([['human', 156], ['machine', 143]] as const)(`v1 %s (%i references; ${fullSweeps ? 'all judged' : `an even ${perSet} judged, PASSK_FULL=1 for all`}): passk results equal \`iverilog ...; vvp -n\` + execution.py model`, async (task, total) => {
    const bench = loadVerilogEvalV1({dataset: path.join(dataset!, 'v1'), task});
    expect(bench.problems).toHaveLength(total);
    const problems = sweep(bench.problems, perSet);
    const folders = new Map(
      problems.map((problem: V1Problem) => [problem.id, {[`${problem.id}.sv`]: `${problem.test}\n${problem.header}\n${bench.reference(problem)}`}]),
    );
    const [mine, runs] = await Promise.all([judgeReferences(bench, problems), batch('sh', upstreamV1Command, folders)]);
    const upstream = oracle({v1: runs.map((run) => ({...run, timedOut: false}))}).v1;
    report(`${toolchain.iverilog}, v1 ${task}`, [...folders.keys()], mine, (verdict) => verdict.result);
    mine.forEach((verdict, index) => expect(verdict.result, problems[index]!.id).toBe(upstream[index]));
  });
});
