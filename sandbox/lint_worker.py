"""passk's LintSeq linter worker: one long-lived sandboxed process that lints many programs.

Usage: python3 -I lint_worker.py pylint|iverilog

Requests are JSON lines {"text": "..."} on stdin; each gets one JSON line on stdout:
  pylint:   {"messages": [[category, msg_id, line, column, msg], ...]}  (every message pylint emits)
  iverilog: {"rc": exit_status, "output": "..."}                         (stdout and stderr of `iverilog -g2012 -t null`)
  either:   {"error": "..."} when the linter itself failed on that program.
iverilog also takes {"texts": ["...", ...]}: every text as a file of its own, s0.sv, s1.sv, ..., in one
run of Icarus's compiler proper (ivl) with each file its own compilation unit (the driver's -u), and
answers {"rc", "output"} of that run. The caller makes the files independent (unique module names)
and decides which messages belong to which file (src/train/lintseq/batch.ts).
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
import re
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

    def lint(request):
        with open(path, 'w') as handle:
            handle.write(request['text'])
        reporter = CollectingReporter()
        linter.set_reporter(reporter)
        MANAGER.astroid_cache.pop(MODULE, None)
        linter.check([path])
        return {'messages': [[m.C, m.msg_id, m.line, m.column, m.msg] for m in reporter.messages]}

    return lint


def run(argv, cwd):
    done = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=30, cwd=cwd)
    return {'rc': done.returncode, 'output': done.stdout.decode('utf-8', 'replace')}


IVERILOG = ['iverilog', '-g2012', '-t', 'null']


def ivl_command(scratch):
    """How the iverilog driver runs ivl for IVERILOG, minus the preprocessor, as an argv taking a file list.

    The driver costs four processes per call (itself, a shell, ivlpp, ivl) and, with -u, a shell and
    an ivlpp more per file; starting processes is most of a short program's lint time. The driver's
    own ivl configuration is captured by running it once with a stand-in ivl (-B: its base directory
    is a copy of the real one in which ivl is replaced), so ivl gets exactly the driver's settings.
    Without an `ivlpp:` line ivl reads each listed file itself, each as its own compilation unit;
    texts holding compiler directives (a backquote) are never batched, so the preprocessor has
    nothing to do for those it reads.
    """
    probe = os.path.join(scratch, 'probe.sv')
    open(probe, 'w').close()
    translate = run([*IVERILOG, '-v', probe], scratch)['output']
    base = re.search(r'\|\s*(\S+)/ivl ', translate).group(1)
    shim = os.path.join(scratch, 'ivl-base')
    os.mkdir(shim)
    for name in os.listdir(base):
        if name != 'ivl':
            os.symlink(os.path.join(base, name), os.path.join(shim, name))
    captured = os.path.join(scratch, 'ivl-captured.conf')
    with open(os.path.join(shim, 'ivl'), 'w') as handle:
        handle.write(f'#!/bin/sh\nfor a; do case "$a" in -C*) cp "${{a#-C}}" {captured}; exit 0;; esac; done\nexit 1\n')
    os.chmod(os.path.join(shim, 'ivl'), 0o755)
    run([*IVERILOG, '-B', shim, probe], scratch)
    with open(captured) as handle:
        lines = [line.replace(shim, base) for line in handle.read().splitlines() if not line.startswith('ivlpp:')]
    config = os.path.join(scratch, 'ivl.conf')
    with open(config, 'w') as handle:
        handle.write('\n'.join(lines) + '\n')
    return [os.path.join(base, 'ivl'), f'-C{config}', '-C' + os.path.join(base, 'null.conf')]


def iverilog_linter(scratch):
    path = os.path.join(scratch, MODULE + '.sv')
    batch = os.path.join(scratch, 'batch')
    os.mkdir(batch)
    try:
        ivl = ivl_command(scratch)
    except Exception as error:  # noqa: BLE001 (batches fail, and the caller lints each text alone)
        ivl = f'no batch runs: {type(error).__name__}: {error}'

    def lint(request):
        if 'texts' not in request:
            with open(path, 'w') as handle:
                handle.write(request['text'])
            return run([*IVERILOG, path], scratch)
        if isinstance(ivl, str):
            raise RuntimeError(ivl)
        names = []
        for index, text in enumerate(request['texts']):
            names.append(f's{index}.sv')
            with open(os.path.join(batch, names[-1]), 'w') as handle:
                handle.write(text)
        with open(os.path.join(scratch, 'files'), 'w') as handle:
            handle.write(''.join(name + '\n' for name in names))
        return run([*ivl, '-F' + os.path.join(scratch, 'files')], batch)

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
            request = json.loads(line)
            with contextlib.redirect_stdout(io.StringIO()):
                reply = lint(request)
        except Exception as error:  # noqa: BLE001 (any failure is reported for that program)
            reply = {'error': f'{type(error).__name__}: {error}'}
        replies.write(json.dumps(reply) + '\n')
        replies.flush()


if __name__ == '__main__':
    main()
