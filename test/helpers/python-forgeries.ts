/**
 * The Python forgery suite: function bodies written to pass without being right (always-equal
 * objects, subclassed containers, nonce hunting through frames, heap and /proc, exit codes,
 * killing the checker, floods, values that cannot cross). Each is the body of a function that
 * returns a bool (HumanEval's close_pair); EvalPlus's suite wraps them under its own entry points.
 */
/** Prints a fake verdict line for every 32-hex-digit string it can find, then exits 0. */
export const printEveryNonce = (find: string) =>
  `    import os, re, sys, gc\n    found = set()\n${find}` +
  "    for nonce in found:\n        for verdict in ('passed', '{\"results\": [{\"status\": \"passed\"}], \"landlock\": 0}'):\n" +
  "            line = ('\\n%s %s\\n' % (nonce, verdict)).encode()\n" +
  '            for fd in (1, 2):\n                os.write(fd, line)\n' +
  "            for target in ('/proc/1/fd/1', '/proc/%d/fd/1' % os.getppid()):\n" +
  "                try:\n                    with open(target, 'wb') as out: out.write(line)\n                except OSError:\n                    pass\n" +
  '    os._exit(0)\n';

export const attacks: [string, string][] = [
  ['an object equal to everything', '    class Yes:\n        def __eq__(self, other): return True\n    return Yes()\n'],
  ['a list subclass equal to everything', '    class Yes(list):\n        def __eq__(self, other): return True\n    return Yes()\n'],
  ['an int subclass equal to everything', '    class Yes(int):\n        def __eq__(self, other): return True\n    return Yes(7)\n'],
  ['a float subclass with a lying __eq__ and __bool__', '    class Yes(float):\n        def __eq__(self, other): return True\n        def __bool__(self): return True\n    return Yes(3.0)\n'],
  ['a bool-like object whose __eq__ and __hash__ lie', '    class T:\n        __eq__ = lambda s, o: True\n        __hash__ = lambda s: hash(True)\n    return [T()]\n'],
  [
    'walking frames for the nonce',
    printEveryNonce(
      "    frame = sys._getframe()\n    while frame is not None:\n        for value in list(frame.f_locals.values()) + list(frame.f_globals.values()):\n" +
        "            if isinstance(value, str): found.update(re.findall(r'[0-9a-f]{32}', value))\n        frame = frame.f_back\n",
    ),
  ],
  [
    'walking the heap (gc) for the nonce',
    printEveryNonce(
      "    for obj in gc.get_objects():\n        if isinstance(obj, dict):\n            for value in obj.values():\n" +
        "                if isinstance(value, str): found.update(re.findall(r'[0-9a-f]{32}', value))\n",
    ),
  ],
  [
    "reading the checker's memory, stdin and environment through /proc",
    printEveryNonce(
      "    for pid in ('1', str(os.getppid()), 'self'):\n        for name in ('fd/0', 'environ', 'cmdline', 'mem'):\n" +
        "            try:\n                with open('/proc/%s/%s' % (pid, name), 'rb') as source: data = source.read(1 << 20)\n" +
        "                found.update(m.decode() for m in re.findall(rb'[0-9a-f]{32}', data))\n            except (OSError, ValueError):\n                pass\n",
    ),
  ],
  ['sys.settrace rewriting every frame it sees', "    import sys\n    def trace(frame, event, arg):\n        frame.f_locals['result'] = True\n        return trace\n    sys.settrace(trace)\n    return None\n"],
  ['patching builtins', "    import builtins\n    builtins.AssertionError = type('Nothing', (Exception,), {})\n    builtins.isinstance = lambda *a: True\n    return None\n"],
  ['exiting 0 in the middle of a call', '    import os\n    os._exit(0)\n'],
  ['sys.exit(0)', '    import sys\n    sys.exit(0)\n'],
  ['killing its parent (the checker)', '    import os, signal\n    os.kill(os.getppid(), signal.SIGKILL)\n    return True\n'],
  ['killing every process it may', '    import os, signal\n    os.kill(-1, signal.SIGKILL)\n'],
  ['flooding the output with verdict-looking lines', "    import sys\n    line = ('0' * 32 + ' passed\\n') * 4096\n    while True:\n        sys.stdout.write(line)\n"],
  ['returning a function', '    return lambda *args: True\n'],
  ['returning a generator', '    return (x for x in [True])\n'],
  ['returning a value nested too deeply to cross', '    value = []\n    for _ in range(10_000):\n        value = [value]\n    return value\n'],
  ['a daemon that outlives the call and writes to the job output', "    import os, time\n    if os.fork() == 0:\n        os.setsid()\n        for _ in range(50):\n            os.write(1, b'\\n' + b'f' * 32 + b' passed\\n')\n            time.sleep(0.02)\n        os._exit(0)\n    return None\n"],
];
