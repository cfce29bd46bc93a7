"""passk's strict Python checker: the test code and the sample never share a process.

One sandbox job runs `python3 -I checker.py`. Before it reads anything secret, the checker forks the
*candidate*: a clean interpreter that will load the sample's program and answer calls. Then the
checker makes itself non-dumpable (no ptrace, no /proc/<pid>/mem or fd access for the sample) and
reads the job from stdin: a nonce, the program, the trusted prelude (the prompt, whose helpers the
tests may use) and the tests. Each test runs in the checker with the entry point bound to a proxy;
every call crosses to the candidate as plain data through a restricted codec (None, bool, int,
float, complex, str, bytes, list, tuple, dict, set, frozenset, Counter, nested), under its own time
limit, and an exception comes back as its type name and message. A returned object of any other
type never reaches the checker: it fails the call. The verdict is decided here and written as one
line, `<nonce> <json>`, on the job's stdout, which the candidate cannot reach: its stdout and
stderr go to the job's stderr, and the checker kills it before writing.

The candidate also drops, where the kernel has Landlock, every file access but the toolchain
(read-only) and its scratch directories, so no /proc at all, and the right to signal the checker.

Job (stdin, JSON): {nonce, marker, problems: [problem, ...], programs: [{problem: index, program}, ...]}
where a problem is {filename, entry, prelude, tests: [source, ...], timeoutS, callTimeoutS,
loadTimeoutS, failFast, reduce?, tracebacks? (default true: failures' tracebacks on the job's stderr;
importing and printing them costs milliseconds per failing test), evalplus?}. Verdict: {programs:
[{results: [{status: passed|failed|timed out|error, error?}], landlock: ABI version or 0, loaded:
whether the program loaded without raising, ms}, ...]}.

Several programs (`checker.py --programs N`, N known before the job is read): N candidates are forked
first, and the programs are judged one after another, each as if alone (see Batch). Each program's
share of the job's stderr starts after a line `<marker> <index>`. Programs after one the batch could
not scrub get no report: the host judges them alone.
The job's stdout pipe is held only by the checker and by passk's
runner (sandbox/runner.py), PID 1 of the sandbox and non-dumpable too, so without the nonce no
process of the sample can write a line there that counts, even where Landlock is missing.

Input/output tests (EvalPlus): a problem may also hold `evalplus`: {row (the problem's JSON line, read
here so big ints and NaN stay exact), dataset, taskId, entry, atol, groups: ['base', 'plus'], and
either record: true, budgetS, callLimitS (the reference's outputs and times are recorded), or
expected: {group: {outputs (packed JSON of codec trees), times, skip}}, minTimeLimitS, factor,
perTaskS, failFast, and compat?}. Each input is one call; the output is compared here by
evalplus.py's rules. With `compat`, as EvalPlus: per group a fresh candidate runs every input and
comparison in its own process (evalplus.py's check_in_process) and reports them; the checker keeps
the budget and writes the verdict.
The verdict then also holds `evalplus`: {group: {status: pass|fail|timeout, failed, first, ran}} or
{group: {outputs, times, errors}}. For EvalPlus's "not None" tasks the candidate sends only
`output is not None` (a bool), never the object.
"""
import sys

# What the candidate keeps of the checker's modules: a fresh interpreter's, or (started warm by
# passk's runner, see runner.py) also the runner's standard modules, imported before any job existed.
STARTUP_MODULES = frozenset(sys.modules)

import builtins  # noqa: E402 (after the snapshot above, on purpose)
import ctypes
import json
import os
import select
import signal
import struct
import time

libc = ctypes.CDLL(None, use_errno=True)
MAX_MESSAGE = 64 << 20
MAX_DEPTH = 100
HEADER = struct.Struct('>I')
RUNNER = '/opt/passk/runner.py'


# ---- the codec: plain data only ----------------------------------------------------------------


class Unsupported(Exception):
    """A value that may not cross between the checker and the candidate."""


def encode(value, depth=0):
    """Value → JSON-able tree. Exact types pass; a subclass of an allowed type crosses as its base
    type's value, read with the base type's own methods (so no override of the sample's runs here
    or changes what crosses); anything else is Unsupported."""
    if depth > MAX_DEPTH:
        raise Unsupported('a value nested deeper than %d levels' % MAX_DEPTH)
    kind = type(value)
    if value is None or kind is bool or kind is str:
        return value
    if kind is int:
        # Past ~4000 digits, decimal text is refused (int_max_str_digits); hex is not.
        return value if value.bit_length() < 13000 else {'I': hex(value)}
    if kind is float:
        return value if value == value and value not in (float('inf'), float('-inf')) else {'F': repr(value)}
    depth += 1
    if kind is list:
        return [encode(item, depth) for item in value]
    if kind is tuple:
        return {'t': [encode(item, depth) for item in value]}
    if kind is dict:
        return {'d': [[encode(k, depth), encode(v, depth)] for k, v in value.items()]}
    if kind is set:
        return {'s': [encode(item, depth) for item in value]}
    if kind is frozenset:
        return {'f': [encode(item, depth) for item in value]}
    if kind is bytes:
        return {'b': value.hex()}
    if kind is complex:
        return {'c': [encode(value.real), encode(value.imag)]}
    counter = sys.modules.get('collections')
    if counter is not None and kind is counter.Counter:
        return {'C': [[encode(k, depth), encode(v, depth)] for k, v in dict.items(value)]}
    numpy = sys.modules.get('numpy')
    if numpy is not None and isinstance(value, numpy.generic):
        return encode(value.item(), depth)
    for base, read in BASE_VALUES:
        if isinstance(value, base):
            return encode(read(value), depth)
    raise Unsupported('a %s.%s' % (getattr(kind, '__module__', '?'), getattr(kind, '__qualname__', '?')))


BASE_VALUES = (
    (int, int.__int__),
    (float, float.__float__),
    (str, str.__str__),
    (bytes, bytes.__bytes__),
    (complex, complex.__complex__),
    (list, lambda value: list(list.__iter__(value))),
    (tuple, lambda value: tuple(tuple.__iter__(value))),
    (dict, lambda value: dict(dict.items(value))),
    (frozenset, lambda value: frozenset(frozenset.__iter__(value))),
    (set, lambda value: set(set.__iter__(value))),
)


def decode(tree, depth=0):
    """JSON tree → value, building nothing but the allowed types (the inverse of encode)."""
    if depth > MAX_DEPTH + 2:
        raise ValueError('nested too deeply')
    kind = type(tree)
    if tree is None or kind in (bool, int, float, str):
        return tree
    depth += 1
    if kind is list:
        return [decode(item, depth) for item in tree]
    if kind is not dict or len(tree) != 1:
        raise ValueError('not a value')
    (tag, body), = tree.items()
    if tag == 'F' and body in ('inf', '-inf', 'nan'):
        return float(body)
    if tag == 'b' and type(body) is str:
        return bytes.fromhex(body)
    if tag == 'I' and type(body) is str:
        return int(body, 16)
    if type(body) is not list:
        raise ValueError('not a value')
    if tag == 't':
        return tuple(decode(item, depth) for item in body)
    if tag == 's':
        return {decode(item, depth) for item in body}
    if tag == 'f':
        return frozenset(decode(item, depth) for item in body)
    if tag == 'c' and len(body) == 2 and all(type(part) is float or type(part) is dict for part in body):
        return complex(decode(body[0]), decode(body[1]))
    if tag in ('d', 'C'):
        pairs = [(decode(k, depth), decode(v, depth)) for k, v in body]
        if tag == 'd':
            return dict(pairs)
        import collections

        return collections.Counter(dict(pairs))
    raise ValueError('not a value')


# ---- framing ----------------------------------------------------------------------------------


def send(fd, message):
    data = json.dumps(message, ensure_ascii=True).encode()
    data = HEADER.pack(len(data)) + data
    while data:
        data = data[os.write(fd, data):]


def read_exact(fd, size, deadline):
    chunks = []
    while size:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise TimeoutError
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        size -= len(chunk)
    return b''.join(chunks)


class LastMessage:
    size = 0  # bytes of the last message received (the size of an output, for the recorder)


def receive(fd, deadline=None):
    (size,) = HEADER.unpack(read_exact(fd, HEADER.size, deadline))
    LastMessage.size = size
    if size > MAX_MESSAGE:
        raise ValueError('a message of %d bytes' % size)
    return json.loads(read_exact(fd, size, deadline))


# ---- Landlock: the candidate keeps the toolchain (read-only) and its scratch space ---------------

SYS_LANDLOCK = {'x86_64': (444, 445, 446), 'aarch64': (444, 445, 446)}
PR_SET_NO_NEW_PRIVS = 38
PR_SET_DUMPABLE = 4
PR_SET_CHILD_SUBREAPER = 36
READ_ONLY = 1 | 4 | 8  # EXECUTE, READ_FILE, READ_DIR
READ_WRITE_DEVICES = READ_ONLY | 2  # + WRITE_FILE: /dev/null and friends
RULE_PATH_BENEATH = 1


def restrict_files():
    """Applies a Landlock ruleset to this process; returns the ABI version in force, 0 when none."""
    numbers = SYS_LANDLOCK.get(os.uname().machine)
    if numbers is None:
        return 0
    create, add, restrict = numbers
    abi = libc.syscall(create, None, 0, 1)
    if abi < 1:
        return 0
    handled = (1 << 13) - 1
    if abi >= 2:
        handled |= 1 << 13  # REFER
    if abi >= 3:
        handled |= 1 << 14  # TRUNCATE
    if abi >= 5:
        handled |= 1 << 15  # IOCTL_DEV
    net = 3 if abi >= 4 else 0  # BIND_TCP, CONNECT_TCP
    scoped = 3 if abi >= 6 else 0  # abstract unix sockets, signals: nothing outside this domain
    attr = struct.pack('=QQQ', handled, net, scoped)
    size = 24 if abi >= 6 else 16 if abi >= 4 else 8
    ruleset = libc.syscall(create, ctypes.c_char_p(attr), ctypes.c_size_t(size), 0)
    if ruleset < 0:
        return 0
    rules = [(path, READ_ONLY) for path in ('/usr', '/etc', '/bin', '/sbin', '/lib', '/lib64', '/lib32')]
    rules += [('/dev', READ_WRITE_DEVICES)] + [(path, handled) for path in ('/work', '/tmp', '/dev/shm')]
    for path, access in rules:
        try:
            fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
        except OSError:
            continue
        rule = struct.pack('=Qi', access & handled, fd)
        libc.syscall(add, ruleset, RULE_PATH_BENEATH, ctypes.c_char_p(rule), 0)
        os.close(fd)
    ok = libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 and libc.syscall(restrict, ruleset, 0) == 0
    os.close(ruleset)
    return abi if ok else 0


# ---- the candidate side ----------------------------------------------------------------------


def show_traceback(error):
    """On stderr (the job's log), without the frame that ran the code."""
    try:
        import traceback

        traceback.print_exception(type(error), error, error.__traceback__.tb_next)
        sys.stderr.flush()
    except BaseException:
        pass


def describe(error):
    try:
        message = str(error)
    except BaseException:
        message = '<unprintable exception>'
    return type(error).__name__, message


def candidate(requests, replies, hidden=False):
    """Loads the program and answers calls; runs the sample's code and nothing secret. A `hidden`
    candidate waits for its program non-dumpable, out of reach of the batch's earlier programs."""
    if hidden:
        libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    os.setsid()
    null = os.open('/dev/null', os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(2, 1)
    os.close(null)
    low, high = sorted((requests, replies))
    os.closerange(3, low)
    os.closerange(low + 1, high)
    os.closerange(high + 1, 1 << 10)
    abi = restrict_files()
    # Bound now: the program may replace anything it can reach.
    receive_, send_, encode_, describe_, show_, exit_now = receive, send, encode, describe, show_traceback, os._exit
    prctl = libc.prctl
    for name in set(sys.modules) - STARTUP_MODULES:
        del sys.modules[name]
    load = receive_(requests)
    if hidden:
        # Its own program now: as a candidate that was never hidden (and as after an exec).
        prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)
    if 'inprocess' in load:
        in_process(load['program'], load['inprocess'], lambda message: send_(replies, message))
        exit_now(0)
    if not load.get('tracebacks', True):
        show_ = lambda error: None  # noqa: E731 (the job asked for none: importing traceback costs a test's budget)
    program = type(sys)('__main__')
    program.__file__ = load['filename']
    sys.modules['__main__'] = program
    try:
        import linecache

        # Tracebacks show the program's lines, as if it were the file it is named after.
        linecache.cache[load['filename']] = (len(load['program']), None, load['program'].splitlines(True), load['filename'])
        exec(compile(load['program'], load['filename'], 'exec'), program.__dict__)
        function = program.__dict__[load['entry']]
        send_(replies, {'loaded': abi})
    except BaseException as error:
        show_(error)
        send_(replies, {'raise': describe_(error), 'landlock': abi})
        exit_now(0)
    while True:
        try:
            call = receive_(requests)
        except BaseException:
            exit_now(0)
        try:
            result = function(*decode(call['args']), **decode(call['kwargs']))
        except BaseException as error:
            show_(error)
            reply = {'raise': describe_(error)}
        else:
            try:
                reduction = call.get('reduce')
                # A value that is no data (re.Match) is judged "is not None": only that bool crosses.
                if reduction == 'not-none' or (reduction == 'not-none-unless-bool' and type(result) is not bool):
                    result = result is not None
                reply = {'value': encode_(result)}
            except Unsupported as error:
                reply = {'unsupported': str(error)}
            except BaseException as error:
                reply = {'raise': describe_(error)}
        try:
            for stream in (sys.stdout, sys.stderr):
                stream.flush()
        except BaseException:
            pass
        send_(replies, reply)


def in_process(program, spec, post):
    """Compat: one EvalPlus check in this process, as upstream's unsafe_execute (a temporary working
    directory, the reliability guard, the program and every comparison here, numpy loaded as in
    upstream's evaluator). Says {'ready'} (or {'setup': why not}) before the program runs, then
    reports each input, then {'done': 'pass' | 'fail'}."""
    try:
        import tempfile

        import numpy  # noqa: F401 (upstream's evaluator has it loaded before the guard)

        rules = load_rules()
        inputs = group_inputs(spec, json.loads(spec['row']), spec['group'], rules)
        expected = [None if tree is None else rules.expected_value(tree, decode) for tree in unpack(spec['expected']['outputs'])]
        comparator = rules.Comparator(spec['dataset'], spec['entry'], spec['atol'])
        os.chdir(tempfile.mkdtemp())
        rules.reliability_guard(rules.memory_limit())
    except BaseException as error:
        post({'setup': '%s: %s' % describe(error)})
        return
    post({'ready': True})
    done = rules.check_in_process(program, spec['entry'], inputs, expected, comparator, spec['limits'],
                                  set(spec['expected']['skip']), spec['failFast'], post, short)
    post({'done': done})


def start_candidate(exec_fresh, hidden=False):
    """Forks the candidate: from this clean process before any secret is read, or (after one was
    read) as a fresh `python3 -I checker.py --candidate` so no memory of the checker goes along."""
    requests_r, requests_w = os.pipe()
    replies_r, replies_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            if exec_fresh:
                # By way of 20 and 21, so that one dup2 cannot overwrite the other's source.
                os.dup2(os.dup2(requests_r, 20), 3)
                os.dup2(os.dup2(replies_w, 21), 4)
                os.execv(sys.executable, [sys.executable, '-I', os.path.abspath(__file__), '--candidate'])
            candidate(requests_r, replies_w, hidden)
        finally:
            os._exit(1)
    os.close(requests_r)
    os.close(replies_w)
    return Candidate(pid, requests_w, replies_r)


# ---- the checker side ------------------------------------------------------------------------


class CandidateTimeout(BaseException):
    """A call ran past its limit (BaseException: a test's `except Exception` must not swallow it)."""


class CandidateFailure(BaseException):
    """The candidate could not answer: it crashed, exited, or returned a value that may not cross."""


class CandidateRaised(Exception):
    """An exception from the candidate whose type cannot be rebuilt here."""

    def __init__(self, name, message):
        super().__init__(message)
        self.origin = name


class Candidate:
    def __init__(self, pid, requests, replies):
        self.pid, self.requests, self.replies = pid, requests, replies
        self.loaded = False

    def stop(self):
        for fd in (self.requests, self.replies):
            try:
                os.close(fd)
            except OSError:
                pass
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except OSError:
            pass
        try:
            os.waitpid(self.pid, 0)
        except OSError:
            pass

    def exchange(self, message, deadline):
        try:
            send(self.requests, message)
            return receive(self.replies, deadline)
        except TimeoutError:
            raise CandidateTimeout() from None
        except (EOFError, OSError):
            raise CandidateFailure('CandidateExited: the candidate process ended during the call') from None
        except ValueError as error:
            raise CandidateFailure('MalformedReply: %s' % error) from None


def rebuild(name, message):
    """The candidate's exception as the checker raises it: the builtin type of that name when there
    is one (so a test that expects, say, ValueError still sees it), else CandidateRaised."""
    kind = getattr(builtins, name, None)
    if isinstance(kind, type) and issubclass(kind, Exception):
        try:
            error = kind(message)
            error.origin = name
            return error
        except BaseException:
            pass
    return CandidateRaised(name, message)


class Session:
    """The checker's view of one candidate process across the job's tests."""

    def __init__(self, job, first):
        self.job = job
        self.candidate = first
        self.deadline = None
        # The Landlock ABI the candidate reported (0: none), kept past the candidate's restarts.
        self.landlock = 0
        # What the program raised when it was loaded, or 'timed out': it would again, so every test gets it.
        self.load_error = None

    def ensure_loaded(self):
        if self.load_error == 'timed out':
            raise CandidateTimeout()
        if self.load_error is not None:
            raise rebuild(*self.load_error)
        if self.candidate is None:
            self.candidate = start_candidate(exec_fresh=True)
        if not self.candidate.loaded:
            load = {'program': self.job['program'], 'filename': self.job['filename'], 'entry': self.job['entry'],
                    'tracebacks': self.job.get('tracebacks', True)}
            try:
                reply = self.candidate.exchange(load, self.deadline)
            except CandidateTimeout:
                # A program that hangs while loading would hang again: every later test times out at once.
                self.discard()
                self.load_error = 'timed out'
                raise
            self.landlock = reply.get('loaded', reply.get('landlock', 0))
            if 'raise' in reply:
                self.discard()
                self.load_error = reply['raise']
                raise rebuild(*reply['raise'])
            self.candidate.loaded = True

    def discard(self):
        if self.candidate is not None:
            self.candidate.stop()
            self.candidate = None

    def call(self, args, kwargs):
        try:
            message = {'args': encode(list(args)), 'kwargs': {'d': [[key, encode(value)] for key, value in kwargs.items()]},
                       'reduce': self.job.get('reduce')}
        except Unsupported as error:
            raise CheckerError('an argument cannot be sent to the candidate: %s' % error) from None
        try:
            self.ensure_loaded()
            deadline = self.deadline
            limit = self.job.get('callTimeoutS')
            if limit is not None:
                deadline = min(deadline, time.monotonic() + limit)
            reply = self.candidate.exchange(message, deadline)
        except (CandidateTimeout, CandidateFailure):
            self.discard()
            raise
        if 'raise' in reply:
            name, message = reply['raise']
            raise rebuild(name, message)
        if 'unsupported' in reply:
            raise CandidateFailure('UnsupportedReturnType: the candidate returned %s; only plain data '
                                   '(None, bool, int, float, complex, str, bytes, list, tuple, dict, set, '
                                   'frozenset, Counter) is compared' % reply['unsupported'])
        try:
            return decode(reply['value'])
        except (KeyError, ValueError, TypeError, RecursionError) as error:
            self.discard()
            raise CandidateFailure('MalformedReply: %s' % error) from None

    def call_tree(self, args, limit_s, reduction):
        """One call with arguments already encoded; the raw reply (the caller decodes). The call's
        deadline is its own limit or the session's, whichever comes first."""
        try:
            self.ensure_loaded()
            deadline = min(self.deadline, time.monotonic() + limit_s)
            return self.candidate.exchange({'args': args, 'kwargs': {'d': []}, 'reduce': reduction}, deadline)
        except (CandidateTimeout, CandidateFailure):
            self.discard()
            raise


class CheckerError(Exception):
    """The test needs something the checker cannot do (not the sample's fault)."""


def proxy(session, name):
    def candidate_function(*args, **kwargs):
        return session.call(args, kwargs)

    candidate_function.__name__ = candidate_function.__qualname__ = name
    return candidate_function


def run_test(session, namespace, source, timeout_s, load_timeout_s, tracebacks=True):
    try:
        # Loaded before the test runs, as upstream runs the program before check(): a program that
        # does not even load fails a test that never calls it. Within the test's budget, unless the
        # load has a budget of its own.
        if load_timeout_s is not None:
            session.deadline = time.monotonic() + load_timeout_s
            session.ensure_loaded()
        session.deadline = time.monotonic() + timeout_s
        session.ensure_loaded()
        exec(compile(source, 'test.py', 'exec'), namespace)
        return {'status': 'passed'}
    except CandidateTimeout:
        return {'status': 'timed out'}
    except CandidateFailure as failure:
        return {'status': 'failed', 'error': str(failure)}
    except CheckerError as error:
        return {'status': 'error', 'error': str(error)}
    except BaseException as error:
        if tracebacks:
            show_traceback(error)
        name, message = describe(error)
        name = getattr(error, 'origin', name)
        return {'status': 'failed', 'error': '%s: %s' % (name, message) if message else name}


# ---- input/output tests (EvalPlus): one call per input, each output compared here ------------


def load_rules():
    """evalplus.py, shipped beside this file: EvalPlus's input rebuilding and comparison rules."""
    import importlib.util

    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'evalplus.py')
    spec = importlib.util.spec_from_file_location('passk_evalplus', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def short(value, limit=200):
    try:
        text = repr(value)
    except BaseException:
        text = '<unprintable>'
    return text if len(text) <= limit else text[:limit] + '...'


def ask(session, inp, limit_s, reduction):
    """The candidate's output for one input: ('value', tree, seconds) or ('fail' | 'timeout', message).
    The seconds are the whole call as the checker sees it (transport included), the base of the
    time limits derived from a reference's run."""
    started = time.monotonic()
    try:
        reply = session.call_tree(encode(list(inp)), limit_s, reduction)
    except CandidateTimeout:
        return 'timeout', 'TimeoutError: no output within %.3g s' % limit_s
    except CandidateFailure as failure:
        return 'fail', str(failure)
    except BaseException as error:  # the program did not load
        return 'fail', '%s: %s' % (getattr(error, 'origin', type(error).__name__), error)
    if 'raise' in reply:
        return 'fail', '%s: %s' % tuple(reply['raise'])
    if 'unsupported' in reply:
        return 'fail', 'UnsupportedReturnType: the candidate returned %s' % reply['unsupported']
    if 'value' not in reply:
        session.discard()
        return 'fail', 'MalformedReply: no value'
    return 'value', reply['value'], time.monotonic() - started


def pack(trees):
    """Outputs as compact text (some are megabytes of repetitive data): base64 of zlib'd JSON."""
    import base64
    import zlib

    return base64.b64encode(zlib.compress(json.dumps(trees, ensure_ascii=True).encode(), 6)).decode()


def unpack(text):
    import base64
    import zlib

    return json.loads(zlib.decompress(base64.b64decode(text)))


def record_group(session, inputs, rules, reduction, spec):
    """The reference's outputs (codec trees, large ones as digests) and call times; inputs it fails
    on are listed apart."""
    session.deadline = time.monotonic() + spec['budgetS']
    recorder = rules.Recorder(spec['dataset'], spec['entry'], spec['atol'])
    outputs, times, errors = [], [], []
    for index, inp in enumerate(inputs):
        answer = ask(session, inp, spec['callLimitS'], reduction)
        if answer[0] == 'value':
            tree = answer[1]
            outputs.append(recorder.stored(tree, decode(tree), LastMessage.size))
            times.append(answer[2])
        else:
            outputs.append(None)
            times.append(0.0)
            errors.append([index, short(inp), answer[1]])
    return {'outputs': pack(outputs), 'times': times, 'errors': errors}


def check_group(session, inputs, expected, rules, reduction, spec):
    """EvalPlus's untrusted_check: per-input limits max(floor, factor x reference time), a budget of
    min(per-task cap, sum of limits) + 1 s (+1 s when all inputs run), fail-fast unless asked."""
    comparator = rules.Comparator(spec['dataset'], spec['entry'], spec['atol'])
    limits = rules.input_limits(expected['times'], spec)
    fail_fast = spec['failFast']
    budget = rules.check_budget(limits, expected['times'], spec)
    session.deadline = time.monotonic() + budget
    trees = unpack(expected['outputs'])
    skip = set(expected['skip'])
    failed, first, ran = [], None, 0
    for index, inp in enumerate(inputs):
        if index in skip:
            continue
        if time.monotonic() >= session.deadline:
            first = first or {'index': index, 'input': short(inp), 'error': 'TimeoutError: the program budget of %.3g s ran out' % budget}
            return {'status': 'timeout', 'failed': failed, 'first': first, 'ran': ran}
        ran += 1
        answer = ask(session, inp, limits[index], reduction)
        if answer[0] == 'value':
            try:
                out, exp = decode(answer[1]), rules.expected_value(trees[index], decode)
                if comparator.matches(inp, out, exp):
                    continue
                answer = 'fail', comparator.mismatch(inp, out, exp, short)
            except BaseException as error:
                answer = 'fail', 'wrong output: comparing it raised %s: %s' % describe(error)
        failed.append(index)
        if first is None:
            first = {'index': index, 'input': short(inp), 'error': answer[1], 'status': answer[0]}
        if fail_fast:
            break
    return {'status': first['status'] if first else 'pass', 'failed': failed, 'first': first, 'ran': ran}


def group_inputs(spec, row, group, rules):
    """A group's inputs as the problem's function takes them."""
    inputs = list(row[group + '_input'])
    return rules.mbpp_inputs(spec['taskId'], inputs) if spec['dataset'] == 'mbpp' else inputs


def compat_group(session, inputs, expected, rules, spec, group):
    """Compat (EvalPlus's untrusted_check): a fresh candidate process runs the whole check in-process
    (evalplus.py's check_in_process, behind upstream's guard) and reports each input; here only the
    process budget is enforced and upstream's status derived. A candidate that ends or runs out of
    budget before it is done is a timeout (upstream's unknown status); it passes only when it said
    so and every input was reported passing."""
    limits = rules.input_limits(expected['times'], spec)
    budget = rules.check_budget(limits, expected['times'], spec) + rules.JOIN_GRACE_S
    if session.candidate is None:
        session.candidate = start_candidate(exec_fresh=True)
    todo = [index for index in range(len(inputs)) if index not in set(expected['skip'])]
    failed, first, passed, status = [], None, set(), None
    job = {'program': session.job['program'], 'inprocess': dict(spec, group=group, expected=expected, limits=limits)}
    try:
        send(session.candidate.requests, job)
        # Before `ready` no code of the sample has run: a failure there is the checker's, not the sample's.
        try:
            ready = receive(session.candidate.replies, time.monotonic() + rules.SETUP_LIMIT_S)
        except (TimeoutError, EOFError, OSError, ValueError) as error:
            raise CheckerError('the compat check could not start: %s' % type(error).__name__) from None
        if 'ready' not in ready:
            raise CheckerError('the compat check could not start: %s' % ready.get('setup'))
        deadline = time.monotonic() + budget
        while status is None:
            message = receive(session.candidate.replies, deadline)
            if 'done' in message:
                status = 'pass' if message['done'] == 'pass' else 'fail'
            elif 'load' in message:
                # Upstream fails every input of a program that does not load: the first is named.
                at = todo[0] if todo else 0
                first = {'index': at, 'input': short(inputs[at]) if todo else '', 'error': str(message['load']), 'status': 'fail'}
            else:
                index = todo[len(passed) + len(failed)]
                if message.get('i') != index:
                    raise ValueError('input #%r reported out of turn' % message.get('i'))
                if message.get('error') is None:
                    passed.add(index)
                    continue
                failed.append(index)
                first = first or {'index': index, 'input': short(inputs[index]), 'error': str(message['error']), 'status': 'fail'}
    except (TimeoutError, EOFError, OSError, ValueError, LookupError, TypeError, AttributeError) as error:
        status = 'timeout'
        at = len(passed) + len(failed)
        why = ('TimeoutError: the program budget of %.3g s ran out' % budget if isinstance(error, TimeoutError)
               else 'the process ended without a result (%s)' % type(error).__name__)
        if first is None and at < len(todo):
            first = {'index': todo[at], 'input': short(inputs[todo[at]]), 'error': why, 'status': 'timeout'}
    finally:
        session.discard()
    if status == 'pass' and (failed or len(passed) != len(todo)):
        status = 'fail'
    return {'status': status, 'failed': failed, 'first': first, 'ran': len(passed) + len(failed)}


def run_inputs(session, spec, rules):
    """The `evalplus` part of a job: per group (base, plus) of the problem's inputs, record the
    reference's outputs, or judge the candidate's against them (compat: in the candidate's process)."""
    rules = rules.get()
    row = json.loads(spec['row'])
    results = {}
    for group in spec['groups']:
        inputs = group_inputs(spec, row, group, rules)
        reduction = rules.output_reduction(spec['dataset'], spec['entry'], spec.get('record', False))
        if spec.get('compat'):
            results[group] = compat_group(session, inputs, spec['expected'][group], rules, spec, group)
        elif spec.get('record'):
            results[group] = record_group(session, inputs, rules, reduction, spec)
        else:
            results[group] = check_group(session, inputs, spec['expected'][group], rules, reduction, spec)
    return results


def prelude_source(prompt):
    """The prompt as code that runs: a prompt may stop right after the signature, bodiless."""
    try:
        compile(prompt, 'prompt.py', 'exec')
        return prompt
    except SyntaxError:
        return prompt.rstrip('\n') + '\n    pass\n'


# ---- several programs in one job: each judged as if it were alone -----------------------------


def load_runner():
    """passk's runner (sandbox/runner.py, in the image and the bubblewrap root), for its own idea
    of a process's state and of a job's scratch space and IPC objects."""
    import importlib.util

    spec = importlib.util.spec_from_file_location('passk_runner', RUNNER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Batch:
    """The programs of a `--programs N` job, judged one after another, each in a candidate forked
    before the job was read. Between two programs, scrub() leaves nothing of the first for the
    second: its processes are killed, the scratch directories and IPC objects emptied, and a
    waiting candidate the first one tampered with (limits, priority, CPUs, stopped or killed) is
    replaced by a fresh interpreter."""

    def __init__(self, waiting):
        self.runner = load_runner()
        self.waiting = waiting
        self.baselines = [self.runner.process_state(c.pid) for c in waiting]
        self.own = self.runner.process_state(os.getpid())
        # The checker's own files, put back after each wipe of the working directory.
        self.files = {}
        for name in os.listdir('.'):
            with open(name, 'rb') as file:
                self.files[name] = file.read()

    def next_candidate(self, index):
        candidate = self.waiting[index]
        if self.runner.process_state(candidate.pid) != self.baselines[index]:
            candidate.stop()
            candidate = start_candidate(exec_fresh=True)
        return candidate


    def descendants(self):
        """Every process below the checker: as its subreaper, orphans come back under it."""
        parents = {}
        for name in os.listdir('/proc'):
            if not name.isdigit():
                continue
            try:
                with open('/proc/%s/stat' % name, 'rb') as file:
                    parents[int(name)] = int(file.read().rsplit(b')', 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                pass
        found, frontier = set(), {os.getpid()}
        while frontier:
            frontier = {pid for pid, parent in parents.items() if parent in frontier} - found
            found |= frontier
        return found

    def reap(self):
        while True:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return

    def scrub(self, done):
        """After program `done`: only the checker and the candidates still waiting may stay (not
        the used ones: their pids may have been handed to a process of the program by now)."""
        spared = {os.getpid()} | {c.pid for c in self.waiting[done + 1:]}
        for _ in range(2000):
            self.reap()
            left = self.descendants() - spared
            if not left:
                break
            for pid in left:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            time.sleep(0.001)
        else:
            raise RuntimeError('a process of the last program could not be killed')
        if self.runner.process_state(os.getpid()) != self.own:
            # Lowered limits or priority would weigh on the next programs: they are judged alone.
            raise RuntimeError("the last program changed the checker's limits or priority")
        for directory in self.runner.SCRATCH_DIRS:
            self.runner.clear_directory(directory)
        self.runner.remove_ipc_objects()
        for name, content in self.files.items():
            with open(name, 'wb') as file:
                file.write(content)


def judge_program(spec, first, rules):
    """One program against its problem's tests (and inputs) in the candidate `first`: its report."""
    session = Session(spec, first)
    entry = spec['entry']
    # The prompt is trusted: its helpers are the prompt's own, never the sample's (stricter than upstream).
    prelude = {'__name__': '__passk_test__', '__builtins__': builtins}
    results = []
    report = {}
    if spec.get('evalplus') is not None:
        try:
            report['evalplus'] = run_inputs(session, spec['evalplus'], rules)
        except BaseException as error:
            results.append({'status': 'error', 'error': 'the inputs could not be run: %s: %s' % describe(error)})
    try:
        exec(compile(prelude_source(spec['prelude']), 'prompt.py', 'exec'), prelude)
    except BaseException as error:
        results.append({'status': 'error', 'error': 'the prompt does not run: %s: %s' % describe(error)})
    else:
        # The entry point's name means the candidate everywhere, in helpers too, as in upstream's one program.
        prelude[entry] = proxy(session, entry)
        for source in spec['tests']:
            result = run_test(session, dict(prelude), source, spec['timeoutS'], spec.get('loadTimeoutS'), spec.get('tracebacks', True))
            results.append(result)
            if result['status'] != 'passed' and spec.get('failFast'):
                break
    session.discard()
    report.update({'results': results, 'landlock': session.landlock, 'loaded': session.load_error is None})
    return report


class Rules:
    """evalplus.py's module, loaded once per job and only by a job that has input/output tests."""

    module = None

    def get(self):
        if self.module is None:
            self.module = load_rules()
        return self.module


def main(count):
    if count > 1:
        # Orphans of a candidate's processes come back to the checker, so scrub() finds them all.
        libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    # Every candidate forked while this process holds no secret: the job is read only after.
    waiting = [start_candidate(exec_fresh=False, hidden=count > 1) for _ in range(count)]
    libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    job = json.loads(sys.stdin.read())
    verdict_fd = os.dup(1)
    null = os.open('/dev/null', os.O_RDWR)
    os.dup2(null, 0)
    batch = Batch(waiting) if count > 1 else None
    rules = Rules()
    reports = []
    for index, item in enumerate(job['programs'][:count]):
        started = time.monotonic()
        if batch is not None:
            # Where this program's share of the job's stderr starts (the host splits it there).
            os.write(2, ('\n%s %d\n' % (job['marker'], index)).encode())
            candidate = batch.next_candidate(index)
        else:
            candidate = waiting[0]
        spec = dict(job['problems'][item['problem']], program=item['program'])
        report = judge_program(spec, candidate, rules)
        report['ms'] = (time.monotonic() - started) * 1000
        reports.append(report)
        if batch is not None and index + 1 < len(job['programs']):
            try:
                batch.scrub(index)
            except BaseException as error:
                # The rest is not judged here (the host judges each alone): say why on the log.
                os.write(2, ('\npasskchecker: batch stopped after program %d: %s: %s\n' % ((index,) + describe(error))).encode())
                break
    line = job['nonce'] + ' ' + json.dumps({'programs': reports}, ensure_ascii=True)
    os.write(verdict_fd, ('\n' + line + '\n').encode())
    os._exit(0)


if __name__ == '__main__':
    if sys.argv[1:] == ['--candidate']:
        candidate(3, 4)
        os._exit(0)
    main(int(sys.argv[2]) if sys.argv[1:2] == ['--programs'] else 1)
