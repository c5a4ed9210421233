/** Registry value types used by the seed's generated registry.pol files. */
export const REG_SZ = 1;
export const REG_DWORD = 4;

export interface RegistryPolEntry {
  key: string;
  valueName: string;
  type: typeof REG_SZ | typeof REG_DWORD;
  data: string | number;
}

function utf16z(text: string): Buffer {
  return Buffer.from(`${text}\0`, 'utf16le');
}

function dword(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32LE(value >>> 0);
  return buffer;
}

/** Encodes a PReg v1 file: header, then `[key;value;type;size;data]` with UTF-16LE delimiters. */
export function encodeRegistryPol(entries: readonly RegistryPolEntry[]): Buffer {
  const parts: Buffer[] = [Buffer.from('PReg', 'ascii'), dword(1)];
  const ch = (c: string) => Buffer.from(c, 'utf16le');
  for (const entry of entries) {
    const data = entry.type === REG_DWORD ? dword(Number(entry.data)) : utf16z(String(entry.data));
    parts.push(ch('['), utf16z(entry.key), ch(';'), utf16z(entry.valueName), ch(';'), dword(entry.type), ch(';'), dword(data.length), ch(';'), data, ch(']'));
  }
  return Buffer.concat(parts);
}
