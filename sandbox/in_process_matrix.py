"""The reference scripts' way of filling a passing matrix (B4, CodeT; shared/specs/selection.md 8.5),
kept as a diagnosis and as a benchmark baseline, never as a verdict: one forked child per solution
runs the program and then each assert in its own interpreter, under an alarm per assert, and writes
its row to the parent; the parent kills a child past its hard deadline. The sample shares its
process with its verdict here, so it could forge it: passk's matrix comes from the strict checker.

Job (job.json): {programs: [str], tests: [str], loadTimeoutS, testTimeoutS}.
Output: one JSON line per program, {"loaded": status, "results": [status per test]}, a status being
"passed", "timed out" or "failed: <exception type>" ("killed" for a child past its deadline).
"""
import json
import os
import select
import signal
import sys
import time


class Alarm(BaseException):
    pass


def ring(signum, frame):
    raise Alarm()


def timed(source, seconds, namespace):
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        exec(compile(source, 'program.py', 'exec'), namespace)
        return 'passed'
    except Alarm:
        return 'timed out'
    except BaseException as error:
        return 'failed: ' + type(error).__name__
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def child(program, job, out):
    os.setsid()
    os.dup2(2, 1)
    signal.signal(signal.SIGALRM, ring)
    namespace = {'__name__': '__main__'}
    loaded = timed(program, job['loadTimeoutS'], namespace)
    results = [timed(test, job['testTimeoutS'], dict(namespace)) for test in job['tests']] if loaded == 'passed' else []
    os.write(out, json.dumps({'loaded': loaded, 'results': results}).encode())
    os._exit(0)


def row(program, job):
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        try:
            child(program, job, write_end)
        finally:
            os._exit(1)
    os.close(write_end)
    deadline = time.monotonic() + job['loadTimeoutS'] + job['testTimeoutS'] * len(job['tests']) + 1
    data = b''
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([read_end], [], [], left)[0]:
            data = b''
            break
        chunk = os.read(read_end, 1 << 16)
        if not chunk:
            break
        data += chunk
    os.close(read_end)
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        pass
    os.waitpid(pid, 0)
    try:
        return json.loads(data)
    except ValueError:
        return {'loaded': 'killed', 'results': []}


def main():
    with open('job.json', encoding='utf-8') as file:
        job = json.load(file)
    rows = [row(program, job) for program in job['programs']]
    sys.stdout.write(''.join(json.dumps(r) + '\n' for r in rows))


if __name__ == '__main__':
    main()
