/**
 * Uid claims and scratch mounts left behind by a passk that was killed are reclaimed by the next
 * one: a real process is SIGKILLed holding real claims and tmpfs mounts, in a private state folder
 * (PASSK_STATE_DIR) so passk processes running meanwhile are not disturbed.
 */
import {execa} from 'execa';
import {mkdirSync, mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {projectRoot} from './helpers/datasets.js';

const isRoot = process.getuid?.() === 0;
if (!isRoot) console.warn('skipping the uid-claim tests: job identities and scratch mounts exist only when passk runs as root');

const state = mkdtempSync(path.join(os.tmpdir(), 'passk-state-'));
// Claims live in the state folder, but uids are machine-wide: keep to a range no other passk uses.
const uidBase = 64000;
process.env.PASSK_STATE_DIR = state;
process.env.PASSK_UID_BASE = String(uidBase);
const lockDir = path.join(state, 'uids');
const scratchDir = path.join(state, 'scratch');

function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((point): point is string => point !== undefined && point.startsWith(`${dir}/`));
}

describe.skipIf(!isRoot)('uid claims of a killed passk', () => {
  it('are reclaimed with their scratch mounts, and an empty claim left by a kill mid-write does not hold a uid forever', async () => {
    const child = execa('node', ['--import', 'tsx', path.join(projectRoot, 'test', 'fixtures', 'claim-and-hang.ts')], {
      cwd: projectRoot,
      env: {PASSK_STATE_DIR: state, PASSK_UID_BASE: String(uidBase)},
      reject: false,
    });
    const claimed = await new Promise<Array<{uid: number; scratch?: string}>>((resolve, reject) => {
      child.stdout!.once('data', (chunk: Buffer) => resolve(JSON.parse(chunk.toString())));
      child.once('exit', () => reject(new Error('the claiming process exited early')));
    });
    child.kill('SIGKILL');
    await child;
    const uids = claimed.map((c) => String(c.uid));
    expect(readdirSync(lockDir).sort()).toEqual(uids.sort());
    expect(mountsUnder(scratchDir)).toHaveLength(claimed.filter((c) => c.scratch).length);

    // An older passk killed between creating its claim file and writing its pid left it empty.
    const empty = String(uidBase + 900);
    writeFileSync(path.join(lockDir, empty), '');
    const minuteAgo = new Date(Date.now() - 60_000);
    utimesSync(path.join(lockDir, empty), minuteAgo, minuteAgo);

    const {takeIdentity, releaseIdentity, unmountScratch} = await import('../src/execute/identity.js');
    const identity = await takeIdentity(1 << 20);
    // Nothing of the dead process is left but what this process now holds itself.
    expect(readdirSync(lockDir)).toEqual([String(identity.uid)]);
    await releaseIdentity(identity);
    await unmountScratch();
    expect(readdirSync(lockDir)).toEqual([]);
    expect(mountsUnder(scratchDir)).toEqual([]);
  });

  it('hands out distinct uids to many jobs claiming at once, again and again', async () => {
    const {takeIdentity, releaseIdentity, unmountScratch} = await import('../src/execute/identity.js');
    // Released uids are reused: concurrent claims then race for the same uid and its claim file.
    for (let round = 0; round < 20; round++) {
      const identities = await Promise.all(Array.from({length: 16}, () => takeIdentity(1 << 20)));
      expect(new Set(identities.map((i) => i.uid)).size).toBe(16);
      await Promise.all(identities.map((i) => releaseIdentity(i)));
    }
    await unmountScratch();
    expect(readdirSync(lockDir)).toEqual([]);
  });

  it('never takes a claim whose owner is alive', async () => {
    const {takeIdentity, releaseIdentity, unmountScratch} = await import('../src/execute/identity.js');
    // A live process (this one's parent) holds the first uid here.
    const held = String(uidBase);
    mkdirSync(lockDir, {recursive: true});
    writeFileSync(path.join(lockDir, held), String(process.ppid));
    const identity = await takeIdentity(1 << 20);
    expect(identity.uid).not.toBe(uidBase);
    expect(readFileSync(path.join(lockDir, held), 'utf8')).toBe(String(process.ppid));
    await releaseIdentity(identity);
    await unmountScratch();
    expect(readdirSync(lockDir)).toEqual([held]);
  });
});
