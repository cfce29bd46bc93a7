import {createWriteStream} from 'node:fs';
import {mkdir, rename, rm, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {once} from 'node:events';
import {UserError} from '../errors.js';
import type {SampleRow} from '../store/store.js';
import {resultLine, type Summary} from './summary.js';

/**
 * Writes a run's report files: summary.json (the --json document) and results.jsonl (one line per
 * sample). Each is written to a temporary file and renamed into place, results first: a folder never
 * holds a half-written file, and a summary.json is only ever beside its complete results. A failure
 * names the file (UserError); the temporary files are removed.
 */
export async function writeReport(dir: string, summary: Summary, samples: Iterable<SampleRow>): Promise<void> {
  const results = path.join(dir, 'results.jsonl');
  const summaryFile = path.join(dir, 'summary.json');
  const temporary = (file: string) => `${file}.${process.pid}.tmp`;
  let current = dir;
  try {
    await mkdir(dir, {recursive: true});
    current = results;
    await writeLines(temporary(results), samples);
    current = summaryFile;
    await writeFile(temporary(summaryFile), JSON.stringify(summary, null, 2) + '\n');
    current = results;
    await rename(temporary(results), results);
    current = summaryFile;
    await rename(temporary(summaryFile), summaryFile);
  } catch (error) {
    await Promise.all([results, summaryFile].map((file) => rm(temporary(file), {force: true})));
    throw new UserError(`cannot write ${current}: ${(error as Error).message}`);
  }
}

async function writeLines(file: string, samples: Iterable<SampleRow>): Promise<void> {
  const out = createWriteStream(file);
  const failed = new Promise<never>((_, reject) => out.once('error', reject));
  failed.catch(() => undefined); // observed below, at the next write or at the end
  for (const sample of samples) {
    if (!out.write(JSON.stringify(resultLine(sample)) + '\n')) await Promise.race([once(out, 'drain'), failed]);
  }
  out.end();
  await Promise.race([once(out, 'finish'), failed]);
}

const percent = (value: number) => `${(value * 100).toFixed(1)}%`;

/** The human-readable result block `passk run` prints. */
export function formatSummary(summary: Summary): string {
  const lines: string[] = [];
  lines.push(`run ${summary.runId}: ${summary.bench}/${summary.task}, model ${summary.model}, ${summary.problems} problems × n=${summary.n}, verdict ${summary.verdictMode}`);
  for (const [k, estimate] of Object.entries(summary.passAtK)) {
    const valid = summary.passAtKValid[k];
    const validPart = summary.invalidProblems.length > 0 && valid ? `  (valid problems only: ${percent(valid.value)} ± ${percent(valid.stderr)})` : '';
    lines.push(`  pass@${k}: ${percent(estimate.value)} ± ${percent(estimate.stderr)}${validPart}`);
  }
  // Summaries stored by earlier passk versions have no unreportedKs.
  for (const [k, reason] of Object.entries(summary.unreportedKs ?? {})) lines.push(`  pass@${k}: not reported: ${reason}`);
  if (summary.passAtKByTests) lines.push(...formatByTests(summary.passAtKByTests));
  lines.push(`  reference ceiling: ${percent(summary.referenceCeiling)}`);
  if (summary.invalidProblems.length > 0) {
    lines.push(`  invalid problems (their own reference fails): ${summary.invalidProblems.map((p) => `${p.id}${p.class ? ` [${p.class}]` : ''}`).join(', ')}`);
  }
  const classes = Object.entries(summary.classes)
    .sort((a, b) => b[1] - a[1])
    .map(([name, count]) => `${name}: ${count}`)
    .join(', ');
  lines.push(`  classes: ${classes}`);
  if (summary.errors > 0) lines.push(`  infrastructure errors: ${summary.errors} sample(s), left out of pass@k (finish with --resume ${summary.runId} --retry-errors)`);
  if (summary.uncalibrated.length > 0) lines.push(`  references not judged (sandbox errors): ${summary.uncalibrated.join(', ')}`);
  if (!summary.complete) lines.push('  INCOMPLETE: not every sample was judged; the scores above cover only those that were');
  // Summaries stored before warnings existed have none.
  for (const warning of summary.warnings ?? []) lines.push(`  warning: ${warning}`);
  lines.push(`  toolchain: ${Object.values(summary.toolchain).join('; ')}; sandbox ${summary.sandbox.backend}`);
  // Summaries stored by earlier passk versions have no environments list.
  const environments = summary.environments ?? [];
  if (environments.length > 1) {
    const parts = environments.map((e) => `${e.verdicts} under ${Object.values((e.toolchain ?? {}) as Record<string, string>).join('; ')} (${(e.sandbox as {backend?: string} | undefined)?.backend})`);
    lines.push(`  MIXED: verdicts from ${environments.length} environments (resumed with --force): ${parts.join(' | ')}`);
  }
  return lines.join('\n');
}

/** EvalPlus: base-tests and base + plus pass@k side by side, and the drop between them. */
function formatByTests(byTests: NonNullable<Summary['passAtKByTests']>): string[] {
  return Object.entries(byTests.base).map(([k, base]) => {
    const plus = byTests.plus?.[k];
    const plusPart = plus ? `  base + plus: ${percent(plus.value)} ± ${percent(plus.stderr)}  (drop ${((base.value - plus.value) * 100).toFixed(1)} points)` : '';
    return `  pass@${k} base tests: ${percent(base.value)} ± ${percent(base.stderr)}${plusPart}`;
  });
}

/** One line per problem: the per-problem table behind pass@k. */
export function formatPerProblem(summary: Summary): string {
  const width = Math.max(7, ...summary.perProblem.map((p) => p.id.length));
  const rows = summary.perProblem.map(
    (p) => `  ${p.id.padEnd(width)}  ${String(p.passed).padStart(4)}/${String(p.n).padEnd(4)} ${percent(p.n ? p.passed / p.n : 0).padStart(6)}${p.invalid ? '  invalid (reference fails)' : ''}`,
  );
  return [`  ${'problem'.padEnd(width)}  pass/n    pass@1`, ...rows].join('\n');
}
