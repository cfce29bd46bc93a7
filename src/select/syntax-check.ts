/**
 * CodeT's validity check for generated asserts is Python's compile(). Model output is untrusted, so
 * even compiling it happens in the sandbox: one job compiles a batch and prints one 0/1 per source.
 */
import {defaultLimits, type Sandbox} from '../execute/sandbox.js';
import type {SyntaxChecker} from './codet-tests.js';

const checkerSource = `import json, sys
sources = json.load(open("sources.json", encoding="utf-8"))
verdicts = []
for source in sources:
    try:
        compile(source, "", "exec")
        verdicts.append(1)
    except Exception:
        verdicts.append(0)
sys.stdout.write(json.dumps(verdicts))
`;

export function sandboxSyntaxChecker(sandbox: Sandbox, timeoutMs = 60_000): SyntaxChecker {
  return async (sources) => {
    if (sources.length === 0) return [];
    const result = await sandbox.run({
      files: {'check.py': checkerSource, 'sources.json': JSON.stringify(sources)},
      steps: [{argv: ['python3', '-I', 'check.py']}],
      limits: {...defaultLimits, timeoutMs},
    });
    const step = result.steps[0];
    if (result.error !== undefined || step?.exitCode !== 0) {
      const reason = result.error ?? (step?.timedOut ? 'timed out' : (step?.stderr.trim().split('\n').at(-1) ?? 'no step ran'));
      throw new Error(`syntax check in the sandbox failed: ${reason}`);
    }
    const verdicts = JSON.parse(step.stdout) as number[];
    if (verdicts.length !== sources.length) throw new Error(`syntax check returned ${verdicts.length} verdicts for ${sources.length} sources`);
    return verdicts.map((v) => v === 1);
  };
}
