/**
 * A writer for Microsoft Cabinet files ([MS-CAB]): one CFHEADER, one CFFOLDER holding every file, the CFFILE
 * entries, then CFDATA blocks of at most 32 KiB of uncompressed data, each with its checksum. Compression is
 * none or MSZIP ('CK' + a raw deflate stream per block, node:zlib). No npm library writes cabinets, hence
 * this one; it is small because Coffer needs one cabinet, one folder, no spanning and no reserved areas.
 */
import { deflateRawSync } from 'node:zlib';

export type CabCompression = 'none' | 'mszip';

export interface CabinetFile {
  /** Name inside the cabinet; `\` separates folders. Non-ASCII names are stored as UTF-8 (flag _A_NAME_IS_UTF). */
  name: string;
  data: Uint8Array;
  /** Stored as an MS-DOS date and time, in UTC (the format has no zone). */
  modified: Date;
  /** FAT attributes (read-only 0x01, hidden 0x02, system 0x04, archive 0x20). Default: archive. */
  attributes?: number;
}

export interface CabinetOptions {
  compression?: CabCompression;
  /** CFHEADER.setID, an arbitrary number shared by the cabinets of one set. */
  setId?: number;
}

const SIGNATURE = Buffer.from('MSCF', 'ascii');
const HEADER_SIZE = 36;
const FOLDER_SIZE = 8;
const DATA_HEADER_SIZE = 8;
/** [MS-CAB]: a CFDATA block holds at most 32 KiB of uncompressed data. */
export const MAX_BLOCK = 0x8000;
const ATTRIBUTE_ARCHIVE = 0x20;
const ATTRIBUTE_NAME_IS_UTF = 0x80;
const COMPRESSION_TYPE: Record<CabCompression, number> = { none: 0, mszip: 1 };

/**
 * The CFDATA checksum of [MS-CAB] 2.3.3 (CSUMCompute): XOR of the little-endian 32-bit words, the 1–3 trailing
 * bytes folded in with the first of them highest.
 */
export function cabChecksum(bytes: Uint8Array, seed = 0): number {
  let checksum = seed >>> 0;
  const words = Math.floor(bytes.length / 4);
  let i = 0;
  for (let w = 0; w < words; w += 1, i += 4) {
    checksum ^= (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24)) >>> 0;
  }
  let tail = 0;
  const remaining = bytes.length % 4;
  if (remaining === 3) tail = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
  else if (remaining === 2) tail = (bytes[i]! << 8) | bytes[i + 1]!;
  else if (remaining === 1) tail = bytes[i]!;
  return (checksum ^ tail) >>> 0;
}

/** MS-DOS date and time words (2-second resolution; years 1980–2107). */
export function dosDateTime(date: Date): { date: number; time: number } {
  const year = Math.min(Math.max(date.getUTCFullYear(), 1980), 2107);
  return {
    date: ((year - 1980) << 9) | ((date.getUTCMonth() + 1) << 5) | date.getUTCDate(),
    time: (date.getUTCHours() << 11) | (date.getUTCMinutes() << 5) | Math.floor(date.getUTCSeconds() / 2),
  };
}

function isAscii(text: string): boolean {
  return /^[\x20-\x7e]*$/.test(text);
}

function encodeBlock(block: Buffer, compression: CabCompression): Buffer {
  if (compression === 'none') return block;
  // Each block is a complete deflate stream of its own, so no block refers back to an earlier one.
  return Buffer.concat([Buffer.from('CK', 'ascii'), deflateRawSync(block, { level: 9 })]);
}

/** Builds a whole cabinet in memory (Starter GPOs are a few kilobytes). */
export function buildCabinet(files: readonly CabinetFile[], options: CabinetOptions = {}): Buffer {
  const compression = options.compression ?? 'mszip';
  if (files.length === 0) throw new RangeError('A cabinet needs at least one file.');
  if (files.length > 0xffff) throw new RangeError('A cabinet holds at most 65535 files.');
  const seen = new Set<string>();
  for (const file of files) {
    if (file.name === '' || file.name.includes('\0'))
      throw new RangeError(`Invalid cabinet file name ${JSON.stringify(file.name)}.`);
    const key = file.name.toLowerCase();
    if (seen.has(key))
      throw new RangeError(
        `Two cabinet files are named ${JSON.stringify(file.name)} (names compare case-insensitively).`,
      );
    seen.add(key);
  }

  const names = files.map((file) => Buffer.from(`${file.name}\0`, 'utf8'));
  const fileTableSize = files.reduce((total, _file, index) => total + 16 + names[index]!.length, 0);
  const dataStart = HEADER_SIZE + FOLDER_SIZE + fileTableSize;

  const folderData = Buffer.concat(
    files.map((file) => Buffer.from(file.data.buffer, file.data.byteOffset, file.data.byteLength)),
  );
  if (folderData.length > 0x7fff8000) throw new RangeError('A cabinet folder holds at most 2 GiB.');
  const blocks: Buffer[] = [];
  for (let offset = 0; offset < folderData.length || blocks.length === 0; offset += MAX_BLOCK) {
    const uncompressed = folderData.subarray(offset, Math.min(offset + MAX_BLOCK, folderData.length));
    const payload = encodeBlock(uncompressed, compression);
    const header = Buffer.alloc(DATA_HEADER_SIZE);
    header.writeUInt16LE(payload.length, 4);
    header.writeUInt16LE(uncompressed.length, 6);
    // The checksum covers the data, then cbData and cbUncomp (seeded with the data's checksum).
    header.writeUInt32LE(cabChecksum(header.subarray(4, 8), cabChecksum(payload)), 0);
    blocks.push(header, payload);
    if (folderData.length === 0) break;
  }
  const dataSize = blocks.reduce((total, part) => total + part.length, 0);
  const totalSize = dataStart + dataSize;

  const header = Buffer.alloc(HEADER_SIZE);
  SIGNATURE.copy(header, 0);
  header.writeUInt32LE(totalSize, 8);
  header.writeUInt32LE(HEADER_SIZE + FOLDER_SIZE, 16);
  header.writeUInt8(3, 24);
  header.writeUInt8(1, 25);
  header.writeUInt16LE(1, 26);
  header.writeUInt16LE(files.length, 28);
  header.writeUInt16LE(0, 30);
  header.writeUInt16LE((options.setId ?? 0) & 0xffff, 32);
  header.writeUInt16LE(0, 34);

  const folder = Buffer.alloc(FOLDER_SIZE);
  folder.writeUInt32LE(dataStart, 0);
  folder.writeUInt16LE(blocks.length / 2, 4);
  folder.writeUInt16LE(COMPRESSION_TYPE[compression], 6);

  const entries: Buffer[] = [];
  let offsetInFolder = 0;
  files.forEach((file, index) => {
    const entry = Buffer.alloc(16);
    const { date, time } = dosDateTime(file.modified);
    entry.writeUInt32LE(file.data.byteLength, 0);
    entry.writeUInt32LE(offsetInFolder, 4);
    entry.writeUInt16LE(0, 8);
    entry.writeUInt16LE(date, 10);
    entry.writeUInt16LE(time, 12);
    const attributes = (file.attributes ?? ATTRIBUTE_ARCHIVE) & 0x7f;
    entry.writeUInt16LE(isAscii(file.name) ? attributes : attributes | ATTRIBUTE_NAME_IS_UTF, 14);
    entries.push(entry, names[index]!);
    offsetInFolder += file.data.byteLength;
  });

  const cabinet = Buffer.concat([header, folder, ...entries, ...blocks]);
  if (cabinet.length !== totalSize) throw new Error(`Cabinet size mismatch: ${cabinet.length} != ${totalSize}`);
  return cabinet;
}
