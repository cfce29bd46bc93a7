/**
 * Daemon-less sandbox on bubblewrap: every step gets new user, pid, network, ipc and uts
 * namespaces (so no network at all), a read-only toolchain (/usr and friends from the toolchain
 * root), a private /proc and /dev, a fresh size-capped /tmp, and only its own job directory
 * writable at /work. No home directories, no host /etc beyond what the loader and interpreters need.
 */
import {existsSync, lstatSync, readlinkSync} from 'node:fs';
import path from 'node:path';
import {diskBytes, type JobDirs, type Wrap} from './process.js';
import type {Limits} from './sandbox.js';

const topLevelLinks = ['bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32'];

/** Host /etc entries the loader and interpreters read; the rest of a host's /etc stays hidden. */
const hostEtcAllowlist = ['alternatives', 'ld.so.cache', 'ld.so.conf', 'ld.so.conf.d', 'localtime', 'python3', 'python3.11', 'python3.12', 'python3.13'];

/** bwrap arguments that lay out the toolchain root's system directories read-only. */
function toolchainMounts(root: string): string[] {
  const args = ['--ro-bind', path.join(root, 'usr'), '/usr'];
  for (const name of topLevelLinks) {
    const entry = path.join(root, name);
    if (!existsSync(entry)) continue;
    const stat = lstatSync(entry);
    if (stat.isSymbolicLink()) args.push('--symlink', readlinkSync(entry), `/${name}`);
    else if (stat.isDirectory()) args.push('--ro-bind', entry, `/${name}`);
  }
  if (root !== '/') {
    // A dedicated toolchain root (mmdebstrap'd) has a clean /etc of its own.
    args.push('--ro-bind', path.join(root, 'etc'), '/etc');
  } else {
    for (const name of hostEtcAllowlist) {
      const entry = path.join('/etc', name);
      if (existsSync(entry)) args.push('--ro-bind', entry, entry);
    }
  }
  return args;
}

export function bwrapWrap(toolchainRoot: string): Wrap {
  const mounts = toolchainMounts(toolchainRoot);
  return (argv: string[], dirs: JobDirs, limits: Limits) => {
    const tmpfsSize = String(diskBytes(limits));
    return [
      'bwrap',
      '--unshare-all',
      // Explicit so that --disable-userns applies: a nested user namespace could mount an unbounded tmpfs.
      '--unshare-user',
      '--disable-userns',
      '--die-with-parent',
      '--new-session',
      '--cap-drop',
      'ALL',
      '--hostname',
      'sandbox',
      ...mounts,
      '--proc',
      '/proc',
      '--dev',
      '/dev',
      // Every writable place has a size: bwrap's own tmpfs mounts (/ and /dev) default to half the RAM.
      '--size',
      tmpfsSize,
      '--perms',
      '1777',
      '--tmpfs',
      '/dev/shm',
      '--size',
      tmpfsSize,
      '--perms',
      '1777',
      '--tmpfs',
      '/tmp',
      '--bind',
      dirs.work,
      '/work',
      '--remount-ro',
      '/dev',
      '--remount-ro',
      '/',
      '--chdir',
      '/work',
      '--',
      ...argv,
    ];
  };
}
