/** Documented exit codes (README "Exit codes"). */
export const ExitCode = {
  ok: 0,
  /** A quality gate failed. */
  gateFailed: 1,
  /** passk could not run: usage, config, dataset, sample file, endpoint unreachable, no sandbox. */
  cannotRun: 2,
  /** The run finished, but more samples than --max-error-rate allows hit infrastructure errors. */
  tooManyErrors: 3,
  /** Stopped by SIGINT (128 + 2); the run is stored as interrupted and resumes with --resume. */
  interrupted: 130,
  /** Stopped by SIGTERM (128 + 15); as for SIGINT. */
  terminated: 143,
} as const;

/**
 * An error the user can act on. Commands print its message as one line (no stack trace) and exit
 * with its code; library code throws it for bad input instead of printing.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = ExitCode.cannotRun,
  ) {
    super(message);
    this.name = 'UserError';
  }
}
