/**
 * Report files from constructed runs with known contents (no sandbox): the JUnit file validates
 * against a JUnit XSD with Debian's xmllint and carries failures and infrastructure errors apart,
 * hostile sample output cannot break the XML or the HTML, the Markdown tables are well formed, and
 * the .json, .md, .junit.xml and .html reports agree on every number.
 */
import {spawnSync} from 'node:child_process';
import {existsSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {marked} from 'marked';
import {describe, expect, it} from 'vitest';
import {UserError} from '../src/errors.js';
import {renderJunit} from '../src/report/junit.js';
import {renderMarkdown} from '../src/report/markdown.js';
import {passAtKRows, type ReportInput} from '../src/report/model.js';
import {reportKind, writeReports} from '../src/report/write.js';
import {compareRuns} from '../src/score/compare.js';
import {evaluateGate} from '../src/score/gate.js';
import type {SampleRow} from '../src/store/store.js';
import {projectRoot} from './helpers/datasets.js';
import {summaryOf, type Counts} from './helpers/summaries.js';

const xsd = path.join(projectRoot, 'test', 'fixtures', 'junit.xsd');
const xmllint = existsSync('/usr/bin/xmllint') ? '/usr/bin/xmllint' : undefined;
if (!xmllint) console.warn('skipping JUnit schema validation: xmllint not found (apt-get install libxml2-utils)');

const hostile = 'AssertionError: ]]></failure><script>alert(1)</script> \u0000\u0007 & "quoted" \u{1F600}';

/** Samples for the given counts: the first `passed` of each problem pass; others fail with a log, or error when `errored`. */
function samplesFor(problems: Counts[], errored: Set<string> = new Set()): SampleRow[] {
  let id = 1;
  return problems.flatMap((p) =>
    Array.from({length: p.n + (errored.has(p.id) ? 1 : 0)}, (_, i): SampleRow => {
      const base = {id: id++, runId: 'cand', problemId: p.id, sampleIndex: i, seed: i, code: `    return ${i} # </script>\n`};
      if (i >= p.n) return {...base, error: 'endpoint: 503 after 3 retries'};
      const passed = i < p.passed;
      return {...base, verdict: {passed, result: passed ? 'passed' : `failed: ${hostile}`, durationMs: 120, details: passed ? {} : {stderrTail: `Traceback\n${hostile}\n`}}};
    }),
  );
}

function input(): ReportInput {
  const base: Counts[] = [
    {id: 'A/0', n: 2, passed: 2},
    {id: 'A/1', n: 2, passed: 2},
    {id: 'A/2', n: 2, passed: 1},
    {id: 'A/3', n: 2, passed: 0},
    {id: 'A|4', n: 2, passed: 2},
  ];
  const cand: Counts[] = [
    {id: 'A/0', n: 2, passed: 0},
    {id: 'A/1', n: 2, passed: 2},
    {id: 'A/2', n: 2, passed: 2},
    {id: 'A/3', n: 1, passed: 0},
    {id: 'A|4', n: 2, passed: 1},
  ];
  const errored = new Set(['A/3']);
  const baseSummary = summaryOf('base', base);
  const summary = summaryOf('cand', cand, {complete: false, errors: 1, classes: {passed: 5, failed: 4, 'generation error': 1}});
  const comparison = compareRuns(baseSummary, summary);
  const gate = evaluateGate(summary, comparison, {k: 1, maxRegression: 0.02, allowIncomplete: true});
  return {summary, samples: samplesFor(cand, errored), comparison, gate};
}

describe('JUnit XML', () => {
  it.skipIf(!xmllint)('validates against the JUnit XSD, hostile output included', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'passk-junit-'));
    const file = path.join(dir, 'results.junit.xml');
    await writeReports([file], input());
    const check = spawnSync(xmllint!, ['--noout', '--schema', xsd, file], {encoding: 'utf8'});
    expect(check.stderr).toContain('validates');
    expect(check.status).toBe(0);
  });

  it.skipIf(!xmllint)('the schema check can fail: a testcase without its name is rejected', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'passk-junit-'));
    const file = path.join(dir, 'broken.junit.xml');
    const broken = renderJunit(input()).replace(/<testcase name="[^"]*"/, '<testcase');
    writeFileSync(file, broken);
    expect(spawnSync(xmllint!, ['--noout', '--schema', xsd, file]).status).not.toBe(0);
  });

  it('one testcase per problem: passes, a failure with the first failing sample, an error for lost samples', () => {
    const xml = renderJunit(input());
    expect(xml.match(/<testcase /g)).toHaveLength(5);
    expect(xml).toMatch(/<testsuite name="humaneval\/base" tests="5" failures="1" errors="1"/);
    const a0 = xml.slice(xml.indexOf('name="A/0"'), xml.indexOf('</testcase>', xml.indexOf('name="A/0"')));
    expect(a0).toContain('<failure message="0 of 2 judged samples passed: failed: AssertionError');
    expect(a0).toContain('sample 0: failed: AssertionError');
    expect(a0).toContain('Traceback'); // the log tail
    expect(a0).toContain('&lt;/script&gt;');
    expect(a0).not.toContain('\u0000');
    const a3 = xml.slice(xml.indexOf('name="A/3"'), xml.indexOf('</testcase>', xml.indexOf('name="A/3"')));
    expect(a3).toContain('<error message="0 of 1 judged samples passed, 1 lost to infrastructure errors: error: endpoint: 503');
    expect(a3).toContain('type="infrastructure"');
  });
});

describe('Markdown', () => {
  it('renders the headline, pass@k with CIs, the comparison, top regressions and classes as well-formed tables', async () => {
    const md = renderMarkdown(input());
    const tables = md.split('\n\n').map((block) => block.trim()).filter((block) => block.startsWith('|'));
    expect(tables).toHaveLength(4); // pass@k, comparison, top regressions, classes
    for (const table of tables) {
      const rows = table.split('\n');
      const columns = (row: string) => row.replace(/\\\|/g, '').split('|').length;
      expect(rows[1]).toMatch(/^\|(-+:?|-+|---:)(\|(-+:?|---:?))*\|$/);
      for (const row of rows) expect(columns(row)).toBe(columns(rows[0]!));
    }
    // Rendered by a GitHub-flavoured Markdown renderer: four real tables with every row and cell.
    const html = await marked.parse(md, {gfm: true});
    expect(html.match(/<table>/g)).toHaveLength(4);
    expect(html).toContain('<td>A|4</td>');
    expect(html).toContain('<th>95% CI</th>');
    expect(md).toMatch(/^## passk: humaneval\/base · model-cand · pass@1 /);
    expect(md).toContain('| A/0 | 2/2 | 0/2 | -100.0 |');
    expect(md).toContain('| A\\|4 | 2/2 | 1/2 | -50.0 |'); // a pipe in an id does not split the row
    expect(md).toContain('**Incomplete:**');
  });
});

describe('all reports agree', () => {
  it('pass@k, its SE and CI, and the comparison are the same numbers in .json, .md, .junit.xml and .html', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'passk-reports-'));
    const files = ['r.json', 'r.md', 'r.junit.xml', 'r.html', 'r.jsonl'].map((f) => path.join(dir, f));
    const data = input();
    await writeReports(files, data);
    const [json, md, xml, html, jsonl] = files.map((f) => readFileSync(f, 'utf8'));
    const summary = JSON.parse(json!);
    expect(summary.passAtK).toEqual(data.summary.passAtK);
    expect(summary.comparison.ks[0].mean).toBe(data.comparison!.ks[0]!.mean);
    expect(jsonl!.trim().split('\n')).toHaveLength(data.samples.length);
    const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
    for (const row of passAtKRows(summary)) {
      expect(md).toContain(`| ${row.k} | ${pct(row.value)} | ${pct(row.stderr)} | ${pct(row.low)} – ${pct(row.high)} |`);
      expect(xml).toContain(`<property name="pass@${row.k}" value="${row.value} ± ${row.stderr}"/>`);
      expect(html).toContain(`data-k="${row.k}" data-value="${row.value}" data-stderr="${row.stderr}">${pct(row.value)}</span> ± ${pct(row.stderr)} (95% CI ${pct(row.low)}–${pct(row.high)})`);
    }
    for (const d of summary.comparison.ks) expect(html).toContain(`data-value="${d.mean}"`);
    const failures = Number(xml!.match(/<testsuite [^>]*failures="(\d+)"/)![1]);
    expect(failures).toBe(summary.perProblem.filter((p: {passed: number; id: string}) => p.passed === 0 && p.id !== 'A/3').length);
    // Hostile text stays data: no raw script tag survives outside the embedded JSON.
    expect(html!.includes('<script>alert(1)')).toBe(false);
  });

  it('an unknown extension is refused with the formats it knows', () => {
    expect(() => reportKind('out.txt')).toThrow(UserError);
    expect(() => reportKind('out.txt')).toThrow(/\.junit\.xml, \.jsonl, \.json, \.md, \.html/);
    expect(reportKind('X.JUNIT.XML')).toBe('.junit.xml');
  });
});
