/**
 * Job identities when passk runs as root. Each concurrent job gets its own unprivileged uid, so the
 * process cap is per job and no job can signal another's processes, and (where root may mount) a
 * size-capped tmpfs owned by that uid to hold its job directory, so a job cannot fill the host's disk.
 */
import {mkdir, readdir, readFile, rm, rmdir, stat, statfs, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {execa} from 'execa';
import {tasksByUid} from './procs.js';

export interface Identity {
  uid: number;
  /** Tasks the uid had when claimed (zombies of its earlier jobs, which still count against RLIMIT_NPROC). */
  tasks: number;
  /** A tmpfs of the job's disk budget for the job directory, or undefined where mounting is not allowed. */
  scratch?: string;
}

const uidBase = 61000;
const stateDir = '/run/passk';
/** One file per uid in use, holding the owner's pid: keeps concurrent passk processes off each other's uids. */
const lockDir = path.join(stateDir, 'uids');
/** Per-uid tmpfs mounts, kept mounted from job to job because mounting costs a process spawn. */
const scratchDir = path.join(stateDir, 'scratch');

/** Uids this process used and gave back, reused once nothing of theirs is alive. */
const released: number[] = [];
let nextUid = uidBase;
let dirsReady: Promise<void> | undefined;
/** Uids whose scratch mount this process has used: close() unmounts them. */
const scratchUsed = new Set<number>();
let canMount = true;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function lock(uid: number): Promise<boolean> {
  const file = path.join(lockDir, String(uid));
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(file, String(process.pid), {flag: 'wx'});
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number(await readFile(file, 'utf8').catch(() => ''));
    // 0: the owner has created the file but not yet written its pid.
    if (!owner || owner === process.pid || alive(owner)) return false;
    await rm(file, {force: true});
  }
  return false;
}

async function claimUid(): Promise<{uid: number; tasks: number}> {
  const byUid = tasksByUid();
  const free = (uid: number) => !byUid.get(uid)?.live;
  const claimed = (uid: number) => ({uid, tasks: byUid.get(uid)?.tasks ?? 0});
  for (const uid of [...released]) {
    if (!free(uid) || !(await lock(uid))) continue;
    const index = released.indexOf(uid);
    if (index >= 0) released.splice(index, 1);
    return claimed(uid);
  }
  for (;;) {
    const uid = nextUid++;
    if (free(uid) && (await lock(uid))) return claimed(uid);
  }
}

/**
 * The uid's tmpfs, (re)mounted when it is missing or of another size. Checked on every claim, not
 * cached: another passk process may have unmounted it meanwhile, and the bare directory beneath
 * lies on /run, which must never fill up.
 */
async function scratchFor(uid: number, bytes: number): Promise<string | undefined> {
  const dir = path.join(scratchDir, String(uid));
  await mkdir(dir, {recursive: true});
  // Whatever is left in it belongs to a job of a passk process that died: the uid is ours now and idle.
  for (const entry of await readdir(dir)) await rm(path.join(dir, entry), {recursive: true, force: true});
  const mounted = (await stat(dir)).dev !== (await stat(scratchDir)).dev;
  const size = mounted ? await statfs(dir).then((fs) => fs.blocks * fs.bsize) : 0;
  // tmpfs rounds the size up to whole pages.
  if (!mounted || Math.abs(size - bytes) >= 64 * 1024) {
    const options = `size=${bytes},mode=0700,uid=${uid},gid=${uid},nosuid,nodev`;
    const argv = mounted ? ['-o', `remount,${options}`, dir] : ['-t', 'tmpfs', '-o', options, 'passk-scratch', dir];
    const result = await execa('mount', argv, {reject: false, stdin: 'ignore'});
    if (result.failed) {
      // No CAP_SYS_ADMIN (e.g. inside a container): job directories stay on the host's temp dir.
      canMount = false;
      return undefined;
    }
  }
  scratchUsed.add(uid);
  return dir;
}

function stateDirs(): Promise<void> {
  dirsReady ??= (async () => {
    // Job uids must be able to pass through to their scratch mounts; the locks are root's alone.
    await mkdir(scratchDir, {recursive: true, mode: 0o755});
    await mkdir(lockDir, {recursive: true, mode: 0o700});
  })();
  return dirsReady;
}

/** A uid for a long-lived sandbox (a warm runner), which brings tmpfs mounts of its own: no scratch. */
export async function claimIdentity(): Promise<Identity> {
  await stateDirs();
  return claimUid();
}

export async function takeIdentity(diskBytes: number): Promise<Identity> {
  await stateDirs();
  const {uid, tasks} = await claimUid();
  try {
    return {uid, tasks, scratch: canMount ? await scratchFor(uid, diskBytes) : undefined};
  } catch (error) {
    await rm(path.join(lockDir, String(uid)), {force: true});
    throw error;
  }
}

/**
 * Waits (briefly) until none of the job's processes is alive. They are normally dead already, but
 * bwrap exits before its init has finished killing the pid namespace; after this, nothing of the
 * job outlives its run().
 */
export async function awaitExit(identity: Identity): Promise<void> {
  for (let polls = 0; polls < 1000; polls++) {
    if (!tasksByUid().get(identity.uid)?.live) return;
    await sleep(2);
  }
}

/** Gives the uid back; claimUid hands it out again only while nothing of it is alive. */
export async function releaseIdentity(identity: Identity): Promise<void> {
  await rm(path.join(lockDir, String(identity.uid)), {force: true});
  released.push(identity.uid);
}

/**
 * Unmounts the scratch mounts this process made, except those a job (of any passk process) is
 * using. One left behind by a passk process that was killed is reused by the next one.
 */
export async function unmountScratch(): Promise<void> {
  for (const uid of [...scratchUsed]) {
    if (!(await lock(uid))) continue;
    const dir = path.join(scratchDir, String(uid));
    try {
      await execa('umount', ['--lazy', dir], {reject: false, stdin: 'ignore'});
      scratchUsed.delete(uid);
      await rmdir(dir).catch(() => undefined);
    } finally {
      await rm(path.join(lockDir, String(uid)), {force: true});
    }
  }
}
