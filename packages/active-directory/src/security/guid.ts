import { invalidGuid } from './errors.js';

const GUID_TEXT = /^\{?([0-9a-fA-F]{8})-([0-9a-fA-F]{4})-([0-9a-fA-F]{4})-([0-9a-fA-F]{4})-([0-9a-fA-F]{12})\}?$/;

function hex2(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}

/**
 * Binary GUID (16 bytes at `offset`) to `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, lower case, no braces.
 * The layout is Windows' mixed-endian one (objectGUID, ACE object types): Data1 (4 bytes), Data2 and
 * Data3 (2 bytes each) little-endian, Data4 (8 bytes) in order.
 */
export function parseGuid(buf: Uint8Array, offset = 0): string {
  if (offset < 0 || offset + 16 > buf.length) {
    throw invalidGuid(
      `A GUID needs 16 bytes at offset ${offset}, but only ${Math.max(0, buf.length - offset)} remain.`,
      'GUID',
    );
  }
  const b = (i: number): string => hex2(buf[offset + i]!);
  return (
    b(3) +
    b(2) +
    b(1) +
    b(0) +
    '-' +
    b(5) +
    b(4) +
    '-' +
    b(7) +
    b(6) +
    '-' +
    b(8) +
    b(9) +
    '-' +
    b(10) +
    b(11) +
    b(12) +
    b(13) +
    b(14) +
    b(15)
  );
}

/** Accepts any case, with or without braces; returns the canonical lower-case unbraced form. */
export function normalizeGuid(text: string): string {
  const match = GUID_TEXT.exec(text.trim());
  const braced = text.trim().startsWith('{');
  if (!match || braced !== text.trim().endsWith('}')) {
    throw invalidGuid(`"${text}" is not a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx).`, text);
  }
  return match.slice(1, 6).join('-').toLowerCase();
}

export function isGuid(text: string): boolean {
  try {
    normalizeGuid(text);
    return true;
  } catch {
    return false;
  }
}

/** GUID string (any accepted spelling) to its 16-byte mixed-endian binary form. */
export function encodeGuid(text: string): Uint8Array {
  const hex = normalizeGuid(text).replace(/-/g, '');
  const byte = (i: number): number => parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  const out = new Uint8Array(16);
  const order = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15];
  order.forEach((from, to) => {
    out[to] = byte(from);
  });
  return out;
}

/**
 * `{XXXXXXXX-...}`: GPMC spells GPO and backup IDs upper case in braces, and the domain GUID
 * (bkupInfo.xml GPODomainGuid) lower case in braces.
 */
export function toBracedGuid(text: string, letterCase: 'upper' | 'lower' = 'upper'): string {
  const guid = normalizeGuid(text);
  return `{${letterCase === 'upper' ? guid.toUpperCase() : guid}}`;
}

/** Binary GUID straight to the braced form GPMC writes. */
export function parseBracedGuid(buf: Uint8Array, offset = 0, letterCase: 'upper' | 'lower' = 'upper'): string {
  return toBracedGuid(parseGuid(buf, offset), letterCase);
}
