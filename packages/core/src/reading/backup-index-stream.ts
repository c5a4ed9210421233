/**
 * A streaming reader of a backup directory's index (GPMC's manifest.xml: `<Backups>` holding one `<BackupInst>` per
 * backup). A directory of 10,000 GPOs × 7 backups lists 70,000 entries in 36 MB; building that as one string and an
 * element tree took hundreds of MiB (issue 18). This reader takes the document a piece at a time, hands each child of
 * the root to the caller as it closes (its fields: the children's names and text) and keeps only the piece it is in,
 * so memory is bounded by one entry, not by the directory.
 *
 * Every byte is untrusted, and the checks are those of the whole-document readers (core's parseXmlDocument, gpmc's
 * scanner): the size bound (the caller's, core's backupIndexByteLimit for an index), DOCTYPE and ENTITY declarations
 * refused (XML_DOCTYPE_REFUSED) wherever they appear, characters XML forbids, and well-formedness (mismatched or
 * unclosed tags, markup outside the single root, bad names, repeated or malformed attributes, unknown entities, bad
 * character references, `--` in a comment, `]]>` in text, a misplaced XML declaration). No entity is expanded beyond
 * the five predefined ones and character references. Two bounds are its own: elements nest at most 256 deep, and one
 * entry (or any single piece of markup or text) is at most 1 MiB (the bound a backup's own bkupInfo.xml is read within).
 *
 * It can also copy the document while reading it (`copy`): entries the caller drops are left out and text can be
 * inserted before the root's end tag. That is how the index is edited (an entry added, pruned entries removed)
 * without holding the old and the new document as strings: every other byte is copied as it was.
 */
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { TextDecoder } from 'node:util';
import { CofferError, ErrorCode } from '../errors/coffer-error.js';
import { HRESULT } from '../errors/hresult.js';
import type { BackupReader } from './backup-reader.js';
import { decodeXmlReferences } from './xml-references.js';

/** A child of the index's root (an entry when its name is `BackupInst`), read when its end tag is. */
export interface BackupIndexEntry {
  /** Local name (namespace prefix dropped). */
  name: string;
  /** Its child elements' local names and own text (character data and CDATA, references decoded), in order. */
  fields: Array<{ name: string; text: string }>;
  /** Its own character data (between its children). */
  text: string;
  /** Where it is in the decoded document: the offset of its `<` and just after its last `>`. */
  start: number;
  end: number;
}

export interface BackupIndexCopy {
  /** Receives the decoded document in order, less the entries `onEntry` dropped. */
  write(text: string): void;
  /** Text to insert just before the root's end tag (a self-closing root is opened and closed around it). */
  beforeRootEnd?(): string;
}

export interface BackupIndexScanOptions {
  /** The bound in decoded characters (core's backupIndexByteLimit for the directory). */
  maxChars: number;
  /** The error code for a document that is not well-formed (default MALFORMED_XML). */
  malformedCode?: string;
  hint?: string;
  /** Each child of the root as it closes; `'drop'` leaves it out of the copy. */
  onEntry?: (entry: BackupIndexEntry) => unknown;
  copy?: BackupIndexCopy;
  /**
   * Awaited after each piece of a file is read ({@link scanBackupIndexFile}): a caller that needs asynchronous work per
   * entry queues the entries `onEntry` gets and does it here, a piece's worth at a time.
   */
  afterPiece?: () => Promise<void>;
  /** Keep the text from the root's end tag to the end of the document ({@link BackupIndexScan.afterRoot}). */
  keepAfterRoot?: boolean;
}

export interface BackupIndexScan {
  /** The root's local name, qualified name and attributes (local names; `xmlns` declarations left out). */
  root: { name: string; qualified: string; attributes: Record<string, string> };
  /** The root's own character data, trimmed; at most 1,000 characters are kept. */
  rootText: string;
  /** How many children the root has. */
  children: number;
  /**
   * With `keepAfterRoot`: the document from the `<` of the root's end tag to its end (what follows the root is at most
   * white space, comments and processing instructions); undefined when the root closes itself (`<Backups/>`).
   */
  afterRoot?: string;
}

/** The bound of one entry (and of any single piece of markup or text): a backup's own bkupInfo.xml is read within 1 MiB. */
export const BACKUP_INDEX_ENTRY_CHARS = 1024 * 1024;
/** No index nests more than three deep; a document nesting thousands is refused, as the other XML readers refuse it. */
const MAX_DEPTH = 256;

// XML 1.0 (fifth edition) names; astral characters are accepted as surrogate pairs.
const NAME_START =
  ':A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C\\u200D\\u2070-\\u218F' +
  '\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\uD800-\\uDBFF\\uDC00-\\uDFFF';
const NAME_CHAR = `${NAME_START}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F\\u2040`;
const NAME = new RegExp(`[${NAME_START}][${NAME_CHAR}]*`, 'y');
const SPACE = /[ \t\r\n]*/y;
const ATTRIBUTE = new RegExp(
  `([${NAME_START}][${NAME_CHAR}]*)[ \\t\\r\\n]*=[ \\t\\r\\n]*(?:"([^"<]*)"|'([^'<]*)')`,
  'y',
);
const ONLY_SPACE = /^[ \t\r\n]*$/;
const FORBIDDEN_CHARACTER = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
const DECLARATION = /<!(?:DOCTYPE|ENTITY)/i;
/** XML's end-of-line handling for a value: CR LF and a lone CR read as LF. */
function normaliseLines(value: string): string {
  return value.includes('\r') ? value.replace(/\r\n?/g, '\n') : value;
}

/**
 * A copy of a value cut from the piece being read. V8 keeps a cut of 13 characters or more as a view into the
 * whole piece, so a listing that keeps one display name per entry would keep every piece of the document alive.
 */
function detached(value: string): string {
  return value.length < 13 ? value : ` ${value}`.slice(1);
}

/** Element names, one string each (the same dozen names repeat in every entry). */
const names = new Map<string, string>();
function interned(name: string): string {
  const known = names.get(name);
  if (known !== undefined) return known;
  const copy = detached(name);
  if (names.size < 1000) names.set(copy, copy);
  return copy;
}

function localName(qualified: string): string {
  const colon = qualified.indexOf(':');
  return colon === -1 ? qualified : qualified.slice(colon + 1);
}

/** The `>` ending the start tag that begins at `from`, outside quoted values; -1 when not in `text` yet. */
function startTagEnd(text: string, from: number): number {
  let quote = 0;
  for (let i = from; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (quote !== 0) {
      if (c === quote) quote = 0;
    } else if (c === 0x22 || c === 0x27) quote = c;
    else if (c === 0x3e) return i;
  }
  return -1;
}

interface OpenElement {
  qualified: string;
}

/**
 * The reader itself: {@link push} decoded text in order, then {@link end}. Throws a CofferError for the first problem
 * found (see the module comment).
 */
export class BackupIndexScanner {
  readonly #what: string;
  readonly #options: BackupIndexScanOptions;
  /** The piece of the document not yet read (and, when copying, not yet copied). */
  #buffer = '';
  /** The document offset of `#buffer[0]`. */
  #base = 0;
  /** The reading position in `#buffer`. */
  #pos = 0;
  /** Copied up to this document offset. */
  #copied = 0;
  #chars = 0;
  #lines = 1;
  #started = false;
  #ended = false;
  #stack: OpenElement[] = [];
  #root: BackupIndexScan['root'] | null = null;
  #rootClosed = false;
  #rootText = '';
  #children = 0;
  /** The document offset of the root's end tag. */
  #rootEnd: number | undefined;
  /** The root's child being read, and its child (a field) being read. */
  #entry: BackupIndexEntry | null = null;
  #field: { name: string; text: string } | null = null;
  /** The end of the last text checked for a DOCTYPE (a declaration split across two pieces is still found). */
  #tail = '';

  constructor(what: string, options: BackupIndexScanOptions) {
    this.#what = what;
    this.#options = options;
  }

  push(text: string): void {
    if (text === '') return;
    this.#chars += text.length;
    if (this.#chars > this.#options.maxChars)
      throw new CofferError(
        ErrorCode.BackupFileTooLarge,
        `${this.#what} is over the bound of ${this.#options.maxChars} characters for this index.`,
        { hresult: HRESULT.ERROR_FILE_TOO_LARGE, object: this.#what },
      );
    const checked = this.#tail + text;
    if (DECLARATION.test(checked))
      throw new CofferError(
        ErrorCode.XmlDoctypeRefused,
        `${this.#what} carries a DOCTYPE (document type or entity declarations), which no file Coffer reads may have; it was not parsed.`,
        {
          hresult: HRESULT.ERROR_INVALID_DATA,
          object: this.#what,
          hint: 'The file was edited, possibly to read files or exhaust memory through XML entities; do not use it.',
        },
      );
    this.#tail = checked.slice(-8);
    if (FORBIDDEN_CHARACTER.test(text)) {
      const at = text.search(FORBIDDEN_CHARACTER);
      this.#buffer += text;
      this.#fail(
        this.#buffer.length - text.length + at,
        `it holds the character U+${text.charCodeAt(at).toString(16).toUpperCase().padStart(4, '0')}`,
      );
    }
    this.#buffer += text;
    this.#read();
  }

  end(): BackupIndexScan {
    this.#ended = true;
    this.#read();
    if (this.#stack.length > 0)
      this.#fail(this.#buffer.length, `<${this.#stack[this.#stack.length - 1]!.qualified}> is not closed`);
    if (!this.#rootClosed || this.#root === null) this.#fail(this.#buffer.length, 'it has no root element');
    this.#flush(this.#base + this.#buffer.length);
    return {
      root: this.#root!,
      rootText: this.#rootText.trim(),
      children: this.#children,
      ...(this.#options.keepAfterRoot && this.#rootEnd !== undefined
        ? { afterRoot: this.#buffer.slice(this.#rootEnd - this.#base) }
        : {}),
    };
  }

  #fail(at: number, message: string): never {
    let line = this.#lines;
    for (let i = this.#buffer.indexOf('\n'); i !== -1 && i < at; i = this.#buffer.indexOf('\n', i + 1)) line += 1;
    throw new CofferError(
      this.#options.malformedCode ?? 'MALFORMED_XML',
      `${this.#what} is not well-formed XML: ${message} (line ${line}).`,
      {
        hresult: HRESULT.ERROR_INVALID_DATA,
        object: this.#what,
        hint: this.#options.hint ?? 'The file is damaged; take the backup again.',
      },
    );
  }

  /** Copies the document up to `offset` (when copying). */
  #flush(offset: number): void {
    const copy = this.#options.copy;
    if (copy === undefined || offset <= this.#copied) return;
    copy.write(this.#buffer.slice(this.#copied - this.#base, offset - this.#base));
    this.#copied = offset;
  }

  /** Waits for more text (nothing is consumed); refuses a piece that outgrows an entry's bound. */
  #wait(from: number, what: string): boolean {
    if (this.#ended) return false;
    if (this.#buffer.length - from > BACKUP_INDEX_ENTRY_CHARS)
      this.#fail(from, `${what} longer than ${BACKUP_INDEX_ENTRY_CHARS} characters`);
    return true;
  }

  #read(): void {
    this.#readTokens();
    // Drop what is read (and copied): memory holds one entry at most.
    let keep = this.#pos;
    if (this.#options.copy !== undefined) {
      if (this.#entry === null) this.#flush(this.#base + this.#pos);
      keep = Math.min(keep, this.#copied - this.#base);
    }
    if (this.#options.keepAfterRoot && this.#rootEnd !== undefined) keep = Math.min(keep, this.#rootEnd - this.#base);
    if (this.#entry !== null && this.#base + this.#buffer.length - this.#entry.start > BACKUP_INDEX_ENTRY_CHARS)
      this.#fail(this.#entry.start - this.#base, `an entry longer than ${BACKUP_INDEX_ENTRY_CHARS} characters`);
    if (keep > 0) {
      const buffer = this.#buffer;
      for (let i = buffer.indexOf('\n'); i !== -1 && i < keep; i = buffer.indexOf('\n', i + 1)) this.#lines += 1;
      this.#buffer = buffer.slice(keep);
      this.#base += keep;
      this.#pos -= keep;
    }
  }

  #readTokens(): void {
    const buffer = this.#buffer;
    const length = buffer.length;
    if (!this.#started) {
      // The XML declaration, only at the very start (the decoder removed the BOM).
      if (length < 6 && !this.#ended) return;
      this.#started = true;
      if (buffer.startsWith('<?xml') && /[ \t\r\n?]/.test(buffer.charAt(5))) {
        const close = buffer.indexOf('?>', 5);
        if (close === -1) {
          this.#started = false;
          if (this.#wait(0, 'the XML declaration')) return;
          this.#fail(0, 'the XML declaration is not closed');
        }
        this.#pos = close + 2;
      }
    }
    while (this.#pos < length) {
      const pos = this.#pos;
      const lt = buffer.indexOf('<', pos);
      if (lt === -1 && this.#wait(pos, 'text')) return;
      const end = lt === -1 ? length : lt;
      if (end > pos) this.#text(buffer.slice(pos, end), pos);
      this.#pos = end;
      if (lt === -1) return;
      if (!this.#markup(buffer, lt)) return;
    }
  }

  /** Character data between two pieces of markup. */
  #text(raw: string, at: number): void {
    const depth = this.#stack.length;
    if (depth === 0) {
      if (!ONLY_SPACE.test(raw)) this.#fail(at, 'text outside the root element');
      return;
    }
    const close = raw.indexOf(']]>');
    if (close !== -1) this.#fail(at + close, "']]>' in text");
    let decoded: string;
    try {
      decoded = normaliseLines(decodeXmlReferences(raw));
    } catch (error) {
      this.#fail(at, (error as Error).message);
    }
    this.#ownText(decoded!);
  }

  /** Text (or CDATA) of the element open at the top of the stack. */
  #ownText(value: string): void {
    const depth = this.#stack.length;
    if (depth === 1) {
      if (this.#rootText.length < 1000 && !ONLY_SPACE.test(value)) this.#rootText += value.slice(0, 1000);
    } else if (depth === 2) this.#entry!.text += value;
    else if (depth === 3) this.#field!.text += value;
  }

  /** The markup at `lt`; false when it is not all there yet. */
  #markup(buffer: string, lt: number): boolean {
    const next = buffer.charCodeAt(lt + 1);
    if (Number.isNaN(next)) {
      if (this.#wait(lt, 'markup')) return false;
      this.#fail(lt, "'<' at the end of the document");
    }
    if (next === 0x2f /* / */) return this.#endTag(buffer, lt);
    if (next === 0x21 /* ! */) {
      if (
        buffer.length - lt < 9 &&
        !this.#ended &&
        ('<!--'.startsWith(buffer.slice(lt, lt + 4)) || '<![CDATA['.startsWith(buffer.slice(lt)))
      )
        return false;
      if (buffer.startsWith('<!--', lt)) {
        const close = buffer.indexOf('-->', lt + 4);
        if (close === -1) {
          if (this.#wait(lt, 'a comment')) return false;
          this.#fail(lt, 'a comment is not closed');
        }
        const body = buffer.slice(lt + 4, close);
        if (body.includes('--') || body.endsWith('-')) this.#fail(lt, "'--' inside a comment");
        this.#pos = close + 3;
        return true;
      }
      if (buffer.startsWith('<![CDATA[', lt)) {
        if (this.#stack.length === 0) this.#fail(lt, 'CDATA outside the root element');
        const close = buffer.indexOf(']]>', lt + 9);
        if (close === -1) {
          if (this.#wait(lt, 'a CDATA section')) return false;
          this.#fail(lt, 'a CDATA section is not closed');
        }
        this.#ownText(normaliseLines(buffer.slice(lt + 9, close)));
        this.#pos = close + 3;
        return true;
      }
      this.#fail(lt, "markup starting '<!' that is neither a comment nor CDATA");
    }
    if (next === 0x3f /* ? */) {
      const close = buffer.indexOf('?>', lt + 2);
      if (close === -1) {
        if (this.#wait(lt, 'a processing instruction')) return false;
        this.#fail(lt, 'a processing instruction is not closed');
      }
      NAME.lastIndex = lt + 2;
      const target = NAME.exec(buffer)?.[0];
      if (target === undefined || NAME.lastIndex > close) this.#fail(lt, 'a processing instruction without a target');
      if (target!.toLowerCase() === 'xml') this.#fail(lt, 'an XML declaration after the start of the document');
      const after = NAME.lastIndex;
      if (close !== after && !/[ \t\r\n]/.test(buffer.charAt(after)))
        this.#fail(lt, 'a bad processing instruction target');
      this.#pos = close + 2;
      return true;
    }
    return this.#startTag(buffer, lt);
  }

  #endTag(buffer: string, lt: number): boolean {
    const close = buffer.indexOf('>', lt + 2);
    if (close === -1) {
      if (this.#wait(lt, 'an end tag')) return false;
      this.#fail(lt, 'an end tag is not closed');
    }
    // test, not exec, here and below: no match array (nor, here, the name's text) per tag of a 70,000-entry index.
    NAME.lastIndex = lt + 2;
    if (!NAME.test(buffer) || NAME.lastIndex > close) this.#fail(lt, 'an end tag without a name');
    const top = this.#stack[this.#stack.length - 1];
    const nameEnd = NAME.lastIndex;
    if (top === undefined) this.#fail(lt, `the end tag </${buffer.slice(lt + 2, nameEnd)}> closes nothing`);
    if (nameEnd - (lt + 2) !== top!.qualified.length || !buffer.startsWith(top!.qualified, lt + 2))
      this.#fail(lt, `</${buffer.slice(lt + 2, nameEnd)}> closes <${top!.qualified}>`);
    const name = top!.qualified;
    SPACE.lastIndex = nameEnd;
    SPACE.test(buffer);
    if (SPACE.lastIndex !== close) this.#fail(lt, `the end tag </${name}> is not closed`);
    const depth = this.#stack.length - 1;
    if (depth === 0) {
      this.#rootEnd = this.#base + lt;
      // The root's end tag: what the copy inserts goes just before it.
      const insert = this.#options.copy?.beforeRootEnd?.();
      if (insert !== undefined && insert !== '') {
        this.#flush(this.#base + lt);
        this.#options.copy!.write(insert);
      }
    }
    this.#stack.pop();
    this.#pos = close + 1;
    this.#closed(depth, this.#base + close + 1);
    return true;
  }

  /** An element at `depth` ended at document offset `end`. */
  #closed(depth: number, end: number): void {
    if (depth === 0) this.#rootClosed = true;
    else if (depth === 1) {
      const entry = this.#entry!;
      entry.end = end;
      if (end - entry.start > BACKUP_INDEX_ENTRY_CHARS)
        this.#fail(entry.start - this.#base, `an entry longer than ${BACKUP_INDEX_ENTRY_CHARS} characters`);
      entry.text = detached(entry.text);
      this.#entry = null;
      this.#children += 1;
      if (this.#options.onEntry?.(entry) === 'drop') this.#copied = end;
    } else if (depth === 2) {
      const field = this.#field!;
      field.text = detached(field.text);
      this.#entry!.fields.push(field);
      this.#field = null;
    }
  }

  #startTag(buffer: string, lt: number): boolean {
    const close = startTagEnd(buffer, lt + 1);
    if (close === -1) {
      if (this.#wait(lt, 'a start tag')) return false;
    }
    if (this.#rootClosed) this.#fail(lt, 'a second root element');
    NAME.lastIndex = lt + 1;
    const qualified = NAME.test(buffer) ? buffer.slice(lt + 1, NAME.lastIndex) : undefined;
    if (qualified === undefined) this.#fail(lt, "'<' not starting a tag");
    if (close === -1) this.#fail(lt, `<${qualified}> is not closed`);
    const depth = this.#stack.length;
    const attributes: Record<string, string> = {};
    let seen: Set<string> | undefined; // made for a tag with attributes only
    let pos = NAME.lastIndex;
    let selfClosing = false;
    for (;;) {
      SPACE.lastIndex = pos;
      SPACE.test(buffer);
      const spaced = SPACE.lastIndex > pos;
      pos = SPACE.lastIndex;
      if (pos === close) break;
      if (buffer.charCodeAt(pos) === 0x2f /* / */ && pos + 1 === close) {
        selfClosing = true;
        break;
      }
      if (!spaced) this.#fail(pos, `no space before an attribute of <${qualified}>`);
      ATTRIBUTE.lastIndex = pos;
      const match = ATTRIBUTE.exec(buffer);
      if (match === null || ATTRIBUTE.lastIndex > close) this.#fail(pos, `a malformed attribute in <${qualified}>`);
      const name = match![1]!;
      seen ??= new Set<string>();
      if (seen.has(name)) this.#fail(pos, `the attribute ${name} is repeated in <${qualified}>`);
      seen.add(name);
      let value: string;
      try {
        value = normaliseLines(decodeXmlReferences(match![2] ?? match![3]!));
      } catch (error) {
        this.#fail(pos, (error as Error).message);
      }
      pos = ATTRIBUTE.lastIndex;
      // Only the root's attributes are kept (mfst:version); the others are checked.
      if (depth === 0 && name !== 'xmlns' && !name.startsWith('xmlns:')) attributes[localName(name)] = value!;
    }
    const start = this.#base + lt;
    const end = this.#base + close + 1;
    if (depth === 0) {
      this.#root = { name: localName(qualified!), qualified: qualified!, attributes };
      const insert = selfClosing ? this.#options.copy?.beforeRootEnd?.() : undefined;
      if (insert !== undefined && insert !== '') {
        // `<Backups …/>` becomes `<Backups …>inserted</Backups>`.
        this.#flush(start);
        const head = buffer.slice(lt, close - 1).replace(/[ \t\r\n]+$/, '');
        this.#options.copy!.write(`${head}>${insert}</${qualified}>`);
        this.#copied = end;
      }
    } else if (depth === 1) {
      if (this.#options.copy !== undefined) this.#flush(start);
      this.#entry = { name: interned(localName(qualified!)), fields: [], text: '', start, end: start };
    } else if (depth === 2) this.#field = { name: interned(localName(qualified!)), text: '' };
    this.#pos = close + 1;
    if (selfClosing) this.#closed(depth, end);
    else {
      if (depth >= MAX_DEPTH) this.#fail(lt, `elements nested deeper than ${MAX_DEPTH}`);
      this.#stack.push({ qualified: qualified! });
    }
    return true;
  }
}

/** How an index's bytes are encoded (by BOM, as decodeXmlBytes reads them), to decode it by pieces and write it back. */
export interface BackupIndexEncoding {
  bom: Buffer;
  decoder(): TextDecoder;
  encode(text: string): Buffer;
}

/** The encoding of a document whose first bytes are `head` (at least 3 bytes unless the document is shorter). */
export function backupIndexEncoding(head: Uint8Array): BackupIndexEncoding {
  if (head[0] === 0xff && head[1] === 0xfe)
    return {
      bom: Buffer.from([0xff, 0xfe]),
      decoder: () => new TextDecoder('utf-16le'),
      encode: (text) => Buffer.from(text, 'utf16le'),
    };
  if (head[0] === 0xfe && head[1] === 0xff)
    return {
      bom: Buffer.from([0xfe, 0xff]),
      decoder: () => new TextDecoder('utf-16be'),
      encode: (text) => Buffer.from(text, 'utf16le').swap16(),
    };
  const bom = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf;
  return {
    bom: bom ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0),
    decoder: () => new TextDecoder('utf-8'),
    encode: (text) => Buffer.from(text, 'utf8'),
  };
}

/** Pieces of this many bytes are decoded and read at a time. */
const PIECE_BYTES = 64 * 1024;

/** Reads an index held in memory by pieces (no string of the whole document is built). */
export function scanBackupIndexBytes(
  bytes: Uint8Array,
  what: string,
  options: BackupIndexScanOptions,
): BackupIndexScan {
  const encoding = backupIndexEncoding(bytes);
  // The bound is checked first, as the file readers check a file's size before reading it: an index too large is
  // refused as that, whatever else is wrong inside it (a UTF-16 index takes two bytes a character).
  const maxBytes = encoding.bom.length === 2 ? 2 * options.maxChars + 2 : options.maxChars + encoding.bom.length;
  if (bytes.length > maxBytes)
    throw new CofferError(
      ErrorCode.BackupFileTooLarge,
      `${what} is ${bytes.length} bytes, over the bound of ${options.maxChars} characters for this index.`,
      { hresult: HRESULT.ERROR_FILE_TOO_LARGE, object: what },
    );
  const scanner = new BackupIndexScanner(what, options);
  const decoder = encoding.decoder();
  for (let at = 0; at < bytes.length; at += PIECE_BYTES)
    scanner.push(decoder.decode(bytes.subarray(at, at + PIECE_BYTES), { stream: true }));
  scanner.push(decoder.decode());
  return scanner.end();
}

/**
 * Reads the index file `name` of the directory `reader` opened, through the reader's checks (no link followed, the
 * size bounded by `options.maxChars` bytes before anything is read), a piece at a time; null when there is none.
 */
export async function scanBackupIndexFile(
  reader: BackupReader,
  name: string,
  what: string,
  options: BackupIndexScanOptions,
): Promise<BackupIndexScan | null> {
  const absent = await lstat(join(reader.folder, name)).then(
    () => false,
    (error: NodeJS.ErrnoException) => error.code === 'ENOENT',
  );
  if (absent) return null;
  const { handle, size } = await reader.openFile(name, { maxBytes: options.maxChars });
  try {
    const scanner = new BackupIndexScanner(what, options);
    const piece = Buffer.alloc(Math.min(PIECE_BYTES, Math.max(size, 3)));
    let decoder: TextDecoder | undefined;
    let total = 0;
    // Read no further than the size checked at open: a file growing meanwhile is read as it was.
    while (total < size) {
      const { bytesRead } = await handle.read(piece, 0, Math.min(piece.length, size - total), total);
      if (bytesRead === 0) break;
      decoder ??= backupIndexEncoding(piece.subarray(0, bytesRead)).decoder();
      total += bytesRead;
      scanner.push(decoder.decode(piece.subarray(0, bytesRead), { stream: true }));
      await options.afterPiece?.();
    }
    if (decoder !== undefined) scanner.push(decoder.decode());
    const scanned = scanner.end();
    await options.afterPiece?.();
    return scanned;
  } finally {
    await handle.close();
  }
}
