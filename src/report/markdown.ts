/** Markdown for `$GITHUB_STEP_SUMMARY` or a PR comment: headline, pass@k with CIs, comparison, regressions, failure classes. */
import {describeTest, formatPValue} from './comparison-text.js';
import {classRows, passAtKRows, type ReportInput} from './model.js';

const percent = (value: number) => `${(value * 100).toFixed(1)}%`;
const signed = (value: number) => `${value >= 0 ? '+' : ''}${(value * 100).toFixed(1)}`;
/** Table cells: a pipe or newline in an id or class would break the row. */
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

export function renderMarkdown({summary, comparison, gate}: ReportInput, topRegressions = 15): string {
  const rows = passAtKRows(summary);
  const first = rows[0];
  const lines: string[] = [];
  const headline = first ? `pass@${first.k} ${percent(first.value)} ± ${percent(first.stderr)}` : 'no pass@k (no problem judged)';
  lines.push(`## passk: ${cell(summary.bench)}/${cell(summary.task)} · ${cell(summary.model)} · ${headline}`, '');
  if (gate) lines.push(`**Gate ${gate.passed ? 'passed' : `failed (exit ${gate.exitCode})`}:** ${gate.reasons.map(cell).join('; ')}`, '');
  for (const note of gate?.notes ?? []) lines.push(`> ${cell(note)}`, '');
  if (!summary.complete) lines.push(`> **Incomplete:** ${summary.errors} sample(s) lost to infrastructure errors are left out of pass@k.`, '');
  lines.push(
    `Run \`${summary.runId}\`: ${summary.problems} problems × n = ${summary.n}, verdict ${summary.verdictMode}, reference ceiling ${percent(summary.referenceCeiling)}.`,
    '',
    '| k | pass@k | ± SE | 95% CI |',
    '|---:|---:|---:|---|',
    ...rows.map((row) => `| ${row.k} | ${percent(row.value)} | ${percent(row.stderr)} | ${percent(row.low)} – ${percent(row.high)} |`),
    '',
  );
  if (comparison) {
    lines.push(
      `### Compared with \`${comparison.base.runId}\` (${cell(comparison.base.model)})`,
      '',
      '| k | baseline | candidate | Δ points | 95% CI | p | test |',
      '|---:|---:|---:|---:|---|---:|---|',
      ...comparison.ks.map(
        (d) => `| ${d.k} | ${percent(d.base)} | ${percent(d.cand)} | ${signed(d.mean)} | ${signed(d.ci95[0])} to ${signed(d.ci95[1])} | ${formatPValue(d.pValue)} | ${describeTest(d)} |`,
      ),
      '',
    );
    if (comparison.onlyInBase.length + comparison.onlyInCand.length > 0) {
      lines.push(`Unpaired problems: ${comparison.onlyInBase.length} only in the baseline, ${comparison.onlyInCand.length} only in the candidate.`, '');
    }
    const regressed = comparison.problems.filter((p) => p.status === 'regressed');
    const improved = comparison.problems.filter((p) => p.status === 'improved').length;
    lines.push(`${regressed.length} problem(s) regressed, ${improved} improved, ${comparison.problems.length - regressed.length - improved} unchanged.`, '');
    if (regressed.length > 0) {
      lines.push(
        '#### Top regressions',
        '',
        '| problem | baseline | candidate | Δ points |',
        '|---|---:|---:|---:|',
        ...regressed.slice(0, topRegressions).map((p) => `| ${cell(p.id)} | ${p.base.passed}/${p.base.n} | ${p.cand.passed}/${p.cand.n} | ${signed(p.delta)} |`),
        '',
      );
    }
  }
  lines.push('### Verdict classes', '', '| class | samples |', '|---|---:|', ...classRows(summary).map((row) => `| ${cell(row.name)} | ${row.count} |`), '');
  return lines.join('\n');
}
