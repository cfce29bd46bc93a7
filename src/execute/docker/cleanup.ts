/**
 * `passk sandbox cleanup`: removes the sandbox containers passk left behind, found by label. A
 * container whose owning passk process still runs on this host is kept unless `all` is set.
 */
import os from 'node:os';
import {connectEngine, statusOf, unreachable} from './engines.js';
import {within} from '../within.js';
import {labels, runnerRole} from './settings.js';

export interface CleanupEntry {
  engine: string;
  id: string;
  owner: string;
  state: string;
}

export interface CleanupResult {
  removed: CleanupEntry[];
  /** Containers of passk processes that are still running here. */
  kept: CleanupEntry[];
  /** Engines that could not be asked, and containers that could not be removed. */
  problems: string[];
}

function ownerAlive(owner: string): boolean {
  const [host, pid] = owner.split('/');
  if (host !== os.hostname() || !pid) return false;
  try {
    process.kill(Number(pid), 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function cleanupContainers(options: {dockerHosts: string[]; all?: boolean}): Promise<CleanupResult> {
  const result: CleanupResult = {removed: [], kept: [], problems: []};
  for (const url of options.dockerHosts) {
    const engine = connectEngine(url);
    const problem = await unreachable(engine);
    if (problem) {
      result.problems.push(`${url}: not reachable: ${problem}`);
      continue;
    }
    const containers = await within(engine.docker.listContainers({all: true, filters: {label: [`${labels.role}=${runnerRole}`]}}), 30_000, 'list containers');
    for (const container of containers) {
      const entry = {engine: url, id: container.Id.slice(0, 12), owner: container.Labels[labels.owner] ?? 'unknown', state: container.State};
      if (!options.all && ownerAlive(entry.owner)) {
        result.kept.push(entry);
        continue;
      }
      try {
        await within(engine.docker.getContainer(container.Id).remove({force: true}), 30_000, 'remove container');
        result.removed.push(entry);
      } catch (error) {
        // 404 or 409: it removed itself meanwhile (AutoRemove).
        if (statusOf(error) === 404 || statusOf(error) === 409) result.removed.push(entry);
        else result.problems.push(`${url}: could not remove ${entry.id}: ${(error as Error).message}`);
      }
    }
  }
  return result;
}
