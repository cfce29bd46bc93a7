import {describe, expect, it} from 'vitest';
import type {HumanEvalProblem} from '../src/bench/humaneval/dataset.js';
import {buildJob, verdictFromResult, verdictLines} from '../src/bench/humaneval/judge.js';
import {assembleProgram} from '../src/bench/humaneval/program.js';
import type {JobResult, StepResult} from '../src/execute/sandbox.js';

const problem: HumanEvalProblem = {
  id: 'test/0',
  prompt: 'def return1():\n',
  entryPoint: 'return1',
  canonicalSolution: '    return 1',
  test: 'def check(candidate):\n    assert candidate() == 1',
};

const nonce = '0123456789abcdef0123456789abcdef';

function step(fields: Partial<StepResult>): StepResult {
  return {exitCode: 0, signal: null, timedOut: false, oom: false, truncated: false, stdout: '', stderr: '', durationMs: 12, ...fields};
}
const ran = (fields: Partial<StepResult>): JobResult => ({steps: [step(fields)], durationMs: 20});

describe('program assembly', () => {
  it('is exactly prompt + completion + "\\n" + test + "\\n" + check(entry_point)', () => {
    expect(assembleProgram(problem, '  return 1')).toBe('def return1():\n  return 1\ndef check(candidate):\n    assert candidate() == 1\ncheck(return1)');
  });

  it('does not strip or re-indent the completion', () => {
    expect(assembleProgram(problem, '\n\treturn 1 \n\n')).toBe(`def return1():\n\n\treturn 1 \n\n\n${problem.test}\ncheck(return1)`);
  });

  it('builds a job: driver + program, nonce on stdin, isolated python3, the given timeout', () => {
    const job = buildJob(problem, '    return 1', nonce, 1500);
    expect(Object.keys(job.files).sort()).toEqual(['driver.py', 'program.py']);
    expect(job.files['program.py']).toBe(assembleProgram(problem, '    return 1'));
    expect(job.files['driver.py']).not.toContain(nonce);
    expect(job.stdin).toBe(`${nonce}\n`);
    expect(job.steps).toEqual([{argv: ['python3', '-I', 'driver.py']}]);
    expect(job.limits.timeoutMs).toBe(1500);
  });
});

describe('reading the compat driver’s verdict', () => {
  it('only lines that start with the nonce count', () => {
    const stdout = `passed\n${nonce}passed\nx ${nonce} passed\n${nonce} maybe\n\n${nonce} failed: AssertionError\n`;
    expect(verdictLines(stdout, nonce)).toEqual(['failed: AssertionError']);
  });

  it('passes on the nonce line whatever else was printed', () => {
    const verdict = verdictFromResult(ran({stdout: `debug\npassed\n\n${nonce} passed\n`, stderr: 'warning\n'}), nonce);
    expect(verdict).toMatchObject({passed: true, result: 'passed', durationMs: 12});
    expect(verdict.details).toMatchObject({exitCode: 0, stderrTail: 'warning\n'});
  });

  it('exit status 0 without a verdict line is a failure, not a pass', () => {
    expect(verdictFromResult(ran({stdout: 'passed\n'}), nonce)).toMatchObject({
      passed: false,
      result: 'failed: NoVerdict: exited with code 0 before check() returned',
    });
  });

  it('a verdict line wins over a late kill (a forked straggler holding the pipe)', () => {
    expect(verdictFromResult(ran({stdout: `\n${nonce} passed\n`, timedOut: true, exitCode: null, signal: 'SIGKILL'}), nonce).result).toBe('passed');
  });

  it('any failing verdict fails the sample (a program that forks prints more than one)', () => {
    expect(verdictFromResult(ran({stdout: `${nonce} passed\n${nonce} failed: AssertionError\n`}), nonce).passed).toBe(false);
  });

  it.each([
    [{timedOut: true, exitCode: null, signal: 'SIGKILL'}, 'timed out'],
    [{oom: true, exitCode: 1}, 'failed: MemoryError: killed at the memory limit'],
    [{truncated: true, exitCode: null, signal: 'SIGKILL'}, 'failed: OutputLimitExceeded: the program wrote too much output'],
    [{exitCode: null, signal: 'SIGSEGV'}, 'failed: Killed: SIGSEGV before check() returned'],
  ] as const)('without a verdict: %j → %s', (fields, result) => {
    expect(verdictFromResult(ran(fields), nonce)).toMatchObject({passed: false, result});
  });

  it('a sandbox failure is an infrastructure error, not a verdict on the sample', () => {
    expect(verdictFromResult({steps: [], durationMs: 3, error: 'could not start the sandbox: ENOENT'}, nonce)).toEqual({
      passed: false,
      result: 'error: sandbox: could not start the sandbox: ENOENT',
      errored: true,
      durationMs: 3,
      details: {error: 'could not start the sandbox: ENOENT'},
    });
  });
});
