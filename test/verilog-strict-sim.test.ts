/**
 * The strict simulation launcher's refusal: where it cannot confine vvp with Landlock it runs
 * nothing and says so on a line only it can print (its token is on its own command line), and the
 * judge turns exactly that line, not a design's imitation of it, into an infrastructure error.
 * Also, on a host with Landlock, the launcher's hand-over of the image and its start of the simulator.
 */
import {spawnSync} from 'node:child_process';
import {copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import type {Verdict} from '../src/bench/bench.js';
import {loadVerilogEvalV2} from '../src/bench/verilog/v2.js';
import type {Job, JobResult, Sandbox, StepResult} from '../src/execute/sandbox.js';
import {projectRoot} from './helpers/datasets.js';

const stacker = path.join(projectRoot, 'test', 'fixtures', 'strict-sim', 'stack-landlock.py');
const landlock = spawnSync('python3', ['-c', 'import ctypes; print(ctypes.CDLL(None).syscall(444, None, 0, 1))'], {encoding: 'utf8'});
const hostLandlock = landlock.status === 0 && Number(landlock.stdout) >= 1;
if (!hostLandlock) console.warn('skipping the launcher refusal test: this host has no python3 with Landlock');

const scratch = mkdtempSync(path.join(os.tmpdir(), 'passk-strict-sim-'));
afterAll(() => rmSync(scratch, {recursive: true, force: true}));

describe.skipIf(!hostLandlock)('the launcher without a Landlock layer to spare', () => {
  it('runs no simulator, prints its refusal with its token and exits 125', () => {
    copyFileSync(path.join(projectRoot, 'sandbox', 'strict-sim.py'), path.join(scratch, 'strict-sim.py'));
    writeFileSync(path.join(scratch, 'sim'), '#!/bin/sh\n');
    const run = spawnSync('python3', [stacker, 'python3', '-I', 'strict-sim.py', 'f00d', 'echo', 'vvp ran', 'sim'], {cwd: scratch, encoding: 'utf8'});
    expect(run.stdout).toMatch(/^passk-sim-f00d unavailable: .*\(errno 7\)\n$/);
    expect(run.status).toBe(125);
    // The job's files are gone before the launcher confines anything: nothing is left to read.
    expect(readdirSync(scratch)).toEqual([]);
  });
});

describe.skipIf(!hostLandlock)('the launcher on this host', () => {
  /** Runs the launcher in a fresh directory holding `sim`, with `command` as the simulator. */
  const launch = (command: string[]) => {
    const dir = mkdtempSync(path.join(scratch, 'job-'));
    copyFileSync(path.join(projectRoot, 'sandbox', 'strict-sim.py'), path.join(dir, 'strict-sim.py'));
    writeFileSync(path.join(dir, 'sim'), 'the image\n');
    const run = spawnSync('python3', ['-I', 'strict-sim.py', 'f00d', ...command, 'sim'], {cwd: dir, encoding: 'utf8'});
    return {...run, left: readdirSync(dir)};
  };

  it('hands the image to the simulator through the FIFO and relays what it printed', () => {
    const run = launch(['cat']);
    expect(run.stdout).toBe('the image\n');
    expect(run.status).toBe(0);
    expect(run.left).toEqual([]);
  });

  it('reports a simulator it cannot start as a shell does (127), leaving no FIFO behind', () => {
    const run = launch(['no-such-simulator']);
    expect(run.stderr).toBe('passk-sim: cannot run no-such-simulator: No such file or directory\n');
    expect(run.status).toBe(127);
    expect(run.left).toEqual([]);
  });
});

describe('the judge reading the launcher’s refusal (scripted sandbox)', () => {
  const bench = loadVerilogEvalV2({dataset: path.join(projectRoot, 'datasets', 'verilog-mini'), task: 'spec-to-rtl'});
  const majority = bench.problems[0]!;
  const calibration: Verdict = {passed: true, result: 'passed', durationMs: 1, details: {samples: 98}};
  const step = (stdout: string): StepResult => ({exitCode: 125, signal: null, timedOut: false, oom: false, truncated: false, stdout, stderr: '', durationMs: 1});
  /** Answers with the refusal line, under the job's own launcher token or another one. */
  const refusing = (sameToken: boolean): Sandbox => ({
    backend: 'scripted',
    run: async (job: Job): Promise<JobResult> => {
      const [, , , token] = job.steps[1]!.argv;
      return {steps: [{...step(''), exitCode: 0}, step(`passk-sim-${sameToken ? token : 'f00d'} unavailable: Function not implemented (errno 38)\n`)], durationMs: 2};
    },
    toolchain: async () => ({}),
    close: async () => {},
  });

  it('makes the launcher’s own refusal an infrastructure error with the reason', async () => {
    const verdict = await bench.judge(majority, 'x', {sandbox: refusing(true), mode: 'strict', calibration});
    expect(verdict).toMatchObject({passed: false, errored: true});
    expect(verdict.result).toBe(
      'error: sandbox: strict Verilog simulation needs Landlock (Linux 5.13+, not blocked by seccomp): Function not implemented (errno 38); use --verdict compat to judge without it',
    );
  });

  it('keeps an imitation with another token a failure of the sample', async () => {
    const verdict = await bench.judge(majority, 'x', {sandbox: refusing(false), mode: 'strict', calibration});
    expect(verdict).toMatchObject({passed: false});
    expect(verdict.errored).toBeUndefined();
  });
});
