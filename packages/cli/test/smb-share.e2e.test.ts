import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, test, vi } from 'vitest';
import { childProcessesOf, filesHolding, gpoConnectionArgs, tempDir } from '@coffer/test-support';
import { runCoffer, startCoffer, type CofferRun } from './helpers/run-coffer.js';

/**
 * `--out`/`--from` as an SMB share, against the package's real test DC and its `[backups]` share (see
 * @coffer/samba-test-domain's smb.conf): what the DC's own folder holds is the ground truth for "what is on the
 * share", read directly on the DC's disk.
 */
// Every test runs the real coffer several times against the DC, on a machine other test runs share.
vi.setConfig({ testTimeout: 300_000 });

const domain = inject('testDomain');
const seed = domain.seed!;
/** The share's folder on the DC's disk (Samba makes it on first connection; made here first, as root). */
const shareRoot = join(domain.workDir, 'backups');
let work: string;
let passwordFile: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'coffer-cli-share-'));
  passwordFile = join(work, 'password');
  writeFileSync(passwordFile, `${domain.adminPassword}\n`);
  chmodSync(passwordFile, 0o600);
  mkdirSync(shareRoot, { recursive: true, mode: 0o700 });
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const connection = () => gpoConnectionArgs(domain, passwordFile);
/** The account for list/verify (no provider options to borrow from). */
const shareEnv = () => ({
  COFFER_SHARE_USER: `${domain.adminUser}@${domain.dnsDomain}`,
  COFFER_SHARE_PASSWORD_FILE: passwordFile,
});

/** A new empty folder on the share: its //server/share path and its place on the DC's disk. */
function shareFolder(name: string): { unc: string; disk: string } {
  const folder = `${name}-${Math.random().toString(36).slice(2, 8)}`;
  const disk = join(shareRoot, folder);
  mkdirSync(disk);
  return { unc: `//${domain.dcHostname}/backups/${folder}`, disk };
}

function expectDone(run: CofferRun): void {
  expect([0, 3], `${run.stderr}\n${run.stdout}`).toContain(run.exitCode);
}

async function verifyShare(unc: string): Promise<{ run: CofferRun; ids: string[] }> {
  const run = await runCoffer(['verify', unc, '--json'], { env: shareEnv(), timeoutMs: 120_000 });
  const ids = ((run.result?.backups ?? []) as Array<{ id: string }>).map((b) => b.id).sort();
  return { run, ids };
}

describe('backups on an SMB share (the test DC’s own [backups] share)', () => {
  test('backup gpo --all to //dc/backups/…, then verify and restore from it as from a local folder', async () => {
    const share = shareFolder('gpo');
    const backup = await runCoffer(
      ['backup', 'gpo', ...connection(), '--all', '--out', share.unc, '--comment', 'on the share', '--json'],
      { timeoutMs: 180_000 },
    );
    expectDone(backup);
    const backups = backup.result!.backups as Array<{ id: string; path: string; objectId: string }>;
    expect(backups).toHaveLength(seed.gpos.length + 2);
    // Paths name the share, not the private local copy the run was written in.
    for (const b of backups) expect(b.path).toBe(`${share.unc}/${b.id}`);
    // On the DC: every backup folder, manifest.xml, and of the engine's own names only the generation token.
    const onDisk = readdirSync(share.disk).sort();
    expect(onDisk).toEqual(['.coffer-generation', 'manifest.xml', ...backups.map((b) => b.id)].sort());

    const verified = await verifyShare(share.unc);
    expect(verified.run.exitCode, verified.run.stderr).toBe(0);
    expect(verified.ids).toEqual(backups.map((b) => b.id).sort());

    // A second run into the same folder adds to manifest.xml (the provider updated the share's copy of it).
    const more = await runCoffer(['backup', 'gpo', ...connection(), '--gpo', seed.gpos[0]!.guid, '--out', share.unc]);
    expectDone(more);
    const again = await verifyShare(share.unc);
    expect(again.run.exitCode, again.run.stderr).toBe(0);
    expect(again.ids).toHaveLength(backups.length + 1);

    // list --from the share, with the account given as flags this time.
    const listed = await runCoffer([
      'list',
      'gpo',
      '--from',
      share.unc,
      '--share-user',
      `${domain.adminUser}@${domain.dnsDomain}`,
      '--share-password-file',
      passwordFile,
      '--json',
    ]);
    expect(listed.exitCode, listed.stderr).toBe(0);
    expect(listed.result!.source).toBe(share.unc);
    const listedBackups = listed.result!.backups as Array<{ id: string; path: string; comment?: string }>;
    expect(listedBackups.map((b) => b.id).sort()).toEqual(again.ids);
    for (const b of listedBackups) expect(b.path).toBe(`${share.unc}/${b.id}`);
    expect(listedBackups.filter((b) => b.comment === 'on the share')).toHaveLength(backups.length);

    const source = seed.gpos.find((g) => g.files.length > 1)!;
    const restore = await runCoffer(
      ['restore', 'gpo', ...connection(), '--from', share.unc, '--gpo', source.guid, '--json'],
      { timeoutMs: 120_000 },
    );
    expectDone(restore);
    expect(restore.result!.status).toMatch(/^succeeded/);
    expect(JSON.stringify(restore.result)).toContain(source.guid.replace(/[{}]/g, '').slice(0, 8));
  });

  test('--changed compares with the backups already on the share: a second run writes nothing', async () => {
    const share = shareFolder('changed');
    const first = await runCoffer([
      'backup',
      'gpo',
      ...connection(),
      '--all',
      '--changed',
      '--out',
      share.unc,
      '--json',
    ]);
    expectDone(first);
    const count = (first.result!.backups as unknown[]).length;
    expect(count).toBe(seed.gpos.length + 2);
    const second = await runCoffer([
      'backup',
      'gpo',
      ...connection(),
      '--all',
      '--changed',
      '--out',
      share.unc,
      '--json',
    ]);
    expect(second.exitCode, second.stderr).toBe(0);
    expect(second.result).toMatchObject({ status: 'succeeded', backups: [], counts: { unchanged: count } });
    expect(readdirSync(share.disk).filter((name) => name.startsWith('{'))).toHaveLength(count);
  });

  test('verify from the share checks every downloaded byte: a byte flipped on the share is found', async () => {
    const share = shareFolder('tamper');
    expectDone(await runCoffer(['backup', 'gpo', ...connection(), '--gpo', seed.gpos[0]!.guid, '--out', share.unc]));
    const [id] = readdirSync(share.disk).filter((name) => name.startsWith('{'));
    const file = join(share.disk, id!, 'Backup.xml');
    const bytes = readFileSync(file);
    bytes[bytes.length >> 1] = bytes[bytes.length >> 1]! ^ 0x01;
    writeFileSync(file, bytes);
    const { run } = await verifyShare(share.unc);
    expect(run.exitCode).toBe(1);
    expect(JSON.stringify(run.result)).toContain('altered');
  });

  test('a DRM license backup (no DC behind the source) to the share; --overwrite replaces it whole', async () => {
    const dir = mkdtempSync(join(work, 'drm-'));
    const env = { COFFER_DRM_MACHINE_ID: 'machine-share', ...shareEnv() };
    const drm = (...args: string[]) => runCoffer(args, { cwd: dir, env, timeoutMs: 120_000 });
    expect((await drm('drm', 'create-store', '--store', 'store', '--service-path', 'service')).exitCode).toBe(0);
    expect(
      (await drm('drm', 'issue', '--store', 'store', '--allow-backup-restore', '--title', 'Song', '--count', '3'))
        .exitCode,
    ).toBe(0);
    const share = shareFolder('drm');
    const first = await drm('backup', 'drm', '--store', 'store', '--out', share.unc, '--json');
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.result).toMatchObject({ status: 'succeeded', counts: { licenses: 3 } });
    expect(readdirSync(share.disk).sort()).toEqual(['.coffer-generation', 'drm-license-backup']);

    // The share already holds the backup: as in a local folder, refused without --overwrite.
    const refused = await drm('backup', 'drm', '--store', 'store', '--out', share.unc, '--json');
    expect(refused.exitCode).toBe(1);
    // The entry's name is fixed (drm-license-backup): its integrity manifest (a new backup id and time) tells the runs apart.
    const manifest = join(share.disk, 'drm-license-backup', 'coffer-manifest.json');
    const firstManifest = readFileSync(manifest, 'utf8');
    const replaced = await drm('backup', 'drm', '--store', 'store', '--out', share.unc, '--overwrite', '--json');
    expect(replaced.exitCode, replaced.stderr).toBe(0);
    const after = await verifyShare(share.unc);
    expect(after.run.exitCode, after.run.stderr + after.run.stdout).toBe(0);
    expect(after.ids).toHaveLength(1);
    expect(readFileSync(manifest, 'utf8')).not.toBe(firstManifest);
    expect(readdirSync(share.disk).sort()).toEqual(['.coffer-generation', 'drm-license-backup']);
  });

  test('the password reaches smbclient only through a pipe: never in argv, a child environment or a file', async () => {
    const share = shareFolder('secrets');
    const tmp = mkdtempSync(join(work, 'tmp-'));
    const run = startCoffer(['backup', 'gpo', ...connection(), '--all', '--out', share.unc], {
      env: { TMPDIR: tmp },
      timeoutMs: 180_000,
    });
    const samples: Array<{ cmdline: string; environ: string }> = [];
    const leaks: string[] = [];
    const timer = setInterval(() => {
      if (run.child.pid === undefined) return;
      samples.push(...childProcessesOf(run.child.pid, /smbclient/));
      leaks.push(...filesHolding(tmp, domain.adminPassword), ...filesHolding(share.disk, domain.adminPassword));
    }, 5);
    const done = await run.done;
    clearInterval(timer);
    expectDone(done);
    expect(samples.length).toBeGreaterThan(0);
    for (const sample of samples) {
      expect(sample.cmdline).not.toContain(domain.adminPassword);
      expect(sample.environ).not.toContain(domain.adminPassword);
      expect(sample.environ).toContain('PASSWD_FD=3');
    }
    expect(leaks).toEqual([]);
    // The private local copy is gone once the run ends.
    expect(readdirSync(tmp)).toEqual([]);
  });

  test('a wrong password is AD_LOGON_FAILURE (exit 1) and leaves nothing on the share', async () => {
    const share = shareFolder('badpw');
    const badFile = join(work, 'bad-password');
    writeFileSync(badFile, 'not-the-password\n', { mode: 0o600 });
    const run = await runCoffer(['verify', share.unc, '--json'], {
      env: { ...shareEnv(), COFFER_SHARE_PASSWORD_FILE: badFile },
    });
    expect(run.exitCode).toBe(1);
    expect(run.result!.error).toMatchObject({ code: 'AD_LOGON_FAILURE', hresult: 0x8007052e });

    const drmDir = mkdtempSync(join(work, 'drm-badpw-'));
    const env = {
      COFFER_DRM_MACHINE_ID: 'machine-badpw',
      COFFER_SHARE_USER: domain.adminUser,
      COFFER_SHARE_PASSWORD_FILE: badFile,
    };
    const drm = (...args: string[]) => runCoffer(args, { cwd: drmDir, env });
    expect((await drm('drm', 'create-store', '--store', 'store', '--service-path', 'service')).exitCode).toBe(0);
    const backup = await drm('backup', 'drm', '--store', 'store', '--out', share.unc, '--json');
    expect(backup.exitCode).toBe(1);
    expect(backup.result!.error).toMatchObject({ code: 'AD_LOGON_FAILURE' });
    expect(readdirSync(share.disk)).toEqual([]);
  });

  test('a full share is SHARE_DISK_FULL (ERROR_DISK_FULL) and nothing of the run is left on it', async () => {
    const share = shareFolder('full');
    // A 48 KiB file system under the folder, mounted where smbd sees it (samba runs in a mount namespace of its own).
    const inSamba = (...args: string[]) =>
      execFileSync('nsenter', ['--target', String(domain.sambaPid), '--mount', ...args], { encoding: 'utf8' });
    inSamba('mount', '-t', 'tmpfs', '-o', 'size=48k,mode=0777', 'tmpfs', share.disk);
    try {
      const run = await runCoffer(['backup', 'gpo', ...connection(), '--all', '--out', share.unc, '--json'], {
        timeoutMs: 120_000,
      });
      expect(run.exitCode).toBe(1);
      expect(run.result!.error).toMatchObject({ code: 'SHARE_DISK_FULL', hresult: 0x80070070 });
      expect(inSamba('ls', '-A', share.disk).trim()).toBe('');
    } finally {
      inSamba('umount', share.disk);
    }
  });

  test('a missing share folder is PATH_NOT_FOUND, a missing share AD_SHARE_NOT_FOUND (ERROR_BAD_NET_NAME)', async () => {
    const missing = await runCoffer(['verify', `//${domain.dcHostname}/backups/no-such-folder`, '--json'], {
      env: shareEnv(),
    });
    expect(missing.exitCode).toBe(1);
    expect(missing.result!.error).toMatchObject({ code: 'PATH_NOT_FOUND', hresult: 0x80070003 });
    const noShare = await runCoffer(['verify', `//${domain.dcHostname}/nosuchshare/x`, '--json'], { env: shareEnv() });
    expect(noShare.exitCode).toBe(1);
    expect(noShare.result!.error).toMatchObject({ code: 'AD_SHARE_NOT_FOUND', hresult: 0x80070043 });
  });
});

describe('readers and writers at the same time', () => {
  test('while a run is published, every reader sees the share as before or with the whole run; a second writer is DESTINATION_LOCKED', async () => {
    const share = shareFolder('concurrent');
    expectDone(await runCoffer(['backup', 'gpo', ...connection(), '--gpo', seed.gpos[0]!.guid, '--out', share.unc]));
    const writer = startCoffer(['backup', 'gpo', ...connection(), '--all', '--out', share.unc, '--json'], {
      timeoutMs: 180_000,
    });
    let finished = false;
    const writing = writer.done.then((run) => {
      finished = true;
      return run;
    });
    // Wait until the writer holds the share's lock, then try a second writer.
    while (!existsSync(join(share.disk, '.coffer.lock')) && !finished) await new Promise((r) => setTimeout(r, 50));
    const second = await runCoffer([
      'backup',
      'gpo',
      ...connection(),
      '--gpo',
      seed.gpos[1]!.guid,
      '--out',
      share.unc,
      '--json',
    ]);
    expect(second.exitCode).toBe(1);
    expect(second.result!.error).toMatchObject({ code: 'DESTINATION_LOCKED', hresult: 0x80070020 });
    const counts = new Set<number>();
    while (!finished) {
      const seen = await verifyShare(share.unc);
      expect(seen.run.exitCode, seen.run.stderr + seen.run.stdout).toBe(0);
      counts.add(seen.ids.length);
    }
    expectDone(await writing);
    for (const count of counts) expect([1, seed.gpos.length + 3]).toContain(count);
    expect((await verifyShare(share.unc)).ids).toHaveLength(seed.gpos.length + 3);
  });
});

describe('kill -9 while a run is published to the share', () => {
  // Each instant of the publish: before the journal (the share as before), after it (the next run finishes it).
  const instants = ['uploaded:1', 'journal-written:1', 'renamed:1', 'index-written:1', 'done:1'];
  for (const instant of instants) {
    test(`killed at ${instant}: readers see the old state or the whole run; the next run takes over and finishes`, async () => {
      const share = shareFolder(`kill-${instant.replace(':', '-')}`);
      expectDone(await runCoffer(['backup', 'gpo', ...connection(), '--gpo', seed.gpos[0]!.guid, '--out', share.unc]));
      const before = (await verifyShare(share.unc)).ids;
      expect(before).toHaveLength(1);

      // The runs' own temp folder: a killed run leaves its private local copy of the share there (it cannot remove it).
      const temp = await tempDir();
      const localCopies = () => readdirSync(temp).filter((name) => name.startsWith('coffer-share-'));
      const killed = await runCoffer(['backup', 'gpo', ...connection(), '--all', '--out', share.unc, '--json'], {
        env: { COFFER_FAULT_AT: `share:${instant}`, TMPDIR: temp },
        timeoutMs: 180_000,
      });
      expect(killed.signal).toBe('SIGKILL');
      expect(localCopies()).toHaveLength(1);
      // Whatever the instant: the old backup alone, or it and every GPO of the run — never part of the run.
      const seen = await verifyShare(share.unc);
      expect(seen.run.exitCode, seen.run.stderr + seen.run.stdout).toBe(0);
      expect([1, seed.gpos.length + 3]).toContain(seen.ids.length);
      for (const id of before) expect(seen.ids).toContain(id);

      // The next run finds the dead run's lock (taken over at once: its process is gone) and any journal.
      const next = await runCoffer(
        ['backup', 'gpo', ...connection(), '--gpo', seed.gpos[1]!.guid, '--out', share.unc],
        {
          env: { TMPDIR: temp },
        },
      );
      expectDone(next);
      expect(next.stderr).toContain('LOCK_TAKEN_OVER');
      // ...and removes the dead run's local copy (its process is gone) as well as its own.
      expect(localCopies()).toEqual([]);
      const after = await verifyShare(share.unc);
      expect(after.run.exitCode, after.run.stderr + after.run.stdout).toBe(0);
      const journalled = instant !== 'uploaded:1';
      expect(after.ids).toHaveLength(journalled ? seed.gpos.length + 4 : 2);
      // Nothing half-made is left: no staging, old, lock or temp names.
      expect(readdirSync(share.disk).filter((name) => name.startsWith('.'))).toEqual(['.coffer-generation']);
      expect(existsSync(join(share.disk, '.coffer.lock'))).toBe(false);
    });
  }
});
