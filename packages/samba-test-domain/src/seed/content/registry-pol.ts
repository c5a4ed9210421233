/**
 * Registry.pol (PReg v1) as the Group Policy editor writes it: the header `PReg` + version 1, then one
 * `[key;value;type;size;data]` record per setting, every delimiter and string UTF-16LE. The decoder exists so
 * the seed's tests can read back exactly what the encoder wrote.
 */
export const REG_SZ = 1;
export const REG_EXPAND_SZ = 2;
export const REG_BINARY = 3;
export const REG_DWORD = 4;
export const REG_MULTI_SZ = 7;
export const REG_QWORD = 11;

export type RegistryValueType =
  | typeof REG_SZ
  | typeof REG_EXPAND_SZ
  | typeof REG_BINARY
  | typeof REG_DWORD
  | typeof REG_MULTI_SZ
  | typeof REG_QWORD;

/** `data` by type: string (SZ, EXPAND_SZ), string[] (MULTI_SZ), number (DWORD), bigint (QWORD), Buffer (BINARY). */
export interface RegistryPolEntry {
  key: string;
  valueName: string;
  type: RegistryValueType;
  data: string | number | bigint | readonly string[] | Buffer;
}

/** A disabled policy: the editor writes `**del.<value>` as REG_SZ " " so the client deletes that value. */
export function deleteValue(key: string, valueName: string): RegistryPolEntry {
  return { key, valueName: `**del.${valueName}`, type: REG_SZ, data: ' ' };
}

/** `**delvals.`: the client deletes every value of the key first (written before a list policy's values). */
export function deleteAllValues(key: string): RegistryPolEntry {
  return { key, valueName: '**delvals.', type: REG_SZ, data: ' ' };
}

function utf16z(text: string): Buffer {
  return Buffer.from(`${text}\0`, 'utf16le');
}

function dword(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32LE(value >>> 0);
  return buffer;
}

function valueBytes(entry: RegistryPolEntry): Buffer {
  const { type, data } = entry;
  switch (type) {
    case REG_DWORD:
      return dword(Number(data));
    case REG_QWORD: {
      const buffer = Buffer.alloc(8);
      buffer.writeBigUInt64LE(BigInt(data as bigint | number));
      return buffer;
    }
    case REG_BINARY:
      return Buffer.from(data as Buffer);
    case REG_MULTI_SZ:
      // Each string NUL-terminated, then one more NUL ends the list.
      return Buffer.from(`${(data as readonly string[]).map((s) => `${s}\0`).join('')}\0`, 'utf16le');
    default:
      return utf16z(String(data));
  }
}

/** Encodes a PReg v1 file. */
export function encodeRegistryPol(entries: readonly RegistryPolEntry[]): Buffer {
  const parts: Buffer[] = [Buffer.from('PReg', 'ascii'), dword(1)];
  const ch = (c: string) => Buffer.from(c, 'utf16le');
  for (const entry of entries) {
    const data = valueBytes(entry);
    parts.push(
      ch('['),
      utf16z(entry.key),
      ch(';'),
      utf16z(entry.valueName),
      ch(';'),
      dword(entry.type),
      ch(';'),
      dword(data.length),
      ch(';'),
      data,
      ch(']'),
    );
  }
  return Buffer.concat(parts);
}

/** Decodes a PReg v1 file into entries with typed data; throws on a malformed file. */
export function decodeRegistryPol(bytes: Buffer): RegistryPolEntry[] {
  if (bytes.length < 8 || bytes.toString('ascii', 0, 4) !== 'PReg' || bytes.readUInt32LE(4) !== 1)
    throw new Error('Not a PReg v1 file.');
  const entries: RegistryPolEntry[] = [];
  let at = 8;
  const expect = (c: string) => {
    if (bytes.toString('utf16le', at, at + 2) !== c) throw new Error(`Expected '${c}' at byte ${at}.`);
    at += 2;
  };
  const string = () => {
    let end = at;
    while (end + 1 < bytes.length && (bytes[end] !== 0 || bytes[end + 1] !== 0)) end += 2;
    const text = bytes.toString('utf16le', at, end);
    at = end + 2;
    return text;
  };
  while (at < bytes.length) {
    expect('[');
    const key = string();
    expect(';');
    const valueName = string();
    expect(';');
    const type = bytes.readUInt32LE(at) as RegistryValueType;
    at += 4;
    expect(';');
    const size = bytes.readUInt32LE(at);
    at += 4;
    expect(';');
    const raw = bytes.subarray(at, at + size);
    at += size;
    expect(']');
    let data: RegistryPolEntry['data'];
    if (type === REG_DWORD) data = raw.readUInt32LE(0);
    else if (type === REG_QWORD) data = raw.readBigUInt64LE(0);
    else if (type === REG_BINARY) data = Buffer.from(raw);
    else if (type === REG_MULTI_SZ) data = raw.toString('utf16le').replace(/\0\0$/, '').split('\0');
    else data = raw.toString('utf16le').replace(/\0$/, '');
    entries.push({ key, valueName, type, data });
  }
  return entries;
}
