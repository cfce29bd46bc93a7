/** The table `passk select` prints on a terminal. */
import type {SelectionReport} from './selection.js';

const percent = (value: number) => `${(value * 100).toFixed(2)}%`;

function describeParams(params: Record<string, number | undefined>): string {
  return Object.entries(params)
    .map(([name, value]) => `${name}=${value}`)
    .join(' ');
}

export function formatSelectionReport(report: SelectionReport): string {
  const ks = Object.keys(report.results[0]?.passAtK ?? report.sampling[0]?.passAtK ?? {}).filter((k) => k !== '1');
  const header = ['strategy', 'params', 'dedup', 'protocol', 'tasks', 'pass@1', ...ks.map((k) => `pass@${k}`)];
  const rows = [
    ...report.results.map((r) => [r.strategy, describeParams(r.params), r.dedup, r.protocol, String(r.tasks), percent(r.pass1), ...ks.map((k) => percent(r.passAtK[k]!))]),
    ...report.sampling.map((s) => ['(sampling)', '', 'weighted', s.protocol, String(s.tasks), percent(s.pass1), ...ks.map((k) => percent(s.passAtK[k]!))]),
  ];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) => '  ' + cells.map((cell, column) => (column >= 4 ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join('  ');
  const classes = Object.entries(report.taskClasses)
    .map(([name, count]) => `${name} ${count}`)
    .join(', ');
  return [
    line(header),
    ...rows.map(line),
    `  tasks: ${classes}`,
    ...Object.entries(report.conventions).map(([name, text]) => `  ${name}: ${text}`),
  ].join('\n');
}
