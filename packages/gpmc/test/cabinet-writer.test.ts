import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCabTools, runTool } from '@coffer/test-support';
import { buildCabinet, type CabCompression, type CabinetFile } from '../src/index.js';
// The writer's internals, checked directly (not public API).
import { cabChecksum, dosDateTime, MAX_BLOCK } from '../src/cab/cabinet-writer.js';

let work: string;

beforeAll(async () => {
  await ensureCabTools();
  work = await mkdtemp(join(tmpdir(), 'coffer-cab-'));
}, 300_000);

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const modified = new Date(Date.UTC(2024, 4, 17, 13, 45, 30));

function sampleFiles(): CabinetFile[] {
  // Compressible text, incompressible noise over several 32 KiB blocks, an empty file and a Unicode name.
  return [
    {
      name: 'StarterGPO.tmplx',
      data: Buffer.from('<?xml version="1.0"?><StarterGPO><DisplayName>x</DisplayName></StarterGPO>\r\n'),
      modified,
    },
    {
      name: 'Machine_Registry.pol',
      data: Buffer.concat([Buffer.from('PReg\x01\x00\x00\x00', 'latin1'), Buffer.alloc(70_000, 0x41)]),
      modified,
    },
    { name: 'User_Registry.pol', data: randomBytes(3 * MAX_BLOCK + 123), modified },
    { name: 'empty.txt', data: Buffer.alloc(0), modified },
    { name: 'Machine_Ünïcødé Policy ✓.cmtx', data: Buffer.from('unicode name\n'), modified },
  ];
}

async function extractWith(tool: 'gcab' | 'cabextract', cabinet: string, into: string): Promise<Map<string, Buffer>> {
  if (tool === 'gcab') await runTool('gcab', ['-x', '-C', into, cabinet]);
  else await runTool('cabextract', ['-q', '-d', into, cabinet]);
  const out = new Map<string, Buffer>();
  for (const name of await readdir(into)) out.set(name, await readFile(join(into, name)));
  return out;
}

describe('cabinet checksum ([MS-CAB] CSUMCompute)', () => {
  it('XORs little-endian words and folds the tail with its first byte highest', () => {
    expect(cabChecksum(Buffer.from([1, 2, 3, 4]))).toBe(0x04030201);
    expect(cabChecksum(Buffer.from([1, 2, 3, 4, 5]))).toBe(0x04030201 ^ 0x05);
    expect(cabChecksum(Buffer.from([1, 2, 3, 4, 5, 6]))).toBe(0x04030201 ^ 0x0506);
    expect(cabChecksum(Buffer.from([1, 2, 3, 4, 5, 6, 7]))).toBe(0x04030201 ^ 0x050607);
    expect(cabChecksum(Buffer.from([0xff, 0xff, 0xff, 0xff]), 0x0f0f0f0f)).toBe(0xf0f0f0f0);
  });

  it('encodes MS-DOS dates and times', () => {
    expect(dosDateTime(modified)).toEqual({
      date: ((2024 - 1980) << 9) | (5 << 5) | 17,
      time: (13 << 11) | (45 << 5) | 15,
    });
  });
});

describe.each<CabCompression>(['none', 'mszip'])('a %s cabinet', (compression) => {
  const files = sampleFiles();
  let cabinetPath: string;

  beforeAll(async () => {
    cabinetPath = join(work, `sample-${compression}.cab`);
    await writeFile(cabinetPath, buildCabinet(files, { compression }));
  });

  it('is listed by gcab with every name and size', async () => {
    const { stdout } = await runTool('gcab', ['-l', '-v', cabinetPath]);
    for (const file of files) expect(stdout).toContain(file.name);
    expect(stdout.trim().split('\n').length).toBeGreaterThanOrEqual(files.length);
  });

  it('passes cabextract --test (checksums and decompression)', async () => {
    const { stdout } = await runTool('cabextract', ['-t', cabinetPath]);
    expect(stdout).toMatch(/All done, no errors/);
    for (const file of files) expect(stdout).toContain(file.name);
  });

  it.each(['gcab', 'cabextract'] as const)('extracts byte for byte with %s', async (tool) => {
    const into = await mkdtemp(join(work, `${tool}-${compression}-`));
    const extracted = await extractWith(tool, cabinetPath, into);
    expect([...extracted.keys()].sort()).toEqual(files.map((f) => f.name).sort());
    for (const file of files) expect(Buffer.compare(extracted.get(file.name)!, Buffer.from(file.data))).toBe(0);
  });

  it('records the modification time cabextract shows', async () => {
    const { stdout } = await runTool('cabextract', ['-l', cabinetPath]);
    expect(stdout).toContain('17.05.2024 13:45:30');
  });
});

describe('cabinet writer input checks', () => {
  it('refuses two names that differ only in case, and an empty cabinet', () => {
    expect(() =>
      buildCabinet([
        { name: 'a.pol', data: Buffer.from('1'), modified },
        { name: 'A.POL', data: Buffer.from('2'), modified },
      ]),
    ).toThrow(/case-insensitively/);
    expect(() => buildCabinet([])).toThrow(/at least one file/);
  });

  it('compresses with MSZIP (a compressible file shrinks)', () => {
    const data = Buffer.alloc(200_000, 0x61);
    const stored = buildCabinet([{ name: 'a', data, modified }], { compression: 'none' });
    const zipped = buildCabinet([{ name: 'a', data, modified }], { compression: 'mszip' });
    expect(stored.length).toBeGreaterThan(200_000);
    expect(zipped.length).toBeLessThan(10_000);
    expect(zipped.readUInt16LE(36 + 6)).toBe(1);
    expect(stored.readUInt16LE(36 + 6)).toBe(0);
  });
});
