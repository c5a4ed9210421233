/**
 * A reader for Microsoft Cabinet files ([MS-CAB]): CFHEADER (with its optional reserved areas), the CFFOLDERs,
 * the CFFILE entries and each folder's CFDATA blocks, stored or MSZIP-compressed. MSZIP ([MS-MCI]) is a raw
 * deflate stream per block after a 'CK' signature, whose back-references may reach into the previous block's
 * 32 KiB: each block is inflated with the previous one as its dictionary. Block checksums are verified when the
 * cabinet carries them (0 means "none"). No npm library reads cabinets; LZX, Quantum and cabinets spanning
 * several files are refused with a clear error rather than half-read.
 */
import { constants, inflateRawSync } from 'node:zlib';
import { CofferError, HRESULT } from '@coffer/core';
import { cabChecksum, MAX_BLOCK } from './cabinet-writer.js';

export interface CabinetEntry {
  /** As stored; `\` separates folders. */
  name: string;
  data: Buffer;
  /** The MS-DOS date and time, read as UTC (the format has no zone). */
  modified: Date;
  /** FAT attributes, without the name-is-UTF-8 flag. */
  attributes: number;
}

export interface ReadCabinetOptions {
  /** Refuse cabinets whose files add up to more than this (default 64 MiB: Starter GPOs are kilobytes). */
  maxBytes?: number;
}

const SIGNATURE = 0x4643534d; // 'MSCF'
const FLAG_PREV_CABINET = 0x0001;
const FLAG_NEXT_CABINET = 0x0002;
const FLAG_RESERVE_PRESENT = 0x0004;
const ATTRIBUTE_NAME_IS_UTF = 0x80;
const COMPRESSION_NAMES: Record<number, string> = { 0: 'none', 1: 'MSZIP', 2: 'Quantum', 3: 'LZX' };
/** The deflate window MSZIP carries from block to block. */
const HISTORY = 0x8000;

function corrupt(where: string, detail: string): CofferError {
  return new CofferError('CAB_INVALID', `${where} is not a valid cabinet: ${detail}`, {
    hresult: HRESULT.ERROR_FILE_CORRUPT,
    object: where,
    hint: 'The file may be truncated or damaged; save the cabinet again from its source.',
  });
}

function unsupported(where: string, detail: string): CofferError {
  return new CofferError('CAB_UNSUPPORTED', `${where} uses a cabinet feature Coffer does not read: ${detail}`, {
    hresult: HRESULT.ERROR_NOT_SUPPORTED,
    object: where,
    hint: 'Re-create it as one cabinet, uncompressed or MSZIP (GPMC, gcab -z and makecab with CompressionType=MSZIP do).',
  });
}

/** Bounds-checked little-endian reads over the cabinet, naming the structure when it runs past the end. */
class CabCursor {
  constructor(
    readonly bytes: Buffer,
    readonly where: string,
  ) {}

  need(offset: number, length: number, what: string): void {
    if (offset < 0 || offset + length > this.bytes.length)
      throw corrupt(
        this.where,
        `${what} runs past the end of the file (offset ${offset}, ${length} bytes, file ${this.bytes.length} bytes).`,
      );
  }

  u8(offset: number, what: string): number {
    this.need(offset, 1, what);
    return this.bytes.readUInt8(offset);
  }

  u16(offset: number, what: string): number {
    this.need(offset, 2, what);
    return this.bytes.readUInt16LE(offset);
  }

  u32(offset: number, what: string): number {
    this.need(offset, 4, what);
    return this.bytes.readUInt32LE(offset);
  }

  /** A NUL-terminated string starting at offset; returns its bytes and the offset after the NUL. */
  cString(offset: number, what: string): { raw: Buffer; end: number } {
    const nul = this.bytes.indexOf(0, offset);
    if (nul === -1 || nul - offset > 1024) throw corrupt(this.where, `${what} is not terminated.`);
    return { raw: this.bytes.subarray(offset, nul), end: nul + 1 };
  }
}

function dosDateToUtc(date: number, time: number): Date {
  const year = 1980 + (date >> 9);
  const month = ((date >> 5) & 0x0f) - 1;
  const day = date & 0x1f;
  const result = new Date(Date.UTC(year, month, day, time >> 11, (time >> 5) & 0x3f, (time & 0x1f) * 2));
  return Number.isNaN(result.getTime()) ? new Date(Date.UTC(1980, 0, 1)) : result;
}

interface FolderInfo {
  dataOffset: number;
  blockCount: number;
  compression: number;
}

/** Every block of one folder, uncompressed and checked, concatenated. */
function readFolderData(
  cursor: CabCursor,
  folder: FolderInfo,
  index: number,
  dataReserve: number,
  maxBytes: number,
): Buffer {
  const { where } = cursor;
  const kind = folder.compression & 0x000f;
  if (kind !== 0 && kind !== 1)
    throw unsupported(where, `folder ${index} is compressed with ${COMPRESSION_NAMES[kind] ?? `type ${kind}`}.`);
  const blocks: Buffer[] = [];
  let total = 0;
  let history = Buffer.alloc(0);
  let offset = folder.dataOffset;
  for (let block = 0; block < folder.blockCount; block += 1) {
    const what = `data block ${block} of folder ${index}`;
    const stored = cursor.u32(offset, what);
    const compressedSize = cursor.u16(offset + 4, what);
    const uncompressedSize = cursor.u16(offset + 6, what);
    const payloadStart = offset + 8 + dataReserve;
    cursor.need(payloadStart, compressedSize, what);
    const payload = cursor.bytes.subarray(payloadStart, payloadStart + compressedSize);
    if (stored !== 0) {
      const computed = cabChecksum(cursor.bytes.subarray(offset + 4, offset + 8), cabChecksum(payload));
      if (computed !== stored) {
        throw new CofferError(
          'CAB_CHECKSUM_MISMATCH',
          `${where}: ${what} is damaged (checksum ${computed.toString(16)}, stored ${stored.toString(16)}).`,
          {
            hresult: HRESULT.ERROR_FILE_CORRUPT,
            object: where,
            hint: 'The cabinet was damaged after it was written; save it again from its source.',
          },
        );
      }
    }
    if (uncompressedSize === 0) throw unsupported(where, `${what} continues in the next cabinet of a set.`);
    if (uncompressedSize > MAX_BLOCK)
      throw corrupt(where, `${what} claims ${uncompressedSize} bytes (at most ${MAX_BLOCK}).`);
    let data: Buffer;
    if (kind === 0) {
      data = payload;
    } else {
      if (payload.length < 2 || payload[0] !== 0x43 || payload[1] !== 0x4b)
        throw corrupt(where, `${what} lacks the MSZIP signature 'CK'.`);
      try {
        data = inflateRawSync(payload.subarray(2), {
          ...(history.length > 0 ? { dictionary: history } : {}),
          // A block may end without a final deflate block (it was flushed, not finished).
          finishFlush: constants.Z_SYNC_FLUSH,
          maxOutputLength: MAX_BLOCK,
        });
      } catch (error) {
        throw corrupt(where, `${what} does not inflate: ${(error as Error).message}.`);
      }
    }
    if (data.length !== uncompressedSize)
      throw corrupt(where, `${what} holds ${data.length} bytes, its header says ${uncompressedSize}.`);
    total += data.length;
    if (total > maxBytes) throw tooLarge(where, maxBytes);
    blocks.push(data);
    history = Buffer.concat([history, data]).subarray(-HISTORY);
    offset = payloadStart + compressedSize;
  }
  return Buffer.concat(blocks);
}

function tooLarge(where: string, maxBytes: number): CofferError {
  return new CofferError(
    'CAB_TOO_LARGE',
    `${where} holds more than ${maxBytes} bytes; a Starter GPO cabinet is a few kilobytes.`,
    {
      hresult: HRESULT.ERROR_INVALID_DATA,
      object: where,
      hint: 'Check that this is the cabinet of a Starter GPO.',
    },
  );
}

/** Reads a whole cabinet held in memory; `where` names it in errors. */
export function readCabinet(bytes: Buffer, where: string, options: ReadCabinetOptions = {}): CabinetEntry[] {
  const maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
  const cursor = new CabCursor(bytes, where);
  if (bytes.length < 36 || bytes.readUInt32LE(0) !== SIGNATURE) throw corrupt(where, "it does not start with 'MSCF'.");
  const cabinetSize = cursor.u32(8, 'CFHEADER');
  if (cabinetSize > bytes.length)
    throw corrupt(where, `the header says ${cabinetSize} bytes, the file has ${bytes.length} (truncated).`);
  const filesOffset = cursor.u32(16, 'CFHEADER');
  const versionMajor = cursor.u8(25, 'CFHEADER');
  if (versionMajor !== 1)
    throw unsupported(where, `format version ${versionMajor}.${cursor.u8(24, 'CFHEADER')} (1.3 is the one in use).`);
  const folderCount = cursor.u16(26, 'CFHEADER');
  const fileCount = cursor.u16(28, 'CFHEADER');
  const flags = cursor.u16(30, 'CFHEADER');
  if (flags & (FLAG_PREV_CABINET | FLAG_NEXT_CABINET))
    throw unsupported(where, 'it is one part of a cabinet set spanning several files.');
  let offset = 36;
  let headerReserve = 0;
  let folderReserve = 0;
  let dataReserve = 0;
  if (flags & FLAG_RESERVE_PRESENT) {
    headerReserve = cursor.u16(36, 'CFHEADER reserve sizes');
    folderReserve = cursor.u8(38, 'CFHEADER reserve sizes');
    dataReserve = cursor.u8(39, 'CFHEADER reserve sizes');
    offset = 40 + headerReserve;
    cursor.need(40, headerReserve, 'CFHEADER reserved area');
  }

  const folders: FolderInfo[] = [];
  for (let index = 0; index < folderCount; index += 1) {
    const what = `CFFOLDER ${index}`;
    folders.push({
      dataOffset: cursor.u32(offset, what),
      blockCount: cursor.u16(offset + 4, what),
      compression: cursor.u16(offset + 6, what),
    });
    offset += 8 + folderReserve;
  }

  const entries: Array<{
    name: string;
    size: number;
    folderOffset: number;
    folder: number;
    modified: Date;
    attributes: number;
  }> = [];
  offset = filesOffset;
  for (let index = 0; index < fileCount; index += 1) {
    const what = `CFFILE ${index}`;
    const size = cursor.u32(offset, what);
    const folderOffset = cursor.u32(offset + 4, what);
    const folder = cursor.u16(offset + 8, what);
    const date = cursor.u16(offset + 10, what);
    const time = cursor.u16(offset + 12, what);
    const attributes = cursor.u16(offset + 14, what);
    const name = cursor.cString(offset + 16, `the name of ${what}`);
    // Without the UTF-8 flag a name is in the writer's code page; Latin-1 keeps every byte readable.
    const text = name.raw.toString(attributes & ATTRIBUTE_NAME_IS_UTF ? 'utf8' : 'latin1');
    if (folder >= 0xfffd)
      throw unsupported(where, `${JSON.stringify(text)} continues from or into another cabinet of a set.`);
    if (folder >= folders.length)
      throw corrupt(where, `${JSON.stringify(text)} is in folder ${folder}, but there are ${folders.length}.`);
    entries.push({
      name: text,
      size,
      folderOffset,
      folder,
      modified: dosDateToUtc(date, time),
      attributes: attributes & ~ATTRIBUTE_NAME_IS_UTF,
    });
    offset = name.end;
  }

  const declared = entries.reduce((total, entry) => total + entry.size, 0);
  if (declared > maxBytes) throw tooLarge(where, maxBytes);
  const folderData = new Map<number, Buffer>();
  return entries.map((entry) => {
    let data = folderData.get(entry.folder);
    if (data === undefined) {
      data = readFolderData(cursor, folders[entry.folder]!, entry.folder, dataReserve, maxBytes);
      folderData.set(entry.folder, data);
    }
    if (entry.folderOffset + entry.size > data.length) {
      throw corrupt(
        where,
        `${JSON.stringify(entry.name)} lies at ${entry.folderOffset}+${entry.size} in folder ${entry.folder}, which holds ${data.length} bytes.`,
      );
    }
    return {
      name: entry.name,
      data: Buffer.from(data.subarray(entry.folderOffset, entry.folderOffset + entry.size)),
      modified: entry.modified,
      attributes: entry.attributes,
    };
  });
}
