/**
 * A one-pass XML reader for the GPMC files `coffer report`, `coffer diff` and `coffer list` read by the hundred
 * (gpreport.xml, Backup.xml, bkupInfo.xml, manifest.xml, preference XML, ADMX): it checks well-formedness and builds
 * core's {@link XmlElement} tree in the same pass, and builds only the parts the caller keeps (`skip`). A separate
 * validation pass and a general-purpose parser cost several times the reading of the files themselves (issue 17).
 *
 * Every byte is untrusted. Before scanning, core's gate runs (decodeXmlBytes, then refuseXmlDoctype: size bound,
 * DOCTYPE/ENTITY refused as XML_DOCTYPE_REFUSED). The scanner then refuses whatever is not well-formed XML 1.0 (with
 * namespaces' one-colon names): mismatched or unclosed tags, markup outside the single root, a bad name, a repeated
 * attribute, an unquoted value or `<` inside one, an unknown entity (no DOCTYPE can declare one), a character
 * reference to a character XML does not allow, `--` in a comment, `]]>` in text, an XML declaration anywhere but the
 * start. No entity is ever expanded beyond the five predefined ones and character references, so the output is never
 * larger than the input. Skipped elements are checked exactly as kept ones; only their tree is not built.
 *
 * The tree matches what core's parseXmlDocument built: local names (prefix dropped) for elements and attributes,
 * `xmlns`/`xmlns:*` attributes left out, an element's `text` is its own character data and CDATA (not its
 * children's), comments and processing instructions dropped.
 */
import {
  CofferError,
  decodeXmlBytes,
  decodeXmlReferences,
  HRESULT,
  refuseXmlDoctype,
  XmlReferenceError,
  type XmlElement,
} from '@coffer/core';

export interface ScanXmlOptions {
  /** The error code for XML that is not well-formed. */
  malformedCode: string;
  hint: string;
  /**
   * Elements not to build (their subtree is still checked): called with the element's local name and its depth (the
   * root is 0). A skipped element is left out of its parent's children.
   */
  skip?: (localName: string, depth: number) => boolean;
  /** The size bound when not core's XML bound (a directory's index: core's backupIndexByteLimit). */
  maxChars?: number;
}

// XML 1.0 (fifth edition) names; astral characters are accepted as surrogate pairs.
const NAME_START =
  ':A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C\\u200D\\u2070-\\u218F' +
  '\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\uD800-\\uDBFF\\uDC00-\\uDFFF';
const NAME_CHAR = `${NAME_START}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F\\u2040`;
const NAME = new RegExp(`[${NAME_START}][${NAME_CHAR}]*`, 'y');
const ONLY_SPACE = /^[ \t\r\n]*$/;
const ONE_SPACE = /^[ \t\r\n]$/;
/** Characters XML 1.0 forbids anywhere in a document (C0 controls but tab, LF and CR; U+FFFE and U+FFFF). */
const FORBIDDEN_CHARACTER = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
/** No GPMC file, preference XML or ADMX nests a dozen deep; a file nesting thousands is refused, not built. */
const MAX_DEPTH = 256;

class Malformed extends Error {}

/** References decoded by core's decoder (the one core's index reader uses); what it refuses is not well-formed here. */
function decodeReferences(raw: string): string {
  try {
    return decodeXmlReferences(raw);
  } catch (error) {
    if (error instanceof XmlReferenceError) throw new Malformed(error.message);
    throw error;
  }
}

/**
 * The end of the name starting at `from` (`from` itself when none starts there): ASCII names, nearly every name of a
 * GPMC file, by character code; a name reaching a non-ASCII character by the {@link NAME} expression, which knows
 * XML's whole name alphabet. Same answer as NAME alone, without a match array per tag and attribute.
 */
function nameEnd(text: string, from: number): number {
  let i = from;
  for (;;) {
    const c = text.charCodeAt(i);
    if (
      (c >= 0x61 && c <= 0x7a) /* a-z */ ||
      (c >= 0x41 && c <= 0x5a) /* A-Z */ ||
      c === 0x5f /* _ */ ||
      c === 0x3a /* : */ ||
      (i > from && ((c >= 0x30 && c <= 0x39) /* 0-9 */ || c === 0x2d /* - */ || c === 0x2e)) /* . */
    )
      i += 1;
    else if (c >= 0x80) {
      NAME.lastIndex = from;
      return NAME.exec(text) === null ? from : NAME.lastIndex;
    } else return i;
  }
}

/** The first position at or after `from` that is not XML white space. */
function skipSpace(text: string, from: number): number {
  let i = from;
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d) i += 1;
    else return i;
  }
}

function localName(qualified: string): string {
  const colon = qualified.indexOf(':');
  return colon === -1 ? qualified : qualified.slice(colon + 1);
}

/**
 * XML's end-of-line handling: CR LF and a lone CR are read as LF, everywhere (text, CDATA, attribute values). Applied
 * to each piece of text that is kept or decoded, not to the whole document: most of a document (the markup, the
 * white space between tags, skipped elements) is only checked, where a CR is white space like an LF, and a copy of
 * every document (GPMC writes CR LF) was a large part of a report's garbage.
 */
function lf(raw: string): string {
  const cr = raw.indexOf('\r');
  if (cr === -1) return raw;
  // The usual run with a CR: the indentation after a line break (`\r\n    `), one CR LF at its start.
  if (cr === 0 && raw.charCodeAt(1) === 0x0a && raw.indexOf('\r', 2) === -1) return raw.slice(1);
  return raw.replace(/\r\n?/g, '\n');
}

/** Line number of a position, for the error message (a line ends at LF, CR LF or a lone CR). */
function lineOf(text: string, position: number): number {
  let line = 1;
  for (let i = 0; i < position && i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a || (c === 0x0d && text.charCodeAt(i + 1) !== 0x0a)) line += 1;
  }
  return line;
}

/** Decodes and gates `input` with core, then checks and builds it in one pass; returns the root element. */
export function scanXmlDocument(input: Uint8Array | string, what: string, options: ScanXmlOptions): XmlElement {
  return scanText(refuseXmlDoctype(decodeXmlBytes(input), what, options.maxChars), what, options);
}

/** Checks well-formedness only (what core's checkXmlText does, in this scanner's single pass); returns the text. */
export function checkXmlWellFormed(input: Uint8Array | string, what: string, options: ScanXmlOptions): string {
  const text = refuseXmlDoctype(decodeXmlBytes(input), what);
  scanText(text, what, { ...options, skip: () => true });
  return text;
}

function scanText(text: string, what: string, options: ScanXmlOptions): XmlElement {
  let position = 0;
  try {
    return scan(text, options.skip, (at) => {
      position = at;
    });
  } catch (error) {
    if (!(error instanceof Malformed)) throw error;
    throw new CofferError(
      options.malformedCode,
      `${what} is not well-formed XML: ${error.message} (line ${lineOf(text, position)}).`,
      { hresult: HRESULT.ERROR_INVALID_DATA, object: what, hint: options.hint },
    );
  }
}

interface Open {
  qualified: string;
  /** Null when the element is skipped (or inside a skipped one). */
  element: XmlElement | null;
}

function scan(text: string, skip: ScanXmlOptions['skip'], mark: (at: number) => void): XmlElement {
  const length = text.length;
  const stack: Open[] = [];
  let root: XmlElement | null = null;
  let rootClosed = false;
  let pos = 0;
  const fail = (at: number, message: string): never => {
    mark(at);
    throw new Malformed(message);
  };
  if (FORBIDDEN_CHARACTER.test(text)) {
    const at = text.search(FORBIDDEN_CHARACTER);
    fail(at, `it holds the character U+${text.charCodeAt(at).toString(16).toUpperCase().padStart(4, '0')}`);
  }
  // The XML declaration, only at the very start (decodeXmlBytes removed the BOM).
  if (text.startsWith('<?xml') && /[ \t\r\n?]/.test(text.charAt(5))) {
    const end = text.indexOf('?>', 5);
    if (end === -1) fail(0, 'the XML declaration is not closed');
    pos = end + 2;
  }
  // The next ']]>' and '&' at or after `pos` (-1: none left), found once and moved on only when passed, so a text run
  // is checked without slicing it (most runs are the whitespace between tags, in elements that may not be built).
  let nextCdataEnd = text.indexOf(']]>');
  let nextAmpersand = text.indexOf('&');
  while (pos < length) {
    const lt = text.indexOf('<', pos);
    const end = lt === -1 ? length : lt;
    if (end > pos) {
      const top = stack[stack.length - 1];
      if (nextCdataEnd !== -1 && nextCdataEnd < pos) nextCdataEnd = text.indexOf(']]>', pos);
      if (nextAmpersand !== -1 && nextAmpersand < pos) nextAmpersand = text.indexOf('&', pos);
      if (top === undefined) {
        if (!ONLY_SPACE.test(text.slice(pos, end))) fail(pos, 'text outside the root element');
      } else {
        if (nextCdataEnd !== -1 && nextCdataEnd + 2 < end) fail(nextCdataEnd, "']]>' in text");
        const references = nextAmpersand !== -1 && nextAmpersand < end;
        if (top.element !== null || references) {
          try {
            const decoded = references ? decodeReferences(lf(text.slice(pos, end))) : lf(text.slice(pos, end));
            if (top.element !== null) top.element.text += decoded;
          } catch (error) {
            fail(pos, (error as Error).message);
          }
        }
      }
    }
    if (lt === -1) break;
    pos = lt;
    const next = text.charCodeAt(pos + 1);
    if (next === 0x2f /* / */) {
      const top = stack.pop();
      // The usual case without a regular expression: the open element's name, then '>' or a space.
      const expected = top === undefined ? -1 : pos + 2 + top.qualified.length;
      let endOfName: number;
      if (
        top !== undefined &&
        text.startsWith(top.qualified, pos + 2) &&
        (text.charCodeAt(expected) === 0x3e || ONE_SPACE.test(text.charAt(expected)))
      )
        endOfName = expected;
      else {
        NAME.lastIndex = pos + 2;
        const name = NAME.exec(text)?.[0];
        if (name === undefined) fail(pos, 'an end tag without a name');
        if (top === undefined) fail(pos, `the end tag </${name}> closes nothing`);
        fail(pos, `</${name}> closes <${top!.qualified}>`);
      }
      const name = top!.qualified;
      const close = skipSpace(text, endOfName!);
      if (text.charCodeAt(close) !== 0x3e /* > */) fail(pos, `the end tag </${name}> is not closed`);
      pos = close + 1;
      if (stack.length === 0) rootClosed = true;
    } else if (next === 0x21 /* ! */) {
      if (text.startsWith('<!--', pos)) {
        const close = text.indexOf('-->', pos + 4);
        if (close === -1) fail(pos, 'a comment is not closed');
        const body = text.slice(pos + 4, close);
        if (body.includes('--') || body.endsWith('-')) fail(pos, "'--' inside a comment");
        pos = close + 3;
      } else if (text.startsWith('<![CDATA[', pos)) {
        const top = stack[stack.length - 1];
        if (top === undefined) fail(pos, 'CDATA outside the root element');
        const close = text.indexOf(']]>', pos + 9);
        if (close === -1) fail(pos, 'a CDATA section is not closed');
        if (top!.element !== null) top!.element.text += lf(text.slice(pos + 9, close));
        pos = close + 3;
      } else fail(pos, "markup starting '<!' that is neither a comment nor CDATA");
    } else if (next === 0x3f /* ? */) {
      NAME.lastIndex = pos + 2;
      const target = NAME.exec(text)?.[0];
      if (target === undefined) fail(pos, 'a processing instruction without a target');
      if (target!.toLowerCase() === 'xml') fail(pos, 'an XML declaration after the start of the document');
      const after = NAME.lastIndex;
      const close = text.indexOf('?>', after);
      if (close === -1) fail(pos, 'a processing instruction is not closed');
      if (close !== after && !/[ \t\r\n]/.test(text.charAt(after))) fail(pos, 'a bad processing instruction target');
      pos = close + 2;
    } else {
      if (rootClosed) fail(pos, 'a second root element');
      const tagNameEnd = nameEnd(text, pos + 1);
      if (tagNameEnd === pos + 1) fail(pos, "'<' not starting a tag");
      const qualified = text.slice(pos + 1, tagNameEnd);
      const tagStart = pos;
      pos = tagNameEnd;
      const depth = stack.length;
      const parent = stack[depth - 1];
      const building =
        (parent === undefined || parent.element !== null) && !(skip?.(localName(qualified!), depth) ?? false);
      const element: XmlElement | null = building
        ? { name: localName(qualified!), attributes: {}, children: [], text: '' }
        : null;
      // Attribute names of this tag: a list for the usual few, a set past 16 (a hostile tag with a hundred thousand
      // attributes must not make the repeat check quadratic).
      let seen: string[] | Set<string> = [];
      let selfClosing = false;
      for (;;) {
        const afterSpace = skipSpace(text, pos);
        const spaced = afterSpace > pos;
        pos = afterSpace;
        const c = text.charCodeAt(pos);
        if (c === 0x3e /* > */) {
          pos += 1;
          break;
        }
        if (c === 0x2f /* / */ && text.charCodeAt(pos + 1) === 0x3e) {
          pos += 2;
          selfClosing = true;
          break;
        }
        if (Number.isNaN(c)) fail(tagStart, `<${qualified}> is not closed`);
        if (!spaced) fail(pos, `no space before an attribute of <${qualified}>`);
        // name, '=' (spaces around it allowed), then a quoted value without '<' (XML's Attribute production), by character codes.
        const attributeNameEnd = nameEnd(text, pos);
        const equals = skipSpace(text, attributeNameEnd);
        const open = skipSpace(text, equals + 1);
        const quote = text.charCodeAt(open);
        const valueEnd =
          attributeNameEnd > pos && text.charCodeAt(equals) === 0x3d /* = */ && (quote === 0x22 || quote === 0x27)
            ? text.indexOf(quote === 0x22 ? '"' : "'", open + 1)
            : -1;
        if (valueEnd === -1) fail(pos, `a malformed attribute in <${qualified}>`);
        const raw = text.slice(open + 1, valueEnd);
        if (raw.includes('<')) fail(pos, `a malformed attribute in <${qualified}>`);
        const name = text.slice(pos, attributeNameEnd);
        if (Array.isArray(seen) ? seen.includes(name) : seen.has(name))
          fail(pos, `the attribute ${name} is repeated in <${qualified}>`);
        if (!Array.isArray(seen)) seen.add(name);
        else if (seen.push(name) > 16) seen = new Set(seen);
        let value: string;
        try {
          value = decodeReferences(lf(raw));
        } catch (error) {
          fail(pos, (error as Error).message);
        }
        pos = valueEnd + 1;
        if (element !== null && name !== 'xmlns' && !name.startsWith('xmlns:'))
          element.attributes[localName(name)] = value!;
      }
      if (element !== null) {
        if (parent === undefined) root = element;
        else parent.element!.children.push(element);
      }
      if (!selfClosing) {
        if (depth >= MAX_DEPTH) fail(tagStart, `elements nested deeper than ${MAX_DEPTH}`);
        stack.push({ qualified: qualified!, element });
      } else if (depth === 0) rootClosed = true;
    }
  }
  if (stack.length > 0) fail(length, `<${stack[stack.length - 1]!.qualified}> is not closed`);
  if (!rootClosed) fail(length, 'it has no root element');
  // A skipped root (checkXmlWellFormed) builds nothing: an empty element stands for it.
  return root ?? { name: '', attributes: {}, children: [], text: '' };
}
