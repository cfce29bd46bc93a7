/**
 * What every passk command shares: --json, --db, and one error policy: a failure is one clear
 * line on stderr (or an error document with --json) and a documented exit code, never a stack
 * trace (set PASSK_DEBUG=1 for one).
 */
import {Command, Flags} from '@oclif/core';
import {ExitCode, UserError} from '../errors.js';
import {Store} from '../store/store.js';

export abstract class BaseCommand extends Command {
  static enableJsonFlag = true;

  static baseFlags = {
    db: Flags.string({
      summary: 'SQLite store holding runs, samples, verdicts and the response cache.',
      default: '.passk/passk.db',
      env: 'PASSK_DB',
      helpGroup: 'GLOBAL',
    }),
  };

  private openStores: Store[] = [];

  /** Opens the store; it is closed when the command ends, however it ends. */
  protected openStore(file: string): Store {
    const store = new Store(file);
    this.openStores.push(store);
    return store;
  }

  protected async finally(error: Error | undefined): Promise<unknown> {
    for (const store of this.openStores) store.close();
    this.openStores = [];
    return super.finally(error);
  }

  protected async catch(error: Error & {exitCode?: number; oclif?: {exit?: number}}): Promise<unknown> {
    // oclif's own flag/argument parsing errors are usage errors.
    const code = error instanceof UserError ? error.exitCode : ExitCode.cannotRun;
    // One line: oclif's multi-line usage errors ("Missing 1 required arg:\nname ...") are folded, not cut.
    const message = (error.message || String(error))
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean)
      .join(' ');
    if (process.env.PASSK_DEBUG) process.stderr.write(`${error.stack}\n`);
    if (this.jsonEnabled()) {
      process.stdout.write(JSON.stringify({error: {message, exitCode: code}}, null, 2) + '\n');
    } else {
      process.stderr.write(`passk: ${message}\n`);
    }
    process.exitCode = code;
    return undefined;
  }
}
