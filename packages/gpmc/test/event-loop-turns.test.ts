import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineProvider, runBackup } from '@coffer/core';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  diffBackups,
  formatBackupTime,
  listBackupsOfType,
  loadPreviousStates,
  renderBkupInfoXmlForInst,
  searchBackups,
} from '../src/index.js';
import { visitBackupDirectoryUntyped } from '../src/read/backup-directory.js';

/**
 * Reading a directory of backups goes through core's BackupReader, whose system calls are synchronous behind settled
 * promises: without turns of the event loop, a loop over hundreds of backups ran to its end in one turn, and whatever
 * should run meanwhile waited for it. `--changed` verifies the newest backup of every GPO while the live SYSVOL folder
 * is listed (smbclient wrote into a pipe no one read); `coffer list` of 70,000 backups took seconds to notice Ctrl-C.
 * Here an abort is scheduled on the event loop as soon as the loop begins, and must stop the rest.
 */
/**
 * A signal that counts how often the code under test asks it (`aborted` read, or `throwIfAborted` called: once per item
 * of its loop) and, when first asked, schedules its abort on the event loop: it can fire only if the loop gives a turn.
 */
function abortOnFirst(
  asked: 'aborted' | 'throwIfAborted',
  when: 'next turn' | 'at once' = 'next turn',
): { signal: AbortSignal; checks: () => number } {
  const controller = new AbortController();
  let checks = 0;
  const signal = new Proxy(controller.signal, {
    get(target, property) {
      if (property === asked) {
        checks += 1;
        if (checks === 1) {
          if (when === 'at once') controller.abort();
          else setImmediate(() => controller.abort());
        }
      }
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { signal, checks: () => checks };
}

describe('long reads of a backup directory give the event loop turns', () => {
  const GPOS = 300;
  const DOMAIN = 'corp.example';
  let dir: string;
  const ids: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'coffer-previous-'));
    // Written as a provider writes (core's staging, manifests, commit): the verification reads real backups.
    const writer = defineProvider({
      specificationVersion: 2,
      id: 'gpo',
      displayName: 'GPO fixture',
      description: 'Writes GPO-shaped backups for this test.',
      options: z.object({}),
      async backup({ target }, context) {
        context.progress.phase('writing', GPOS);
        for (let i = 0; i < GPOS; i += 1) {
          const gpoGuid = `{${randomUUID().toUpperCase()}}`;
          const id = `{${randomUUID().toUpperCase()}}`;
          ids.push(gpoGuid);
          const entry = await target.stage(id, { kind: 'gpo' });
          await entry.writeFile(
            'bkupInfo.xml',
            renderBkupInfoXmlForInst({
              gpoGuid,
              gpoDomain: DOMAIN,
              gpoDomainGuid: '{00000000-0000-0000-0000-000000000001}',
              gpoDomainController: `dc1.${DOMAIN}`,
              backupTime: formatBackupTime(new Date()),
              id,
              comment: '',
              gpoDisplayName: `GPO ${i}`,
            }),
          );
          await entry.writeFile('DomainSysvol/GPO/GPT.INI', `[General]\r\nVersion=${i}\r\n`);
          context.progress.advance(id);
        }
        return { backups: [], counts: { gpos: GPOS } };
      },
    });
    const result = await runBackup(writer, { destination: dir, options: {} });
    expect(result.status).toBe('succeeded');
  }, 120_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  test('an abort scheduled once the first verification begins stops the rest', async () => {
    const { signal, checks } = abortOnFirst('throwIfAborted');
    await expect(loadPreviousStates(ids, { directory: dir, domain: DOMAIN, signal })).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect(checks()).toBeGreaterThan(1);
    expect(checks()).toBeLessThan(GPOS);
  });

  test('without an abort, every GPO gets its newest backup (verified; these hold no change state)', async () => {
    const states = await loadPreviousStates(ids, { directory: dir, domain: DOMAIN });
    expect(states.byId.size).toBe(GPOS);
    const loaded = [...states.byId.values()].flat();
    expect(loaded.every((entry) => !entry.ok && /holds no coffer-change-state\.json/.test(entry.why))).toBe(true);
  });
  test('listBackupsOfType: an abort scheduled once the listing begins stops it', async () => {
    const { signal, checks } = abortOnFirst('aborted');
    await expect(listBackupsOfType(dir, 'GPO', { signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(checks()).toBeGreaterThan(1);
    expect(checks()).toBeLessThan(GPOS);
    // Not cancelled, the same listing has every backup.
    expect(await listBackupsOfType(dir, 'GPO', { signal: new AbortController().signal })).toHaveLength(GPOS);
  });
  test('diffBackups: an abort scheduled once the first pair is compared stops the rest', async () => {
    const { signal, checks } = abortOnFirst('throwIfAborted');
    await expect(diffBackups(dir, dir, { signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(checks()).toBeGreaterThan(1);
    expect(checks()).toBeLessThan(GPOS);
    const whole = await diffBackups(dir, dir, { signal: new AbortController().signal });
    expect(whole.summary).toMatchObject({ gpos: GPOS, unchanged: GPOS });
  });
  test('searchBackups and the listings of diffBackups are stopped by the signal they are given', async () => {
    // Aborted as the first folder is reached (these listings of 300 take less than one 10 ms turn; the turns
    // themselves are listBackupsOfType's test): each must pass the signal down to the listing and stop there.
    const search = abortOnFirst('aborted', 'at once');
    await expect(searchBackups(dir, { signal: search.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(search.checks()).toBe(1);
    const diff = abortOnFirst('aborted', 'at once');
    await expect(diffBackups(dir, dir, { signal: diff.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(diff.checks()).toBeLessThanOrEqual(2); // one per side, listed at once
    expect(await searchBackups(dir, { signal: new AbortController().signal })).toHaveLength(GPOS);
  });
  test("the listing under --changed's check (newest backup of each GPO) is stopped by its signal", async () => {
    // loadPreviousStates lists the destination through this before it verifies anything: a Ctrl-C during the listing
    // of a directory of 70,000 backups must not wait for its end.
    const { signal, checks } = abortOnFirst('aborted', 'at once');
    let visited = 0;
    await expect(visitBackupDirectoryUntyped(dir, () => (visited += 1), { signal })).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect(checks()).toBe(1);
    expect(visited).toBeLessThanOrEqual(1);
    // Not cancelled: every backup, each with its own bkupInfo.xml as the listing parsed it (diffBackups reads it there).
    const seen: Array<{ id: string; own: string | undefined }> = [];
    await visitBackupDirectoryUntyped(dir, (entry, own) => seen.push({ id: entry.id, own: own?.id }), {
      signal: new AbortController().signal,
    });
    expect(seen).toHaveLength(GPOS);
    expect(seen.every((entry) => entry.own === entry.id)).toBe(true);
  });
});
