/**
 * A round folder's files. Records are appended one line each, keyed, so a stage killed at any point
 * resumes by skipping the keys already there; whole files (manifests, exports) are written to a
 * temporary name and renamed into place, so a reader never sees half of one.
 */
import {appendFileSync, existsSync, readFileSync, renameSync, truncateSync, writeFileSync} from 'node:fs';

export interface Keyed {
  key: string;
}

/**
 * The records of an append-only JSONL file by key. A last line cut short by a kill (no newline, or
 * not JSON) is cut off the file, so the next append starts on a line of its own.
 */
export function readRecords<T extends Keyed>(file: string): Map<string, T> {
  const records = new Map<string, T>();
  if (!existsSync(file)) return records;
  const text = readFileSync(file, 'utf8');
  let end = 0;
  for (const line of text.split('\n').slice(0, -1)) {
    let record: T;
    try {
      record = JSON.parse(line) as T;
    } catch {
      break;
    }
    // The first record of a key wins: a later copy could only come from two writers, which the run lock prevents.
    if (!records.has(record.key)) records.set(record.key, record);
    end += Buffer.byteLength(line) + 1;
  }
  if (end < Buffer.byteLength(text)) truncateSync(file, end);
  return records;
}

export function appendRecord(file: string, record: Keyed): void {
  appendFileSync(file, JSON.stringify(record) + '\n');
}

export function writeAtomic(file: string, text: string): void {
  const partial = `${file}.partial`;
  writeFileSync(partial, text);
  renameSync(partial, file);
}

export function writeJsonAtomic(file: string, value: unknown): void {
  writeAtomic(file, JSON.stringify(value, null, 2) + '\n');
}

export function readJson<T>(file: string): T | undefined {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as T) : undefined;
}

export function jsonl(rows: readonly unknown[]): string {
  return rows.map((row) => JSON.stringify(row) + '\n').join('');
}
