/**
 * Progress on stderr: a live one-line bar on a terminal, otherwise a plain line every few seconds
 * (CI logs stay readable). Silent under --json so stdout and stderr stay machine-friendly.
 */
import type {Progress} from '../run/run.js';

const labels: Record<Progress['phase'], string> = {calibrate: 'calibrating references', samples: 'samples'};

export function progressReporter(options: {enabled: boolean; tty: boolean; intervalMs?: number}): {update(p: Progress): void; done(): void} {
  const interval = options.intervalMs ?? 5_000;
  let lastPlain = 0;
  let lastPhase: Progress['phase'] | undefined;
  let drawn = false;
  const started = Date.now();
  const line = (p: Progress) => {
    const elapsed = (Date.now() - started) / 1000;
    const rate = p.done / Math.max(elapsed, 0.001);
    const eta = rate > 0 ? Math.round((p.total - p.done) / rate) : 0;
    return `${labels[p.phase]} ${p.done}/${p.total} (${p.passed} passed) ${rate.toFixed(1)}/s eta ${eta}s`;
  };
  return {
    update(p) {
      if (!options.enabled) return;
      if (options.tty) {
        const width = 24;
        const filled = p.total === 0 ? width : Math.round((p.done / p.total) * width);
        process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${line(p)}\u001b[K`);
        drawn = true;
        return;
      }
      const now = Date.now();
      if (p.phase !== lastPhase || now - lastPlain >= interval || p.done === p.total) {
        process.stderr.write(`${line(p)}\n`);
        lastPlain = now;
        lastPhase = p.phase;
      }
    },
    done() {
      if (drawn) process.stderr.write('\n');
      drawn = false;
    },
  };
}
