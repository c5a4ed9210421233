/**
 * gpreport.xml of the two sides of a pair, parsed once when that is exact. Two backups of an unchanged GPO hold the same
 * gpreport.xml but for `<ReadTime>` (when GPMC, or Coffer, read the GPO), and a diff of two nightly backup directories
 * is mostly such pairs: parsing the second document, checked character by character as every XML file Coffer reads is,
 * was the largest single cost of a diff. Here the second side is proven to be the first with only that element's text
 * replaced, by comparing bytes, and the first side's parse is reused with its own read time.
 *
 * Why that is exact. In the first document (already parsed: well-formed, its ReadTime element's text known):
 * - the name `ReadTime` occurs exactly twice, and the parse found a ReadTime element under the root whose text is the
 *   text between `<ReadTime>` and `</ReadTime>` and is a plain time (digits, `-`, `:`, `.`, `T`, `Z`). The element's own
 *   start and end tags hold the name, so those two occurrences are its tags: the span is that element's whole content,
 *   plain text, not a comment, a CDATA section or an attribute value that happens to look like it.
 * The second document has the same bytes before the span and from `</ReadTime>` to its end, and a plain time between.
 * Text of that shape holds no markup, reference, `--` or `]]>`, and in the encodings Coffer reads (UTF-8, UTF-16LE
 * with its BOM) the span starts and ends at whole characters: the second document decodes to the first with one text
 * node's characters changed, so it is just as well-formed and its tree is the first's with that text. Anything else
 * (another encoding, a second difference, a name seen a third time) is parsed in full.
 */
import { parseGpReportXml, type ParsedGpReport } from '../read/parse-gpreport.js';

/** The gpreport.xml documents of a pair already parsed (one, the first side's). */
export type GpReportMemo = Array<{ bytes: Buffer; parsed: ParsedGpReport }>;

const READ_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,7})?Z?$/;

interface Needles {
  name: Buffer;
  open: Buffer;
  close: Buffer;
  decode(bytes: Buffer): string;
}

const UTF8: Needles = {
  name: Buffer.from('ReadTime', 'latin1'),
  open: Buffer.from('<ReadTime>', 'latin1'),
  close: Buffer.from('</ReadTime>', 'latin1'),
  decode: (bytes) => bytes.toString('latin1'),
};
const UTF16LE: Needles = {
  name: Buffer.from('ReadTime', 'utf16le'),
  open: Buffer.from('<ReadTime>', 'utf16le'),
  close: Buffer.from('</ReadTime>', 'utf16le'),
  decode: (bytes) => bytes.toString('utf16le'),
};

/** The needles for the document's encoding as core's decodeXmlBytes reads it; null for UTF-16BE (not worth its own). */
function needlesOf(bytes: Buffer): Needles | null {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return UTF16LE;
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return null;
  return UTF8;
}

/** Whether a byte offset starts a character: in UTF-16LE (after its 2-byte BOM) at an even offset; in UTF-8 any. */
function whole(needles: Needles, offset: number): boolean {
  return needles !== UTF16LE || offset % 2 === 0;
}

/** Where the ReadTime element's text is in the first side's bytes (see the module comment), or null. */
function readTimeSpan(bytes: Buffer, needles: Needles, parsed: ParsedGpReport): { start: number; end: number } | null {
  const first = bytes.indexOf(needles.name);
  const second = first === -1 ? -1 : bytes.indexOf(needles.name, first + 1);
  if (second === -1 || bytes.indexOf(needles.name, second + 1) !== -1) return null;
  const open = bytes.indexOf(needles.open);
  if (open === -1 || !whole(needles, open)) return null;
  const start = open + needles.open.length;
  const end = bytes.indexOf(needles.close, start);
  if (end === -1 || !whole(needles, end)) return null;
  const text = needles.decode(bytes.subarray(start, end));
  return READ_TIME.test(text) && text === parsed.readTime ? { start, end } : null;
}

/** The second side's bytes, when they are `known`'s but for the read time: its parse, else null. */
function sameButReadTime(bytes: Buffer, known: { bytes: Buffer; parsed: ParsedGpReport }): ParsedGpReport | null {
  const needles = needlesOf(known.bytes);
  if (needles === null || needlesOf(bytes) !== needles) return null;
  const span = readTimeSpan(known.bytes, needles, known.parsed);
  if (span === null || bytes.length < span.start) return null;
  // The same bytes up to the text (the opening tag included), then a plain time, then the same bytes to the end.
  if (bytes.compare(known.bytes, 0, span.start, 0, span.start) !== 0) return null;
  const end = bytes.indexOf(needles.close, span.start);
  const tail = known.bytes.length - span.end;
  // At a whole character: a match of the closing tag's bytes one byte off would leave an odd number of bytes before it,
  // and everything after decoded as other characters.
  if (end === -1 || !whole(needles, end) || bytes.length - end !== tail) return null;
  if (bytes.compare(known.bytes, span.end, known.bytes.length, end, bytes.length) !== 0) return null;
  const readTime = needles.decode(bytes.subarray(span.start, end));
  if (!READ_TIME.test(readTime)) return null;
  return { ...known.parsed, readTime };
}

/** parseGpReportXml, or the pair's other side's parse when `bytes` are the same document (see the module comment). */
export function parseGpReportOfPair(bytes: Buffer, memo: GpReportMemo | undefined): ParsedGpReport {
  if (memo !== undefined) {
    for (const known of memo) {
      if (known.bytes.equals(bytes)) return known.parsed;
      const reused = sameButReadTime(bytes, known);
      if (reused !== null) return reused;
    }
  }
  const parsed = parseGpReportXml(bytes);
  memo?.push({ bytes, parsed });
  return parsed;
}
