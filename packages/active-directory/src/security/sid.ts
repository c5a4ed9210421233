import { invalidSid } from './errors.js';

/** A SID is at most 8 + 15 * 4 bytes; [MS-DTYP] 2.4.2.2. */
export const SID_MAX_SUB_AUTHORITIES = 15;

/** The parts of a SID ([MS-DTYP] 2.4.2): revision 1, a 48-bit identifier authority, up to 15 sub-authorities. */
export interface SidParts {
  revision: number;
  /** 48-bit value, safe as a JS number. */
  identifierAuthority: number;
  subAuthorities: readonly number[];
}

export interface SidRead {
  /** Canonical string form, `S-1-5-21-...`. */
  sid: string;
  /** Bytes the SID occupies: 8 + 4 * sub-authority count. */
  byteLength: number;
}

/** Byte length of the binary SID at `offset`, after checking it fits in `end`. */
export function readSid(buf: Uint8Array, offset = 0, end = buf.length, object = 'SID'): SidRead {
  if (offset < 0 || offset + 8 > end) {
    throw invalidSid(
      `A SID at offset ${offset} needs at least 8 bytes, but only ${Math.max(0, end - offset)} remain.`,
      object,
    );
  }
  const revision = buf[offset]!;
  const count = buf[offset + 1]!;
  if (revision !== 1) throw invalidSid(`SID revision is ${revision}; only revision 1 exists.`, object);
  if (count > SID_MAX_SUB_AUTHORITIES) {
    throw invalidSid(`SID declares ${count} sub-authorities; the maximum is ${SID_MAX_SUB_AUTHORITIES}.`, object);
  }
  const byteLength = 8 + 4 * count;
  if (offset + byteLength > end) {
    throw invalidSid(
      `SID at offset ${offset} declares ${count} sub-authorities (${byteLength} bytes) but only ${end - offset} bytes remain.`,
      object,
    );
  }
  let authority = 0;
  for (let i = 0; i < 6; i++) authority = authority * 256 + buf[offset + 2 + i]!;
  const subAuthorities: number[] = [];
  for (let i = 0; i < count; i++) {
    const at = offset + 8 + 4 * i;
    subAuthorities.push((buf[at]! | (buf[at + 1]! << 8) | (buf[at + 2]! << 16) | (buf[at + 3]! << 24)) >>> 0);
  }
  return { sid: formatSid({ revision, identifierAuthority: authority, subAuthorities }), byteLength };
}

/** Binary SID (at `offset`) to its string form `S-1-5-21-...`. */
export function parseSid(buf: Uint8Array, offset = 0): string {
  return readSid(buf, offset).sid;
}

/**
 * String form of SID parts. Authorities of 2^32 and above are printed as `0x` + 12 lower-case hex
 * digits, as Windows' ConvertSidToStringSid does; smaller ones in decimal ([MS-DTYP] 2.4.2.1).
 */
export function formatSid(parts: SidParts): string {
  const authority =
    parts.identifierAuthority >= 2 ** 32
      ? `0x${parts.identifierAuthority.toString(16).padStart(12, '0')}`
      : String(parts.identifierAuthority);
  return ['S', String(parts.revision), authority, ...parts.subAuthorities.map((n) => String(n >>> 0))].join('-');
}

const SID_STRING = /^S-1-(0[xX][0-9a-fA-F]{1,12}|\d{1,15})((?:-\d{1,10})*)$/i;

/** Parses `S-1-...` (case-insensitive `S`, decimal or 0x-hex authority) into its parts. */
export function parseSidString(text: string): SidParts {
  const match = SID_STRING.exec(text.trim());
  if (!match) throw invalidSid(`"${text}" is not a SID string (S-1-<authority>-<sub-authority>...).`, text);
  const authorityText = match[1]!;
  const identifierAuthority = /^0x/i.test(authorityText) ? parseInt(authorityText.slice(2), 16) : Number(authorityText);
  if (identifierAuthority >= 2 ** 48)
    throw invalidSid(`The identifier authority of "${text}" does not fit in 48 bits.`, text);
  const subAuthorities = match[2]! === '' ? [] : match[2]!.slice(1).split('-').map(Number);
  if (subAuthorities.length > SID_MAX_SUB_AUTHORITIES) {
    throw invalidSid(
      `"${text}" has ${subAuthorities.length} sub-authorities; the maximum is ${SID_MAX_SUB_AUTHORITIES}.`,
      text,
    );
  }
  for (const value of subAuthorities) {
    if (value > 0xffffffff) throw invalidSid(`Sub-authority ${value} of "${text}" does not fit in 32 bits.`, text);
  }
  return { revision: 1, identifierAuthority, subAuthorities };
}

/** The canonical string of any accepted SID spelling (`s-1-5-32-0544` becomes `S-1-5-32-544`). */
export function normalizeSid(text: string): string {
  return formatSid(parseSidString(text));
}

export function isSidString(text: string): boolean {
  try {
    parseSidString(text);
    return true;
  } catch {
    return false;
  }
}

/** String SID to its binary form ([MS-DTYP] 2.4.2.2). */
export function encodeSid(text: string): Uint8Array {
  const parts = parseSidString(text);
  const out = new Uint8Array(8 + 4 * parts.subAuthorities.length);
  out[0] = parts.revision;
  out[1] = parts.subAuthorities.length;
  let authority = parts.identifierAuthority;
  for (let i = 5; i >= 0; i--) {
    out[2 + i] = authority % 256;
    authority = Math.floor(authority / 256);
  }
  parts.subAuthorities.forEach((value, i) => {
    const at = 8 + 4 * i;
    out[at] = value & 0xff;
    out[at + 1] = (value >>> 8) & 0xff;
    out[at + 2] = (value >>> 16) & 0xff;
    out[at + 3] = (value >>> 24) & 0xff;
  });
  return out;
}

/** Binary length of a SID string, without encoding it. */
export function sidByteLength(text: string): number {
  return 8 + 4 * parseSidString(text).subAuthorities.length;
}
