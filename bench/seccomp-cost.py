"""What the runner's job seccomp filter (sandbox/runner.py) costs: installing it (what enter_job adds
to an exec'd step; a step forked from the zygote inherits the zygote's), and a syscall under it,
allowed after the whole table (getppid) or inspected by a rule (prlimit on itself).

    python3 bench/seccomp-cost.py [--reps 300]
"""
import argparse
import ctypes
import os
import resource
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'sandbox'))
import runner  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument('--reps', type=int, default=300)
reps = parser.parse_args().reps


def in_child(body):
    """body() in a forked child; what it returns (a list of numbers)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.write(write, repr(body()).encode())
        os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    data = b''
    while chunk := os.read(read, 1 << 16):
        data += chunk
    os.close(read)
    return eval(data)


def install():
    # As in enter_job: prctl already used once (set_dumpable), so its first-call costs are not counted.
    runner.set_dumpable(True)
    started = time.perf_counter_ns()
    runner.install_filter()
    return [time.perf_counter_ns() - started]


def calls(filtered, count=200_000):
    if filtered:
        runner.install_filter()
    result = []
    for call in (os.getppid, lambda: resource.prlimit(0, resource.RLIMIT_NOFILE)):
        started = time.perf_counter_ns()
        for _ in range(count):
            call()
        result.append((time.perf_counter_ns() - started) / count)
    return result


runner.set_dumpable(True)
times = sorted(in_child(install)[0] for _ in range(reps))
print(f'{len(runner.FILTER_CODE) // 8} BPF instructions; install (no_new_privs + the filter): median {times[len(times) // 2] / 1000:.0f} µs, '
      f'p10 {times[len(times) // 10] / 1000:.0f} µs, p90 {times[9 * len(times) // 10] / 1000:.0f} µs; load average {os.getloadavg()[0]:.2f}')
off, on = in_child(lambda: calls(False)), in_child(lambda: calls(True))
print(f'per call from Python: getppid {off[0]:.0f} → {on[0]:.0f} ns, prlimit(0) read {off[1]:.0f} → {on[1]:.0f} ns')
