"""passk's LintSeq linter worker: one long-lived sandboxed process that lints many programs.

Usage: python3 -I lint_worker.py pylint|iverilog

Requests are JSON lines {"text": "..."} on stdin; each gets one JSON line on stdout:
  pylint:   {"messages": [[category, msg_id, line, column, msg], ...]}  (every message pylint emits)
  iverilog: {"rc": exit_status, "output": "..."}                         (stdout and stderr of `iverilog -g2012 -t null`)
  either:   {"error": "..."} when the linter itself failed on that program.
Which messages count as errors is decided by the caller (src/train/lintseq/), not here.

pylint runs in process with one PyLinter reused for every request: setting it up costs far more
than checking a short program. Upstream LintSeq calls run_pylint in process too, so the astroid
cache of imported modules is shared between calls there as well; only the linted module's own
entry is dropped, so each program is parsed afresh.
"""
import contextlib
import io
import json
import os
import subprocess
import sys
import tempfile

MODULE = 'program'

# Upstream's arguments; only error-class messages are enabled, because only E, F, W0311 and
# W0231 are counted and checkers without an enabled message are skipped (a large saving).
PYLINT_ARGS = [
    '--disable=all',
    '--enable=E,F,W0311,W0231',
    '--reports=n',
    '--score=n',
    '--persistent=n',
    '--unsafe-load-any-extension=y',
    '--generated-members=cv2.*',
]


def pylint_linter(scratch):
    from astroid import MANAGER
    from pylint.lint import Run
    from pylint.reporters import CollectingReporter

    linter = Run([*PYLINT_ARGS, os.devnull], reporter=CollectingReporter(), exit=False).linter
    path = os.path.join(scratch, MODULE + '.py')

    def lint(text):
        with open(path, 'w') as handle:
            handle.write(text)
        reporter = CollectingReporter()
        linter.set_reporter(reporter)
        MANAGER.astroid_cache.pop(MODULE, None)
        linter.check([path])
        return {'messages': [[m.C, m.msg_id, m.line, m.column, m.msg] for m in reporter.messages]}

    return lint


def iverilog_linter(scratch):
    path = os.path.join(scratch, MODULE + '.sv')

    def lint(text):
        with open(path, 'w') as handle:
            handle.write(text)
        done = subprocess.run(
            ['iverilog', '-g2012', '-t', 'null', path],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            timeout=30,
            cwd=scratch,
        )
        return {'rc': done.returncode, 'output': done.stdout.decode('utf-8', 'replace')}

    return lint


def main():
    kind = sys.argv[1] if len(sys.argv) > 1 else ''
    # A directory of its own, under $TMPDIR: private to this worker whatever the sandbox backend.
    scratch = tempfile.mkdtemp(prefix='lintseq-')
    # Replies go to a private copy of stdout; whatever a linter prints lands on stderr.
    replies = os.fdopen(os.dup(1), 'w', encoding='utf-8')
    os.dup2(2, 1)
    lint = {'pylint': pylint_linter, 'iverilog': iverilog_linter}[kind](scratch)
    replies.write(json.dumps({'ready': kind}) + '\n')
    replies.flush()
    for line in sys.stdin:
        try:
            text = json.loads(line)['text']
            with contextlib.redirect_stdout(io.StringIO()):
                reply = lint(text)
        except Exception as error:  # noqa: BLE001 (any failure is reported for that program)
            reply = {'error': f'{type(error).__name__}: {error}'}
        replies.write(json.dumps(reply) + '\n')
        replies.flush()


if __name__ == '__main__':
    main()
