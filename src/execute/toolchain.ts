/**
 * The toolchain versions a sandbox runs, asked of the sandbox itself (the same way for every
 * backend), so a run records what really judged its samples.
 */
import {defaultLimits, type Sandbox} from './sandbox.js';

const versionCommands: Record<string, string[]> = {
  iverilog: ['iverilog', '-V'],
  python3: ['python3', '--version'],
};

export async function readToolchain(sandbox: Pick<Sandbox, 'run'>): Promise<Record<string, string>> {
  const versions: Record<string, string> = {};
  for (const [tool, argv] of Object.entries(versionCommands)) {
    const result = await sandbox.run({files: {}, steps: [{argv, mergeStderr: true, timeoutMs: 10_000}], limits: defaultLimits});
    const firstLine = result.steps[0]?.stdout.split('\n')[0]?.trim();
    // `iverilog -V` exits non-zero (no input files) after printing its version.
    versions[tool] = result.steps[0]?.exitCode === 0 || firstLine?.startsWith('Icarus') ? firstLine ?? 'unknown' : 'not installed';
  }
  return versions;
}
