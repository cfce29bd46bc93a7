/**
 * Report files by extension (`-o FILE`, repeatable): .json the summary (with the comparison and gate
 * when there are), .jsonl one line per sample, .junit.xml, .md, .html. Checked before a run starts,
 * so a typo in a file name does not cost a whole evaluation.
 */
import {createWriteStream} from 'node:fs';
import {access, constants, mkdir, writeFile} from 'node:fs/promises';
import {once} from 'node:events';
import path from 'node:path';
import {UserError} from '../errors.js';
import {resultLine} from '../score/summary.js';
import {renderHtml} from './html.js';
import {renderJunit} from './junit.js';
import {renderMarkdown} from './markdown.js';
import type {ReportInput} from './model.js';

const kinds = ['.junit.xml', '.jsonl', '.json', '.md', '.html'] as const;
export type ReportKind = (typeof kinds)[number];

export function reportKind(file: string): ReportKind {
  const kind = kinds.find((extension) => file.toLowerCase().endsWith(extension));
  if (!kind) throw new UserError(`cannot tell the report format of ${file}: use one of ${kinds.join(', ')}`);
  return kind;
}

/** Fails before a long run, not after it, on an unknown extension or a folder that cannot be written. */
export async function checkReportFiles(files: string[]): Promise<void> {
  for (const file of files) {
    reportKind(file);
    const dir = path.dirname(path.resolve(file));
    try {
      await mkdir(dir, {recursive: true});
      await access(dir, constants.W_OK);
    } catch (error) {
      throw new UserError(`cannot write the report ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  }
}

async function writeJsonLines(file: string, input: ReportInput): Promise<void> {
  const out = createWriteStream(file);
  for (const sample of input.samples) {
    if (!out.write(JSON.stringify(resultLine(sample)) + '\n')) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

function summaryDocument({summary, comparison, gate}: ReportInput): Record<string, unknown> {
  return {...summary, ...(comparison ? {comparison} : {}), ...(gate ? {gate} : {})};
}

export async function writeReports(files: string[], input: ReportInput): Promise<void> {
  for (const file of files) {
    const kind = reportKind(file);
    if (kind === '.jsonl') {
      await writeJsonLines(file, input);
      continue;
    }
    const text =
      kind === '.json'
        ? JSON.stringify(summaryDocument(input), null, 2) + '\n'
        : kind === '.junit.xml'
          ? renderJunit(input)
          : kind === '.md'
            ? renderMarkdown(input)
            : renderHtml(input);
    await writeFile(file, text);
  }
}
