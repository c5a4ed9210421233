import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ByteChannel } from '../src/backup/byte-channel.js';
import { EligibleLicenseCopier, type RestrictedLicense } from '../src/backup/eligible-license-copier.js';
import { issueLicenses, setLicenseDisabled } from '../src/index.js';
import { backupRestriction } from '../src/license/eligibility.js';
import { FRESH_STATE } from '../src/license/license-facts.js';
import { decodeLicenseRecord } from '../src/store/license-record.js';
import { LicenseStore } from '../src/store/license-store.js';
import { forEachLineRange } from '../src/store/line-reader.js';
import { backupable, createWorld, machineWithLicenses, type TestWorld } from './helpers.js';

let world: TestWorld;
beforeEach(async () => {
  world = await createWorld();
});
afterEach(async () => {
  await world.cleanup();
});

async function drain(channel: ByteChannel): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of channel) chunks.push(chunk);
  return chunks;
}

describe('reading lines as ranges', () => {
  it('finds every line across small reads, grows the read for a long line, and reports a torn end', async () => {
    // With 16-byte reads the spare room before each read is 256 bytes: the 1,000-byte line is joined by copying.
    const lines = ['a', '', 'a line longer than one read of sixteen bytes', 'b\tc', 'x'.repeat(40), 'y'.repeat(1000), 'last'];
    const path = join(world.root, 'lines.txt');
    await writeFile(path, `${lines.join('\n')}\ntorn`);
    const seen: string[] = [];
    let buffers = 0;
    const summary = await forEachLineRange(
      path,
      Number.MAX_SAFE_INTEGER,
      {
        line: (buffer, start, end) => {
          expect(buffer[end]).toBe(0x0a);
          seen.push(buffer.toString('utf8', start, end));
        },
        bufferDone: () => {
          buffers += 1;
        },
      },
      16,
    );
    expect(seen).toEqual(lines);
    expect(buffers).toBeGreaterThan(3);
    expect(summary).toEqual({ bytesRead: (await readFile(path)).length, trailingBytes: 4 });
  });

  it('stops at the byte limit', async () => {
    const path = join(world.root, 'limit.txt');
    await writeFile(path, 'one\ntwo\nthree\n');
    const seen: string[] = [];
    const summary = await forEachLineRange(path, 8, { line: (buffer, start, end) => void seen.push(buffer.toString('utf8', start, end)) }, 4);
    expect(seen).toEqual(['one', 'two']);
    expect(summary).toEqual({ bytesRead: 8, trailingBytes: 0 });
  });
});

describe('byte channel chunking', () => {
  it('keeps the order of copied pieces and kept views, and passes a large view through without copying it', async () => {
    // Chunks of 16 bytes: a view of 4 or more is a large write of its own.
    const channel = new ByteChannel(16, 1 << 20);
    const large = Buffer.from('0123456789ABCDEF');
    const quarter = Buffer.from('WXYZ');
    const source = Buffer.from('xxhelloxx');
    channel.pushCopy(source, 2, 7, 0x0a); // "hello\n"
    channel.push(Buffer.from('ab'));
    channel.pushCopy(source, 2, 4); // "he"
    channel.push(large);
    channel.push(quarter);
    channel.pushCopy(Buffer.from('tail'), 0, 4, 0x21);
    channel.end();
    const chunks = await drain(channel);
    expect(Buffer.concat(chunks).toString()).toBe('hello\nabhe0123456789ABCDEFWXYZtail!');
    expect(chunks).toContain(large);
    expect(chunks).toContain(quarter);
    expect(chunks.every((chunk) => chunk.length > 0)).toBe(true);
  });

  it('many small copies become chunks of the chunk size', async () => {
    const channel = new ByteChannel(64, 1 << 20);
    const piece = Buffer.from('0123456789');
    for (let i = 0; i < 100; i += 1) channel.pushCopy(piece, 0, 10, 0x0a);
    channel.end();
    const chunks = await drain(channel);
    expect(Buffer.concat(chunks).toString()).toBe('0123456789\n'.repeat(100));
    expect(chunks.slice(0, -1).every((chunk) => chunk.length >= 64 - 11)).toBe(true);
  });
});

describe('the backup hot loop over a real store', () => {
  it('copies exactly the eligible records and their manifest fields, judging each license, whatever the read size', async () => {
    // Pairs of restricted licenses share their facts bytes, so a remembered verdict is reused for a restricted one too.
    const specs = Array.from({ length: 30 }, (_, i) => {
      if (i % 7 === 3 || i % 7 === 4) return { title: `restricted ${i}`, playCount: 2, allowBackupRestore: true };
      if (i % 11 === 5) return { title: `expired ${i}`, allowBackupRestore: true, expirationDate: new Date(Date.now() - 60_000) };
      return { ...backupable, title: `ok ${i}`, priority: i % 5 };
    });
    const { location, issued } = await machineWithLicenses(world, 'A', specs.slice(0, 13));
    issued.push(...(await issueLicenses({ ...location, licenses: specs.slice(13) })));
    // Records 12 and 13 (both eligible) sit either side of the first batch MAC line, which must not be copied.
    // A disabled license lives in the state log, so the loop must look up states too.
    await setLicenseDisabled({ ...location, lid: issued[0]!.lid, disabled: true });

    const store = await LicenseStore.open({ path: location.store, machineId: location.machineId });
    try {
      const states = await store.loadStates();
      const now = Date.now();
      const expectedLicenses: Buffer[] = [];
      const expectedManifest: string[] = [];
      const expectedRestricted: string[] = [];
      await store.scanLicenses((line) => {
        const record = decodeLicenseRecord(line);
        if (backupRestriction(record.facts, states.get(record.lid) ?? FRESH_STATE, now) === undefined) {
          expectedLicenses.push(Buffer.concat([line, Buffer.from('\n')]));
          expectedManifest.push(`${record.lid}\t${record.kid}\t${record.priority}\t${record.sha256}\n`);
        } else expectedRestricted.push(record.lid);
      });
      expect(expectedRestricted.length).toBeGreaterThan(4);
      expect(expectedRestricted).toContain(issued[0]!.lid);

      for (const readBytes of [700, 2048, 1 << 20]) {
        const licenses = new ByteChannel(1024, 1 << 20);
        const manifest = new ByteChannel(1024, 1 << 20);
        const restricted: RestrictedLicense[] = [];
        let progressed = 0;
        const copier = new EligibleLicenseCopier({
          storePath: location.store,
          licenses,
          manifest,
          states,
          now,
          onRestricted: (license) => restricted.push(license),
          onProgress: (count, lastKid) => {
            expect(lastKid).not.toBe('');
            progressed += count;
          },
          signal: new AbortController().signal,
          onCancel: () => new Error('cancelled'),
        });
        const written = Promise.all([drain(licenses), drain(manifest)]);
        await store.scanLicenseLineRanges(copier, readBytes);
        await copier.finish();
        licenses.end();
        manifest.end();
        const [licenseChunks, manifestChunks] = await written;
        expect(Buffer.concat(licenseChunks).equals(Buffer.concat(expectedLicenses)), `licenses, reads of ${readBytes}`).toBe(true);
        expect(Buffer.concat(manifestChunks).toString()).toBe(expectedManifest.join(''));
        expect(restricted.map((r) => r.lid)).toEqual(expectedRestricted);
        expect(restricted.find((r) => r.lid === issued[0]!.lid)?.restriction).toBe('disabled');
        expect([copier.eligible, copier.restricted, progressed]).toEqual([expectedLicenses.length, expectedRestricted.length, 30]);
      }
    } finally {
      await store.close();
    }
  });

  it('a cancel is honoured at the next read buffer', async () => {
    const { location } = await machineWithLicenses(world, 'A', Array.from({ length: 6 }, () => backupable));
    const store = await LicenseStore.open({ path: location.store, machineId: location.machineId });
    try {
      const controller = new AbortController();
      const sink = new ByteChannel();
      const copier = new EligibleLicenseCopier({
        storePath: location.store,
        licenses: sink,
        manifest: new ByteChannel(),
        states: new Map(),
        now: Date.now(),
        onRestricted: () => undefined,
        onProgress: () => controller.abort(),
        signal: controller.signal,
        onCancel: () => new Error('cancelled at a buffer'),
      });
      await expect(store.scanLicenseLineRanges(copier, 1024)).rejects.toThrow('cancelled at a buffer');
      expect(copier.eligible).toBeLessThan(6);
    } finally {
      await store.close();
    }
  });
});
