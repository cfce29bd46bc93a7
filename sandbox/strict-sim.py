"""passk's strict-mode simulation launcher for VerilogEval: runs vvp so that the simulated design
cannot learn the nonce that makes the testbench's verdict line trusted.

That nonce is written in the hardened testbench source, in the compiled image and, once the image
is loaded, in vvp's own memory. Started in the job directory after compilation, this launcher
1. reads the compiled image into memory, then deletes every file of the job directory (sources,
   image, itself), so no file holding the nonce is left to open;
2. restricts itself, and so vvp, with Landlock: read and execute under the system directories,
   read and write under the job directory and /dev, nothing else. No /proc: vvp's memory
   (/proc/self/mem), command lines, environments and file descriptors of every process stay out of
   reach (the kernel always lets a process read its own /proc/self/mem, so /proc itself must go).
   No /tmp either: an earlier step of the job (a compiler killed at its deadline) may have left
   files holding the nonce there, and the testbench writes only to its working directory;
   vvp's stdout and stderr are unnamed files in /tmp, copied to the launcher's own once vvp has
   ended. Landlock does not guard pipes, so with the step's pipe as its stdout a design could open
   /proc/self/fd/1 (or /dev/stdout) for reading and take the testbench's verdict line out of it
   before passk reads it; a file under /tmp cannot be opened again that way. (A simulation killed at
   its deadline loses what it wrote, as vvp's own unflushed buffer always did.)
3. is non-dumpable, puts a FIFO where the image was, starts vvp on it with stdin /dev/null, writes
   the image into the FIFO and closes it (vvp reads the whole image before the simulation starts;
   the FIFO is unlinked as soon as vvp has it open), then exits with vvp's status (128 + N for
   death by signal N).
Without Landlock vvp does not run: the launcher prints `passk-sim-<token> unavailable: <why>` and
exits 125. The token comes on the command line, which the simulation cannot read, so a design cannot
print that line to turn its own failure into an infrastructure error.

Usage: python3 -I strict-sim.py <token> vvp [vvp option ...] <image>
"""
import ctypes
import errno
import os
import sys
import time

SYS_LANDLOCK_CREATE_RULESET = 444  # the same number on x86_64 and aarch64
SYS_LANDLOCK_ADD_RULE = 445
SYS_LANDLOCK_RESTRICT_SELF = 446
LANDLOCK_CREATE_RULESET_VERSION = 1
LANDLOCK_RULE_PATH_BENEATH = 1
PR_SET_DUMPABLE = 4
PR_SET_NO_NEW_PRIVS = 38

EXECUTE, READ_FILE, READ_DIR = 1 << 0, 1 << 2, 1 << 3
READ_ONLY = EXECUTE | READ_FILE | READ_DIR
SYSTEM_DIRS = ('/usr', '/etc', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32')

libc = ctypes.CDLL(None, use_errno=True)


class Unavailable(Exception):
    pass


class PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [('allowed_access', ctypes.c_uint64), ('parent_fd', ctypes.c_int32)]


def handled_access(abi):
    """Every filesystem right the kernel's Landlock ABI knows: ABI 1 has 13, 2 adds REFER, 3 TRUNCATE, 5 IOCTL_DEV."""
    bits = 13 + (abi >= 2) + (abi >= 3)
    rights = (1 << bits) - 1
    return rights | (1 << 15) if abi >= 5 else rights


def syscall(number, *args):
    result = libc.syscall(number, *args)
    if result < 0:
        code = ctypes.get_errno()
        raise Unavailable(f'{os.strerror(code)} (errno {code})')
    return result


def restrict():
    """Landlock for this process and its children: system dirs read-only, the job dir and /dev read-write, nothing else."""
    try:
        abi = syscall(SYS_LANDLOCK_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(LANDLOCK_CREATE_RULESET_VERSION))
    except Unavailable as error:
        raise Unavailable(f'Landlock is not available in this kernel or sandbox: {error}') from None
    handled = handled_access(abi)
    attr = ctypes.c_uint64(handled)
    ruleset = syscall(SYS_LANDLOCK_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(8), ctypes.c_uint32(0))
    for directory, access in [(d, READ_ONLY) for d in SYSTEM_DIRS] + [(d, handled & ~EXECUTE) for d in (os.getcwd(), '/dev')]:
        try:
            fd = os.open(directory, os.O_PATH | os.O_CLOEXEC)
        except FileNotFoundError:
            continue
        rule = PathBeneath(access, fd)
        syscall(SYS_LANDLOCK_ADD_RULE, ctypes.c_int(ruleset), ctypes.c_int(LANDLOCK_RULE_PATH_BENEATH), ctypes.byref(rule), ctypes.c_uint32(0))
        os.close(fd)
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise Unavailable(f'prctl(PR_SET_NO_NEW_PRIVS): {os.strerror(ctypes.get_errno())}')
    syscall(SYS_LANDLOCK_RESTRICT_SELF, ctypes.c_int(ruleset), ctypes.c_uint32(0))
    os.close(ruleset)


def empty(directory):
    """Deletes everything in a directory (not the directory itself). Not shutil: its imports cost more than a small simulation."""
    for entry in os.scandir(directory):
        if entry.is_dir(follow_symlinks=False):
            empty(entry.path)
            os.rmdir(entry.path)
        else:
            os.unlink(entry.path)


def read_image(path):
    try:
        with open(path, 'rb') as file:
            return file.read()
    except OSError:
        # Nothing compiled (v1 runs the simulator after a failed compile too): vvp reports it.
        return None


def start_vvp(command, stdout, stderr):
    """vvp's pid, or None when it could not be started (the reason is written to its stderr).

    posix_spawn, not fork + exec: forking this interpreter (copy-on-write faults in both processes
    while the child runs Python up to exec) cost 15-20 ms per simulation; glibc's posix_spawn
    execs from a vfork. The child inherits the Landlock domain and no_new_privs all the same."""
    actions = [(os.POSIX_SPAWN_OPEN, 0, '/dev/null', os.O_RDONLY, 0), (os.POSIX_SPAWN_DUP2, stdout, 1), (os.POSIX_SPAWN_DUP2, stderr, 2)]
    try:
        return os.posix_spawnp(command[0], command, os.environ, file_actions=actions)
    except OSError as error:
        os.write(stderr, f'passk-sim: cannot run {command[0]}: {error.strerror}\n'.encode())
        return None


def open_writer(fifo, pid):
    """The FIFO's write end once vvp has opened it, or vvp's wait status if it ended first.

    Polled, not a blocking open: that would wait forever for a vvp that died before opening it.
    The pause grows so a slow start (a loaded machine) is not slowed further by the polling."""
    pause = 0.0001
    while True:
        try:
            return os.open(fifo, os.O_WRONLY | os.O_NONBLOCK | os.O_CLOEXEC), None
        except OSError as error:
            if error.errno != errno.ENXIO:
                raise
        ended, status = os.waitpid(pid, os.WNOHANG)
        if ended:
            return None, status
        time.sleep(pause)
        pause = min(pause * 2, 0.002)


def feed(fifo, image, pid):
    """Writes the image to vvp through the FIFO; vvp's wait status if it ended before opening it."""
    fd, status = open_writer(fifo, pid)
    os.unlink(fifo)
    if fd is None:
        return status
    os.set_blocking(fd, True)
    try:
        view = memoryview(image)
        while view:
            view = view[os.write(fd, view) :]
    except BrokenPipeError:
        pass  # vvp gave up on the image; its status says why
    finally:
        os.close(fd)
    return None


def unnamed_file():
    """A file in /tmp with no name: nothing can open it again, by path or through /proc/self/fd."""
    return os.open('/tmp', os.O_TMPFILE | os.O_RDWR, 0o600)


def same_file(a, b):
    first, second = os.fstat(a), os.fstat(b)
    return (first.st_dev, first.st_ino) == (second.st_dev, second.st_ino)


def relay(source, target):
    """Copies what vvp wrote to the launcher's own stdout or stderr."""
    os.lseek(source, 0, os.SEEK_SET)
    try:
        while chunk := os.read(source, 1 << 16):
            view = memoryview(chunk)
            while view:
                view = view[os.write(target, view) :]
    except BrokenPipeError:
        pass  # passk stopped reading (output cap)


def main(argv):
    token, command = argv[1], argv[2:]
    image_path = command[-1]
    image = read_image(image_path)
    empty('.')
    stdout = unnamed_file()
    # One file when the step merges stderr into stdout, so the two stay interleaved as written.
    stderr = stdout if same_file(1, 2) else unnamed_file()
    try:
        restrict()
    except Unavailable as error:
        print(f'passk-sim-{token} unavailable: {error}', flush=True)
        return 125
    libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    if image is not None:
        os.mkfifo(image_path, 0o600)
    pid = start_vvp(command, stdout, stderr)
    if pid is None:
        status = 127 << 8  # as a shell reports a command it cannot run
        if image is not None:
            os.unlink(image_path)
    else:
        status = feed(image_path, image, pid) if image is not None else None
        if status is None:
            _, status = os.waitpid(pid, 0)
    relay(stdout, 1)
    if stderr != stdout:
        relay(stderr, 2)
    return os.WEXITSTATUS(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status)


if __name__ == '__main__':
    sys.exit(main(sys.argv))
