"""EvalPlus's judging rules (evalplus/evalplus @ 26d6d00, evalplus/eval/__init__.py, utils.py and
_special_oracle.py): how MBPP+ inputs are rebuilt from JSON, when an output counts as equal to the
ground truth, the time limits, and (compat verdicts) upstream's in-process check with its
reliability guard. Strict verdicts: only the checker runs this, and the candidate's outputs reach it
as plain data through the checker's codec. Compat verdicts: the candidate runs `check_in_process`
itself, in the sample's process, as EvalPlus's unsafe_execute does.
"""
import contextlib
import io
import math
import signal
import sys

# Entry points whose outputs EvalPlus compares as sets, or only as "is not None".
MBPP_OUTPUT_SET_EQ_TASKS = frozenset(
    ['similar_elements', 'find_char_long', 'common_in_nested_lists', 'extract_singly', 'larg_nnum',
     'intersection_array', 'find_dissimilar', 'Diff'])
MBPP_OUTPUT_NOT_NONE_TASKS = frozenset(['check_str', 'text_match_three', 'text_starta_endb'])


def _tuples(items):
    return [tuple(item) for item in items]


def _deep_tuple(value):
    return tuple(_deep_tuple(item) for item in value) if isinstance(value, list) else value


def _set_or_empty_dict(item):
    # Upstream writes `{}` for an empty item: a dict, kept as is.
    return set(item) if isinstance(item, list) and len(item) else {}


_ROW_TUPLES = {2, 116, 132, 143, 222, 261, 273, 394, 399, 421, 424, 429, 470, 560, 579, 596, 616, 630, 726, 740, 744, 809}
_NESTED_TUPLES = {63, 64, 70, 94, 120, 237, 272, 299, 400, 409, 417, 438, 473, 614, 780}
_FIRST_TUPLES = {75, 413, 444, 753}
_SECOND_TUPLE = {106, 750}
_FIRST_TUPLE = {250, 405, 446, 617, 720, 763, 808}
_NESTED_THEN_ROW = {259, 401, 445}
_ALL_TUPLES = {580, 615, 791}


def mbpp_inputs(task_id, inputs):
    """MBPP+'s JSON inputs as the Python values its tests use (upstream mbpp_deserialize_inputs)."""
    number = int(task_id.split('/')[-1])
    if number in _ROW_TUPLES:
        return [_tuples(inp) for inp in inputs]
    if number in _NESTED_TUPLES or number in _NESTED_THEN_ROW:
        rows = [[_tuples(lists) for lists in inp] for inp in inputs]
        return [_tuples(inp) for inp in rows] if number in _NESTED_THEN_ROW else rows
    if number in _FIRST_TUPLES:
        return [[_tuples(inp[0])] + [inp[1]] for inp in inputs]
    if number in _SECOND_TUPLE:
        return [[inp[0]] + [tuple(inp[1])] for inp in inputs]
    if number == 115:
        return [[[_set_or_empty_dict(item) for item in inp[0]]] for inp in inputs]
    if number == 124:
        return [(float(inp[0]), complex(inp[1])) for inp in inputs]
    if number in _FIRST_TUPLE:
        return [[tuple(inp[0])] + [inp[1]] for inp in inputs]
    if number == 278:
        rows = [[[tuple(item) if isinstance(item, list) else item for item in inp[0]]] for inp in inputs]
        return [_tuples(inp) for inp in rows]
    if number == 307:
        return [[tuple(inp[0])] + [inp[1], inp[2]] for inp in inputs]
    if number == 722:
        return [[{key: tuple(value) for key, value in inp[0].items()}] + inp[1:] for inp in inputs]
    if number == 252:
        return [[complex(inp[0])] for inp in inputs]
    if number in _ALL_TUPLES:
        return [_deep_tuple(inp) for inp in inputs]
    return inputs


def _surface_area(base_edge, height):
    """Mbpp/581's oracle: the height is the pyramid's perpendicular height."""
    slant_height = math.sqrt((base_edge / 2) ** 2 + height**2)
    return round(base_edge**2 + 4 * (base_edge * slant_height) / 2)


def _digit_distance(num1, num2):
    """Mbpp/558's oracle: the shorter number is zero-padded."""
    a, b = str(num1), str(num2)
    width = max(len(a), len(b))
    return sum(abs(int(x) - int(y)) for x, y in zip(a.zfill(width), b.zfill(width)))


def _poly(xs, x):
    """HumanEval/32's oracle: the polynomial with coefficients xs at x."""
    return sum(coeff * math.pow(x, i) for i, coeff in enumerate(xs))


def is_floats(value):
    if isinstance(value, float):
        return True
    if isinstance(value, (list, tuple)) and value:
        return all(isinstance(item, float) for item in value)
    return False


def output_reduction(dataset, entry, ground_truth):
    """What the candidate sends instead of its output: for the "not None" tasks (whose outputs,
    re.Match objects, are not data), upstream's ground truth keeps `out is not None`, and a sample's
    bool output is compared as itself, anything else as `is not None`."""
    if dataset == 'mbpp' and entry in MBPP_OUTPUT_NOT_NONE_TASKS:
        return 'not-none' if ground_truth else 'not-none-unless-bool'
    return None


# ---- large expected outputs: kept as digests --------------------------------------------------
# Some reference outputs are huge (HumanEval/15 and /130: ~140 MB of JSON over their plus inputs).
# Where EvalPlus's rule for an input is plain `out == exp` (no special oracle, atol still 0 after
# this expected output), a large expected value is stored as a digest of a form in which Python's
# equality and digest equality agree: numbers by value (1 == 1.0 == True), strings, and lists and
# tuples (which never equal each other). Anything else (dict, set, NaN, ...) is kept whole.
DIGEST_ABOVE = 4096  # characters of the output's JSON


class NotDigestible(Exception):
    pass


class Digest:
    def __init__(self, value):
        self.value = value

    def __repr__(self):
        return '<a large output with sha256 %s...>' % self.value[:12]


def _feed(value, update):
    kind = type(value)
    if value is None:
        update(b'N')
    elif kind is bool or kind is int:
        update(b'i%x;' % value)
    elif kind is float:
        if value != value:
            raise NotDigestible()
        if value in (float('inf'), float('-inf')) or not value.is_integer():
            update(b'f' + repr(value).encode() + b';')
        else:
            update(b'i%x;' % int(value))
    elif kind is str:
        data = value.encode('utf-8', 'surrogatepass')
        update(b's%d:' % len(data))
        update(data)
    elif kind is list or kind is tuple:
        update(b'%s%d[' % (b'L' if kind is list else b'T', len(value)))
        for item in value:
            _feed(item, update)
    else:
        raise NotDigestible()


def digest(value):
    import hashlib

    hasher = hashlib.sha256()
    _feed(value, hasher.update)
    return hasher.hexdigest()


def _plain_equality(dataset, entry):
    if dataset == 'humaneval':
        return entry != 'find_zero'
    special = MBPP_OUTPUT_SET_EQ_TASKS | MBPP_OUTPUT_NOT_NONE_TASKS
    return entry not in special and entry not in ('are_equivalent', 'sum_div', 'surface_Area', 'digit_distance_nums')


class Recorder:
    """Turns the reference's outputs into what is stored: the codec tree, or a digest (see above)."""

    def __init__(self, dataset, entry, atol):
        self.plain, self.atol = _plain_equality(dataset, entry), atol

    def stored(self, tree, value, size):
        # The same atol walk as Comparator's: it depends on the expected outputs only.
        if self.atol == 0 and is_floats(value):
            self.atol = 1e-6
        if not self.plain or self.atol != 0 or size <= DIGEST_ABOVE:
            return tree
        try:
            return {'#': digest(value)}
        except NotDigestible:
            return tree


def expected_value(tree, decode):
    return Digest(tree['#']) if type(tree) is dict and '#' in tree else decode(tree)


class Comparator:
    """One untrusted_check's comparisons: like upstream, a float expected output with atol 0 sets
    atol to 1e-6 for the rest of the inputs of that check (base and plus are separate checks)."""

    def __init__(self, dataset, entry, atol):
        self.dataset, self.entry, self.atol = dataset, entry, atol

    def matches(self, inp, out, exp):
        if isinstance(exp, Digest):
            # Stored only where the rule is plain equality with atol 0 (Recorder).
            try:
                return digest(out) == exp.value
            except NotDigestible:
                # No plain data (decoded outputs never equal a Digest); a compat sample's object
                # gets to answer `out == exp` as it would upstream.
                return bool(out == exp)
        exact = out == exp
        entry = self.entry
        if self.dataset == 'mbpp':
            if entry == 'are_equivalent':
                exact = True
            elif entry == 'sum_div':
                exact = exact or out == 0
            elif entry == 'surface_Area':
                exact = exact or abs(out - _surface_area(*inp)) <= self.atol
            elif entry == 'digit_distance_nums':
                exact = exact or out == _digit_distance(*inp)
            elif entry in MBPP_OUTPUT_SET_EQ_TASKS:
                exact = set(out) == set(exp)
            elif entry in MBPP_OUTPUT_NOT_NONE_TASKS:
                exact = out == exp if isinstance(out, bool) else exp == (out is not None)
        if self.dataset == 'humaneval' and entry == 'find_zero':
            return abs(_poly(*inp, out)) <= self.atol
        if self.atol == 0 and is_floats(exp):
            self.atol = 1e-6
        if not exact and self.atol != 0:
            if type(out) != type(exp):
                return False
            if isinstance(exp, (list, tuple)) and len(out) != len(exp):
                return False
            import numpy

            return bool(numpy.allclose(out, exp, rtol=1e-07, atol=self.atol))
        return bool(exact)

    def mismatch(self, inp, out, exp, show):
        """Why `matches` said no, for the verdict."""
        if self.dataset == 'humaneval' and self.entry == 'find_zero':
            try:
                return 'wrong output: |poly(xs, %s)| = %r > atol %g' % (show(out, 100), abs(_poly(*inp, out)), self.atol)
            except BaseException:
                pass
        return 'wrong output: got %s, expected %s' % (show(out, 100), show(exp, 100))


# ---- time limits (untrusted_check) ----------------------------------------------------------

# Upstream joins the checking process for its budget + 1 s before killing it (compat only: strict
# enforces the budget itself, call by call).
JOIN_GRACE_S = 1
# Compat: how long a check's fresh process may take to be ready (interpreter, numpy, the expected
# outputs, the guard) before the sample's code runs. Not the sample's budget: upstream's evaluator
# has all that before it forks. judge.ts's job limit counts it too.
SETUP_LIMIT_S = 10


def input_limits(times, spec):
    """Each input's limit: max(floor, factor x the reference's time on it)."""
    return [max(spec['minTimeLimitS'], spec['factor'] * t) for t in times]


def check_budget(limits, times, spec):
    """A check's budget: min(per-task cap, sum of limits) + 1 s (+1 s when all inputs run), never
    less than factor x the reference's own total (a slow reference must pass its own check)."""
    return max(min(spec['perTaskS'], sum(limits)), spec['factor'] * sum(times)) + (1 if spec['failFast'] else 2)


# ---- compat: upstream's in-process check (unsafe_execute) ------------------------------------

# What reliability_guard sets to None in `os` (upstream's list, in its order).
_GUARDED_OS = ('kill system putenv remove removedirs rmdir fchdir setuid fork forkpty killpg rename renames truncate '
               'replace unlink fchmod fchown chmod chown chroot lchflags lchmod lchown getcwd chdir').split()


def memory_limit():
    """Upstream's maximum_memory_bytes: min(4 GiB, the machine's RAM)."""
    import os

    return min(4 << 30, os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES'))


def reliability_guard(maximum_memory_bytes):
    """EvalPlus's guard as its unsafe_execute applies it (builtins.open included). The memory
    limits are capped at the sandbox's own hard limits, which a process may not raise (upstream
    would crash there: evalplus#225)."""
    import builtins
    import faulthandler
    import os
    import resource
    import shutil
    import subprocess

    for kind in (resource.RLIMIT_AS, resource.RLIMIT_DATA, resource.RLIMIT_STACK):
        hard = resource.getrlimit(kind)[1]
        value = maximum_memory_bytes if hard == resource.RLIM_INFINITY else min(maximum_memory_bytes, hard)
        resource.setrlimit(kind, (value, value))
    faulthandler.disable()
    builtins.exit = builtins.quit = None
    os.environ['OMP_NUM_THREADS'] = '1'
    for name in _GUARDED_OS:
        setattr(os, name, None)
    builtins.open = None
    shutil.rmtree = shutil.move = shutil.chown = None
    subprocess.Popen = None
    builtins.help = None
    for name in ('ipdb', 'joblib', 'resource', 'psutil', 'tkinter'):
        sys.modules[name] = None


def _describe(error):
    try:
        return '%s: %s' % (type(error).__name__, error)
    except BaseException:
        return type(error).__name__


class TimeoutException(Exception):
    """Upstream's per-input alarm: an Exception, so the sample's `except Exception` may swallow it."""


class _WriteOnly(io.StringIO):
    """Upstream's swallow_io stream: written to, never read (input() fails)."""

    def read(self, *args, **kwargs):
        raise IOError

    readline = readlines = read

    def readable(self, *args, **kwargs):
        return False


@contextlib.contextmanager
def swallow_io():
    stream = _WriteOnly()
    saved = sys.stdin
    sys.stdin = stream
    try:
        with contextlib.redirect_stdout(stream), contextlib.redirect_stderr(stream):
            yield
    finally:
        sys.stdin = saved


@contextlib.contextmanager
def time_limit(seconds):
    def ring(signum, frame):
        raise TimeoutException('Timed out!')

    signal.setitimer(signal.ITIMER_REAL, seconds)
    signal.signal(signal.SIGALRM, ring)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def check_in_process(program, entry, inputs, expected, comparator, limits, skip, fail_fast, post, show):
    """unsafe_execute after its guard: the program is exec'd in a fresh namespace (no __name__, so
    a main guard does not run), then each input is one call under its own alarm and compared right
    here. `post({'i', 'error'})` reports each input (error None: it passed). Returns 'pass' when
    every input ran (failures included: the caller decides) or 'fail' (the program did not load, or
    fail-fast stopped), as upstream's stat."""
    namespace = {}
    try:
        with swallow_io():
            exec(compile(program, 'program.py', 'exec'), namespace)
            fn = namespace[entry]
    except BaseException as error:
        post({'load': _describe(error)[:500]})
        return 'fail'
    for index, inp in enumerate(inputs):
        if index in skip:
            continue
        try:
            with time_limit(limits[index]):
                with swallow_io():
                    out = fn(*inp)
            error = None if comparator.matches(inp, out, expected[index]) else comparator.mismatch(inp, out, expected[index], show)
        except BaseException as caught:
            error = _describe(caught)[:500]
        post({'i': index, 'error': error})
        if error is not None and fail_fast:
            return 'fail'
    return 'pass'
