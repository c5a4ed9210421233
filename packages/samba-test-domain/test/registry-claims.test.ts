/**
 * The registry of test DCs under concurrency: a sweep run by another test run must never take a DC that is still
 * being provisioned, and a workDir that does not exist yet is made for the DC. Addresses 127.0.0.76–79 only.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { startTestDomain, stopDetachedTestDomain, sweepStaleDomains } from '../src/index.js';
import { claimAddress, portAnswers, readClaims, registryRoot, releaseClaim } from '../src/system/dc-registry.js';

/** The PID of a process that has exited (and been reaped): what a crashed owner leaves in its claim. */
function deadPid(): number {
  const child = spawnSync('sh', ['-c', 'echo $$']);
  return Number(child.stdout.toString().trim());
}

describe('the DC registry', () => {
  it('a detached DC that is still provisioning (no samba PID yet) survives another run’s sweep, and starts', async () => {
    const workDir = mkdtempSync(join(tmpdir(), 'coffer-sweep-dc-'));
    rmSync(workDir, { recursive: true });
    const starting = startTestDomain({ address: '127.0.0.76', realm: 'SWEEPL.TEST', detached: true, workDir });
    // Wait for its claim to appear, then sweep while it has no samba PID (it is provisioning).
    let claim;
    for (let i = 0; i < 600 && claim === undefined; i++) {
      claim = (await readClaims()).find((c) => c.address === '127.0.0.76' && c.workDir === workDir);
      if (claim === undefined) await sleep(20);
    }
    expect(claim).toMatchObject({ detached: true, sambaPid: null, ownerPid: process.pid });
    await sweepStaleDomains();
    expect((await readClaims()).find((c) => c.address === '127.0.0.76')).toMatchObject({ workDir });
    expect(existsSync(workDir)).toBe(true);
    const dc = await starting;
    try {
      expect(await portAnswers('127.0.0.76', 636)).toBe(true);
      // Once samba runs, a sweep still leaves it alone (samba is what keeps a detached DC live from then on).
      await sweepStaleDomains();
      expect(existsSync(dc.workDir)).toBe(true);
      expect(await portAnswers('127.0.0.76', 636)).toBe(true);
    } finally {
      expect(await stopDetachedTestDomain(dc.workDir)).toBe(true);
    }
    expect(existsSync(workDir)).toBe(false);
    expect((await readClaims()).find((c) => c.address === '127.0.0.76')).toBeUndefined();
  });

  it('a provisioning claim whose owner died is swept (folder and claim), detached or not', async () => {
    for (const [address, detached] of [
      ['127.0.0.77', true],
      ['127.0.0.79', false],
    ] as const) {
      const workDir = mkdtempSync(join(tmpdir(), 'coffer-dead-owner-'));
      const claimed = await claimAddress({
        address,
        workDir,
        realm: 'DEADL.TEST',
        ownerPid: deadPid(),
        sambaPid: null,
        detached,
        createdAt: new Date().toISOString(),
      });
      expect(claimed).toBe(true);
      await sweepStaleDomains();
      expect(existsSync(workDir), address).toBe(false);
      expect((await readClaims()).find((c) => c.address === address)).toBeUndefined();
      await releaseClaim(address);
    }
  });

  it('a claim file is never seen half-written: it appears whole (claims are linked into place)', async () => {
    const workDir = mkdtempSync(join(tmpdir(), 'coffer-claim-'));
    try {
      expect(
        await claimAddress({
          address: '127.0.0.77',
          workDir,
          realm: 'WHOLEL.TEST',
          ownerPid: process.pid,
          sambaPid: null,
          detached: false,
          createdAt: new Date().toISOString(),
        }),
      ).toBe(true);
      const text = readFileSync(join(registryRoot(), 'claims', '127.0.0.77.json'), 'utf8');
      expect(JSON.parse(text)).toMatchObject({ workDir, ownerPid: process.pid });
      // A second claim of the same address fails without touching the first.
      expect(
        await claimAddress({
          address: '127.0.0.77',
          workDir: '/elsewhere',
          realm: 'X.TEST',
          ownerPid: process.pid,
          sambaPid: null,
          detached: false,
          createdAt: '',
        }),
      ).toBe(false);
      expect(readFileSync(join(registryRoot(), 'claims', '127.0.0.77.json'), 'utf8')).toBe(text);
      await sweepStaleDomains();
      expect(existsSync(workDir)).toBe(true);
    } finally {
      await releaseClaim('127.0.0.77');
      rmSync(workDir, { recursive: true, force: true });
    }
  });

  it('a workDir that does not exist yet is created, with its parents, private (0700)', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'coffer-new-workdir-'));
    const workDir = join(parent, 'not', 'there', 'yet');
    const dc = await startTestDomain({ address: '127.0.0.78', realm: 'NEWDIRL.TEST', workDir });
    try {
      expect(dc.workDir).toBe(workDir);
      expect(statSync(workDir).mode & 0o777).toBe(0o700);
      expect(await portAnswers('127.0.0.78', 636)).toBe(true);
    } finally {
      await dc.stop();
      rmSync(parent, { recursive: true, force: true });
    }
    expect(existsSync(workDir)).toBe(false);
  });
});
