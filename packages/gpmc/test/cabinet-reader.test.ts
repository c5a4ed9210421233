/**
 * The cabinet reader against cabinets from our writer and from Debian's gcab, a hand-built MSZIP cabinet whose
 * second block reaches back into the first (as MSZIP allows), and damaged or unsupported cabinets.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync, constants } from 'node:zlib';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureCabTools, runTool } from '@coffer/test-support';
import { buildCabinet, readCabinet } from '../src/index.js';
import { cabChecksum } from '../src/cab/cabinet-writer.js';

let dir: string;

beforeAll(async () => {
  await ensureCabTools();
}, 300_000);

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'coffer-cab-read-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const when = new Date(Date.UTC(2024, 4, 6, 7, 8, 10));
const big = Buffer.from(Array.from({ length: 100_000 }, (_, i) => (i * 7919) % 251));

describe('readCabinet', () => {
  it.each(['none', 'mszip'] as const)(
    'reads back what the writer wrote (%s, several blocks, UTF-8 names)',
    (compression) => {
      const files = [
        { name: 'StarterGPO.tmplx', data: Buffer.from('<StarterGPO/>'), modified: when },
        { name: 'Machine_Registry.pol', data: big, modified: when },
        { name: 'Dätei ✓ 東京.txt', data: Buffer.alloc(0), modified: when },
      ];
      const entries = readCabinet(buildCabinet(files, { compression }), 'x.cab');
      expect(entries.map((e) => e.name)).toEqual(files.map((f) => f.name));
      for (const [index, entry] of entries.entries()) expect(entry.data.equals(files[index]!.data)).toBe(true);
      expect(entries[0]!.modified.toISOString()).toBe(when.toISOString());
    },
  );

  it.each([
    ['stored', [] as string[]],
    ['MSZIP', ['-z']],
  ])('reads a %s cabinet made by gcab, with folder paths', async (_kind, flags) => {
    await writeFile(join(dir, 'big.bin'), big);
    await writeFile(join(dir, 'small.txt'), 'small ✓');
    const cab = join(dir, 'made.cab');
    await runTool(
      'sh',
      [
        '-c',
        `mkdir -p sub && cp small.txt sub/inner.txt && gcab -c ${flags.join(' ')} made.cab big.bin small.txt sub/inner.txt`,
      ],
      dir,
    );
    const entries = readCabinet(await readFile(cab), cab);
    expect(entries.map((e) => e.name)).toEqual(['big.bin', 'small.txt', 'sub\\inner.txt']);
    expect(entries[0]!.data.equals(big)).toBe(true);
    expect(entries[2]!.data.toString('utf8')).toBe('small ✓');
  });

  it('inflates an MSZIP block against the previous block, as MSZIP carries the window across blocks', () => {
    const first = Buffer.from(Array.from({ length: 0x8000 }, (_, i) => (i * 31) % 256));
    const second = Buffer.concat([first.subarray(100, 20_100), Buffer.from('tail')]);
    const encode = (data: Buffer, dictionary?: Buffer) =>
      Buffer.concat([
        Buffer.from('CK'),
        deflateRawSync(data, { ...(dictionary ? { dictionary } : {}), finishFlush: constants.Z_FINISH }),
      ]);
    const blocks = [encode(first), encode(second, first)];
    // Without the first block as its dictionary, the second does not inflate: the reader must supply it.
    expect(blocks[1]!.length).toBeLessThan(second.length / 10);
    const cab = handBuiltCabinet(
      [{ name: 'a.bin', size: first.length + second.length }],
      blocks,
      [first.length, second.length],
      1,
    );
    const [entry] = readCabinet(cab, 'hand.cab');
    expect(entry!.data.equals(Buffer.concat([first, second]))).toBe(true);
  });

  it('refuses damaged, truncated, spanning and LZX cabinets with clear codes', () => {
    const good = buildCabinet([{ name: 'a.txt', data: Buffer.from('hello world, hello cabinet'), modified: when }], {
      compression: 'none',
    });
    const flipped = Buffer.from(good);
    flipped.writeUInt8(flipped.readUInt8(flipped.length - 2) ^ 1, flipped.length - 2);
    expect(() => readCabinet(flipped, 'f.cab')).toThrow(expect.objectContaining({ code: 'CAB_CHECKSUM_MISMATCH' }));
    expect(() => readCabinet(good.subarray(0, good.length - 5), 't.cab')).toThrow(
      expect.objectContaining({ code: 'CAB_INVALID' }),
    );
    expect(() => readCabinet(Buffer.from('PK\x03\x04 not a cabinet at all, really not'), 'z.cab')).toThrow(
      expect.objectContaining({ code: 'CAB_INVALID' }),
    );
    const spanning = Buffer.from(good);
    spanning.writeUInt16LE(0x0002, 30);
    expect(() => readCabinet(spanning, 's.cab')).toThrow(expect.objectContaining({ code: 'CAB_UNSUPPORTED' }));
    const lzx = Buffer.from(good);
    lzx.writeUInt16LE(0x1503, 36 + 6);
    expect(() => readCabinet(lzx, 'l.cab')).toThrow(
      expect.objectContaining({ code: 'CAB_UNSUPPORTED', message: expect.stringContaining('LZX') }),
    );
    // A zero checksum means "not computed": the block is read without one.
    const unchecked = Buffer.from(good);
    unchecked.writeUInt32LE(0, unchecked.readUInt32LE(36));
    expect(readCabinet(unchecked, 'u.cab')[0]!.data.toString()).toBe('hello world, hello cabinet');
  });

  it('skips reserved areas when the header says they are present', () => {
    const data = Buffer.from('reserved areas around');
    const cab = handBuiltCabinet([{ name: 'r.txt', size: data.length }], [data], [data.length], 0, {
      header: 6,
      folder: 3,
      data: 2,
    });
    expect(readCabinet(cab, 'r.cab')[0]!.data.equals(data)).toBe(true);
  });
});

/** One folder, the given CFDATA payloads; checksums computed; optional reserved areas. */
function handBuiltCabinet(
  files: Array<{ name: string; size: number }>,
  payloads: Buffer[],
  uncompressed: number[],
  compression: number,
  reserve?: { header: number; folder: number; data: number },
): Buffer {
  const headerSize = 36 + (reserve ? 4 + reserve.header : 0);
  const folderSize = 8 + (reserve?.folder ?? 0);
  const fileEntries = files.map((file, index) => {
    const entry = Buffer.alloc(16);
    entry.writeUInt32LE(file.size, 0);
    entry.writeUInt32LE(
      files.slice(0, index).reduce((t, f) => t + f.size, 0),
      4,
    );
    entry.writeUInt16LE(0x20, 14);
    return Buffer.concat([entry, Buffer.from(`${file.name}\0`)]);
  });
  const filesSize = fileEntries.reduce((t, e) => t + e.length, 0);
  const dataStart = headerSize + folderSize + filesSize;
  const blocks = payloads.map((payload, index) => {
    const head = Buffer.alloc(8 + (reserve?.data ?? 0), 0xee);
    head.writeUInt16LE(payload.length, 4);
    head.writeUInt16LE(uncompressed[index]!, 6);
    head.writeUInt32LE(cabChecksum(head.subarray(4, 8), cabChecksum(payload)), 0);
    return Buffer.concat([head, payload]);
  });
  const total = dataStart + blocks.reduce((t, b) => t + b.length, 0);
  const header = Buffer.alloc(headerSize, 0xdd);
  header.write('MSCF', 0, 'ascii');
  header.writeUInt32LE(0, 4);
  header.writeUInt32LE(total, 8);
  header.writeUInt32LE(0, 12);
  header.writeUInt32LE(headerSize + folderSize, 16);
  header.writeUInt32LE(0, 20);
  header.writeUInt8(3, 24);
  header.writeUInt8(1, 25);
  header.writeUInt16LE(1, 26);
  header.writeUInt16LE(files.length, 28);
  header.writeUInt16LE(reserve ? 0x0004 : 0, 30);
  header.writeUInt16LE(0, 32);
  header.writeUInt16LE(0, 34);
  if (reserve) {
    header.writeUInt16LE(reserve.header, 36);
    header.writeUInt8(reserve.folder, 38);
    header.writeUInt8(reserve.data, 39);
  }
  const folder = Buffer.alloc(folderSize, 0xcc);
  folder.writeUInt32LE(dataStart, 0);
  folder.writeUInt16LE(blocks.length, 4);
  folder.writeUInt16LE(compression, 6);
  return Buffer.concat([header, folder, ...fileEntries, ...blocks]);
}
