/**
 * Registry.pol (PReg version 1, [MS-GPREG] 2.2.1): the header `PReg` + version 1 (DWORD), then records
 * `[key;valueName;type;size;data]`, every delimiter a UTF-16LE character, key and value name UTF-16LE with a
 * terminating NUL, type and size little-endian DWORDs, data `size` raw bytes. The one codec of the project.
 */
import { settingsMalformed } from './errors.js';
import type { RegistryPolEntry, RegistryTypeName } from './model.js';

export const REG_NONE = 0;
export const REG_SZ = 1;
export const REG_EXPAND_SZ = 2;
export const REG_BINARY = 3;
export const REG_DWORD = 4;
export const REG_DWORD_BIG_ENDIAN = 5;
export const REG_LINK = 6;
export const REG_MULTI_SZ = 7;
export const REG_RESOURCE_LIST = 8;
export const REG_QWORD = 11;

const TYPE_NAMES: Record<number, RegistryTypeName> = {
  0: 'REG_NONE',
  1: 'REG_SZ',
  2: 'REG_EXPAND_SZ',
  3: 'REG_BINARY',
  4: 'REG_DWORD',
  5: 'REG_DWORD_BIG_ENDIAN',
  6: 'REG_LINK',
  7: 'REG_MULTI_SZ',
  8: 'REG_RESOURCE_LIST',
  11: 'REG_QWORD',
};

export function registryTypeName(type: number): RegistryTypeName {
  return TYPE_NAMES[type] ?? 'REG_UNKNOWN';
}

/** Key and value names are bounded by the registry itself (255 / 16383 characters); anything longer is not a Registry.pol. */
const MAX_NAME_CHARS = 32_767;

function decodeData(type: number, raw: Buffer): string | number | string[] {
  switch (type) {
    case REG_SZ:
    case REG_EXPAND_SZ:
    case REG_LINK:
      if (raw.length % 2 !== 0) break;
      return raw.toString('utf16le').replace(/\0+$/, '');
    case REG_DWORD:
      if (raw.length !== 4) break;
      return raw.readUInt32LE(0);
    case REG_DWORD_BIG_ENDIAN:
      if (raw.length !== 4) break;
      return raw.readUInt32BE(0);
    case REG_QWORD:
      if (raw.length !== 8) break;
      return raw.readBigUInt64LE(0).toString();
    case REG_MULTI_SZ: {
      if (raw.length % 2 !== 0) break;
      // Each string NUL-terminated, one more NUL ends the list; an empty list is one or two NULs.
      const text = raw.toString('utf16le').replace(/\0\0$/, '').replace(/\0$/, '');
      return text === '' ? [] : text.split('\0');
    }
    default:
      break;
  }
  return raw.toString('hex');
}

/**
 * Decodes Registry.pol. A file that is cut short, has a wrong header, a delimiter out of place or a size
 * past its end throws SETTINGS_FILE_MALFORMED naming the byte offset; nothing is guessed.
 */
export function decodeRegistryPol(input: Uint8Array, file = 'Registry.pol'): RegistryPolEntry[] {
  const bytes = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (bytes.length < 8 || bytes.toString('latin1', 0, 4) !== 'PReg')
    throw settingsMalformed(file, 'not a Registry.pol file (no PReg header)');
  const version = bytes.readUInt32LE(4);
  if (version !== 1) throw settingsMalformed(file, `Registry.pol version ${version}, only version 1 exists`);
  const entries: RegistryPolEntry[] = [];
  let at = 8;
  const fail = (what: string): never => {
    throw settingsMalformed(file, `${what} at byte ${at} of ${bytes.length} (the file is cut short or damaged)`);
  };
  const expect = (char: string): void => {
    if (at + 2 > bytes.length || bytes.readUInt16LE(at) !== char.charCodeAt(0)) fail(`expected '${char}'`);
    at += 2;
  };
  const text = (): string => {
    const start = at;
    while (at + 1 < bytes.length && (bytes[at] !== 0 || bytes[at + 1] !== 0)) {
      at += 2;
      if ((at - start) / 2 > MAX_NAME_CHARS) fail('a name longer than the registry allows');
    }
    if (at + 1 >= bytes.length) fail('a name without its terminating NUL');
    const value = bytes.toString('utf16le', start, at);
    at += 2;
    return value;
  };
  const dword = (): number => {
    if (at + 4 > bytes.length) fail('a DWORD cut short');
    const value = bytes.readUInt32LE(at);
    at += 4;
    return value;
  };
  while (at < bytes.length) {
    expect('[');
    const key = text();
    expect(';');
    const valueName = text();
    expect(';');
    const type = dword();
    expect(';');
    const size = dword();
    expect(';');
    if (at + size > bytes.length) fail(`data of ${size} bytes running past the end`);
    const raw = bytes.subarray(at, at + size);
    at += size;
    expect(']');
    entries.push({ key, valueName, type, typeName: registryTypeName(type), data: decodeData(type, raw) });
  }
  return entries;
}

function dataBytes(entry: Pick<RegistryPolEntry, 'type' | 'data'>): Buffer {
  const { type, data } = entry;
  if (Array.isArray(data)) return Buffer.from(`${data.map((s) => `${s}\0`).join('')}\0`, 'utf16le');
  if (typeof data === 'number') {
    const buffer = Buffer.alloc(4);
    if (type === REG_DWORD_BIG_ENDIAN) buffer.writeUInt32BE(data >>> 0);
    else buffer.writeUInt32LE(data >>> 0);
    return buffer;
  }
  if (type === REG_QWORD) {
    const buffer = Buffer.alloc(8);
    buffer.writeBigUInt64LE(BigInt(data));
    return buffer;
  }
  if (type === REG_SZ || type === REG_EXPAND_SZ || type === REG_LINK) return Buffer.from(`${data}\0`, 'utf16le');
  return Buffer.from(data, 'hex');
}

/** Encodes records as the Group Policy editor writes Registry.pol (the inverse of {@link decodeRegistryPol}). */
export function encodeRegistryPol(
  entries: ReadonlyArray<Pick<RegistryPolEntry, 'key' | 'valueName' | 'type' | 'data'>>,
): Buffer {
  const parts: Buffer[] = [Buffer.from('PReg', 'latin1'), Buffer.from([1, 0, 0, 0])];
  const ch = (c: string): Buffer => Buffer.from(c, 'utf16le');
  const dword = (value: number): Buffer => {
    const buffer = Buffer.alloc(4);
    buffer.writeUInt32LE(value >>> 0);
    return buffer;
  };
  for (const entry of entries) {
    const data = dataBytes(entry);
    parts.push(
      ch('['),
      Buffer.from(`${entry.key}\0`, 'utf16le'),
      ch(';'),
      Buffer.from(`${entry.valueName}\0`, 'utf16le'),
      ch(';'),
    );
    parts.push(dword(entry.type), ch(';'), dword(data.length), ch(';'), data, ch(']'));
  }
  return Buffer.concat(parts);
}
