import { CofferError } from '@coffer/core';
import { describe, expect, it } from 'vitest';
import {
  encodeGuid,
  encodeSid,
  formatSid,
  isGuid,
  isSidString,
  normalizeGuid,
  normalizeSid,
  parseBracedGuid,
  parseGuid,
  parseSid,
  parseSidString,
  readSid,
  sidByteLength,
  toBracedGuid,
} from '../../src/security/index.js';

const hex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof CofferError) return error.code;
    throw error;
  }
  return undefined;
}

describe('SIDs', () => {
  // Bytes taken from the nsa-emet corpus DACL.
  const domainAdmins = hex('01 05 00 00 00 00 00 05 15 00 00 00 2f 72 7c 4c 6c 87 28 3a e4 cc fd 72 00 02 00 00');

  it('parses a binary domain SID', () => {
    expect(parseSid(domainAdmins)).toBe('S-1-5-21-1283224111-975734636-1929235684-512');
    expect(readSid(domainAdmins).byteLength).toBe(28);
  });

  it('parses at an offset and encodes back', () => {
    const padded = new Uint8Array([0xaa, 0xbb, ...domainAdmins]);
    expect(parseSid(padded, 2)).toBe('S-1-5-21-1283224111-975734636-1929235684-512');
    expect(
      Buffer.from(encodeSid('S-1-5-21-1283224111-975734636-1929235684-512')).equals(Buffer.from(domainAdmins)),
    ).toBe(true);
  });

  it.each([
    ['S-1-1-0', '01 01 00 00 00 00 00 01 00 00 00 00'],
    ['S-1-5-11', '01 01 00 00 00 00 00 05 0b 00 00 00'],
    ['S-1-5-32-544', '01 02 00 00 00 00 00 05 20 00 00 00 20 02 00 00'],
    ['S-1-5', '01 00 00 00 00 00 00 05'],
    ['S-1-16-12288', '01 01 00 00 00 00 00 10 00 30 00 00'],
    ['S-1-5-21-4294967295-0-1', '01 04 00 00 00 00 00 05 15 00 00 00 ff ff ff ff 00 00 00 00 01 00 00 00'],
  ])('%s <-> %s', (text, bytes) => {
    expect(Buffer.from(encodeSid(text)).toString('hex')).toBe(bytes.replace(/ /g, ''));
    expect(parseSid(hex(bytes))).toBe(text);
    expect(sidByteLength(text)).toBe(hex(bytes).length);
  });

  it('prints authorities of 2^32 and more in hex, as ConvertSidToStringSid does', () => {
    const bytes = hex('01 01 12 34 56 78 9a bc 01 00 00 00');
    expect(parseSid(bytes)).toBe('S-1-0x123456789abc-1');
    expect(Buffer.from(encodeSid('S-1-0x123456789ABC-1')).equals(Buffer.from(bytes))).toBe(true);
    expect(formatSid({ revision: 1, identifierAuthority: 2 ** 32 - 1, subAuthorities: [] })).toBe('S-1-4294967295');
  });

  it('normalises spellings', () => {
    expect(normalizeSid('s-1-5-32-0544')).toBe('S-1-5-32-544');
    expect(normalizeSid('S-1-5-21-0000000000-0000000000-0000000000-519')).toBe('S-1-5-21-0-0-0-519');
    expect(parseSidString('S-1-5-18')).toEqual({ revision: 1, identifierAuthority: 5, subAuthorities: [18] });
    expect(isSidString('S-1-5-18')).toBe(true);
    expect(isSidString('DA')).toBe(false);
  });

  it.each(['', 'S-1', 'S-2-5-18', 'S-1-5-x', 'S-1-5-4294967296', `S-1-5${'-1'.repeat(16)}`, 'S-1-0x1234567890abcd-1'])(
    'rejects the string %j with INVALID_SID',
    (text) => {
      expect(codeOf(() => encodeSid(text))).toBe('INVALID_SID');
    },
  );

  it('rejects malformed binary SIDs', () => {
    expect(codeOf(() => parseSid(hex('01 05 00 00 00 00 00 05 15 00 00 00')))).toBe('INVALID_SID'); // truncated
    expect(codeOf(() => parseSid(hex('02 01 00 00 00 00 00 05 0b 00 00 00')))).toBe('INVALID_SID'); // revision 2
    expect(codeOf(() => parseSid(new Uint8Array([1, 16, 0, 0, 0, 0, 0, 5, ...new Array(64).fill(0)])))).toBe(
      'INVALID_SID',
    );
    expect(codeOf(() => parseSid(new Uint8Array(4)))).toBe('INVALID_SID');
    expect(codeOf(() => parseSid(domainAdmins, 27))).toBe('INVALID_SID');
  });

  it('round-trips every sub-authority count from 0 to 15', () => {
    for (let count = 0; count <= 15; count++) {
      const text = ['S-1-5', ...Array.from({ length: count }, (_, i) => String((i * 2654435761) >>> 0))].join('-');
      expect(parseSid(encodeSid(text))).toBe(text);
    }
  });
});

describe('GUIDs', () => {
  // "Apply Group Policy" extended right, as the corpus DACL stores it.
  const applyGroupPolicy = hex('8f fd ac ed b3 ff d1 11 b4 1d 00 a0 c9 68 f9 39');

  it('reads the mixed-endian layout AD uses', () => {
    expect(parseGuid(applyGroupPolicy)).toBe('edacfd8f-ffb3-11d1-b41d-00a0c968f939');
    expect(Buffer.from(encodeGuid('edacfd8f-ffb3-11d1-b41d-00a0c968f939')).equals(Buffer.from(applyGroupPolicy))).toBe(
      true,
    );
  });

  it('accepts braces and upper case, and writes the braced forms GPMC uses', () => {
    expect(normalizeGuid('{EDACFD8F-FFB3-11D1-B41D-00A0C968F939}')).toBe('edacfd8f-ffb3-11d1-b41d-00a0c968f939');
    expect(
      Buffer.from(encodeGuid('{EDACFD8F-FFB3-11D1-B41D-00A0C968F939}')).equals(Buffer.from(applyGroupPolicy)),
    ).toBe(true);
    expect(toBracedGuid('31b2f340-016d-11d2-945f-00c04fb984f9')).toBe('{31B2F340-016D-11D2-945F-00C04FB984F9}');
    expect(toBracedGuid('{31B2F340-016D-11D2-945F-00C04FB984F9}', 'lower')).toBe(
      '{31b2f340-016d-11d2-945f-00c04fb984f9}',
    );
    expect(parseBracedGuid(applyGroupPolicy)).toBe('{EDACFD8F-FFB3-11D1-B41D-00A0C968F939}');
  });

  it('parses at an offset', () => {
    expect(parseGuid(new Uint8Array([0, 0, 0, ...applyGroupPolicy]), 3)).toBe('edacfd8f-ffb3-11d1-b41d-00a0c968f939');
  });

  it.each([
    '',
    'edacfd8f-ffb3-11d1-b41d-00a0c968f93',
    '{edacfd8f-ffb3-11d1-b41d-00a0c968f939',
    'edacfd8fffb311d1b41d00a0c968f939',
    'gdacfd8f-ffb3-11d1-b41d-00a0c968f939',
  ])('rejects %j with INVALID_GUID', (text) => {
    expect(isGuid(text)).toBe(false);
    expect(codeOf(() => encodeGuid(text))).toBe('INVALID_GUID');
  });

  it('rejects a buffer shorter than 16 bytes', () => {
    expect(codeOf(() => parseGuid(applyGroupPolicy.subarray(1)))).toBe('INVALID_GUID');
  });
});
