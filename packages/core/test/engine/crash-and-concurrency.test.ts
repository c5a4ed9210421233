import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { BackupDestination } from '../../src/engine/backup-destination.js';
import {
  defineProvider,
  listCommittedEntries,
  runBackup,
  verifyDirectory,
  type StatusMessage,
} from '../../src/index.js';
import { z } from 'zod';
import { processStartTime } from '../../src/engine/lock.js';
import { tempDir } from '../helpers.js';

const writer = fileURLToPath(new URL('../fixtures/engine-writer.mjs', import.meta.url));

interface Child {
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string }>;
  waitFor(text: string): Promise<void>;
  kill(signal: NodeJS.Signals): void;
}

function runWriter(dir: string, mode: string, name?: string): Child {
  // crash-at:<step> dies through the engine's own fault hook (see BackupDestination), the first time the commit reaches <step>.
  const env = mode.startsWith('crash-at:')
    ? { ...process.env, COFFER_FAULT_AT: `commit:${mode.slice('crash-at:'.length)}:1` }
    : process.env;
  const child = spawn(process.execPath, [writer, dir, mode, ...(name ? [name] : [])], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env,
  });
  let stdout = '';
  const waiters: { text: string; resolve: () => void }[] = [];
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    for (const w of waiters) if (stdout.includes(w.text)) w.resolve();
  });
  return {
    exit: new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stdout }))),
    waitFor: (text) => new Promise((resolve) => (stdout.includes(text) ? resolve() : waiters.push({ text, resolve }))),
    kill: (signal) => child.kill(signal),
  };
}

// The same index maintainer the writer uses: recovery replays it for the entries it rolls forward.
const index = {
  fileName: 'index.txt',
  update: (current: Buffer | null, added: { name: string }[]) =>
    `${current ?? ''}${added.map((e) => `${e.name}\n`).join('')}`,
};

/** Opens the destination, retrying while it is locked; returns how many attempts saw it locked and what the engine reported. */
async function openAfterCrash(
  dir: string,
): Promise<{ destination: BackupDestination; lockedAttempts: number; messages: StatusMessage[] }> {
  let lockedAttempts = 0;
  const messages: StatusMessage[] = [];
  for (;;) {
    try {
      const destination = await BackupDestination.open(dir, {
        providerId: 'test',
        lock: { staleMs: 2000 },
        index,
        report: (m) => messages.push(m),
      });
      return { destination, lockedAttempts, messages };
    } catch (error) {
      expect((error as { code?: string }).code).toBe('DESTINATION_LOCKED');
      lockedAttempts += 1;
      if (lockedAttempts > 100) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

describe('a writer killed mid-way', () => {
  test('killed while staging: nothing half-written is visible, and the next run cleans up', async () => {
    const dir = await tempDir();
    const child = runWriter(dir, 'hang-after-stage');
    await child.waitFor('STAGED');
    expect((await readdir(dir)).some((n) => n.startsWith('.coffer-staging-'))).toBe(true);
    child.kill('SIGKILL');
    await child.exit;
    // No committed entry exists: the staging folder is hidden engine state, not a backup.
    expect((await verifyDirectory(dir)).backups).toEqual([]);
    const { destination, lockedAttempts, messages } = await openAfterCrash(dir);
    await destination.close();
    // The dead writer's lock is taken over at once (its pid is gone), and the run says so.
    expect(lockedAttempts).toBe(0);
    expect(messages).toEqual([expect.objectContaining({ severity: 'info', code: 'LOCK_TAKEN_OVER', object: dir })]);
    expect(await readdir(dir)).toEqual([]);
  }, 20_000);

  for (const step of ['sealed', 'journal-written', 'renamed', 'index-written', 'done']) {
    test(`killed at commit step '${step}': the next open leaves either no entry or every entry, whole and indexed`, async () => {
      const dir = await tempDir();
      const child = runWriter(dir, `crash-at:${step}`);
      const { signal } = await child.exit;
      expect(signal).toBe('SIGKILL');
      // Before any writer recovers it, readers see the run whole or not at all: an unfinished commit's entries are hidden.
      const seen = (await listCommittedEntries(dir)).entries.map((e) => e.name).filter((n) => n.startsWith('entry-'));
      expect(seen).toEqual(step === 'done' ? ['entry-1', 'entry-2'] : []);
      expect((await verifyDirectory(dir)).backups.map((b) => b.id)).toEqual(seen);
      const { destination, lockedAttempts, messages } = await openAfterCrash(dir);
      await destination.close();
      expect(lockedAttempts).toBe(0);
      expect(messages.map((m) => m.code)).toEqual(
        step === 'sealed' || step === 'done' ? ['LOCK_TAKEN_OVER'] : ['LOCK_TAKEN_OVER', 'COMMIT_COMPLETED'],
      );
      const names = (await readdir(dir)).sort();
      if (step === 'sealed') {
        expect(names).toEqual([]);
      } else {
        // The journal was durable, so recovery rolled the commit forward.
        expect(names).toEqual(['entry-1', 'entry-2', 'index.txt']);
        expect(await readFile(join(dir, 'index.txt'), 'utf8')).toContain('entry-1\nentry-2\n');
        const verification = await verifyDirectory(dir, { indexFiles: ['index.txt'] });
        expect(verification.ok).toBe(true);
        expect(verification.backups.map((b) => b.id)).toEqual(['entry-1', 'entry-2']);
      }
    }, 20_000);
  }
});

describe('concurrent writers', () => {
  test('two processes racing for one destination: one wins, the other gets a clear error', async () => {
    const dir = await tempDir();
    const runs = [
      runWriter(dir, 'write', 'first'),
      runWriter(dir, 'write', 'second'),
      runWriter(dir, 'write', 'third'),
    ];
    const outcomes = (await Promise.all(runs.map((r) => r.exit))).map(
      (r) => JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { ok: boolean; code?: string; message?: string },
    );
    const winners = outcomes.filter((o) => o.ok);
    const losers = outcomes.filter((o) => !o.ok);
    expect(winners.length).toBeGreaterThanOrEqual(1);
    for (const loser of losers) {
      expect(loser.code).toBe('DESTINATION_LOCKED');
      expect(loser.message).toMatch(/Another Coffer process is writing to/);
    }
    const verification = await verifyDirectory(dir, { indexFiles: ['index.txt'] });
    expect(verification.ok).toBe(true);
    expect(verification.backups).toHaveLength(winners.length);
  }, 20_000);

  test('a writer holding the lock blocks another one in the same or another process', async () => {
    const dir = await tempDir();
    const holder = runWriter(dir, 'hold');
    await holder.waitFor('LOCKED');
    await expect(BackupDestination.open(dir, { providerId: 'test' })).rejects.toMatchObject({
      code: 'DESTINATION_LOCKED',
      hresult: 0x80070020,
    });
    holder.kill('SIGKILL');
    await holder.exit;
    const inProcess = await openAfterCrash(dir);
    expect(inProcess.lockedAttempts).toBe(0);
    await expect(BackupDestination.open(dir, { providerId: 'test' })).rejects.toMatchObject({
      code: 'DESTINATION_LOCKED',
    });
    await inProcess.destination.close();
    const again = await BackupDestination.open(dir, { providerId: 'test' });
    await again.close();
  }, 20_000);
});

describe('taking over a lock', () => {
  test("a lock held across several refreshes stays its holder's (recording the owner does not look like a theft)", async () => {
    const dir = await tempDir();
    const destination = await BackupDestination.open(dir, { providerId: 'test', lock: { staleMs: 2000 } });
    await new Promise((r) => setTimeout(r, 3500)); // three refreshes, one a second
    const entry = await destination.stage('kept', { kind: 'test' });
    await entry.writeFile('a.txt', 'a');
    await destination.commit([entry]);
    await destination.close();
    expect((await verifyDirectory(dir)).backups.map((b) => b.id)).toEqual(['kept']);
  }, 20_000);

  /** Writes a lock as a holder would have left it, with the given owner record. */
  async function leaveLock(dir: string, owner: Record<string, unknown>): Promise<void> {
    await mkdir(join(dir, '.coffer.lock'));
    await writeFile(join(dir, '.coffer.lock', 'owner.json'), JSON.stringify(owner));
  }
  const bootId = () => readFile('/proc/sys/kernel/random/boot_id', 'utf8').then((t) => t.trim());

  test('a lock appears with its owner inside; what a run killed while building one left is swept, never blocking', async () => {
    const dir = await tempDir();
    // A run killed between building its lock (owner recorded) and renaming it into place: a dead pid's folder.
    const building = join(dir, '.coffer.lock.acquiring-0123456789abcdef');
    await mkdir(building);
    await writeFile(
      join(building, 'owner.json'),
      JSON.stringify({
        pid: 999_999_999,
        hostname: hostname(),
        startTime: '1',
        bootId: await bootId(),
        acquiredAt: '',
      }),
    );
    const destination = await BackupDestination.open(dir, { providerId: 'test' });
    // Held: the lock folder has its owner, and the abandoned one is gone.
    expect(JSON.parse(await readFile(join(dir, '.coffer.lock', 'owner.json'), 'utf8')).pid).toBe(process.pid);
    expect((await readdir(dir)).filter((n) => n.startsWith('.coffer.lock'))).toEqual(['.coffer.lock']);
    await destination.close();
    expect(await readdir(dir)).toEqual([]);
  });

  test("a lock folder whose builder was killed before it wrote the owner is swept by the next run at once; a live builder's is kept", async () => {
    const dir = await tempDir();
    const tag = createHash('sha256').update(hostname()).digest('hex').slice(0, 8);
    // Killed between the mkdir and the owner file: an empty folder whose name alone says whose it was (our pid with a
    // start time ours does not have: that process has ended). Made just now, so an age rule could not tell it.
    const dead = `.coffer.lock.acquiring-${process.pid}.1.${tag}-0123456789abcdef`;
    // A builder that still runs (this process, its real start time), between its mkdir and its rename.
    const live = `.coffer.lock.acquiring-${process.pid}.${processStartTime(process.pid)}.${tag}-fedcba9876543210`;
    await mkdir(join(dir, dead));
    await mkdir(join(dir, live));
    const destination = await BackupDestination.open(dir, { providerId: 'test' });
    expect((await readdir(dir)).filter((n) => n.startsWith('.coffer.lock')).sort()).toEqual(['.coffer.lock', live]);
    await destination.close();
    expect(await readdir(dir)).toEqual([live]);
  });

  test('a lock whose pid now belongs to another process (pid reuse) is taken over', async () => {
    const dir = await tempDir();
    // Our own pid, but a start time ours does not have: the process that took the lock has ended and the pid was reused.
    await leaveLock(dir, {
      pid: process.pid,
      hostname: hostname(),
      startTime: '1',
      bootId: await bootId(),
      acquiredAt: new Date().toISOString(),
    });
    const { destination, lockedAttempts, messages } = await openAfterCrash(dir);
    await destination.close();
    expect(lockedAttempts).toBe(0);
    expect(messages[0]).toMatchObject({ code: 'LOCK_TAKEN_OVER' });
    expect(messages[0]!.message).toContain(`process ${process.pid}`);
    expect(await readdir(dir)).toEqual([]);
  });

  test('a lock of a live process, of another host, or without an owner record keeps blocking until it is stale', async () => {
    const live = {
      pid: process.pid,
      hostname: hostname(),
      startTime: processStartTime(process.pid),
      bootId: await bootId(),
      acquiredAt: new Date().toISOString(),
    };
    for (const owner of [live, { ...live, hostname: `not-${hostname()}`, pid: 999_999_999 }, undefined]) {
      const dir = await tempDir();
      if (owner) await leaveLock(dir, owner);
      else await mkdir(join(dir, '.coffer.lock'));
      await expect(BackupDestination.open(dir, { providerId: 'test', lock: { staleMs: 2000 } })).rejects.toMatchObject({
        code: 'DESTINATION_LOCKED',
      });
      expect((await readdir(dir)).sort()).toEqual(['.coffer.lock']);
    }
  });

  test('the run the engine works for reports the takeover without being asked (runBackup records it)', async () => {
    const dir = await tempDir();
    await leaveLock(dir, {
      pid: process.pid,
      hostname: hostname(),
      startTime: '1',
      bootId: await bootId(),
      acquiredAt: new Date().toISOString(),
    });
    const provider = defineProvider({
      specificationVersion: 2,
      id: 'probe',
      displayName: 'Probe',
      description: 'Gets its destination opened by core and commits nothing.',
      options: z.object({}),
      async backup() {
        return { backups: [], counts: {} };
      },
    });
    const result = await runBackup(provider, { destination: dir, options: {} });
    expect(result.status).toBe('succeeded');
    expect(result.messages).toEqual([
      expect.objectContaining({ severity: 'info', code: 'LOCK_TAKEN_OVER', object: dir }),
    ]);
  });

  test('a release frees the lock in one step: a holder killed while releasing leaves nothing that blocks, and the next holder sweeps it', async () => {
    const dir = await tempDir();
    // What a kill between the release's two removals leaves: the lock already renamed aside, its owner file still in it.
    await mkdir(join(dir, '.coffer.lock.released-0123456789abcdef'));
    await writeFile(
      join(dir, '.coffer.lock.released-0123456789abcdef', 'owner.json'),
      JSON.stringify({ pid: process.pid, hostname: hostname() }),
    );
    const destination = await BackupDestination.open(dir, { providerId: 'test', lock: { staleMs: 2000 } });
    expect((await readdir(dir)).sort()).toEqual(['.coffer.lock']);
    // Releasing watches the lock folder go: it is renamed aside before anything in it is removed, so at no instant
    // does a `.coffer.lock` without its owner file exist.
    const seen: string[][] = [];
    const watcher = setInterval(() => {
      readdir(join(dir, '.coffer.lock')).then(
        (names) => seen.push(names),
        () => undefined,
      );
    }, 0);
    await destination.close();
    clearInterval(watcher);
    expect(seen.every((names) => names.includes('owner.json'))).toBe(true);
    expect(await readdir(dir)).toEqual([]);
  });

  test('a lock from before the last boot is taken over even if its pid and start time match a process now', async () => {
    const dir = await tempDir();
    await leaveLock(dir, {
      pid: process.pid,
      hostname: hostname(),
      startTime: processStartTime(process.pid),
      bootId: 'another-boot',
      acquiredAt: new Date().toISOString(),
    });
    const { destination, messages } = await openAfterCrash(dir);
    await destination.close();
    expect(messages.map((m) => m.code)).toEqual(['LOCK_TAKEN_OVER']);
  });
});

describe('readers during a commit', () => {
  test('a reader polling while 300 entries are committed sees none or all of them, never some', async () => {
    const dir = await tempDir();
    const child = runWriter(dir, 'write-many:300', 'run');
    await child.waitFor('STAGED');
    const counts: number[] = [];
    let done = false;
    void child.exit.then(() => (done = true));
    while (!done) {
      const listing = await listCommittedEntries(dir);
      counts.push(listing.entries.filter((e) => e.name.startsWith('run-')).length);
    }
    counts.push((await listCommittedEntries(dir)).entries.filter((e) => e.name.startsWith('run-')).length);
    expect(JSON.parse((await child.exit).stdout.trim().split('\n').at(-1)!)).toEqual({ ok: true });
    expect(counts.filter((n) => n !== 0 && n !== 300)).toEqual([]);
    expect(counts.at(-1)).toBe(300);
    expect(counts.length).toBeGreaterThan(3);
  }, 30_000);
});
