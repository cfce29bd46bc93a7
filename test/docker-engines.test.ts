/**
 * A pool spread over two Docker engines survives losing one mid-run: its jobs are run again on the
 * other engine, the run completes, and every sample is judged exactly once. Needs the two engines
 * of scripts/start-docker.sh (the test stops the second through its pidfile, then restarts it).
 */
import {execFileSync} from 'node:child_process';
import {existsSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {loadHumanEval} from '../src/bench/humaneval/index.js';
import type {DockerSandbox} from '../src/execute/docker/index.js';
import {openSandbox} from '../src/execute/index.js';
import {referenceProvider} from '../src/generate/reference.js';
import {executeRun, type RunConfig} from '../src/run/run.js';
import {Store} from '../src/store/store.js';
import {projectRoot, sharedDataset} from './helpers/datasets.js';
import {noDockerReason, usableDockerHosts} from './helpers/docker.js';

const humanEval = sharedDataset('humaneval');
const hosts = await usableDockerHosts();
/** The second engine's pidfile, as scripts/start-docker.sh writes it next to its socket. */
const victimPidfile = hosts[1]?.startsWith('unix://') ? hosts[1].slice('unix://'.length).replace(/\.sock$/, '.pid') : undefined;
const ready = hosts.length >= 2 && victimPidfile !== undefined && existsSync(victimPidfile) && humanEval !== undefined;
if (!ready) console.warn(`skipping the two-engine test: ${noDockerReason(2)} (started by scripts/start-docker.sh, with pidfiles)`);

let stopped = false;
afterAll(() => {
  // Bring the stopped engine back for whatever runs next.
  if (stopped) execFileSync('sh', [path.join(projectRoot, 'scripts', 'start-docker.sh'), 'start', '--engines', '2'], {stdio: 'ignore'});
});

describe.skipIf(!ready)('Docker sandbox over two engines', () => {
  it('finishes a run when one engine stops mid-run, judging every sample once', async () => {
    const bench = await loadHumanEval({dataset: path.join(humanEval!, 'human-eval', 'HumanEval.jsonl.gz')});
    const sandbox = (await openSandbox({backend: 'docker', dockerHosts: hosts.slice(0, 2), poolSize: 4})) as DockerSandbox;
    const store = new Store(':memory:');
    const n = 2;
    const config: RunConfig = {
      bench: bench.name,
      task: bench.task,
      dataset: 'HumanEval.jsonl.gz',
      datasetHash: bench.datasetHash,
      benchOptions: {},
      model: 'reference',
      n,
      params: {temperature: 0, topP: 1, maxTokens: 1024},
      seed: 0,
      verdictMode: 'strict',
    };
    try {
      const summary = await executeRun({
        store,
        bench,
        provider: referenceProvider(bench),
        sandbox,
        config,
        concurrency: 8,
        execConcurrency: 4,
        passkVersion: 'test',
        onProgress: ({phase, done}) => {
          if (phase !== 'samples' || done < 60 || stopped) return;
          stopped = true;
          // Stop the daemon, as an operator or a crash would (its containers die with it).
          process.kill(Number(readFileSync(victimPidfile!, 'utf8')), 'SIGTERM');
        },
      });
      expect(stopped).toBe(true);
      const samples = store.samples(summary.runId);
      expect(samples).toHaveLength(bench.problems.length * n);
      // One verdict per sample (the store keeps one execution row per sample), none an infrastructure error.
      expect(new Set(samples.map((sample) => `${sample.problemId}#${sample.sampleIndex}`)).size).toBe(samples.length);
      expect(samples.filter((sample) => !sample.verdict?.passed).map((sample) => `${sample.problemId}: ${sample.verdict?.result}`)).toEqual([]);
      expect(summary.errors).toBe(0);
      // The stopped engine's pool slots moved to the other one (whether a job was in flight there at
      // that instant, and so retried, is up to timing: the verdicts above are what must not change).
      expect(sandbox.stats().runnersStarted).toBeGreaterThan(4);
    } finally {
      store.close();
      await sandbox.close();
    }
  });
});
