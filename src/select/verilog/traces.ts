/**
 * Runs one candidate design under the stimulus testbench in the sandbox (one job per candidate,
 * compiled and simulated with the judge's Icarus flags and limits) and reads its output trace:
 * per block of vectors, the printed output values, one line per sample point.
 */
import {newNonce} from '../../bench/verilog/testbench.js';
import {compileTimeoutMs, iverilogCompile, simulationLimits, simulationTimeoutMs} from '../../bench/verilog/judging.js';
import type {Sandbox} from '../../execute/sandbox.js';
import {renderTestbench, samplesPerCycle, type Stimulus} from './stimulus.js';

/**
 * Why a candidate has no trace (`no interface`: no port list could be read for its task, so nothing
 * was simulated); such a candidate is never a row of the matrix, so it never wins.
 */
export type NoTrace = 'compile error' | 'timeout' | 'crashed' | 'incomplete' | 'no interface';

export type TraceOutcome = {status: 'ok'; blocks: string[]} | {status: NoTrace; detail: string};

export interface TraceJob {
  /** The whole design source (the candidate as its bench assembles it). */
  design: string;
  /** The module the testbench instantiates (`TopModule`, `top_module`). */
  top: string;
  /** Compile the design before the testbench (VerilogEval v2's order) or after it (v1's). */
  designFirst: boolean;
  /** Simulation limit; default the judge's 30 s. */
  simTimeoutMs?: number;
}

/**
 * Splits the tagged lines into blocks, or says what is wrong: every sample must appear once, in
 * order, followed by the end line (a design that calls `$finish` early leaves the trace short).
 */
export function readTrace(output: string, stimulus: Stimulus, tag: string): TraceOutcome {
  const perCycle = samplesPerCycle(stimulus);
  const lines = output.split('\n').filter((line) => line.startsWith(`${tag} `));
  const phases = perCycle === 2 ? ['a', 'b'] : ['a'];
  const blocks: string[] = [];
  let at = 0;
  let k = 0;
  for (const block of stimulus.blocks) {
    const samples: string[] = [];
    for (let cycle = 0; cycle < block.length; cycle++, k++) {
      for (const phase of phases) {
        const prefix = `${tag} ${k} ${phase}`;
        const line = lines[at++];
        if (line === undefined || !(line === prefix || line.startsWith(`${prefix} `))) {
          return {status: 'incomplete', detail: `sample ${k}${phase} missing or out of order`};
        }
        samples.push(line.slice(prefix.length + 1));
      }
    }
    blocks.push(samples.join('\n'));
  }
  if (lines[at] !== `${tag} end` || at + 1 !== lines.length) return {status: 'incomplete', detail: 'the testbench did not reach its end once'};
  return {status: 'ok', blocks};
}

export async function runTrace(sandbox: Sandbox, stimulus: Stimulus, job: TraceJob): Promise<TraceOutcome> {
  const tb = renderTestbench(stimulus, job.top, newNonce());
  const sources = job.designFirst ? ['design.sv', 'stim.sv'] : ['stim.sv', 'design.sv'];
  const run = await sandbox.run({
    files: {'design.sv': job.design, 'stim.sv': tb.source},
    steps: [
      {argv: iverilogCompile('sim', sources, tb.top), mergeStderr: true, timeoutMs: compileTimeoutMs},
      {argv: ['vvp', '-n', 'sim'], timeoutMs: job.simTimeoutMs ?? simulationTimeoutMs},
    ],
    limits: simulationLimits,
    stopOnFailure: true,
  });
  // The sandbox failing is no fact about the design: it must not enter the matrix as one.
  if (run.error) throw new Error(`sandbox error: ${run.error}`);
  const [compile, sim] = run.steps;
  if (!compile || compile.timedOut || compile.exitCode !== 0) {
    const reason = compile?.timedOut ? 'compile timed out' : (compile?.stdout ?? '').split('\n').find((line) => /error/i.test(line)) ?? 'compile failed';
    return {status: 'compile error', detail: reason.slice(0, 200)};
  }
  if (!sim) return {status: 'crashed', detail: 'simulation did not run'};
  if (sim.timedOut) return {status: 'timeout', detail: `simulation exceeded ${(job.simTimeoutMs ?? simulationTimeoutMs) / 1000} s`};
  if (sim.oom || sim.truncated || sim.exitCode !== 0) {
    return {status: 'crashed', detail: sim.oom ? 'memory limit' : sim.truncated ? 'output limit' : `exit ${sim.exitCode ?? sim.signal}`};
  }
  return readTrace(sim.stdout, stimulus, tb.tag);
}
