/**
 * A lossless view of a small XML document: the root element's own start tag, and its content as a list of
 * raw slices (child elements, text, comments). Rendering an unchanged document gives back the same bytes,
 * so elements and attributes this package does not understand survive a read/write round trip verbatim.
 * Reading goes through core's safe gate first (size bound, DOCTYPE refused as XML_DOCTYPE_REFUSED, well-formedness
 * checked); the scanner then only has to find where each top-level child starts and ends.
 */
import { checkXmlText, CofferError, HRESULT, MALFORMED_XML_CODE } from '@coffer/core';

export type XmlEncoding = 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'utf-16be';

export interface XmlAttribute {
  /** Qualified name as written (`xmlns:xsi`, `version`). */
  name: string;
  /** Decoded value. */
  value: string;
}

export interface XmlChildElement {
  kind: 'element';
  /** Qualified name as written. */
  name: string;
  /** Name without its prefix. */
  localName: string;
  attributes: XmlAttribute[];
  /** Decoded text of the element (its text and CDATA, nested elements' text included). */
  text: string;
  /** Whether it contains elements of its own. */
  hasChildElements: boolean;
  /** The element exactly as written, start tag to end tag. */
  raw: string;
}

export interface XmlOtherContent {
  kind: 'other';
  /** Whitespace, text, comments, processing instructions or CDATA directly inside the root, as written. */
  raw: string;
}

export type XmlContentItem = XmlChildElement | XmlOtherContent;

export interface LosslessXmlDocument {
  encoding: XmlEncoding;
  /** Everything before the root element (declaration, comments, whitespace). */
  prolog: string;
  rootName: string;
  rootLocalName: string;
  rootAttributes: XmlAttribute[];
  /** The root's start tag as written (self-closing roots keep their `/>`). */
  rootStartTag: string;
  selfClosingRoot: boolean;
  content: XmlContentItem[];
  /** The root's end tag as written (`''` for a self-closing root). */
  rootEndTag: string;
  /** Everything after the root element. */
  epilog: string;
}

/** Core's code for XML that is not well-formed; this reader's own structural errors use it too. */
export const MALFORMED_XML = MALFORMED_XML_CODE;

const MALFORMED_HINT = 'The file may be damaged; compare it with a copy from another domain controller.';

function malformed(where: string, detail: string): CofferError {
  return new CofferError(MALFORMED_XML, `${where} is not well-formed XML: ${detail}`, {
    hresult: HRESULT.ERROR_INVALID_DATA,
    object: where,
    hint: MALFORMED_HINT,
  });
}

/** Decodes XML bytes by their byte-order mark (UTF-8 otherwise), remembering the encoding for rendering. */
export function decodeXml(bytes: Uint8Array): { text: string; encoding: XmlEncoding } {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer[0] === 0xff && buffer[1] === 0xfe)
    return { text: buffer.subarray(2).toString('utf16le'), encoding: 'utf-16le' };
  if (buffer[0] === 0xfe && buffer[1] === 0xff) {
    const swapped = Buffer.from(buffer.subarray(2));
    swapped.swap16();
    return { text: swapped.toString('utf16le'), encoding: 'utf-16be' };
  }
  if (buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf)
    return { text: buffer.subarray(3).toString('utf8'), encoding: 'utf-8-bom' };
  return { text: buffer.toString('utf8'), encoding: 'utf-8' };
}

export function encodeXml(text: string, encoding: XmlEncoding): Buffer {
  switch (encoding) {
    case 'utf-16le':
      return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    case 'utf-16be': {
      const body = Buffer.from(text, 'utf16le');
      body.swap16();
      return Buffer.concat([Buffer.from([0xfe, 0xff]), body]);
    }
    case 'utf-8-bom':
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
    default:
      return Buffer.from(text, 'utf8');
  }
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z]+);/g, (whole, body: string) => {
    if (body.startsWith('#x')) return String.fromCodePoint(Number.parseInt(body.slice(2), 16));
    if (body.startsWith('#')) return String.fromCodePoint(Number.parseInt(body.slice(1), 10));
    return ENTITIES[body] ?? whole;
  });
}

export function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function localNameOf(name: string): string {
  const colon = name.indexOf(':');
  return colon === -1 ? name : name.slice(colon + 1);
}

interface Tag {
  name: string;
  attributes: XmlAttribute[];
  selfClosing: boolean;
  end: number;
}

/** Reads a start tag beginning at `start` (the `<`). Quoted attribute values may hold `>`. */
function readStartTag(text: string, start: number, where: string): Tag {
  const nameMatch = /^<([^\s/>]+)/.exec(text.slice(start, start + 512));
  if (!nameMatch) throw malformed(where, `expected a start tag at offset ${start}`);
  let i = start + nameMatch[0].length;
  const attributes: XmlAttribute[] = [];
  for (;;) {
    while (i < text.length && /\s/.test(text[i]!)) i += 1;
    if (text.startsWith('/>', i)) return { name: nameMatch[1]!, attributes, selfClosing: true, end: i + 2 };
    if (text[i] === '>') return { name: nameMatch[1]!, attributes, selfClosing: false, end: i + 1 };
    const attribute = /^([^\s=/>]+)\s*=\s*(["'])/.exec(text.slice(i, i + 512));
    if (!attribute) throw malformed(where, `unreadable attribute at offset ${i}`);
    const quote = attribute[2]!;
    const valueStart = i + attribute[0].length;
    const valueEnd = text.indexOf(quote, valueStart);
    if (valueEnd === -1) throw malformed(where, `unterminated attribute value at offset ${valueStart}`);
    attributes.push({ name: attribute[1]!, value: decodeEntities(text.slice(valueStart, valueEnd)) });
    i = valueEnd + 1;
  }
}

function skipPast(text: string, from: number, terminator: string, where: string): number {
  const at = text.indexOf(terminator, from);
  if (at === -1) throw malformed(where, `missing ${terminator}`);
  return at + terminator.length;
}

/** Skips a markup construct that is not an element (comment, CDATA, PI, DOCTYPE); returns its end, or -1. */
function skipNonElement(text: string, i: number, where: string): number {
  if (text.startsWith('<!--', i)) return skipPast(text, i + 4, '-->', where);
  if (text.startsWith('<![CDATA[', i)) return skipPast(text, i + 9, ']]>', where);
  if (text.startsWith('<?', i)) return skipPast(text, i + 2, '?>', where);
  if (text.startsWith('<!', i)) {
    // DOCTYPE, possibly with an internal subset in brackets.
    const bracket = text.indexOf('[', i);
    const close = text.indexOf('>', i);
    if (bracket !== -1 && bracket < close) return skipPast(text, skipPast(text, bracket, ']', where), '>', where);
    return skipPast(text, i, '>', where);
  }
  return -1;
}

/** Finds the end of the element whose start tag was just read, and collects its decoded text. */
function readElementBody(
  text: string,
  tag: Tag,
  where: string,
): { end: number; text: string; hasChildElements: boolean } {
  if (tag.selfClosing) return { end: tag.end, text: '', hasChildElements: false };
  let depth = 1;
  let i = tag.end;
  let collected = '';
  let hasChildElements = false;
  while (depth > 0) {
    const lt = text.indexOf('<', i);
    if (lt === -1) throw malformed(where, `<${tag.name}> is not closed`);
    collected += decodeEntities(text.slice(i, lt));
    if (text.startsWith('<![CDATA[', lt)) {
      const end = skipPast(text, lt + 9, ']]>', where);
      collected += text.slice(lt + 9, end - 3);
      i = end;
    } else if (text.startsWith('</', lt)) {
      depth -= 1;
      i = skipPast(text, lt, '>', where);
    } else {
      const skipped = skipNonElement(text, lt, where);
      if (skipped !== -1) {
        i = skipped;
      } else {
        const inner = readStartTag(text, lt, where);
        hasChildElements = true;
        if (!inner.selfClosing) depth += 1;
        i = inner.end;
      }
    }
  }
  return { end: i, text: collected, hasChildElements };
}

/** Parses a document into its lossless form. Throws MALFORMED_XML (ERROR_INVALID_DATA) for broken XML. */
export function parseLosslessXml(bytes: Uint8Array | string, where: string): LosslessXmlDocument {
  const { text, encoding } = typeof bytes === 'string' ? { text: bytes, encoding: 'utf-8' as const } : decodeXml(bytes);
  // No file this reads may carry a DOCTYPE (entities, external references): XML_DOCTYPE_REFUSED, before anything else.
  checkXmlText(text, where, { malformedCode: MALFORMED_XML, hint: MALFORMED_HINT });

  let i = 0;
  for (;;) {
    while (i < text.length && /\s/.test(text[i]!)) i += 1;
    if (i >= text.length) throw malformed(where, 'no root element');
    const skipped = skipNonElement(text, i, where);
    if (skipped === -1) break;
    i = skipped;
  }
  const prolog = text.slice(0, i);
  const rootTag = readStartTag(text, i, where);
  const rootStartTag = text.slice(i, rootTag.end);
  const content: XmlContentItem[] = [];
  let position = rootTag.end;
  let rootEndTag = '';
  if (!rootTag.selfClosing) {
    for (;;) {
      const lt = text.indexOf('<', position);
      if (lt === -1) throw malformed(where, `<${rootTag.name}> is not closed`);
      if (lt > position) content.push({ kind: 'other', raw: text.slice(position, lt) });
      if (text.startsWith('</', lt)) {
        const end = skipPast(text, lt, '>', where);
        rootEndTag = text.slice(lt, end);
        position = end;
        break;
      }
      const skipped = skipNonElement(text, lt, where);
      if (skipped !== -1) {
        content.push({ kind: 'other', raw: text.slice(lt, skipped) });
        position = skipped;
        continue;
      }
      const tag = readStartTag(text, lt, where);
      const body = readElementBody(text, tag, where);
      content.push({
        kind: 'element',
        name: tag.name,
        localName: localNameOf(tag.name),
        attributes: tag.attributes,
        text: body.text,
        hasChildElements: body.hasChildElements,
        raw: text.slice(lt, body.end),
      });
      position = body.end;
    }
  } else {
    position = rootTag.end;
  }
  return {
    encoding,
    prolog,
    rootName: rootTag.name,
    rootLocalName: localNameOf(rootTag.name),
    rootAttributes: rootTag.attributes,
    rootStartTag,
    selfClosingRoot: rootTag.selfClosing,
    content,
    rootEndTag,
    epilog: text.slice(position),
  };
}

/** The document as text; byte-identical to the input when nothing was changed. */
export function renderLosslessXmlText(document: LosslessXmlDocument): string {
  if (document.selfClosingRoot && document.content.length === 0)
    return document.prolog + document.rootStartTag + document.epilog;
  let start = document.rootStartTag;
  let end = document.rootEndTag;
  if (document.selfClosingRoot) {
    // A child was added to an empty root: open it up.
    start = start.replace(/\s*\/>$/, '>');
    end = `</${document.rootName}>`;
  }
  return document.prolog + start + document.content.map((item) => item.raw).join('') + end + document.epilog;
}

export function renderLosslessXml(document: LosslessXmlDocument): Buffer {
  return encodeXml(renderLosslessXmlText(document), document.encoding);
}

/**
 * Sets the text of the first child element with that local name (case-insensitive), keeping its start tag
 * (prefix, attributes) as written; appends a new element, in the root's default namespace, when none exists.
 */
export function setChildText(document: LosslessXmlDocument, localName: string, value: string): LosslessXmlDocument {
  const index = document.content.findIndex(
    (item) => item.kind === 'element' && item.localName.toLowerCase() === localName.toLowerCase(),
  );
  const content = [...document.content];
  if (index !== -1) {
    const element = content[index] as XmlChildElement;
    const tagEnd = readStartTag(element.raw, 0, element.name).end;
    const startTag = element.raw.slice(0, tagEnd).replace(/\s*\/>$/, '>');
    content[index] = {
      ...element,
      text: value,
      hasChildElements: false,
      raw: `${startTag}${escapeText(value)}</${element.name}>`,
    };
  } else {
    const prefix = document.rootName.includes(':')
      ? `${document.rootName.slice(0, document.rootName.indexOf(':'))}:`
      : '';
    const name = `${prefix}${localName}`;
    const element: XmlChildElement = {
      kind: 'element',
      name,
      localName,
      attributes: [],
      text: value,
      hasChildElements: false,
      raw: `<${name}>${escapeText(value)}</${name}>`,
    };
    // Insert after the last element, indented like the first one, so the trailing whitespace stays last.
    const indent = document.content
      .find((item) => item.kind === 'other' && /\r?\n/.test(item.raw))
      ?.raw.match(/\r?\n[ \t]*$/)?.[0];
    let lastElement = -1;
    content.forEach((item, position) => {
      if (item.kind === 'element') lastElement = position;
    });
    const inserted: XmlContentItem[] = indent === undefined ? [element] : [{ kind: 'other', raw: indent }, element];
    if (lastElement === -1) content.push(...inserted);
    else content.splice(lastElement + 1, 0, ...inserted);
  }
  return { ...document, content };
}
