/**
 * Who runs what, read from /proc. RLIMIT_NPROC counts every task (thread) of a real uid, zombies
 * included, so the process cap of a step must be set relative to what that uid already runs, and
 * a job's uid may only be handed to another job once nothing of the first job is still alive.
 * RLIMIT_AS caps each process alone, so the memory of a job's process tree is summed here too.
 */
import {closeSync, openSync, readdirSync, readFileSync, readSync} from 'node:fs';

export interface UidTasks {
  /** Tasks as RLIMIT_NPROC counts them: threads of live processes plus zombies. */
  tasks: number;
  /** Processes that are not zombies. */
  live: number;
}

const buffer = Buffer.alloc(4096);

function status(pid: string): string | undefined {
  try {
    const fd = openSync(`/proc/${pid}/status`, 'r');
    try {
      return buffer.toString('latin1', 0, readSync(fd, buffer, 0, buffer.length, 0));
    } finally {
      closeSync(fd);
    }
  } catch {
    // The process exited between readdir and open.
    return undefined;
  }
}

/**
 * Tasks per real uid on this host (in passk's pid namespace). Synchronous on purpose: a scan takes
 * about 1.5 ms for 100 processes this way, several times more through the async fs API.
 */
export function tasksByUid(): Map<number, UidTasks> {
  const byUid = new Map<number, UidTasks>();
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const text = status(pid);
    if (text === undefined) continue;
    const uid = Number(/^Uid:\s+(\d+)/m.exec(text)?.[1]);
    const zombie = /^State:\s+[ZX]/m.test(text);
    const entry = byUid.get(uid) ?? {tasks: 0, live: 0};
    entry.tasks += zombie ? 1 : Number(/^Threads:\s+(\d+)/m.exec(text)?.[1] ?? 1);
    if (!zombie) entry.live++;
    byUid.set(uid, entry);
  }
  return byUid;
}

/**
 * Resident memory of a process and all its descendants, in bytes (0 once it is gone). Inside a
 * sandbox, orphans are adopted by its init, so the tree below the step's process is the whole job.
 */
export function treeResidentBytes(pid: number): number {
  let kib = 0;
  const pending = [pid];
  for (let current = pending.pop(); current !== undefined; current = pending.pop()) {
    const text = status(String(current));
    if (text === undefined) continue;
    kib += Number(/^VmRSS:\s+(\d+)/m.exec(text)?.[1] ?? 0);
    try {
      for (const tid of readdirSync(`/proc/${current}/task`)) {
        const children = readFileSync(`/proc/${current}/task/${tid}/children`, 'latin1');
        pending.push(...children.split(' ').filter(Boolean).map(Number));
      }
    } catch {
      // It exited while we looked.
    }
  }
  return kib * 1024;
}
