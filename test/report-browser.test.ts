/**
 * The HTML report in a real browser (Debian's headless Chromium driven by playwright-core), made
 * from real stored runs (replayed samples judged in the sandbox): it loads with no console errors
 * and no network requests, the plots have one mark per k / problem / class, the headline numbers
 * equal summary.json, and the search box filters the samples table. A screenshot for humans is
 * written to test-output/ (not committed).
 */
import {existsSync, mkdirSync, mkdtempSync, readFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {pathToFileURL} from 'node:url';
import {chromium, type BrowserContext, type Page} from 'playwright-core';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {openSandbox} from '../src/execute/index.js';
import type {Sandbox} from '../src/execute/sandbox.js';
import {writeReports} from '../src/report/write.js';
import {compareRuns} from '../src/score/compare.js';
import {evaluateGate} from '../src/score/gate.js';
import type {Summary} from '../src/score/summary.js';
import {Store} from '../src/store/store.js';
import {projectRoot} from './helpers/datasets.js';
import {summaryOf} from './helpers/summaries.js';
import {replayRun, writeReplayFile, wrongBody} from './helpers/replay-runs.js';

const chromiumPath = process.env.PASSK_CHROMIUM ?? '/usr/bin/chromium';
const haveChromium = existsSync(chromiumPath);
if (!haveChromium) console.warn(`skipping the HTML browser tests: no Chromium at ${chromiumPath} (apt-get install chromium, or set PASSK_CHROMIUM)`);

const ids = ['PythonMini/0', 'PythonMini/1', 'PythonMini/2', 'PythonMini/3', 'PythonMini/4', 'PythonMini/5'];
const n = 3;
const ks = [1, 2, 3];
const outputDir = path.join(projectRoot, 'test-output');

let work: string;
let sandbox: Sandbox;
let store: Store;
let context: BrowserContext;
let cand: Summary;
let withBaseline: string;
let plain: string;

interface Visit {
  page: Page;
  errors: string[];
  requests: string[];
}

async function visit(file: string): Promise<Visit> {
  const page = await context.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') errors.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('request', (request) => requests.push(request.url()));
  await page.goto(pathToFileURL(file).href, {waitUntil: 'load'});
  await page.waitForSelector('#classes svg');
  return {page, errors, requests};
}

beforeAll(async () => {
  if (!haveChromium) return;
  work = mkdtempSync(path.join(os.tmpdir(), 'passk-html-'));
  sandbox = await openSandbox({backend: 'bwrap'});
  store = new Store(path.join(work, 'passk.db'));
  // Baseline: every sample right except PythonMini/5's last; candidate: PythonMini/0 and /1 broken, /2 half right.
  const baseFile = await writeReplayFile(path.join(work, 'base.jsonl'), ids, n, (id, i) => !(id === 'PythonMini/5' && i === 2));
  const candFile = await writeReplayFile(path.join(work, 'cand.jsonl'), ids, n, (id, i) => !['PythonMini/0', 'PythonMini/1'].includes(id) && !(id === 'PythonMini/2' && i > 0));
  const base = await replayRun(store, sandbox, baseFile, ids, ks);
  cand = await replayRun(store, sandbox, candFile, ids, ks);
  const comparison = compareRuns(base, cand);
  const gate = evaluateGate(cand, comparison, {k: 1, maxRegression: 0.02});
  withBaseline = path.join(work, 'compare.html');
  plain = path.join(work, 'run.html');
  await writeReports([withBaseline, path.join(work, 'summary.json')], {summary: cand, samples: store.samples(cand.runId), comparison, gate});
  await writeReports([plain], {summary: cand, samples: store.samples(cand.runId)});
  const profile = mkdtempSync(path.join(os.tmpdir(), 'passk-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

afterAll(async () => {
  await context?.close();
  store?.close();
  await sandbox?.close();
});

describe.skipIf(!haveChromium)('HTML report in Chromium', () => {
  it('loads with no console errors and no network requests', async () => {
    for (const file of [plain, withBaseline]) {
      const {page, errors, requests} = await visit(file);
      expect(errors).toEqual([]);
      expect(requests).toEqual([pathToFileURL(file).href]);
      await page.close();
    }
  });

  it('the plots have one mark per k, per problem and per verdict class', async () => {
    const {page} = await visit(withBaseline);
    expect(await page.locator('#curve g.passk-candidate circle').count()).toBe(ks.length);
    expect(await page.locator('#curve g.passk-baseline circle').count()).toBe(ks.length);
    expect(await page.locator('#curve g.passk-ci line').count()).toBe(ks.length);
    expect(await page.locator('#grid g.passk-problems rect').count()).toBe(ids.length);
    expect(await page.locator('#classes g.passk-classes rect').count()).toBe(Object.keys(cand.classes).length);
    // Coloured by change against the baseline: the broken problems are the reddest cells.
    const titles = await page.locator('#grid g.passk-problems rect title').allTextContents();
    expect(titles).toContain('PythonMini/0: 0/3 (-100 points)');
    await page.close();
  });

  it('the headline numbers equal summary.json', async () => {
    const summary = JSON.parse(readFileSync(path.join(work, 'summary.json'), 'utf8')) as Summary;
    const {page} = await visit(withBaseline);
    const metrics = await page.locator('#headline .metric').evaluateAll((nodes) =>
      nodes.map((node) => ({k: node.getAttribute('data-k'), value: Number(node.getAttribute('data-value')), stderr: Number(node.getAttribute('data-stderr')), text: node.textContent})),
    );
    expect(metrics.map((m) => m.k)).toEqual(Object.keys(summary.passAtK));
    for (const metric of metrics) {
      const estimate = summary.passAtK[metric.k!]!;
      expect(metric.value).toBe(estimate.value);
      expect(metric.stderr).toBe(estimate.stderr);
      expect(metric.text).toBe(`${(estimate.value * 100).toFixed(1)}%`);
    }
    expect(await page.locator('#gate').textContent()).toMatch(/^Gate (passed|failed)/);
    await page.close();
  });

  it('the search box filters the samples table', async () => {
    const {page} = await visit(plain);
    const rows = page.locator('#samples tbody tr');
    expect(await rows.count()).toBe(ids.length * n);
    const visible = () => page.locator('#samples tbody tr:not([hidden])');
    await page.fill('#search', 'PythonMini/1');
    expect(await visible().count()).toBe(n);
    expect(await page.locator('#shown').textContent()).toBe(String(n));
    for (const text of await visible().locator('td:first-child').allTextContents()) expect(text).toBe('PythonMini/1');
    // Several words must all appear (in any field, any case): the same filter computed here.
    const samples = store.samples(cand.runId);
    const holding = samples.filter((s) => !s.verdict?.passed && (s.code ?? '').includes(wrongBody.trim()));
    expect(holding.length).toBe(2 * n + (n - 1));
    await page.fill('#search', 'RETURN none   failed');
    expect(await visible().count()).toBe(holding.length);
    await page.fill('#search', 'no sample says this');
    expect(await visible().count()).toBe(0);
    await page.fill('#search', '');
    expect(await visible().count()).toBe(ids.length * n);
    await page.close();
  });

  it('hostile sample text stays text: no markup, script or request comes out of a sample', async () => {
    const hostile = `    return None  # </script><img src="http://127.0.0.1:9/leak.png"><script>fetch('http://127.0.0.1:9/x')</script>\n`;
    const problems = [{id: 'H/0', n: 1, passed: 0}];
    const file = path.join(work, 'hostile.html');
    await writeReports([file], {
      summary: summaryOf('hostile', problems),
      samples: [{id: 1, runId: 'hostile', problemId: 'H/0', sampleIndex: 0, seed: 0, code: hostile, verdict: {passed: false, result: 'failed: <b>bold</b>', durationMs: 1, details: {stderrTail: '<iframe src="http://127.0.0.1:9/"></iframe>'}}}],
    });
    const {page, errors, requests} = await visit(file);
    expect(errors).toEqual([]);
    expect(requests).toEqual([pathToFileURL(file).href]);
    expect(await page.locator('#samples img, #samples iframe, #samples b').count()).toBe(0);
    expect(await page.locator('#samples tbody pre').first().textContent()).toBe(hostile);
    await page.close();
  });

  it('writes a screenshot for humans to look at', async () => {
    mkdirSync(outputDir, {recursive: true});
    const {page} = await visit(withBaseline);
    const file = path.join(outputDir, 'report-html.png');
    await page.screenshot({path: file, fullPage: true});
    expect(readFileSync(file).subarray(1, 4).toString()).toBe('PNG');
    await page.close();
  });
});
