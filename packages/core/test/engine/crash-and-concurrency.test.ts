import { spawn } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { BackupDestination, verifyDirectory } from '../../src/index.js';
import { tempDir } from '../helpers.js';

const writer = fileURLToPath(new URL('../fixtures/engine-writer.mjs', import.meta.url));

interface Child {
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string }>;
  waitFor(text: string): Promise<void>;
  kill(signal: NodeJS.Signals): void;
}

function runWriter(dir: string, mode: string, name?: string): Child {
  const child = spawn(process.execPath, [writer, dir, mode, ...(name ? [name] : [])], { stdio: ['ignore', 'pipe', 'inherit'] });
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

/** Opens the destination once the dead writer's lock has gone stale; returns how many attempts saw it locked. */
// The same index maintainer the writer uses: recovery replays it for the entries it rolls forward.
const index = { fileName: 'index.txt', update: (current: Buffer | null, added: { name: string }[]) => `${current ?? ''}${added.map((e) => `${e.name}\n`).join('')}` };

async function openAfterCrash(dir: string): Promise<{ destination: BackupDestination; lockedAttempts: number }> {
  let lockedAttempts = 0;
  for (;;) {
    try {
      return { destination: await BackupDestination.open(dir, { providerId: 'test', lock: { staleMs: 2000 }, index }), lockedAttempts };
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
    const { destination, lockedAttempts } = await openAfterCrash(dir);
    await destination.close();
    expect(lockedAttempts).toBeGreaterThan(0); // the dead writer's lock held until it went stale
    expect(await readdir(dir)).toEqual([]);
  }, 20_000);

  for (const step of ['sealed', 'journal-written', 'renamed:entry-1', 'index-written']) {
    test(`killed at commit step '${step}': the next open leaves either no entry or every entry, whole and indexed`, async () => {
      const dir = await tempDir();
      const child = runWriter(dir, `crash-at:${step}`);
      const { signal } = await child.exit;
      expect(signal).toBe('SIGKILL');
      const { destination } = await openAfterCrash(dir);
      await destination.close();
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
    const runs = [runWriter(dir, 'write', 'first'), runWriter(dir, 'write', 'second'), runWriter(dir, 'write', 'third')];
    const outcomes = (await Promise.all(runs.map((r) => r.exit))).map((r) => JSON.parse(r.stdout.trim()) as { ok: boolean; code?: string; message?: string });
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
    holder.kill('SIGTERM');
    await holder.exit;
    const inProcess = await openAfterCrash(dir);
    await expect(BackupDestination.open(dir, { providerId: 'test' })).rejects.toMatchObject({ code: 'DESTINATION_LOCKED' });
    await inProcess.destination.close();
    const again = await BackupDestination.open(dir, { providerId: 'test' });
    await again.close();
  }, 20_000);
});
