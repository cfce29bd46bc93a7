"""passk's in-container runner: the main process (PID 1) of every warm sandbox container.

The host streams jobs as JSON lines on stdin and reads one JSON line per job on stdout. Each job
gets an empty /work (a size-capped tmpfs), its files, and its steps run one after another with the
job's limits: a wall-clock deadline, RLIMIT_AS/FSIZE/CORE/NOFILE, a resident-memory watchdog over
all of the job's processes, and output caps (the first bytes are kept, the step is killed). When a
step's main process ends, every other process of the job is killed, as a bubblewrap pid namespace
does; after the job, /work, /tmp, /dev/shm, POSIX message queues and SysV IPC objects are emptied,
so nothing of one job is there for the next.

Why PID 1 and not under an init: jobs run under the same uid as the runner (all capabilities are
dropped, so it cannot switch uids), and a job's kill(-1) reaches every process of its uid except
PID 1, which also ignores every signal it has no handler for. As PID 1 the runner reaps orphans
itself. It is also non-dumpable, so jobs cannot ptrace it or read its memory.

The same uid would still let a job re-limit, renice or re-schedule the runner, its zygote or (in
strict Python) the checker from the candidate: prlimit(1, RLIMIT_NOFILE, (3, 3)) made the runner
fail mid-job, and an infrastructure error takes the sample out of pass@k's n. So every job process
runs under a seccomp filter (`job_filter`, installed in `enter_job` or, once, in the zygote; inherited
by everything the job starts) that refuses with EPERM: prlimit64 that sets another process's limits, setpriority and
ioprio_set on anything but itself or its own process group (PRIO_USER with who 0 means the whole
uid), sched_setscheduler/setparam/setaffinity/setattr on another pid, and ptrace, process_vm_readv,
process_vm_writev and pidfd_getfd. What a job does to itself still works (setrlimit, nice, affinity
and policy with pid 0); what does not is naming itself by pid or tid (prlimit(getpid(), ...),
pthread_setaffinity_np), which the filter cannot tell from another process. Foreign syscall ABIs
(i386 through int 0x80, x32) are refused whole. On an architecture the filter has no table for, or
a kernel that refuses it, the runner does not start: no job runs unprotected.

`python3 -I <file> ...` steps are forked from a zygote (a fresh `python3 -I` that never sees job
data) instead of starting an interpreter: the child is set up as `python3 -I <file>` would be
(argv, __main__, stdio, limits, session) and runs the file, which saves the interpreter's start-up
(about 15 ms a program). A sample's program starts with only the modules a fresh interpreter has;
a `warm` step (passk's own checker or launcher, never sample code) keeps the zygote's imports
(json, ctypes, re, typing, ...), which saves it importing them again. What still tells it apart: it shares the zygote's str hash seed (random
per zygote, not per program), and /proc/self/cmdline shows the zygote's command line.
"""
import sys

# What a fresh `python3 -I script.py` has imported when the script's first line runs; the zygote's
# children drop every other module, so the program imports them anew as it would in a fresh process.
STARTUP_MODULES = frozenset(sys.modules)

import base64  # noqa: E402 (after the snapshot above, on purpose)
import ctypes
import io
import json
import os
import resource
import selectors
import signal
import socket
import struct
import time

PROTOCOL = 1
WORK = '/work'
SCRATCH_DIRS = (WORK, '/tmp', '/dev/shm', '/dev/mqueue')
MEMORY_POLL_S = 0.1
ZYGOTE_REPLY_S = 2.0
READ_CHUNK = 1 << 16

libc = ctypes.CDLL(None, use_errno=True)
PR_SET_DUMPABLE = 4
IPC_RMID = 0


def set_dumpable(flag):
    libc.prctl(PR_SET_DUMPABLE, 1 if flag else 0, 0, 0, 0)


# ---- the job's seccomp filter (see the docstring) -------------------------------------------

AUDIT_ARCH = {'x86_64': 0xC000003E, 'aarch64': 0xC00000B7}
# (x86_64, aarch64), from asm/unistd_64.h and asm-generic/unistd.h.
SYSCALLS = {
    'prlimit64': (302, 261),
    'setpriority': (141, 140),
    'ioprio_set': (251, 30),
    'sched_setparam': (142, 118),
    'sched_setscheduler': (144, 119),
    'sched_setaffinity': (203, 122),
    'sched_setattr': (314, 274),
    'ptrace': (101, 117),
    'process_vm_readv': (310, 270),
    'process_vm_writev': (311, 271),
    'pidfd_getfd': (438, 438),
}
# Which rule below each syscall jumps to.
RULES = {
    'prlimit64': 'prlimit',
    'setpriority': 'setpriority',
    'ioprio_set': 'ioprio_set',
    'sched_setparam': 'own_pid',
    'sched_setscheduler': 'own_pid',
    'sched_setaffinity': 'own_pid',
    'sched_setattr': 'own_pid',
    'ptrace': 'deny',
    'process_vm_readv': 'deny',
    'process_vm_writev': 'deny',
    'pidfd_getfd': 'deny',
}
X32_SYSCALL_BIT = 0x40000000
PRIO_USER, IOPRIO_WHO_USER = 2, 3
LD_ABS, JEQ, JGE, RET = 0x20, 0x15, 0x35, 0x06  # BPF_LD|W|ABS, BPF_JMP|JEQ|K, BPF_JMP|JGE|K, BPF_RET|K
RET_ALLOW, RET_EPERM = 0x7FFF0000, 0x00050001  # SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO | EPERM
# struct seccomp_data: nr, arch, instruction pointer, then six 64-bit args (little-endian: low word first).
NR, ARCH = 0, 4


def arg_low(index):
    return 16 + 8 * index


def arg_high(index):
    return 20 + 8 * index


def job_filter(machine):
    """The classic BPF program, as bytes of struct sock_filter; None for an architecture without a table."""
    if machine not in AUDIT_ARCH:
        return None
    column = 0 if machine == 'x86_64' else 1
    # (code, jump if true, jump if false, k); a jump is a label or 0 (the next instruction).
    program = [(LD_ABS, 0, 0, ARCH), (JEQ, 0, 'deny', AUDIT_ARCH[machine]), (LD_ABS, 0, 0, NR)]
    if machine == 'x86_64':
        program.append((JGE, 'deny', 0, X32_SYSCALL_BIT))
    program += [(JEQ, RULES[name], 0, numbers[column]) for name, numbers in SYSCALLS.items()]
    program += [
        (RET, 0, 0, RET_ALLOW),
        # prlimit64(pid, resource, new, old): setting (new != NULL) another pid's limits. pid_t is
        # the low word; a negative pid is not 0 either.
        'prlimit', (LD_ABS, 0, 0, arg_low(0)), (JEQ, 'allow', 0, 0),
        (LD_ABS, 0, 0, arg_low(2)), (JEQ, 0, 'deny', 0),
        (LD_ABS, 0, 0, arg_high(2)), (JEQ, 'allow', 'deny', 0),
        # setpriority(which, who, prio): who 0 is the caller (or its process group), except for PRIO_USER.
        'setpriority', (LD_ABS, 0, 0, arg_low(0)), (JEQ, 'deny', 'who', PRIO_USER),
        'ioprio_set', (LD_ABS, 0, 0, arg_low(0)), (JEQ, 'deny', 'who', IOPRIO_WHO_USER),
        'who', (LD_ABS, 0, 0, arg_low(1)), (JEQ, 'allow', 'deny', 0),
        'own_pid', (LD_ABS, 0, 0, arg_low(0)), (JEQ, 'allow', 'deny', 0),
        'allow', (RET, 0, 0, RET_ALLOW),
        'deny', (RET, 0, 0, RET_EPERM),
    ]
    labels, instructions = {}, []
    for item in program:
        if isinstance(item, str):
            labels[item] = len(instructions)
        else:
            instructions.append(item)
    encoded = b''
    for index, (code, jt, jf, k) in enumerate(instructions):
        offsets = [labels[jump] - index - 1 if isinstance(jump, str) else jump for jump in (jt, jf)]
        encoded += struct.pack('=HBBI', code, offsets[0], offsets[1], k)
    return encoded


class SockFprog(ctypes.Structure):
    _fields_ = [('len', ctypes.c_ushort), ('filter', ctypes.c_void_p)]


# Built once here, so that a forked job only makes the two prctl calls.
FILTER_CODE = job_filter(os.uname().machine)
FILTER_BUFFER = None if FILTER_CODE is None else ctypes.create_string_buffer(FILTER_CODE, len(FILTER_CODE))
FILTER = None if FILTER_CODE is None else SockFprog(len(FILTER_CODE) // 8, ctypes.addressof(FILTER_BUFFER))
PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2
# True in the zygote, which installs the filter once for every program it forks.
FILTERED = False


def install_filter():
    # no_new_privs is what lets an unprivileged process install a filter.
    if libc.prctl(PR_SET_NO_NEW_PRIVS, ctypes.c_ulong(1), ctypes.c_ulong(0), ctypes.c_ulong(0), ctypes.c_ulong(0)) != 0 or \
            libc.prctl(PR_SET_SECCOMP, ctypes.c_ulong(SECCOMP_MODE_FILTER), ctypes.byref(FILTER), ctypes.c_ulong(0), ctypes.c_ulong(0)) != 0:
        error = ctypes.get_errno()
        raise OSError(error, f'cannot install the job seccomp filter: {os.strerror(error)}')
    global FILTERED
    FILTERED = True


def check_filter():
    """Before serving: the filter exists for this machine and, in a child, refuses what it must."""
    if FILTER is None:
        raise RuntimeError(f'no job seccomp filter for architecture {os.uname().machine} (passk knows {", ".join(AUDIT_ARCH)})')
    pid = os.fork()
    if pid == 0:
        status = 1
        try:
            install_filter()
            limit = resource.prlimit(os.getppid(), resource.RLIMIT_NOFILE)
            try:
                resource.prlimit(os.getppid(), resource.RLIMIT_NOFILE, limit)
            except PermissionError:
                status = 0
        except BaseException as error:
            os.write(2, f'passk-runner: {error}\n'.encode())
        os._exit(status)
    _, status = os.waitpid(pid, 0)
    if status != 0:
        raise RuntimeError('the job seccomp filter cannot be installed or does not refuse prlimit on another process')


def enter_job(fds, limits):
    """In a freshly forked process: the job's session, stdio, limits and working directory."""
    os.setsid()
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
    os.closerange(3, 1 << 16)
    # As after an exec: the job's /proc/self is its own; the runner's stays closed to it.
    set_dumpable(True)
    # When the container's memory cgroup runs out, the kernel kills the job, not the runner.
    fd = os.open('/proc/self/oom_score_adj', os.O_WRONLY)
    os.write(fd, b'1000')
    os.close(fd)
    for name, value in (
        (resource.RLIMIT_AS, limits['memoryBytes']),
        (resource.RLIMIT_FSIZE, limits['maxFileBytes']),
        (resource.RLIMIT_CORE, 0),
        (resource.RLIMIT_NOFILE, limits['openFiles']),
    ):
        resource.setrlimit(name, (value, value))
    os.chdir(WORK)
    # Last: from here on the job cannot touch any process but its own (see the docstring). The
    # zygote's children have it already: installing costs a few hundred µs (the kernel compiles it).
    if not FILTERED:
        install_filter()


def spawn_exec(executable, argv, env, fds, limits):
    """Forks and execs `executable` (argv[0] already looked up on PATH, or None when not found)."""
    pid = os.fork()
    if pid == 0:
        try:
            enter_job(fds, limits)
            # Python ignores these; an exec'd program must get the default (e.g. SIGXFSZ kills `head`).
            for signum in (signal.SIGPIPE, signal.SIGXFSZ):
                signal.signal(signum, signal.SIG_DFL)
            if executable is None:
                raise FileNotFoundError(2, 'No such file or directory')
            os.execve(executable, argv, env)
        except OSError as error:
            os.write(2, f'passk-runner: execvp {argv[0]}: {error.strerror}\n'.encode())
        finally:
            os._exit(127)
    return pid


# ---- zygote side ---------------------------------------------------------------------------


def zygote(channel_fd):
    """Forks `python3 -I <file>` programs on request; never sees a job's files or output."""
    set_dumpable(False)
    # Under the job filter itself, so that its children need not install it (it needs no other process).
    install_filter()
    # What passk's checker and the programs it loads import besides the runner's own modules (warm steps).
    import linecache, typing  # noqa: F401, E401

    channel = socket.socket(fileno=channel_fd)
    stdio = [(f.encoding, f.errors, f.line_buffering, f.write_through) for f in (sys.__stdin__, sys.__stdout__, sys.__stderr__)]
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(channel, 1 << 16, 3)
        except OSError:
            os._exit(0)
        if not message:
            os._exit(0)
        request = json.loads(message)
        middle = os.fork()
        if middle == 0:
            # Double fork: the program is orphaned to the runner (PID 1), which waits for it as for
            # any exec'd step, and its parent is PID 1 as in an exec'd step.
            try:
                child = os.fork()
                if child == 0:
                    run_program(request, fds, stdio)
                channel.send(str(child).encode())
            finally:
                os._exit(0)
        for fd in fds:
            os.close(fd)
        os.waitpid(middle, 0)


def run_program(request, fds, stdio):
    status = 127
    try:
        while os.getppid() != 1:
            time.sleep(0.0001)
        enter_job(fds, request['limits'])
        status = python_main(request['argv'], stdio, request.get('warm', False))
    finally:
        os._exit(status)


def python_main(argv, stdio, warm):
    """Runs argv[2] as `python3 -I` runs a script (argv is ['python3', '-I', file, *args])."""
    if not warm:
        for name in [name for name in sys.modules if name not in STARTUP_MODULES]:
            del sys.modules[name]
    streams = []
    for fd, (name, mode), (encoding, errors, line_buffering, write_through) in zip(range(3), (('stdin', 'r'), ('stdout', 'w'), ('stderr', 'w')), stdio):
        # As CPython's create_stdio: closefd=False, newline '\n', the raw file named <stdin> etc.
        buffer = io.open(fd, mode + 'b', -1, closefd=False)
        buffer.raw.name = f'<{name}>'
        stream = io.TextIOWrapper(buffer, encoding, errors, '\n', line_buffering, write_through)
        stream.mode = mode
        streams.append(stream)
    sys.stdin, sys.stdout, sys.stderr = streams
    sys.__stdin__, sys.__stdout__, sys.__stderr__ = streams
    script = argv[2]
    # CPython makes the script's path absolute by joining it to the cwd, without normalising.
    filename = os.getcwd() + '/' + script
    main = type(sys)('__main__')
    main.__file__ = filename
    main.__cached__ = None
    main.__annotations__ = {}
    main.__builtins__ = sys.modules['builtins']
    main.__loader__ = sys.modules['_frozen_importlib_external'].SourceFileLoader('__main__', filename)
    sys.modules['__main__'] = main
    sys.argv = argv[2:]
    sys.orig_argv = list(argv)
    status = 0
    interrupted = False
    try:
        with open(filename, 'rb') as file:
            source = file.read()
        code = compile(source, filename, 'exec', dont_inherit=True)
        exec(code, main.__dict__)
    except SystemExit as exit_:
        status = exit_status(exit_)
    except BaseException as error:
        # Skip this frame: a traceback starts at the script's <module> (none for a SyntaxError), as in a fresh interpreter.
        traceback = error.__traceback__.tb_next
        error.__traceback__ = traceback
        sys.last_exc = sys.last_value = error
        sys.last_type = type(error)
        sys.last_traceback = traceback
        try:
            sys.excepthook(type(error), error, traceback)
        except BaseException:
            pass
        status = 1
        interrupted = isinstance(error, KeyboardInterrupt)
    status = finalize(status)
    if interrupted:
        # CPython re-raises an unhandled KeyboardInterrupt as death by SIGINT.
        signal_module = sys.modules['_signal']
        signal_module.signal(signal_module.SIGINT, signal_module.SIG_DFL)
        os.kill(os.getpid(), signal_module.SIGINT)
    return status


def exit_status(exit_):
    code = exit_.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code if -(1 << 31) <= code < 1 << 31 else -1
    try:
        sys.stderr.write(f'{code}\n')
    except BaseException:
        pass
    return 1


def finalize(status):
    """What Py_FinalizeEx does before the process ends: join threads, run atexit, flush stdio."""
    threading = sys.modules.get('threading')
    if threading is not None:
        try:
            threading._shutdown()
        except BaseException:
            pass
    import atexit

    atexit._run_exitfuncs()
    # As CPython's flush_std_files: a failed stdout flush is reported, a failed stderr flush is not; either means exit status 120.
    try:
        sys.stdout.flush()
    except BaseException as error:
        status = 120
        import traceback

        try:
            sys.stderr.write('Exception ignored on flushing sys.stdout:\n' + ''.join(traceback.format_exception_only(error)))
        except BaseException:
            pass
    try:
        sys.stderr.flush()
    except BaseException:
        status = 120
    return status


# ---- runner side ---------------------------------------------------------------------------


def write_line(message):
    data = json.dumps(message, separators=(',', ':')).encode() + b'\n'
    view = memoryview(data)
    while view:
        view = view[os.write(1, view):]


class HostGone(Exception):
    pass


class Zygote:
    def __init__(self, env, baseline):
        self.env = env
        # It inherits the runner's limits, priority and CPUs, and should keep them.
        self.baseline = baseline
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.channel = ours
        self.pid = os.fork()
        if self.pid == 0:
            try:
                os.setsid()
                devnull = os.open('/dev/null', os.O_RDONLY)
                os.dup2(devnull, 0)
                os.dup2(2, 1)
                os.dup2(theirs.fileno(), 3)
                os.set_inheritable(3, True)
                os.closerange(4, 1 << 16)
                os.execve(sys.executable, [sys.executable, '-I', os.path.abspath(__file__), '--zygote'], env)
            finally:
                os._exit(127)
        theirs.close()

    def tampered(self):
        """True when a job stopped, reniced or re-limited the zygote (same uid: it may): then it must go."""
        return process_state(self.pid) != self.baseline

    def spawn(self, argv, fds, limits, warm):
        """The pid of the forked program, or None when the zygote does not answer."""
        try:
            socket.send_fds(self.channel, [json.dumps({'argv': argv, 'limits': limits, 'warm': warm}).encode()], list(fds))
            self.channel.settimeout(ZYGOTE_REPLY_S)
            return int(self.channel.recv(64))
        except (OSError, ValueError):
            return None

    def close(self):
        self.channel.close()
        try:
            os.kill(self.pid, signal.SIGKILL)
        except OSError:
            pass


def process_state(pid):
    """What a job of the same uid could change about another process and its future children."""
    try:
        with open(f'/proc/{pid}/limits') as limits, open(f'/proc/{pid}/stat') as stat:
            fields = stat.read().rsplit(')', 1)[1].split()
            # State, nice (stat fields 3 and 19), the rlimits, the CPUs it may run on, scheduling policy and real-time priority.
            return (fields[0] in 'SR', fields[16], limits.read(), tuple(sorted(os.sched_getaffinity(pid))),
                    os.sched_getscheduler(pid), os.sched_getparam(pid).sched_priority)
    except OSError:
        return None


class Runner:
    def __init__(self):
        self.inbox = bytearray()
        self.reaped = {}
        self.zygote = None
        # Set when some process of a job could not be killed: the container must be replaced.
        self.stuck = False
        self.commands = {}
        self.oom_events = next((p for p in ('/sys/fs/cgroup/memory.events', '/sys/fs/cgroup/memory/memory.oom_control') if os.path.exists(p)), None)
        self.baseline = process_state(os.getpid())

    # -- host channel

    def read_request(self):
        while True:
            end = self.inbox.find(b'\n')
            if end >= 0:
                line = bytes(self.inbox[:end])
                del self.inbox[: end + 1]
                return json.loads(line)
            data = os.read(0, READ_CHUNK)
            if not data:
                return None
            self.inbox += data

    def check_host(self):
        """Called when stdin is readable during a job: end-of-file means passk is gone."""
        data = os.read(0, READ_CHUNK)
        if not data:
            raise HostGone()
        self.inbox += data

    # -- processes

    def reap(self):
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            self.reaped[pid] = status
            if self.zygote is not None and pid == self.zygote.pid:
                self.zygote.channel.close()
                self.zygote = None

    def job_pids(self):
        spared = {1, os.getpid()} | ({self.zygote.pid} if self.zygote else set())
        return [int(name) for name in os.listdir('/proc') if name.isdigit() and int(name) not in spared]

    def kill_job(self):
        """SIGKILLs every process but the runner and the zygote until none is left; False if some survive."""
        for _ in range(2000):
            self.reap()
            pids = self.job_pids()
            if not pids:
                return True
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            time.sleep(0.001)
        self.stuck = True
        return False

    def job_resident_bytes(self):
        kib = 0
        for pid in self.job_pids():
            try:
                with open(f'/proc/{pid}/status', 'rb') as file:
                    for line in file:
                        if line.startswith(b'VmRSS:'):
                            kib += int(line.split()[1])
                            break
            except (OSError, ValueError):
                pass
        return kib * 1024

    def oom_kills(self):
        if self.oom_events is None:
            return 0
        try:
            with open(self.oom_events, 'rb') as file:
                for line in file:
                    if line.startswith(b'oom_kill '):
                        return int(line.split()[1])
        except OSError:
            pass
        return 0

    # -- commands

    def resolve(self, name, path):
        """execvp's PATH search, done here once per command: in the forked child it costs a millisecond or more
        (every object it touches copies a page of the runner). The PATH directories are read-only."""
        if '/' in name:
            return name
        if (path, name) not in self.commands:
            candidates = (os.path.join(directory, name) for directory in path.split(':') if directory)
            self.commands[path, name] = next((c for c in candidates if os.path.isfile(c) and os.access(c, os.X_OK)), None)
        return self.commands[path, name]

    def fast_python(self, argv, env, job):
        """True when argv is `python3 -I <file> ...` with the interpreter this runner is."""
        if not job['fastPython'] or len(argv) < 3 or argv[:2] != ['python3', '-I']:
            return False
        script = argv[2]
        if script.startswith('-') or not os.path.isfile(os.path.join(WORK, script)):
            return False
        found = self.resolve('python3', env.get('PATH', ''))
        return found is not None and os.path.realpath(found) == os.path.realpath(sys.executable)

    def ensure_zygote(self, env):
        if self.zygote is not None and self.zygote.env != env:
            self.zygote.close()
            self.kill_job()
            self.zygote = None
        if self.zygote is None:
            self.zygote = Zygote(env, self.baseline)
        return self.zygote

    def spawn(self, step, env, fds, job):
        """The step's main process, and whether it was forked from the zygote."""
        argv, limits = step['argv'], job['limits']
        if self.fast_python(argv, env, job):
            pid = self.ensure_zygote(env).spawn(argv, fds, limits, step.get('warm', False))
            if pid is not None:
                return pid, True
            # A zygote that does not answer (stopped or killed by a job) is replaced next time.
            self.zygote.close()
            self.zygote = None
            self.kill_job()
        return spawn_exec(self.resolve(argv[0], env.get('PATH', '')), argv, env, fds, limits), False

    # -- jobs

    def run_job(self, job):
        steps = []
        try:
            for name, content in job['files']:
                if name.startswith('/') or '..' in name.split('/'):
                    raise ValueError(f'job file name escapes the working directory: {name}')
                target = os.path.join(WORK, name)
                os.makedirs(os.path.dirname(target), exist_ok=True)
                with open(target, 'wb') as file:
                    file.write(base64.b64decode(content))
            stdin = None if job['stdin'] is None else base64.b64decode(job['stdin'])
            for step in job['steps']:
                result = self.run_step(step, job, stdin)
                steps.append(result)
                # As stepSucceeded() in src/execute/job.ts.
                ok = result['exitCode'] == 0 and not result['timedOut'] and not result['truncated']
                if not ok and job['stopOnFailure']:
                    break
        except HostGone:
            raise
        except Exception as error:  # the sandbox failed, not the code: reported as an infrastructure error
            return {'id': job['id'], 'steps': steps, 'error': f'runner: {type(error).__name__}: {error}', 'recycle': True}
        limited = any(s['timedOut'] or s['oom'] or s['truncated'] or s['signal'] == signal.SIGKILL for s in steps)
        # A job may lower the runner's priority or limits (same uid); its children would inherit them.
        tampered = process_state(os.getpid()) != self.baseline
        return {'id': job['id'], 'steps': steps, 'recycle': limited or self.stuck or tampered}

    def run_step(self, step, job, stdin):
        limits = job['limits']
        cap = limits['maxOutputBytes']
        merge = step['merge']
        out_r, out_w = os.pipe()
        err_r, err_w = (out_r, out_w) if merge else os.pipe()
        if stdin is None:
            in_r, in_w = os.open('/dev/null', os.O_RDONLY), None
        else:
            in_r, in_w = os.pipe()
        self.reaped.clear()
        oom_before = self.oom_kills()
        started = time.monotonic()
        pid, forked = self.spawn(step, job['env'], (in_r, out_w, err_w), job)
        for fd in {in_r, out_w, err_w}:
            os.close(fd)
        captured = {out_r: bytearray(), err_r: bytearray()}
        selector = selectors.DefaultSelector()
        for fd in captured:
            selector.register(fd, selectors.EVENT_READ, 'output')
        pending = memoryview(stdin) if in_w is not None else None
        if in_w is not None:
            os.set_blocking(in_w, False)
            selector.register(in_w, selectors.EVENT_WRITE, 'stdin')
        pidfd = os.pidfd_open(pid)
        selector.register(pidfd, selectors.EVENT_READ, 'exit')
        selector.register(0, selectors.EVENT_READ, 'host')
        deadline = started + step['timeoutMs'] / 1000
        next_poll = started + MEMORY_POLL_S
        timed_out = over_memory = truncated = killed = False
        status = None

        def read_output(fd):
            nonlocal truncated, killed
            data = os.read(fd, READ_CHUNK)
            if not data:
                selector.unregister(fd)
                return False
            buffer = captured[fd]
            room = cap - len(buffer)
            buffer += data[:room]
            if len(data) > room and not truncated:
                truncated = killed = True
                self.kill_job()
            return True

        try:
            while status is None:
                now = time.monotonic()
                wait = max(0.0, min(deadline, next_poll) - now) if not killed else MEMORY_POLL_S
                for key, _ in selector.select(wait):
                    if key.data == 'output':
                        read_output(key.fd)
                    elif key.data == 'stdin':
                        try:
                            pending = pending[os.write(in_w, pending[:READ_CHUNK]):]
                        except BlockingIOError:
                            continue
                        except OSError:  # the program closed its stdin
                            pending = pending[:0]
                        if not pending:
                            selector.unregister(in_w)
                            os.close(in_w)
                            in_w = None
                    elif key.data == 'host':
                        self.check_host()
                self.reap()
                status = self.reaped.get(pid)
                now = time.monotonic()
                if status is not None or killed:
                    continue
                if now >= deadline:
                    timed_out = killed = True
                    self.kill_job()
                elif now >= next_poll:
                    next_poll = now + MEMORY_POLL_S
                    if self.job_resident_bytes() > limits['memoryBytes']:
                        over_memory = killed = True
                        self.kill_job()
            # The step's main process is gone: the rest of the job goes with it, as in a pid namespace.
            self.kill_job()
            for fd in list(captured):
                while fd in selector.get_map() and read_output(fd):
                    pass
        except HostGone:
            self.kill_job()
            raise
        finally:
            selector.close()
            for fd in {out_r, err_r, pidfd} | ({in_w} if in_w is not None else set()):
                os.close(fd)
        duration_ms = (time.monotonic() - started) * 1000
        return {
            'exitCode': os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
            'signal': os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
            'timedOut': timed_out,
            'oom': over_memory or self.oom_kills() > oom_before,
            'truncated': truncated,
            'stdout': base64.b64encode(captured[out_r]).decode(),
            'stderr': '' if merge else base64.b64encode(captured[err_r]).decode(),
            'durationMs': duration_ms,
            'forked': forked,
        }

    def wipe(self):
        """Kills what is left of the last job and empties every place it could write."""
        if self.zygote is not None and self.zygote.tampered():
            self.zygote.close()
            self.zygote = None
        self.kill_job()
        for directory in SCRATCH_DIRS:
            clear_directory(directory)
        remove_ipc_objects()


def clear_directory(directory):
    try:
        entries = os.listdir(directory)
    except OSError:
        return
    for name in entries:
        remove_tree(os.path.join(directory, name))


def remove_tree(path):
    try:
        if os.path.isdir(path) and not os.path.islink(path):
            # A job may have taken the permissions off its own directories.
            os.chmod(path, 0o700)
            clear_directory(path)
            os.rmdir(path)
        else:
            os.unlink(path)
    except FileNotFoundError:
        pass


def remove_ipc_objects():
    for kind, remove in (('shm', lambda i: libc.shmctl(i, IPC_RMID, None)), ('sem', lambda i: libc.semctl(i, 0, IPC_RMID)), ('msg', lambda i: libc.msgctl(i, IPC_RMID, None))):
        try:
            with open(f'/proc/sysvipc/{kind}', 'rb') as file:
                rows = file.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            remove(int(row.split()[1]))


def serve():
    set_dumpable(False)
    # As PID 1 with the default action, signals sent from inside the container are discarded.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    import hashlib

    with open(__file__, 'rb') as file:
        digest = hashlib.sha256(file.read()).hexdigest()
    check_filter()
    runner = Runner()
    # passk refuses a runner other than its own (an image built from another passk version).
    write_line({'ready': PROTOCOL, 'runner': digest, 'python': sys.version.split()[0], 'pid': os.getpid()})
    try:
        while True:
            job = runner.read_request()
            if job is None:
                break
            write_line(runner.run_job(job))
            # After the answer, so the host need not wait for it; the next job is read only once it is done.
            # If it fails, the runner exits and the host replaces the container.
            runner.wipe()
    except HostGone:
        pass
    if runner.zygote is not None:
        runner.zygote.close()
    runner.kill_job()


if __name__ == '__main__':
    if sys.argv[1:] == ['--zygote']:
        zygote(3)
    else:
        serve()
