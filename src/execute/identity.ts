/**
 * Job identities when passk runs as root. Each concurrent job gets its own unprivileged uid, so the
 * process cap is per job and no job can signal another's processes, and (where root may mount) a
 * size-capped tmpfs owned by that uid to hold its job directory, so a job cannot fill the host's disk.
 */
import {readFileSync} from 'node:fs';
import {link, mkdir, readdir, readFile, rename, rm, rmdir, stat, statfs, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {execa} from 'execa';
import {processAlive} from '../process-alive.js';
import {tasksByUid} from './procs.js';

export interface Identity {
  uid: number;
  /** Tasks the uid had when claimed (zombies of its earlier jobs, which still count against RLIMIT_NPROC). */
  tasks: number;
  /** A tmpfs of the job's disk budget for the job directory, or undefined where mounting is not allowed. */
  scratch?: string;
}

/** PASSK_UID_BASE (with PASSK_STATE_DIR): tests keep to uids no other passk on the machine hands out. */
const uidBase = Number(process.env.PASSK_UID_BASE) || 61000;
/** PASSK_STATE_DIR: tests keep their claims apart from the passk processes running meanwhile (see PASSK_UID_BASE). */
const stateDir = process.env.PASSK_STATE_DIR ?? '/run/passk';
/**
 * One file per uid in use, holding its owner (pid and start time): keeps concurrent passk processes
 * off each other's uids. A claim whose owner is dead is stale and is reclaimed.
 */
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

/** A process's start time in clock ticks since boot (/proc/<pid>/stat field 22): with the pid, it names one process for good. */
function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** This process as a claim owner. */
const self = `${process.pid} ${startTime(process.pid)}`;

/** A claim's owner is alive; a recycled pid is not the owner. Claims of older passk versions hold the pid alone. */
function ownerAlive(owner: string): boolean {
  const [pid, start] = owner.trim().split(' ');
  const number = Number(pid);
  if (!Number.isInteger(number) || number <= 0 || !processAlive(number)) return false;
  return start === undefined || startTime(number) === start;
}

/**
 * Older passk versions created a claim file and wrote their pid into it in two steps, so a kill in
 * between left it empty. Past this age an empty claim is one of those; younger, it may still be written.
 */
const EMPTY_CLAIM_GRACE_MS = 10_000;

const claimFile = (uid: number) => path.join(lockDir, String(uid));

/** Names of this process's scratch files beside a claim: unique, as its jobs claim uids concurrently. */
let scratchFiles = 0;
const aside = (file: string, kind: 'draft' | 'stale') => `${file}.${process.pid}.${++scratchFiles}.${kind}`;

async function lock(uid: number): Promise<boolean> {
  const file = claimFile(uid);
  for (let attempt = 0; attempt < 2; attempt++) {
    if (await createClaim(file)) return true;
    if (!(await removeIfStale(file))) return false;
  }
  return false;
}

/** Creates the claim file with its owner already in it (written aside, then linked into place): never seen empty. */
async function createClaim(file: string): Promise<boolean> {
  const draft = aside(file, 'draft');
  await writeFile(draft, self);
  try {
    await link(draft, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return false;
  } finally {
    await rm(draft, {force: true});
  }
}

/** Removes a claim whose owner is dead (or an old empty one); true when the claim is gone. Claims of this process stay. */
async function removeIfStale(file: string): Promise<boolean> {
  let owner: string;
  let ageMs: number;
  try {
    owner = await readFile(file, 'utf8');
    ageMs = Date.now() - (await stat(file)).mtimeMs;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw error;
  }
  if (owner.trim() === '' ? ageMs < EMPTY_CLAIM_GRACE_MS : owner === self || ownerAlive(owner)) return false;
  // Moved aside before deleting: if another process reclaimed it and claimed the uid meanwhile,
  // the file moved is that fresh claim, which is put back instead of deleted.
  const stale = aside(file, 'stale');
  try {
    await rename(file, stale);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw error;
  }
  const moved = await readFile(stale, 'utf8').catch(() => owner);
  if (moved !== owner) await link(stale, file).catch(() => undefined);
  await rm(stale, {force: true});
  return true;
}

/**
 * Claims and scratch mounts left by passk processes that were killed: their claims are removed
 * and their scratch mounts (and whatever the killed jobs left in them) unmounted, so the uids and
 * the memory come back. A uid with live processes is left alone.
 */
async function reclaimStaleClaims(): Promise<void> {
  const byUid = tasksByUid();
  for (const name of await readdir(lockDir)) {
    const leftover = /^\d+\.(\d+)\.\d+\.(draft|stale)$/.exec(name);
    if (leftover) {
      if (!processAlive(Number(leftover[1]))) await rm(path.join(lockDir, name), {force: true});
      continue;
    }
    const uid = Number(name);
    if (!Number.isInteger(uid) || byUid.get(uid)?.live) continue;
    if (!(await removeIfStale(claimFile(uid))) || !(await lock(uid))) continue;
    try {
      await unmount(uid);
    } finally {
      await rm(claimFile(uid), {force: true});
    }
  }
}

/** Unmounts the uid's scratch (if mounted) and removes its folder; the caller holds the uid's claim. */
async function unmount(uid: number): Promise<void> {
  const dir = path.join(scratchDir, String(uid));
  await execa('umount', ['--lazy', dir], {reject: false, stdin: 'ignore'});
  scratchUsed.delete(uid);
  await rmdir(dir).catch(() => undefined);
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
    await reclaimStaleClaims();
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
    await rm(claimFile(uid), {force: true});
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
  await rm(claimFile(identity.uid), {force: true});
  released.push(identity.uid);
}

/**
 * Unmounts the scratch mounts this process made, except those a job (of any passk process) is
 * using. One left behind by a passk process that was killed is reused by the next one.
 */
export async function unmountScratch(): Promise<void> {
  for (const uid of [...scratchUsed]) {
    if (!(await lock(uid))) continue;
    try {
      await unmount(uid);
    } finally {
      await rm(claimFile(uid), {force: true});
    }
  }
}
