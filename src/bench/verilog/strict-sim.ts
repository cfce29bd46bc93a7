/**
 * Strict mode's simulation step: vvp started by passk's launcher (sandbox/strict-sim.py, shipped
 * into the job), which deletes the job's files and shuts the simulation out of /proc with Landlock
 * before the design runs, so a design cannot read the verdict nonce anywhere (see that file).
 * Compat mode runs vvp as upstream does.
 */
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

/** The job file the launcher is written to. */
const launcherName = 'passk-sim.py';

let launcherSource: string | undefined;

function launcher(): string {
  // src/bench/verilog (or dist/bench/verilog) → the project root, which ships sandbox/.
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
  launcherSource ??= readFileSync(path.join(root, 'sandbox', 'strict-sim.py'), 'utf8');
  return launcherSource;
}

export interface IsolatedSimulation {
  /** Job files to add (the launcher). */
  files: Record<string, string>;
  argv: string[];
  /** The launcher is passk's own script (Step.warm). */
  warm: boolean;
}

/** Runs `vvp [options] <image>` under the launcher; `token` authenticates the launcher's own failure line. */
export function isolatedSimulation(vvp: string[], token: string): IsolatedSimulation {
  return {files: {[launcherName]: launcher()}, argv: ['python3', '-I', launcherName, token, ...vvp], warm: true};
}

/** Why the launcher refused to run the simulation (Landlock unavailable), or undefined when it ran it. */
export function launcherRefusal(simOutput: string, token: string): string | undefined {
  const line = new RegExp(`^passk-sim-${token} unavailable: (.*)$`, 'm').exec(simOutput);
  return line ? `strict Verilog simulation needs Landlock (Linux 5.13+, not blocked by seccomp): ${line[1]}; use --verdict compat to judge without it` : undefined;
}
