/** The terminal text of a comparison and a gate verdict (`passk compare`, `passk run --baseline`). */
import type {Comparison, PairedDifference, ProblemChange} from '../score/compare.js';
import type {GateResult} from '../score/gate.js';

const percent = (value: number) => `${(value * 100).toFixed(1)}%`;
const signedPoints = (value: number) => `${value >= 0 ? '+' : ''}${(value * 100).toFixed(1)}`;

export function describeTest(d: PairedDifference): string {
  if (d.test === 'mcnemar-exact') return `exact McNemar: ${d.discordant!.regressed} regressed, ${d.discordant!.improved} improved`;
  return `paired t, ${d.problems - 1} df`;
}

export function formatPValue(p: number): string {
  return p < 1e-4 ? p.toExponential(1) : p.toPrecision(2);
}

function problemLine(p: ProblemChange): string {
  return `${p.id} (${p.base.passed}/${p.base.n} → ${p.cand.passed}/${p.cand.n})`;
}

function listed(changes: ProblemChange[], limit: number): string {
  const shown = changes.slice(0, limit).map(problemLine).join(', ');
  return changes.length > limit ? `${shown}, … ${changes.length - limit} more` : shown;
}

export function formatComparison(comparison: Comparison, limit = 20): string {
  const {base, cand} = comparison;
  const paired = comparison.problems.length;
  const lines = [`compare ${base.runId} (${base.model}) → ${cand.runId} (${cand.model}): ${base.bench}/${base.task}, ${paired} paired problems`];
  for (const d of comparison.ks) {
    lines.push(
      `  pass@${d.k}: ${percent(d.base)} → ${percent(d.cand)}  Δ ${signedPoints(d.mean)} points ± ${(d.stderr * 100).toFixed(1)} (95% CI ${signedPoints(d.ci95[0])} to ${signedPoints(d.ci95[1])}), p = ${formatPValue(d.pValue)} (${describeTest(d)})`,
    );
  }
  if (comparison.mismatches.length > 0) lines.push(`  settings differ (compared anyway, --force): ${comparison.mismatches.join(', ')}`);
  if (comparison.onlyInBase.length > 0) lines.push(`  only in ${base.runId}: ${comparison.onlyInBase.join(', ')}`);
  if (comparison.onlyInCand.length > 0) lines.push(`  only in ${cand.runId}: ${comparison.onlyInCand.join(', ')}`);
  const regressed = comparison.problems.filter((p) => p.status === 'regressed');
  const improved = comparison.problems.filter((p) => p.status === 'improved');
  lines.push(`  regressed (${regressed.length})${regressed.length ? `: ${listed(regressed, limit)}` : ''}`);
  lines.push(`  improved (${improved.length})${improved.length ? `: ${listed(improved, limit)}` : ''}`);
  lines.push(`  unchanged (${paired - regressed.length - improved.length})`);
  return lines.join('\n');
}

export function formatGate(gate: GateResult): string {
  const head = gate.passed ? 'gate passed' : `gate FAILED (exit ${gate.exitCode})`;
  return [...gate.reasons.map((reason) => `${head}: ${reason}`), ...gate.notes.map((note) => `note: ${note}`)].join('\n');
}
