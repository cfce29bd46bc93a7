/**
 * One self-contained HTML report: Observable Plot (with d3) inlined from node_modules, the data as
 * embedded JSON, no request of any kind at view time (a Content-Security-Policy forbids them). Plots:
 * pass@k curve with 95% CI bars (and the baseline's), per-problem grid coloured by pass rate or, with
 * a baseline, by change; verdict-class histogram; a searchable table of samples.
 */
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {classRows, isInfrastructureError, logTail, passAtKRows, sampleResult, type ReportInput} from './model.js';
import {sampleClass} from '../score/summary.js';

/** Samples shown in the table: beyond this a browser slows down; the JSONL report has them all. */
export const maxTableSamples = 5000;

let libraries: string | undefined;

/** d3 and Plot's UMD bundles, read once from their installed packages. */
function plottingLibraries(): string {
  if (libraries === undefined) {
    const packageFile = (name: string) => fileURLToPath(import.meta.resolve(name));
    const d3 = path.join(path.dirname(packageFile('d3')), 'd3.min.js');
    const plot = path.join(path.dirname(packageFile('@observablehq/plot')), '..', 'dist', 'plot.umd.min.js');
    libraries = [d3, plot].map((file) => readFileSync(file, 'utf8')).join('\n;\n');
  }
  return libraries;
}

const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
/** JSON inside <script>: no "<" survives, so no "</script>" in a sample can end the block. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');
const percent = (value: number) => `${(value * 100).toFixed(1)}%`;

function reportData({summary, samples, comparison}: ReportInput) {
  const changes = new Map(comparison?.problems.map((p) => [p.id, p]));
  const ordered = [...samples].sort((a, b) => Number(a.verdict?.passed ?? false) - Number(b.verdict?.passed ?? false));
  return {
    runId: summary.runId,
    passAtK: passAtKRows(summary),
    baseline: comparison ? {runId: comparison.base.runId, passAtK: comparison.ks.map((d) => ({k: d.k, value: d.base}))} : undefined,
    problems: summary.perProblem.map((p) => ({
      id: p.id,
      rate: p.n === 0 ? null : p.passed / p.n,
      passed: p.passed,
      n: p.n,
      delta: changes.get(p.id)?.delta ?? null,
    })),
    classes: classRows(summary),
    samplesTotal: samples.length,
    // Failing samples first: they are what a reviewer opens the report for.
    samples: ordered.slice(0, maxTableSamples).map((s) => ({
      problem: s.problemId,
      index: s.sampleIndex,
      passed: s.verdict?.passed ?? false,
      errored: isInfrastructureError(s),
      class: sampleClass(s),
      result: sampleResult(s),
      code: s.code ?? '',
      log: logTail(s),
    })),
  };
}

const viewScript = `
const data = JSON.parse(document.getElementById('passk-data').textContent);
const width = Math.min(900, document.body.clientWidth - 40);
const series = data.passAtK.map((r) => ({...r, run: 'candidate'}));
const baseline = data.baseline ? data.baseline.passAtK.map((r) => ({...r, run: 'baseline'})) : [];
document.getElementById('curve').append(Plot.plot({
  width, height: 280, marginLeft: 50,
  x: {type: 'log', label: 'k', ticks: data.passAtK.map((r) => r.k), tickFormat: (k) => String(k)},
  y: {domain: [0, 1], grid: true, label: 'pass@k', tickFormat: '.0%'},
  color: {domain: ['candidate', 'baseline'], range: ['#1f77b4', '#999999'], legend: baseline.length > 0},
  marks: [
    Plot.ruleX(series, {x: 'k', y1: 'low', y2: 'high', stroke: 'run', strokeWidth: 2, className: 'passk-ci'}),
    Plot.line([...series, ...baseline], {x: 'k', y: 'value', stroke: 'run', className: 'passk-curve'}),
    Plot.dot(series, {x: 'k', y: 'value', fill: 'run', r: 4, className: 'passk-candidate', title: (r) => 'pass@' + r.k + ': ' + (r.value * 100).toFixed(1) + '% (95% CI ' + (r.low * 100).toFixed(1) + '–' + (r.high * 100).toFixed(1) + '%)'}),
    ...(baseline.length ? [Plot.dot(baseline, {x: 'k', y: 'value', fill: 'run', r: 3, className: 'passk-baseline'})] : []),
  ],
}));
const columns = Math.max(1, Math.ceil(Math.sqrt(data.problems.length * 2)));
const cells = data.problems.map((p, i) => ({...p, col: i % columns, row: Math.floor(i / columns)}));
const byChange = data.baseline !== undefined;
document.getElementById('grid').append(Plot.plot({
  width: Math.min(width, columns * 28 + 40), height: (Math.floor((cells.length - 1) / columns) + 1) * 28 + 40,
  x: {axis: null}, y: {axis: null},
  color: byChange ? {type: 'diverging', scheme: 'RdBu', domain: [-1, 1], legend: true, label: 'change in pass rate'} : {type: 'linear', scheme: 'RdYlGn', domain: [0, 1], legend: true, label: 'pass rate'},
  marks: [Plot.cell(cells, {x: 'col', y: 'row', inset: 1, className: 'passk-problems', fill: (p) => (byChange ? p.delta : p.rate), title: (p) => p.id + ': ' + p.passed + '/' + p.n + (p.delta === null ? '' : ' (' + (p.delta >= 0 ? '+' : '') + (p.delta * 100).toFixed(0) + ' points)')})],
}));
document.getElementById('classes').append(Plot.plot({
  width, height: 40 + 24 * data.classes.length, marginLeft: 160,
  x: {grid: true, label: 'samples'}, y: {label: null},
  marks: [Plot.barX(data.classes, {x: 'count', y: 'name', sort: {y: '-x'}, fill: '#4e79a7', className: 'passk-classes', title: (c) => c.name + ': ' + c.count}), Plot.ruleX([0])],
}));
const body = document.querySelector('#samples tbody');
for (const s of data.samples) {
  const tr = document.createElement('tr');
  tr.className = s.errored ? 'errored' : s.passed ? 'passed' : 'failed';
  const add = (text, pre) => { const td = document.createElement('td'); const el = pre ? document.createElement('pre') : td; el.textContent = text; if (pre) td.append(el); tr.append(td); };
  add(s.problem); add(String(s.index)); add(s.class); add(s.result); add(s.code, true); add(s.log, true);
  tr.dataset.search = [s.problem, s.class, s.result, s.code, s.log].join('\\n').toLowerCase();
  body.append(tr);
}
const search = document.getElementById('search');
const shown = document.getElementById('shown');
const filter = () => {
  const words = search.value.toLowerCase().split(/\\s+/).filter(Boolean);
  let count = 0;
  for (const tr of body.rows) { const hit = words.every((w) => tr.dataset.search.includes(w)); tr.hidden = !hit; if (hit) count++; }
  shown.textContent = String(count);
};
search.addEventListener('input', filter);
filter();
`;

const style = `
body{font:14px system-ui,sans-serif;margin:20px;color:#222}h1{font-size:20px}h2{font-size:16px;margin-top:28px}
table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:3px 6px;vertical-align:top;text-align:left}
#samples pre{margin:0;max-height:12em;overflow:auto;font-size:12px;max-width:40em}
tr.passed td:first-child{border-left:4px solid #2ca02c}tr.failed td:first-child{border-left:4px solid #d62728}tr.errored td:first-child{border-left:4px solid #ff7f0e}
.metric{font-weight:600}.fail{color:#b00}.pass{color:#070}.note{color:#555}
`;

export function renderHtml(input: ReportInput): string {
  const {summary, comparison, gate} = input;
  const data = reportData(input);
  const headline = data.passAtK
    .map((row) => `<li>pass@${row.k}: <span class="metric" data-k="${row.k}" data-value="${row.value}" data-stderr="${row.stderr}">${percent(row.value)}</span> ± ${percent(row.stderr)} (95% CI ${percent(row.low)}–${percent(row.high)})</li>`)
    .join('');
  const gateLine = gate
    ? `<p class="${gate.passed ? 'pass' : 'fail'}" id="gate">Gate ${gate.passed ? 'passed' : `failed (exit ${gate.exitCode})`}: ${gate.reasons.map(escapeHtml).join('; ')}</p>${gate.notes.map((n) => `<p class="note">${escapeHtml(n)}</p>`).join('')}`
    : '';
  const comparisonTable = comparison
    ? `<h2>Compared with ${escapeHtml(comparison.base.runId)} (${escapeHtml(comparison.base.model)})</h2><table id="comparison"><tr><th>k</th><th>baseline</th><th>candidate</th><th>Δ points</th><th>95% CI</th><th>p</th></tr>${comparison.ks
        .map((d) => `<tr><td>${d.k}</td><td>${percent(d.base)}</td><td>${percent(d.cand)}</td><td data-value="${d.mean}">${(d.mean * 100).toFixed(1)}</td><td>${(d.ci95[0] * 100).toFixed(1)} to ${(d.ci95[1] * 100).toFixed(1)}</td><td>${d.pValue.toPrecision(2)}</td></tr>`)
        .join('')}</table>`
    : '';
  const truncated = data.samples.length < data.samplesTotal ? ` (the ${data.samples.length} shown are failing samples first; the JSONL report has all ${data.samplesTotal})` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>passk ${escapeHtml(summary.runId)}: ${escapeHtml(summary.bench)}/${escapeHtml(summary.task)}</title>
<style>${style}</style></head>
<body>
<h1>passk ${escapeHtml(summary.bench)}/${escapeHtml(summary.task)} · ${escapeHtml(summary.model)}</h1>
<p>Run <code>${escapeHtml(summary.runId)}</code>: ${summary.problems} problems × n = ${summary.n}, verdict ${escapeHtml(summary.verdictMode)}, reference ceiling ${percent(summary.referenceCeiling)}${summary.complete ? '' : `, <strong class="fail">incomplete: ${summary.errors} sample(s) lost to infrastructure errors</strong>`}.</p>
<ul id="headline">${headline}</ul>
${gateLine}
${comparisonTable}
<h2>pass@k</h2><div id="curve"></div>
<h2>Problems</h2><div id="grid"></div>
<h2>Verdict classes</h2><div id="classes"></div>
<h2>Samples</h2>
<p><input id="search" type="search" placeholder="filter: problem, class, result, code, log" size="50"> <span id="shown"></span> of ${data.samples.length} shown${escapeHtml(truncated)}</p>
<table id="samples"><thead><tr><th>problem</th><th>#</th><th>class</th><th>result</th><th>code</th><th>log tail</th></tr></thead><tbody></tbody></table>
<script type="application/json" id="passk-data">${scriptJson(data)}</script>
<script>${plottingLibraries()}</script>
<script>${viewScript}</script>
</body></html>
`;
}
