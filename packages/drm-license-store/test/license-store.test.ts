import { spawn } from 'node:child_process';
import { appendFile, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DRM_HRESULT,
  createLicensor,
  exportLicensor,
  importLicenses,
  importLicensor,
  inspectLicense,
  issueLicenses,
  listLicenses,
  playLicense,
  removeLicenses,
  setLicenseDisabled,
} from '../src/index.js';
import { BufferPool } from '../src/io/buffer-pool.js';
import { lineReadBufferBytes } from '../src/io/line-reader.js';
import { parseLicenseXml } from '../src/license/license-xml.js';
import { LicenseStore } from '../src/store/license-store.js';
import { backupable, createWorld, machineWithLicenses, modeOf, type TestWorld } from './helpers.js';

let world: TestWorld;
beforeEach(async () => {
  world = await createWorld();
});
afterEach(async () => {
  await world.cleanup();
});

async function rejection(promise: Promise<unknown>): Promise<{ code: string; hresult?: number }> {
  try {
    await promise;
  } catch (error) {
    return error as { code: string; hresult?: number };
  }
  throw new Error('expected a rejection');
}

describe('license store', () => {
  it('is a 0700 folder of 0600 files, unlocked after use', async () => {
    const { location } = await machineWithLicenses(world, 'A', [backupable]);
    expect(await modeOf(location.store)).toBe(0o700);
    const files = await readdir(location.store);
    // append.pending: the sealed note of the last append (see 'an append killed with SIGKILL…' below).
    expect(files.sort()).toEqual([
      'append.pending',
      'keys-000002.json',
      'licenses-000001.log',
      'state-000001.log',
      'store.json',
    ]);
    for (const file of files) expect(await modeOf(join(location.store, file))).toBe(0o600);
  });

  it('issues WMDRM-style signed licenses and lists them by KID then priority', async () => {
    const { location } = await machineWithLicenses(world, 'A', [
      { kid: 'KID-1', priority: 1, title: 'low' },
      { kid: 'KID-1', priority: 9, title: 'high & <mighty>' },
      { kid: 'KID-0', title: 'other', allowBackupRestore: true },
    ]);
    const { total, licenses } = await listLicenses(location);
    expect(total).toBe(3);
    expect(licenses.map((l) => [l.kid, l.priority, l.title])).toEqual([
      ['KID-0', 0, 'other'],
      ['KID-1', 9, 'high & <mighty>'],
      ['KID-1', 1, 'low'],
    ]);
    const inspection = await inspectLicense({ ...location, lid: licenses[1]!.lid });
    expect(inspection.signatureNow).toBe('valid');
    expect(inspection.boundHere).toBe(true);
    expect(inspection.xml).toMatch(
      /^<LICENSE version="2.0.0.0"><LICENSORINFO><DATA><LID>\{[0-9A-F-]{36}\}<\/LID><KID>KID-1<\/KID>/,
    );
    expect(inspection.xml).toContain('<ENABLINGBITS><ALGORITHM type="AES-256-GCM"/>');
    expect(inspection.xml).toContain('<SIGNALGORITHM type="Ed25519"/>');
    const parsed = parseLicenseXml(inspection.xml);
    expect(parsed.meta.TITLE).toBe('high & <mighty>');
    expect(parsed.priority).toBe(9);
  });

  it('forces AllowBackupRestore off when a play count is set', async () => {
    const { issued } = await machineWithLicenses(world, 'A', [{ playCount: 2, allowBackupRestore: true }]);
    expect(issued[0]!.rights).toEqual(['Play']);
    expect(issued[0]!.notes).toEqual(['AllowBackupRestore was forced off because the license sets a play count.']);
  });

  it('records plays apart from the license, makes counts run out, and plays the highest priority first', async () => {
    const { location, issued } = await machineWithLicenses(world, 'A', [
      { kid: 'SONG', priority: 5, playCount: 2 },
      { kid: 'SONG', priority: 1 },
    ]);
    const first = await playLicense({ ...location, kid: 'SONG' });
    expect(first).toMatchObject({ lid: issued[0]!.lid, plays: 1, playsLeft: 1 });
    expect((await playLicense({ ...location, kid: 'SONG' })).playsLeft).toBe(0);
    // Exhausted: the lower-priority, uncounted license takes over.
    const third = await playLicense({ ...location, kid: 'SONG' });
    expect(third.lid).toBe(issued[1]!.lid);
    const exhausted = await inspectLicense({ ...location, lid: issued[0]!.lid });
    expect(exhausted.play).toBe('exhausted');
    expect(exhausted.state.plays).toBe(2);
    const error = await rejection(playLicense({ ...location, lid: issued[0]!.lid }));
    expect(error.code).toBe('DRM_LICENSE_NOT_USABLE');
    // The license text itself never changes with use.
    expect(exhausted.sha256).toBe((await inspectLicense({ ...location, lid: issued[0]!.lid })).sha256);
  });

  it('honours begin and expiry dates and expire-after-first-use', async () => {
    const now = Date.now();
    const { location, issued } = await machineWithLicenses(world, 'A', [
      { kid: 'LATER', beginDate: new Date(now + 86_400_000) },
      { kid: 'OLD', expirationDate: new Date(now - 1000), allowBackupRestore: true },
      { kid: 'RENTAL', expireAfterFirstUseHours: 1, allowBackupRestore: true },
    ]);
    expect((await rejection(playLicense({ ...location, kid: 'LATER' }))).code).toBe('DRM_LICENSE_NOT_USABLE');
    expect((await inspectLicense({ ...location, lid: issued[1]!.lid })).backup).toBe('expired');
    await playLicense({ ...location, kid: 'RENTAL', now: now - 2 * 3_600_000 });
    const rental = await inspectLicense({ ...location, lid: issued[2]!.lid });
    expect(rental.play).toBe('expired');
    expect(rental.backup).toBe('expired');
  });

  it('removes by LID and by KID, and disables', async () => {
    const { location, issued } = await machineWithLicenses(world, 'A', [{ kid: 'X' }, { kid: 'X' }, { kid: 'Y' }]);
    await playLicense({ ...location, lid: issued[2]!.lid });
    expect(await removeLicenses({ ...location, kid: 'X' })).toMatchObject({ removed: 2 });
    expect((await listLicenses(location)).total).toBe(1);
    await setLicenseDisabled({ ...location, lid: issued[2]!.lid, disabled: true });
    const disabled = await inspectLicense({ ...location, lid: issued[2]!.lid });
    expect(disabled).toMatchObject({ play: 'disabled', backup: 'disabled', state: { plays: 1, disabled: true } });
    expect((await rejection(removeLicenses({ ...location, lids: ['{nope}'] }))).code).toBe('DRM_LICENSE_NOT_FOUND');
  });

  it('judges imported licenses: a forged signature is kept but never valid', async () => {
    const { location, issued } = await machineWithLicenses(world, 'A', [backupable]);
    const original = await inspectLicense({ ...location, lid: issued[0]!.lid });
    await removeLicenses({ ...location, lids: [original.lid] });
    const forged = original.xml.replace('<PRIORITY>0</PRIORITY>', '<PRIORITY>7</PRIORITY>');
    const [imported] = await importLicenses({ ...location, xml: [forged] });
    expect(imported).toMatchObject({ signature: 'invalid', backup: 'invalid-signature', play: 'invalid-signature' });
  });

  it('trusts another store licensor only after import-licensor', async () => {
    const a = await machineWithLicenses(world, 'A', []);
    const b = await machineWithLicenses(world, 'B', []);
    const keyFile = await exportLicensor({ ...a.location, includePrivateKey: true });
    const imported = await importLicensor({ ...b.location, text: keyFile });
    expect(imported.canIssue).toBe(true);
    const publicOnly = await exportLicensor(a.location);
    expect(publicOnly).not.toContain('privateKey');
    expect((await createLicensor({ ...b.location, name: 'second' })).name).toBe('second');
    const [issued] = await issueLicenses({ ...b.location, licensorId: imported.id, licenses: [backupable] });
    expect((await inspectLicense({ ...b.location, lid: issued!.lid })).signedBy[0]!.keyId).toBe(imported.id);
  });

  it('refuses another machine (NS_E_DRM_HARDWAREID_MISMATCH)', async () => {
    const { location } = await machineWithLicenses(world, 'A', [backupable]);
    const error = await rejection(listLicenses({ ...location, machineId: 'machine-stolen' }));
    expect(error).toMatchObject({
      code: 'NS_E_DRM_HARDWAREID_MISMATCH',
      hresult: DRM_HRESULT.NS_E_DRM_HARDWAREID_MISMATCH,
    });
    expect(error.hresult).toBe(0xc00d278f);
  });

  it('detects a flipped byte in the licenses log (NS_E_DRM_CHECKPOINT_FAILED)', async () => {
    const { location } = await machineWithLicenses(world, 'A', [backupable, backupable]);
    const log = join(location.store, 'licenses-000001.log');
    const bytes = await readFile(log);
    const at = bytes.indexOf('Backupable');
    bytes[at] = 'b'.charCodeAt(0);
    await writeFile(log, bytes);
    const error = await rejection(listLicenses(location));
    expect(error).toMatchObject({ code: 'NS_E_DRM_CHECKPOINT_FAILED', hresult: 0xc00d277f });
  });

  it('the MAC check on a worker thread (the backup pass) passes a clean log and catches a flipped byte in any batch', async () => {
    // Five batches over 1 KiB reads of shared pool buffers: the worker hashes them in place while the scan goes on.
    const { location } = await machineWithLicenses(
      world,
      'A',
      Array.from({ length: 4 }, () => backupable),
    );
    for (let batch = 0; batch < 4; batch += 1)
      await issueLicenses({ ...location, licenses: Array.from({ length: 4 }, () => backupable) });
    const log = join(location.store, 'licenses-000001.log');
    const clean = await readFile(log);
    const scan = async () => {
      const store = await LicenseStore.open({ path: location.store, machineId: location.machineId });
      const pool = new BufferPool(lineReadBufferBytes(1024), { shared: true });
      let lines = 0;
      try {
        await store.scanLicenseLineRanges(
          { line: () => void (lines += 1) },
          { chunkBytes: 1024, pool, macOnWorker: true },
        );
        return lines;
      } finally {
        await store.close();
        expect(pool.held).toBe(0);
      }
    };
    expect(await scan()).toBe(20);
    const macLines = [...clean.toString('latin1').matchAll(/\nM\t/g)].map((match) => match.index);
    expect(macLines).toHaveLength(5);
    // A byte inside the first, a middle and the last batch, and one in a middle batch's MAC line (its records intact).
    const macHexAt = clean.indexOf('\t', macLines[2]! + 3) + 3;
    for (const at of [40, macLines[2]! - 30, macLines[4]! - 30, macHexAt]) {
      const bytes = Buffer.from(clean);
      bytes[at] = bytes[at] === 0x41 ? 0x42 : 0x41;
      await writeFile(log, bytes);
      expect(await rejection(scan()), `byte ${at}`).toMatchObject({ code: 'NS_E_DRM_CHECKPOINT_FAILED' });
    }
    await writeFile(log, clean);
    expect(await scan()).toBe(20);
  });

  it('detects an edited header, a dropped batch and an unreadable header', async () => {
    const { location } = await machineWithLicenses(world, 'A', [backupable]);
    await issueLicenses({ ...location, licenses: [backupable] });
    const headerPath = join(location.store, 'store.json');
    const header = JSON.parse(await readFile(headerPath, 'utf8'));
    const edited = { ...header, trustedKeys: [] };
    await writeFile(headerPath, JSON.stringify(edited));
    expect((await rejection(listLicenses(location))).code).toBe('NS_E_DRM_CHECKPOINT_FAILED');
    // Roll the log back to its first batch while the header still names the second.
    await writeFile(headerPath, JSON.stringify(header));
    const log = join(location.store, header.licenses.file);
    const text = await readFile(log, 'utf8');
    const firstBatchEnd = text.indexOf('\nM\t') + 1;
    await writeFile(log, text.slice(0, text.indexOf('\n', firstBatchEnd) + 1));
    expect((await rejection(listLicenses(location))).code).toBe('NS_E_DRM_CHECKPOINT_FAILED');
    await writeFile(headerPath, '{ not json');
    expect((await rejection(listLicenses(location))).code).toBe('NS_E_DRM_DATASTORE_CORRUPT');
  });

  it('bytes appended to the licenses log or the state log behind its back are NS_E_DRM_CHECKPOINT_FAILED', async () => {
    const { location } = await machineWithLicenses(world, 'A', [backupable]);
    await playLicense({ ...location, lid: (await listLicenses(location)).licenses[0]!.lid });
    const header = JSON.parse(await readFile(join(location.store, 'store.json'), 'utf8'));
    for (const [kind, bytes] of [
      ['licenses', 'L\t{appended}\n'],
      ['state', `S\t{00000000-0000-0000-0000-000000000000}\t0\t-\t0\n`],
    ] as const) {
      const log = join(location.store, header[kind].file);
      const clean = await readFile(log);
      await appendFile(log, bytes);
      const error = await rejection(listLicenses(location));
      expect(error, kind).toMatchObject({ code: 'NS_E_DRM_CHECKPOINT_FAILED', hresult: 0xc00d277f });
      expect((error as unknown as Error).message).toContain('extended past its checkpoint');
      // And an append does not quietly cut them off either: the store stays refused until it is restored.
      expect((await rejection(issueLicenses({ ...location, licenses: [backupable] }))).code).toBe(
        'NS_E_DRM_CHECKPOINT_FAILED',
      );
      await writeFile(log, clean);
      expect((await listLicenses(location)).total).toBe(1);
    }
  });

  it('an append killed with SIGKILL mid-write is an interrupted append: the store opens, keeps what was committed, and drops the rest on the next append', async () => {
    const { location } = await machineWithLicenses(world, 'A', [backupable]);
    const dist = join(import.meta.dirname, '..', 'dist', 'index.js');
    // A writer that appends batches of licenses as fast as it can, until killed.
    const script = `const { issueLicenses } = await import(${JSON.stringify(dist)});
      const licenses = Array.from({ length: 400 }, (_, i) => ({ title: 'Batch ' + i + ' '.repeat(2000), allowBackupRestore: true }));
      process.stdout.write('ready\\n');
      for (;;) await issueLicenses({ store: ${JSON.stringify(location.store)}, machineId: ${JSON.stringify(location.machineId)}, licenses });`;
    let committed = 1;
    let residue = 0;
    for (let kill = 0; kill < 12; kill += 1) {
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      await new Promise<void>((resolve, reject) => {
        child.stdout.once('data', () => resolve());
        child.once('close', () => reject(new Error(`the writer ended before it started (is dist/ built?): ${stderr}`)));
      });
      // Most kills aim at the moment that matters: the batch is in the log, the header does not name it yet (the
      // log's fsync and the header's commit are still to come). Every third lands wherever it lands.
      const deadline = Date.now() + (kill % 3 === 2 ? 40 + Math.floor(Math.random() * 250) : 5_000);
      while (Date.now() < deadline) {
        const header = JSON.parse(await readFile(join(location.store, 'store.json'), 'utf8').catch(() => '{}'));
        const size = header.licenses
          ? (await stat(join(location.store, header.licenses.file)).catch(() => ({ size: 0 }))).size
          : 0;
        if (header.licenses && size > header.licenses.bytes) break;
        await new Promise((r) => setImmediate(r));
      }
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('close', resolve));
      // The writer is dead and reaped: its lock would go stale in 10 s; removing it only saves that wait.
      await rm(join(location.store, '.coffer.lock'), { recursive: true, force: true });
      const header = JSON.parse(await readFile(join(location.store, 'store.json'), 'utf8'));
      if ((await stat(join(location.store, header.licenses.file))).size > header.licenses.bytes) residue += 1;
      // Never a false alarm: whatever the kill left, the store opens and holds at least what was committed.
      const total = (await listLicenses(location)).total;
      expect(total).toBeGreaterThanOrEqual(committed);
      committed = total;
    }
    await issueLicenses({ ...location, licenses: [backupable] });
    const header = JSON.parse(await readFile(join(location.store, 'store.json'), 'utf8'));
    expect((await stat(join(location.store, header.licenses.file))).size).toBe(header.licenses.bytes);
    expect((await listLicenses(location)).total).toBe(committed + 1);
    // The kills landed mid-append (bytes past the checkpoint) at least once; otherwise this proved nothing.
    expect(residue).toBeGreaterThan(0);
  }, 120_000);

  it('cleans up a generation a crash left uncommitted', async () => {
    const { location } = await machineWithLicenses(world, 'A', [backupable]);
    await writeFile(join(location.store, 'licenses-000007.log'), 'half written');
    expect((await listLicenses(location)).total).toBe(1);
    expect(await readdir(location.store)).not.toContain('licenses-000007.log');
  });
});
