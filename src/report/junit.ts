/**
 * JUnit XML as CI systems read it (GitLab, Jenkins, GitHub test reporters): one testsuite for the
 * bench/task, one testcase per problem; a failure when no sample passed (with the first failing
 * sample's result and log tail), an <error> when samples were lost to infrastructure instead.
 */
import {classRows, passAtKRows, problemOutcomes, logTail, sampleResult, type ReportInput} from './model.js';

/** XML 1.0 text: escapes markup and drops characters XML cannot carry (control bytes from program output). */
function xmlText(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

const attributes = (values: Record<string, string | number>) =>
  Object.entries(values)
    .map(([key, value]) => `${key}="${xmlText(String(value))}"`)
    .join(' ');

const firstLine = (text: string) => (text.split('\n')[0] ?? '').slice(0, 300);

export function renderJunit({summary, samples}: ReportInput): string {
  const outcomes = problemOutcomes(summary, samples);
  const failures = outcomes.filter((o) => o.status === 'failed').length;
  const errors = outcomes.filter((o) => o.status === 'error').length;
  const seconds = outcomes.reduce((sum, o) => sum + o.seconds, 0).toFixed(3);
  const suite = `${summary.bench}/${summary.task}`;
  const properties = [
    ['run', summary.runId],
    ['model', summary.model],
    ['n', String(summary.n)],
    ['verdict', summary.verdictMode],
    ['complete', String(summary.complete)],
    ...passAtKRows(summary).map((row) => [`pass@${row.k}`, `${row.value} ± ${row.stderr}`]),
    ...classRows(summary).map((row) => [`class ${row.name}`, String(row.count)]),
  ];
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites ${attributes({name: `passk ${summary.runId}`, tests: outcomes.length, failures, errors, time: seconds})}>`,
    `  <testsuite ${attributes({name: suite, tests: outcomes.length, failures, errors, skipped: 0, time: seconds, hostname: 'passk'})}>`,
    '    <properties>',
    ...properties.map(([name, value]) => `      <property ${attributes({name: name!, value: value!})}/>`),
    '    </properties>',
  ];
  for (const outcome of outcomes) {
    const head = `    <testcase ${attributes({name: outcome.id, classname: suite.replace('/', '.'), time: outcome.seconds.toFixed(3)})}`;
    const counts = `${outcome.passed} of ${outcome.judged} judged samples passed${outcome.errored ? `, ${outcome.errored} lost to infrastructure errors` : ''}${outcome.invalid ? ' (invalid problem: its own reference fails)' : ''}`;
    if (outcome.status === 'passed') {
      lines.push(`${head}>`, `      <system-out>${xmlText(counts)}</system-out>`, '    </testcase>');
      continue;
    }
    const witness = outcome.witness;
    const result = witness ? sampleResult(witness) : 'no sample';
    const body = witness ? `sample ${witness.sampleIndex}: ${result}\n${logTail(witness)}\n\n${witness.code ?? ''}` : counts;
    const tag = outcome.status === 'error' ? 'error' : 'failure';
    const type = outcome.status === 'error' ? 'infrastructure' : (witness?.verdict?.class ?? 'failed');
    lines.push(`${head}>`, `      <${tag} ${attributes({message: `${counts}: ${firstLine(result)}`, type})}>${xmlText(body)}</${tag}>`, '    </testcase>');
  }
  lines.push('  </testsuite>', '</testsuites>', '');
  return lines.join('\n');
}
