/**
 * The baseline for throughput benchmarks: runs a Sandbox job's steps directly, with no isolation,
 * no rlimits and no privilege drop — the same commands, the same files, the same toolchain binaries
 * (entered with chroot when the toolchain lives in its own root). Benchmark-only: never hand it
 * untrusted code.
 */
import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {execa} from 'execa';
import type {Job, JobResult, Sandbox, StepResult} from '../src/execute/sandbox.js';

export function bareRunner(toolchainRoot: string): Sandbox {
  const chrooted = toolchainRoot !== '/';
  const scratch = chrooted ? path.join(toolchainRoot, 'tmp') : '/tmp';
  return {
    backend: 'bare',
    async run(job: Job): Promise<JobResult> {
      const started = performance.now();
      const dir = await mkdtemp(path.join(scratch, 'passk-bare-'));
      const inside = chrooted ? `/tmp/${path.basename(dir)}` : dir;
      try {
        for (const [name, content] of Object.entries(job.files)) {
          await mkdir(path.dirname(path.join(dir, name)), {recursive: true});
          await writeFile(path.join(dir, name), content);
        }
        const steps: StepResult[] = [];
        for (const step of job.steps) {
          const argv = step.mergeStderr ? ['/bin/sh', '-c', 'exec "$@" 2>&1', 'sh', ...step.argv] : step.argv;
          const command = chrooted ? ['chroot', toolchainRoot, '/usr/bin/env', '-C', inside, ...argv] : argv;
          const t0 = performance.now();
          const r = await execa(command[0], command.slice(1), {
            cwd: chrooted ? undefined : dir,
            reject: false,
            stripFinalNewline: false,
            timeout: step.timeoutMs ?? job.limits.timeoutMs,
            killSignal: 'SIGKILL',
            ...(job.stdin === undefined ? {stdin: 'ignore' as const} : {input: job.stdin}),
          });
          steps.push({
            exitCode: r.exitCode ?? null,
            signal: r.signal ?? null,
            timedOut: r.timedOut,
            oom: false,
            truncated: false,
            stdout: String(r.stdout ?? ''),
            stderr: String(r.stderr ?? ''),
            durationMs: Math.round(performance.now() - t0),
          });
          const last = steps[steps.length - 1];
          if ((last.exitCode !== 0 || last.timedOut) && job.stopOnFailure !== false) break;
        }
        return {steps, durationMs: Math.round(performance.now() - started)};
      } finally {
        await rm(dir, {recursive: true, force: true});
      }
    },
    async toolchain() {
      return {};
    },
    async close() {},
  };
}
