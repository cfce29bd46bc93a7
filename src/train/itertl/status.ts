/** `passk datagen status`: each round's stage, models and curve, read from the round manifests. */
import {existsSync, readdirSync} from 'node:fs';
import path from 'node:path';
import {UserError} from '../../errors.js';
import {readJson} from './files.js';
import type {RoundCurve, RoundManifest, RunFile} from './manifest.js';

export interface RoundStatus {
  round: number;
  state: RoundManifest['state'];
  model: string;
  served?: string;
  adapter?: string;
  curve?: RoundCurve;
  kept_by_filter?: Record<string, number>;
}

export interface ItertlStatus {
  out: string;
  name: string;
  rounds: RoundStatus[];
}

export function readStatus(folder: string): ItertlStatus {
  const out = path.resolve(folder);
  const run = readJson<RunFile>(path.join(out, 'run.json'));
  if (!run) throw new UserError(`${out} holds no ITERTL run (no run.json)`);
  const rounds = readdirSync(out)
    .flatMap((name) => /^round-(\d+)$/.exec(name)?.[1] ?? [])
    .map(Number)
    .sort((a, b) => a - b)
    .flatMap((round) => {
      const file = path.join(out, `round-${round}`, 'manifest.json');
      const manifest = existsSync(file) ? readJson<RoundManifest>(file) : undefined;
      if (!manifest) return [];
      const status: RoundStatus = {round, state: manifest.state, model: manifest.model};
      if (manifest.serve) status.served = manifest.serve.model;
      if (manifest.train) status.adapter = manifest.train.adapter;
      if (manifest.curve) status.curve = manifest.curve;
      if (manifest.counts?.by_filter) status.kept_by_filter = Object.fromEntries(Object.entries(manifest.counts.by_filter).map(([name, counts]) => [name, counts.pass + counts.skipped]));
      return [status];
    });
  return {out, name: run.name, rounds};
}

const percent = (x: number | undefined) => (x === undefined ? '–' : `${(x * 100).toFixed(1)}%`);

export function formatStatus(status: ItertlStatus): string {
  const ks = [...new Set(status.rounds.flatMap((r) => Object.keys(r.curve?.eval_pass_at_k ?? {})))].sort((a, b) => Number(a) - Number(b));
  const header = ['round', 'state', 'model', 'samples', 'kept', 'kept %', 'pass rate', ...ks.map((k) => `eval pass@${k}`)];
  const lines = status.rounds.map((r) => [
    String(r.round),
    r.state,
    r.served ? `${r.model} → ${r.served}` : r.model,
    String(r.curve?.samples ?? '–'),
    String(r.curve?.kept ?? '–'),
    percent(r.curve?.kept_fraction),
    percent(r.curve?.pass_rate),
    ...ks.map((k) => percent(r.curve?.eval_pass_at_k?.[k])),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((line) => line[i]!.length)));
  const row = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd();
  return [`${status.name} (${status.out})`, row(header), ...lines.map(row)].join('\n');
}
