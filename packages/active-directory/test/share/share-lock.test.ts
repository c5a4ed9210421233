import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { StatusMessage } from '@coffer/core';
import { Secret, openShareDestination } from '../../src/index.js';
import { testDomain } from '../helpers/test-domain.js';

/**
 * The share folder's lock against the package's real test DC ([backups] share): locks of another host, stale or
 * alive, and a lock whose taker died before recording itself, written on the DC's own disk as a dead run leaves them.
 */
const domain = testDomain();
const account = { user: domain.adminUser, domain: domain.netbiosDomain, password: new Secret(domain.adminPassword) };

function shareFolder(name: string): { unc: string; disk: string } {
  const folder = `${name}-${Math.random().toString(36).slice(2, 8)}`;
  const disk = join(domain.workDir, 'backups', folder);
  mkdirSync(disk, { recursive: true });
  return { unc: `//${domain.dcHostname}/backups/${folder}`, disk };
}

function leaveLock(disk: string, owner: Record<string, unknown> | undefined): void {
  mkdirSync(join(disk, '.coffer.lock'));
  if (owner) writeFileSync(join(disk, '.coffer.lock', 'owner.json'), JSON.stringify(owner));
}

const otherHost = (refreshedAt: Date) => ({
  pid: 4242,
  hostname: 'backup-host-2.corp.example',
  startTime: '1',
  bootId: null,
  acquiredAt: new Date(Date.now() - 3600_000).toISOString(),
  refreshedAt: refreshedAt.toISOString(),
});

describe('the lock of a share folder', () => {
  it('another host’s lock that is refreshed holds: DESTINATION_LOCKED (ERROR_SHARING_VIOLATION), naming its owner', async () => {
    const share = shareFolder('live-lock');
    leaveLock(share.disk, otherHost(new Date()));
    await expect(openShareDestination(share.unc, { account })).rejects.toMatchObject({
      code: 'DESTINATION_LOCKED',
      hresult: 0x80070020,
      hint: expect.stringContaining('backup-host-2.corp.example'),
    });
    expect(readdirSync(join(share.disk, '.coffer.lock'))).toEqual(['owner.json']);
  });

  it('another host’s lock not refreshed for longer than lockStaleMs is taken over (LOCK_TAKEN_OVER), then released', async () => {
    const share = shareFolder('stale-lock');
    leaveLock(share.disk, otherHost(new Date(Date.now() - 30 * 60_000)));
    const messages: StatusMessage[] = [];
    const destination = await openShareDestination(share.unc, {
      account,
      lockStaleMs: 60_000,
      report: (m) => messages.push(m),
    });
    const owner = JSON.parse(readFileSync(join(share.disk, '.coffer.lock', 'owner.json'), 'utf8'));
    expect(owner).toMatchObject({ pid: process.pid });
    await destination.close();
    expect(messages).toEqual([expect.objectContaining({ code: 'LOCK_TAKEN_OVER', severity: 'info' })]);
    expect(messages[0]!.message).toContain('process 4242 on backup-host-2.corp.example');
    expect(readdirSync(share.disk)).toEqual([]);
  });

  it('a lock without an owner record (its taker killed before writing it) is taken over after a grace period', async () => {
    const share = shareFolder('ownerless-lock');
    leaveLock(share.disk, undefined);
    const started = Date.now();
    const messages: StatusMessage[] = [];
    const destination = await openShareDestination(share.unc, { account, report: (m) => messages.push(m) });
    expect(Date.now() - started).toBeGreaterThanOrEqual(5_000);
    await destination.close();
    expect(messages.map((m) => m.code)).toEqual(['LOCK_TAKEN_OVER']);
    expect(readdirSync(share.disk)).toEqual([]);
  });

  it('a second destination on the same folder in this process is refused while the first holds it', async () => {
    const share = shareFolder('two-writers');
    const first = await openShareDestination(share.unc, { account });
    try {
      await expect(openShareDestination(share.unc, { account })).rejects.toMatchObject({ code: 'DESTINATION_LOCKED' });
    } finally {
      await first.close();
    }
    const again = await openShareDestination(share.unc, { account });
    await again.close();
  });
});
