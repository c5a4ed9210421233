import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  backupRestriction,
  BufferPool,
  decodeLicenseRecord,
  FRESH_STATE,
  LicenseStore,
  lineReadBufferBytes,
} from '@coffer/drm-license-store/backup';
import { ByteChannel } from '../src/io/byte-channel.js';
import { EligibleLicenseCopier, type RestrictedLicense } from '../src/backup/eligible-license-copier.js';
import { issueLicenses, setLicenseDisabled } from '@coffer/drm-license-store';
import { backupable, createWorld, machineWithLicenses, type TestWorld } from './helpers.js';

let world: TestWorld;
beforeEach(async () => {
  world = await createWorld();
});
afterEach(async () => {
  await world.cleanup();
});

/** Copies each chunk as it arrives, as a writer would write it: a pooled view may be reused once the next is asked for. */
async function drain(channel: ByteChannel): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of channel) chunks.push(Buffer.concat(chunk));
  return chunks;
}

/** The chunk lists themselves (only safe without a pool). */
async function drainLists(channel: ByteChannel): Promise<(readonly Uint8Array[])[]> {
  const chunks: (readonly Uint8Array[])[] = [];
  for await (const chunk of channel) chunks.push(chunk);
  return chunks;
}

describe('byte channel chunking', () => {
  it('keeps the order of copied pieces and kept views, and passes a large view through without copying it', async () => {
    // Chunks of 16 bytes: a view of 4 or more is a large write of its own.
    const channel = new ByteChannel(16, 1 << 20);
    const large = Buffer.from('0123456789ABCDEF');
    const small = Buffer.from('ab');
    const quarter = Buffer.from('WXYZ');
    const source = Buffer.from('xxhelloxx');
    channel.pushCopy(source, 2, 7, 0x0a); // "hello\n"
    channel.push(small);
    channel.pushCopy(source, 2, 4); // "he"
    channel.push(large);
    channel.push(quarter);
    channel.pushCopy(Buffer.from('tail'), 0, 4, 0x21);
    channel.end();
    const chunks = await drainLists(channel);
    expect(Buffer.concat(chunks.flat()).toString()).toBe('hello\nabhe0123456789ABCDEFWXYZtail!');
    // Views reach the writer as they were pushed, never joined by copying; copied pieces share a fill buffer.
    for (const view of [small, large, quarter]) expect(chunks.flat()).toContain(view);
    expect(chunks.every((chunk) => chunk.length > 0 && chunk.every((part) => part.length > 0))).toBe(true);
    expect(
      chunks
        .map((chunk) => Buffer.concat(chunk).length)
        .slice(0, -1)
        .every((bytes) => bytes >= 16),
    ).toBe(true);
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

describe('byte channel and buffer pool', () => {
  it('returns pool buffers once their chunk is written, and reuses them for the next fills', async () => {
    const pool = new BufferPool(64);
    const channel = new ByteChannel(64, 128, pool);
    const expected: string[] = [];
    const produce = (async () => {
      for (let i = 0; i < 400; i += 1) {
        const piece = Buffer.from(`<${i}>`);
        expected.push(piece.toString());
        const wait = channel.pushCopy(piece, 0, piece.length);
        if (wait) await wait;
      }
      channel.end();
    })();
    const written = await drain(channel);
    await produce;
    expect(Buffer.concat(written).toString()).toBe(expected.join(''));
    expect(pool.held).toBe(0);
    // About 2,000 bytes went through 64-byte fill buffers: the queue's few, reused.
    expect(pool.created).toBeLessThanOrEqual(8);
  });

  it('holds back a producer whose small views keep many read buffers alive', async () => {
    // 100 reads into 1 KiB pool buffers, one 4-byte view pushed from each: by bytes the queue would take them all.
    const pool = new BufferPool(1024, { keepFree: 200 });
    const channel = new ByteChannel(1024, 4096, pool);
    let mostHeldByChannel = 0;
    let blocked = 0;
    const produce = (async () => {
      for (let i = 0; i < 100; i += 1) {
        const buffer = pool.acquire();
        buffer.write(`${String(i).padStart(3, '0')},`);
        const wait = channel.push(buffer.subarray(0, 4));
        pool.release(buffer); // the producer moves on, as the line reader does
        mostHeldByChannel = Math.max(mostHeldByChannel, pool.held);
        if (wait) {
          blocked += 1;
          await wait;
        }
      }
      channel.end();
    })();
    const written = await drain(channel);
    await produce;
    expect(Buffer.concat(written).toString()).toBe(
      Array.from({ length: 100 }, (_, i) => `${String(i).padStart(3, '0')},`).join(''),
    );
    expect(blocked).toBeGreaterThan(10);
    // 4 MiB-equivalent limits: 4 buffers in the open chunk, 8 queued, plus the one being written.
    expect(mostHeldByChannel).toBeLessThanOrEqual(13);
    expect(pool.held).toBe(0);
  });

  it('a writer that stops early (a failed write) gives every queued buffer back', async () => {
    const pool = new BufferPool(256);
    const channel = new ByteChannel(256, 1024, pool);
    for (let i = 0; i < 6; i += 1) {
      const buffer = pool.acquire();
      void channel.push(buffer.subarray(0, 200));
      pool.release(buffer);
    }
    expect(pool.held).toBe(6);
    for await (const chunk of channel) {
      expect(chunk.length).toBeGreaterThan(0);
      break; // the consumer gives up after its first chunk
    }
    expect(pool.held).toBe(0);
  });
});

describe('the backup hot loop over a real store', () => {
  it('copies exactly the eligible records and their manifest fields, judging each license, whatever the read size', async () => {
    // Pairs of restricted licenses share their facts bytes, so a remembered verdict is reused for a restricted one too.
    const specs = Array.from({ length: 30 }, (_, i) => {
      if (i % 7 === 3 || i % 7 === 4) return { title: `restricted ${i}`, playCount: 2, allowBackupRestore: true };
      if (i % 11 === 5)
        return { title: `expired ${i}`, allowBackupRestore: true, expirationDate: new Date(Date.now() - 60_000) };
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

      for (const [readBytes, pooled] of [
        [700, false],
        [2048, false],
        [1 << 20, false],
        [700, true],
        [2048, true],
      ] as const) {
        // With a pool, read and fill buffers are reused as soon as they are written: the copies must not care.
        const pool = pooled ? new BufferPool(lineReadBufferBytes(readBytes)) : undefined;
        const licenses = new ByteChannel(1024, 4096, pool);
        const manifest = new ByteChannel(1024, 4096, pool);
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
        await store.scanLicenseLineRanges(copier, { chunkBytes: readBytes, pool });
        await copier.finish();
        licenses.end();
        manifest.end();
        const [licenseChunks, manifestChunks] = await written;
        if (pool) {
          expect(pool.held, `pool buffers still held, reads of ${readBytes}`).toBe(0);
          expect(pool.created).toBeLessThan(20);
        }
        expect(
          Buffer.concat(licenseChunks).equals(Buffer.concat(expectedLicenses)),
          `licenses, reads of ${readBytes}`,
        ).toBe(true);
        expect(Buffer.concat(manifestChunks).toString()).toBe(expectedManifest.join(''));
        expect(restricted.map((r) => r.lid)).toEqual(expectedRestricted);
        expect(restricted.find((r) => r.lid === issued[0]!.lid)?.restriction).toBe('disabled');
        expect([copier.eligible, copier.restricted, progressed]).toEqual([
          expectedLicenses.length,
          expectedRestricted.length,
          30,
        ]);
      }
    } finally {
      await store.close();
    }
  });

  it('a cancel is honoured at the next read buffer', async () => {
    const { location } = await machineWithLicenses(
      world,
      'A',
      Array.from({ length: 6 }, () => backupable),
    );
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
      await expect(store.scanLicenseLineRanges(copier, { chunkBytes: 1024 })).rejects.toThrow('cancelled at a buffer');
      expect(copier.eligible).toBeLessThan(6);
    } finally {
      await store.close();
    }
  });
});
