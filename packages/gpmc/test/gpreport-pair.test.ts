import { describe, expect, test } from 'vitest';
import { parseGpReportOfPair, type GpReportMemo } from '../src/diff/gpreport-pair.js';
import { parseGpReportXml } from '../src/read/parse-gpreport.js';

/** A gpreport.xml as GPMC and Coffer write it (the parts parseGpReportXml reads), with `readTime` and `name` as given. */
function gpreport(readTime: string, name = 'Default Domain Policy', readTimeElement?: string): string {
  return [
    '<?xml version="1.0" encoding="utf-16"?>',
    '<GPO xmlns="http://www.microsoft.com/GroupPolicy/Settings">',
    '  <Identifier><Identifier>{31B2F340-016D-11D2-945F-00C04FB984F9}</Identifier><Domain>corp.example</Domain></Identifier>',
    `  <Name>${name}</Name>`,
    '  <CreatedTime>2026-01-02T03:04:05</CreatedTime>',
    '  <ModifiedTime>2026-01-02T03:04:05</ModifiedTime>',
    `  ${readTimeElement ?? `<ReadTime>${readTime}</ReadTime>`}`,
    '  <SecurityDescriptor><Owner><SID>S-1-5-32-544</SID><Name>BUILTIN\\Administrators</Name></Owner></SecurityDescriptor>',
    '  <LinksTo><SOMName>corp</SOMName><SOMPath>corp.example</SOMPath><Enabled>true</Enabled><NoOverride>false</NoOverride></LinksTo>',
    '</GPO>',
  ].join('\r\n');
}

const utf16 = (text: string): Buffer => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
const utf8 = (text: string): Buffer => Buffer.from(text, 'utf8');

/** Parses A into a memo, then B through it: returns B's parse and whether it reused A's (shared owner object). */
function pair(a: Buffer, b: Buffer): { parsed: ReturnType<typeof parseGpReportXml>; reused: boolean } {
  const memo: GpReportMemo = [];
  const first = parseGpReportOfPair(a, memo);
  const parsed = parseGpReportOfPair(b, memo);
  return { parsed, reused: parsed.owner !== null && parsed.owner === first.owner };
}

describe("a pair's gpreport.xml parsed once when the sides differ only in ReadTime", () => {
  for (const [encoding, encode] of [
    ['UTF-16LE', utf16],
    ['UTF-8', utf8],
  ] as const) {
    test(`${encoding}: B is A with another read time, so A's parse is reused with B's read time, equal to B's own parse`, () => {
      const b = encode(gpreport('2026-12-05T11:38:55.3330000Z'));
      const { parsed, reused } = pair(encode(gpreport('2026-12-04T01:02:03.1230000Z')), b);
      expect(reused).toBe(true);
      expect(parsed).toEqual(parseGpReportXml(b));
      expect(parsed.readTime).toBe('2026-12-05T11:38:55.3330000Z');
    });
  }

  test('identical bytes reuse the parse', () => {
    const a = utf16(gpreport('2026-12-04T01:02:03Z'));
    expect(pair(a, Buffer.from(a)).reused).toBe(true);
  });

  test('any other difference (the name too) is parsed in full', () => {
    const b = utf16(gpreport('2026-12-05T11:38:55Z', 'Renamed Policy'));
    const { parsed, reused } = pair(utf16(gpreport('2026-12-04T01:02:03Z')), b);
    expect(reused).toBe(false);
    expect(parsed.name).toBe('Renamed Policy');
    expect(parsed).toEqual(parseGpReportXml(b));
  });

  test('a read time of another shape is parsed in full, and markup in its place is refused as in any gpreport.xml', () => {
    const a = utf16(gpreport('2026-12-04T01:02:03Z'));
    expect(pair(a, utf16(gpreport('yesterday'))).reused).toBe(false);
    expect(() => pair(a, utf16(gpreport('2026-12-05T11:38:55Z&bogus;')))).toThrow(
      expect.objectContaining({ code: 'GPMC_FILE_MALFORMED' }),
    );
  });

  test("a look-alike of the element in a CDATA section is no read time: B's changed name is read", () => {
    // The only <ReadTime>…</ReadTime> in these documents is text inside <Name>, not an element; the real element has an
    // attribute. Changing its digits changes the GPO's name, which must come out of B's own parse.
    const fake = (digits: string): string =>
      gpreport(
        '',
        `<![CDATA[<ReadTime>2026-12-0${digits}T00:00:00</ReadTime>]]>`,
        '<ReadTime kind="x">2026-12-04T00:00:00</ReadTime>',
      );
    const b = utf8(fake('5'));
    const { parsed, reused } = pair(utf8(fake('4')), b);
    expect(reused).toBe(false);
    expect(parsed.name).toBe('<ReadTime>2026-12-05T00:00:00</ReadTime>');
    // And where the name holds the only look-alike and the document has no ReadTime element at all.
    const noElement = (digits: string): Buffer =>
      utf8(gpreport('', `<![CDATA[<ReadTime>2026-12-0${digits}T00:00:00</ReadTime>]]>`, ''));
    const second = pair(noElement('4'), noElement('5'));
    expect(second.reused).toBe(false);
    expect(second.parsed.name).toBe('<ReadTime>2026-12-05T00:00:00</ReadTime>');
  });

  test('UTF-16: a second side whose closing tag sits one byte off is no such document, and is parsed in full', () => {
    // B: A's bytes up to the read time, an odd number of bytes (a time and one more byte), then A's bytes from
    // </ReadTime> on. Those bytes are found, but one byte off: decoded, everything after the time is other characters.
    const a = utf16(gpreport('2026-12-04T01:02:03Z'));
    const open = Buffer.from('<ReadTime>', 'utf16le');
    const close = Buffer.from('</ReadTime>', 'utf16le');
    const start = a.indexOf(open) + open.length;
    const b = Buffer.concat([
      a.subarray(0, start),
      Buffer.from('2026-12-05T01:02:03Z', 'utf16le'),
      Buffer.from([0x32]),
      a.subarray(a.indexOf(close)),
    ]);
    const memo: GpReportMemo = [];
    parseGpReportOfPair(a, memo);
    let full: unknown;
    try {
      full = parseGpReportXml(b);
    } catch (error) {
      full = error;
    }
    let paired: unknown;
    try {
      paired = parseGpReportOfPair(b, memo);
    } catch (error) {
      paired = error;
    }
    expect(paired).toEqual(full);
  });

  test('a UTF-16 pair and a UTF-8 pair never mix, nor does a UTF-16BE document take the short way', () => {
    expect(pair(utf16(gpreport('2026-12-04T01:02:03Z')), utf8(gpreport('2026-12-05T01:02:03Z'))).reused).toBe(false);
    const be = (readTime: string): Buffer => {
      const le = Buffer.from(gpreport(readTime), 'utf16le');
      return Buffer.concat([Buffer.from([0xfe, 0xff]), le.swap16()]);
    };
    const b = be('2026-12-05T01:02:03Z');
    const { parsed, reused } = pair(be('2026-12-04T01:02:03Z'), b);
    expect(reused).toBe(false);
    expect(parsed).toEqual(parseGpReportXml(b));
  });
});
