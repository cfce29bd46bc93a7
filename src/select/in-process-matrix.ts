/**
 * Matrix rows the way the reference scripts fill them (sandbox/in_process_matrix.py): one sandbox
 * job forks a child per solution, which loads the program and runs each assert in its own
 * interpreter under an alarm. The sample could forge its row, so this is a diagnosis
 * (explain-matrix.ts) and a benchmark baseline, never a verdict.
 */
import {installedFile} from '../execute/runner/source.js';
import {defaultLimits, type Sandbox} from '../execute/sandbox.js';

export interface InProcessRow {
  /** 'passed', 'timed out', 'failed: <type>', or 'killed' (past the child's deadline). */
  loaded: string;
  /** One status per test; empty when the program did not load. */
  results: string[];
}

export interface InProcessJob {
  programs: string[];
  tests: string[];
  loadTimeoutMs: number;
  testTimeoutMs: number;
}

let source: string | undefined;

/** One row per program, or undefined when the job gave no readable answer. */
export async function inProcessRows(sandbox: Sandbox, job: InProcessJob): Promise<InProcessRow[] | undefined> {
  source ??= installedFile('sandbox/in_process_matrix.py').toString('utf8');
  const perProgramMs = job.loadTimeoutMs + job.testTimeoutMs * job.tests.length + 1_000;
  const result = await sandbox.run({
    files: {
      'in_process_matrix.py': source,
      'job.json': JSON.stringify({programs: job.programs, tests: job.tests, loadTimeoutS: job.loadTimeoutMs / 1000, testTimeoutS: job.testTimeoutMs / 1000}),
    },
    steps: [{argv: ['python3', '-I', 'in_process_matrix.py']}],
    limits: {...defaultLimits, timeoutMs: 5_000 + perProgramMs * job.programs.length},
  });
  const lines = result.steps[0]?.stdout.trim().split('\n') ?? [];
  if (lines.length !== job.programs.length) return undefined;
  try {
    return lines.map((line) => JSON.parse(line) as InProcessRow);
  } catch {
    return undefined;
  }
}
