/**
 * Reads dataset files, turning every problem into a one-line UserError, and remembers what it read
 * so the bench can name the exact data it used: `hash()` is a sha256 over (relative path, length,
 * bytes) of every file in the order read, and loaders read in a fixed order.
 */
import {createHash} from 'node:crypto';
import {readFileSync, statSync} from 'node:fs';
import path from 'node:path';
import {UserError} from '../../errors.js';

export class DatasetReader {
  private readonly digest = createHash('sha256');

  constructor(readonly root: string) {}

  /** Throws a UserError naming `what` when `dir` (relative to the root) is not a directory. */
  requireDir(dir: string, what: string): string {
    const full = path.resolve(this.root, dir);
    if (!isDirectory(full)) throw new UserError(`${what}: ${full} is not a directory`);
    return full;
  }

  exists(file: string): boolean {
    return isFile(path.resolve(this.root, file));
  }

  /** The file's text; a UserError naming `what` when it is missing. */
  read(file: string, what: string): string {
    const full = path.resolve(this.root, file);
    if (!isFile(full)) throw new UserError(`${what}: ${full} not found`);
    const bytes = readFileSync(full);
    const name = path.relative(this.root, full).split(path.sep).join('/');
    this.digest.update(`${name}\0${bytes.length}\0`);
    this.digest.update(bytes);
    return bytes.toString('utf8');
  }

  hash(): string {
    return this.digest.copy().digest('hex');
  }
}

function isDirectory(full: string): boolean {
  return statSync(full, {throwIfNoEntry: false})?.isDirectory() ?? false;
}

function isFile(full: string): boolean {
  return statSync(full, {throwIfNoEntry: false})?.isFile() ?? false;
}
