/**
 * The long-lived sandboxed processes LintSeq lints with: Sandbox.spawn keeps the sandbox's
 * isolation and limits for a process that lives across many requests, and a linter worker that
 * dies or hangs fails loudly (its requests rejected, the pool starting a fresh one) instead of
 * stalling generation.
 */
import {createInterface} from 'node:readline';
import {afterAll, describe, expect, it} from 'vitest';
import {openSandbox, type Sandbox} from '../src/execute/index.js';
import {defaultLimits} from '../src/execute/sandbox.js';
import {iverilogErrorLines, pylintErrorLines} from '../src/train/lintseq/linters.js';
import {WorkerPool} from '../src/train/lintseq/pool.js';
import {LintWorker} from '../src/train/lintseq/worker.js';

const sandbox: Sandbox | undefined = await openSandbox({backend: 'bwrap'}).catch((error: unknown) => {
  console.warn(`skipping linter worker tests: ${(error as Error).message}`);
  return undefined;
});
afterAll(() => sandbox?.close());

/** A probe answering each stdin line with what it can see and do from inside the sandbox. */
const probe = `
import json, os, socket, sys
for line in sys.stdin:
    facts = {'cwd': os.getcwd(), 'uid': os.getuid()}
    try:
        socket.create_connection(('1.1.1.1', 53), timeout=2); facts['network'] = True
    except OSError:
        facts['network'] = False
    try:
        open('/usr/passk-probe', 'w'); facts['wrote_usr'] = True
    except OSError:
        facts['wrote_usr'] = False
    facts['home'] = os.path.exists('/root/.bashrc') or os.path.exists('/work/../root')
    print(json.dumps(facts), flush=True)
`;

describe.skipIf(!sandbox)('Sandbox.spawn', () => {
  it('a long-lived process answers many requests, isolated like a job step, and close() kills it', async () => {
    const process = await sandbox!.spawn!({'probe.py': probe}, {argv: ['python3', '-I', 'probe.py']}, defaultLimits);
    const lines = createInterface({input: process.stdout})[Symbol.asyncIterator]();
    for (let i = 0; i < 3; i++) {
      process.stdin.write('go\n');
      const facts = JSON.parse((await lines.next()).value as string);
      expect(facts).toMatchObject({cwd: '/work', network: false, wrote_usr: false, home: false});
      expect(facts.uid).not.toBe(0);
    }
    await process.close();
    const end = await process.exited;
    expect(end.signal).toBe('SIGKILL');
  });

  it('the memory limit holds for a spawned process too', async () => {
    const hog = 'import sys\nsys.stdin.readline()\nblocks = [bytearray(64 * 1024 * 1024) for _ in range(64)]\nprint("survived", flush=True)\n';
    const process = await sandbox!.spawn!({'hog.py': hog}, {argv: ['python3', '-I', 'hog.py']}, {...defaultLimits, memoryBytes: 512 * 1024 ** 2});
    process.stdin.write('go\n');
    const end = await process.exited;
    expect(end.exitCode).not.toBe(0);
    expect(end.oom).toBe(true);
    await process.close();
  });
});

describe.skipIf(!sandbox)('linter workers', () => {
  it('pylint and iverilog workers lint many programs, one reply each, in order', async () => {
    const pylint = await LintWorker.start(sandbox!, 'pylint');
    const iverilog = await LintWorker.start(sandbox!, 'iverilog');
    try {
      const replies = await Promise.all([pylint.lint('def f(x):\n    return x + y\n'), pylint.lint('x = 1\n'), pylint.lint('def f(:\n')]);
      expect(replies.map(pylintErrorLines)).toEqual([[2], [], [1]]);
      const verilog = await Promise.all([
        iverilog.lint('module top(input a, output b);\n  assign b = a & c;\nendmodule'),
        iverilog.lint('module top(input a, output b);\n  assign b = a;\nendmodule'),
        iverilog.lint('module top(input a, output b);\n  assign b = a;'),
        iverilog.lint(''),
      ]);
      // The missing endmodule is reported at end of file, here the last line.
      expect(verilog.map(iverilogErrorLines)).toEqual([[2, 2], [], [2], []]);
    } finally {
      await pylint.close();
      await iverilog.close();
    }
  });

  it("the worker's error lines equal upstream's: a fresh pylint process with upstream's arguments, its text output parsed", async () => {
    const programs = [
      'def f(x):\n    return x + y\n',
      'def f(x):\n   return x\n',
      'class B:\n    def __init__(self):\n        self.v = 1\nclass A(B):\n    def __init__(self):\n        self.w = 2\n',
      'import os\nunused = 1\ndef g():\n    z = 3\n',
      'print(undefined_name)  # pylint: disable=undefined-variable\nprint(other_name)\n',
      'import no_such_module_here\nx = "a".no_such_method()\n',
      'if True:\n',
      'def f(:\n    pass\n',
      'x = (1 |\n     2)\ny = x | None\n',
      'for i in range(3):\n    pass\nelse:\n    break\n',
    ];
    const upstreamArgs = ['--disable=C,R', '--reports=n', '--score=n', '--unsafe-load-any-extension=y', '--generated-members=cv2.*', '--msg-template={C}|{msg_id}|{line}|{column}|{msg}'];
    const worker = await LintWorker.start(sandbox!, 'pylint');
    try {
      for (const program of programs) {
        const fresh = await sandbox!.run({files: {'program.py': program}, steps: [{argv: ['python3', '-m', 'pylint', ...upstreamArgs, 'program.py']}], limits: defaultLimits});
        const upstreamLines = fresh.steps[0]!.stdout.split('\n').flatMap((row) => {
          const fields = row.split('|');
          if (fields.length !== 5) return [];
          const [category, id, line, , msg] = fields as [string, string, string, string, string];
          if (category === 'W' && id !== 'W0311' && id !== 'W0231') return [];
          if (id === 'E0001' && msg.includes('on line')) return [Number(msg.slice(0, msg.lastIndexOf('(')).trimEnd().split(' ').at(-1))];
          return [Number(line)];
        });
        expect(pylintErrorLines(await worker.lint(program)), program).toEqual(upstreamLines);
      }
    } finally {
      await worker.close();
    }
  });

  it('a worker that stops answering is killed at its timeout: the request fails with a clear error, and the pool starts a fresh worker', async () => {
    const pool = new WorkerPool(sandbox!, 'pylint', 1, 1_000);
    try {
      // Far too much for pylint to finish in 1 s on any machine.
      const heavy = 'x = ' + '('.repeat(90) + '1' + ')'.repeat(90) + '\n' + Array.from({length: 4000}, (_, i) => `def f${i}(a):\n    return f${i + 1}(a) + g(a, ${i})\n`).join('');
      const failure = await pool.use((worker) => worker.lint(heavy)).catch((error: Error) => error);
      expect(failure).toBeInstanceOf(Error);
      expect((failure as Error).message).toMatch(/did not answer within 1 s/);
      const reply = await pool.use((worker) => worker.lint('x = 1\n'));
      expect(pylintErrorLines(reply)).toEqual([]);
    } finally {
      await pool.close();
    }
  });
});
