/**
 * Hostile samples through a whole `passk run` (replayed samples, real sandbox): each is contained,
 * gets the right verdict, and the run goes on to judge the honest samples next to them.
 */
import {execa} from 'execa';
import {existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {beforeAll, describe, expect, it} from 'vitest';
import {projectRoot} from './helpers/datasets.js';

const cli = path.join(projectRoot, 'bin', 'run.js');
let work: string;

beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'passk-hostile-run-'));
});

interface ResultLine {
  task_id: string;
  sample_index: number;
  passed: boolean;
  result: string;
  class?: string;
}

async function runReplay(bench: string, samples: Array<{task_id: string; completion: string}>, extra: string[] = []): Promise<ResultLine[]> {
  const file = path.join(work, `${bench}-samples.jsonl`);
  writeFileSync(file, samples.map((s) => JSON.stringify(s)).join('\n') + '\n');
  const out = path.join(work, `${bench}-out`);
  const problems = [...new Set(samples.map((s) => s.task_id))].join(',');
  const result = await execa('node', [cli, 'run', '--bench', bench, '--model', `replay:${file}`, '--problems', problems, '--db', path.join(work, 'hostile.db'), '--out', out, ...extra], {
    reject: false,
    env: {CI: '1', NODE_ENV: 'production', OPENAI_API_KEY: 'sk-test-secret-value'},
  });
  expect(result.exitCode, result.stderr).toBe(0);
  return readFileSync(path.join(out, 'results.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as ResultLine);
}

/** Host processes whose command line contains `marker`. */
function processesWith(marker: string): number {
  let count = 0;
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker)) count++;
    } catch {
      // the process ended meanwhile
    }
  }
  return count;
}

describe('hostile Python samples in a run', () => {
  it('are contained, fail with the right result, and the honest samples still pass', async () => {
    const hostWrite = path.join(work, 'written-from-the-sandbox');
    const honest = '    runs = []\n    for ch in text:\n        if runs and runs[-1][0] == ch:\n            runs[-1] = (ch, runs[-1][1] + 1)\n        else:\n            runs.append((ch, 1))\n    return runs\n';
    const hostile: Array<[string, string, RegExp]> = [
      ['honest', honest, /^passed$/],
      ['exit-code forgery', '    import sys\n    sys.exit(0)\n', /^failed: SystemExit/],
      ['os._exit forgery', '    import os\n    os._exit(0)\n', /^failed: /],
      ['fork bomb', '    import os\n    while True:\n        os.fork()\n', /^(failed: |timed out)/],
      ['memory hog', '    x = bytearray(8 * 1024 ** 3)\n    return []\n', /^failed: MemoryError/],
      ['C-level infinite loop', '    return sum(range(10 ** 13))\n', /^timed out$/],
      ['network', "    import socket\n    socket.create_connection(('1.1.1.1', 53), timeout=1)\n    return []\n", /^failed: (OSError|PermissionError)\b/], // PermissionError: Landlock refuses TCP before the empty network does
      ['env secret', "    import os\n    if os.environ.get('OPENAI_API_KEY') != 'sk-test-secret-value':\n        raise RuntimeError('no secret')\n" + honest, /^failed: RuntimeError: no secret$/],
      ['reads outside the work dir', `    open(${JSON.stringify(path.join(projectRoot, 'package.json'))}).read()\n` + honest, /^failed: FileNotFoundError/],
      ['writes outside the work dir', `    open(${JSON.stringify(hostWrite)}, 'w').write('x')\n` + honest, /^failed: FileNotFoundError/],
      ['kills its parent', '    import os, signal\n    os.kill(os.getppid(), signal.SIGKILL)\n    return []\n', /^failed: /],
      ['limits the runner to three descriptors', '    import resource\n    resource.prlimit(1, resource.RLIMIT_NOFILE, (3, 3))\n    return []\n', /^failed: PermissionError: \[Errno 1\]/],
      ['gigabytes of stdout', "    import sys\n    while True:\n        sys.stdout.write('x' * 65536)\n", /^failed: /],
      ['lingering background process', "    import subprocess\n    subprocess.Popen(['sleep', '987.654'], start_new_session=True)\n" + honest, /^passed$/],
    ];
    const results = await runReplay(
      'humaneval',
      hostile.map(([, completion]) => ({task_id: 'PythonMini/0', completion})),
      ['--exec-timeout', '2'],
    );
    expect(results).toHaveLength(hostile.length);
    hostile.forEach(([name, , expected], index) => {
      expect(results[index].result, name).toMatch(expected);
      expect(results[index].passed, name).toBe(name === 'honest' || name === 'lingering background process');
    });
    expect(existsSync(hostWrite)).toBe(false);
    expect(processesWith('987.654')).toBe(0);
  });
});

describe('hostile Verilog samples in a run', () => {
  const header = 'module TopModule (\n  input  logic a,\n  input  logic b,\n  input  logic c,\n  output logic out\n);\n';
  const correct = '  assign out = (a & b) | (a & c) | (b & c);\n';
  const wrong = '  assign out = a ^ b ^ c;\n';
  const hostile: Array<[string, string, {strict: boolean; compat: boolean}]> = [
    ['honest', header + correct + 'endmodule\n', {strict: true, compat: true}],
    ['forged Mismatches line', header + wrong + '  initial $display("Mismatches: 0 in 20 samples");\nendmodule\n', {strict: false, compat: true}],
    ['$finish at time 0', header + wrong + '  initial $finish;\nendmodule\n', {strict: false, compat: true}],
    ['multi-GB memory', header + correct + '  reg [63:0] mem [0:2**28-1];\n  initial mem[2**28-1] = 64\'d1;\nendmodule\n', {strict: false, compat: false}],
    ['output flood at time 0', header + correct + '  initial forever $display("flood flood flood flood flood flood flood flood");\nendmodule\n', {strict: false, compat: false}],
  ];
  const samples = hostile.map(([, completion]) => ({task_id: 'Mini01_majority3', completion}));

  it('strict mode fails every forgery; compat reproduces the official (fooled) verdicts', async () => {
    const strict = await runReplay('verilog-eval-v2', samples);
    const compat = await runReplay('verilog-eval-v2', samples, ['--verdict', 'compat']);
    hostile.forEach(([name, , expected], index) => {
      expect(strict[index].passed, `strict: ${name} (${strict[index].result})`).toBe(expected.strict);
      expect(compat[index].passed, `compat: ${name} (${compat[index].result})`).toBe(expected.compat);
    });
    expect(compat[1].class).toBe('.');
    expect(strict[1].class).toBe('.'); // the upstream class is kept; strict only refuses the pass
  });
});
