/**
 * The XML reader every Coffer package parses backup files with (GPMC's Backup.xml, bkupInfo.xml, manifest.xml,
 * a Starter GPO's template, a migration table): bytes decoded by BOM, size bounded, DOCTYPE refused
 * (XML_DOCTYPE_REFUSED), well-formedness checked, then parsed by fast-xml-parser into a small element tree.
 */
import { createRequire } from 'node:module';
import type * as FastXmlParser from 'fast-xml-parser';
import { CofferError } from '../errors/coffer-error.js';
import { HRESULT } from '../errors/hresult.js';
import { refuseXmlDoctype } from './backup-reader.js';

export * from './backup-index-stream.js';
export * from './xml-references.js';

/** A parsed element: local name (namespace prefix dropped), attributes by local name, children in order. */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** Concatenated character data and CDATA of this element itself. */
  text: string;
}

/** The code of XML that is not well-formed, unless the caller names its own. */
export const MALFORMED_XML_CODE = 'MALFORMED_XML';

/**
 * fast-xml-parser, loaded on first use rather than with core: most processes that import core (coffer report, diff,
 * list) never parse with it. Its bundled CommonJS build is one file where the ESM build is dozens (about 7 ms to load
 * instead of 38); the same release, the same parser.
 */
let fastXmlParser: typeof FastXmlParser | undefined;
let parser: FastXmlParser.XMLParser | undefined;

function xmlLibrary(): typeof FastXmlParser {
  fastXmlParser ??= createRequire(import.meta.url)('fast-xml-parser') as typeof FastXmlParser;
  return fastXmlParser;
}

// processEntities stays on for the five predefined entities and character references; a DOCTYPE, the only
// way to declare others, never reaches the parser.
function xmlParser(): FastXmlParser.XMLParser {
  parser ??= new (xmlLibrary().XMLParser)({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: '',
    removeNSPrefix: true,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    processEntities: true,
    ignoreDeclaration: true,
    ignorePiTags: true,
    commentPropName: '#comment',
  });
  return parser;
}

type OrderedNode = Record<string, unknown> & { ':@'?: Record<string, string> };

/** Decodes UTF-8 or UTF-16 (by BOM) bytes; strings pass through. */
export function decodeXmlBytes(input: Uint8Array | string): string {
  if (typeof input === 'string') return input.replace(/^\uFEFF/, '');
  const bytes = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    const swapped = Buffer.from(bytes.subarray(2));
    swapped.swap16();
    return swapped.toString('utf16le');
  }
  return bytes.toString('utf8').replace(/^\uFEFF/, '');
}

export interface ParseXmlOptions {
  /** Code of the error for XML that is not well-formed (default MALFORMED_XML). */
  malformedCode?: string;
  hint?: string;
  /** The size bound (default {@link BACKUP_READ_LIMITS.maxXmlBytes}; a directory's index: {@link backupIndexByteLimit}). */
  maxChars?: number;
}

/** Decodes, refuses a DOCTYPE, checks well-formedness; returns the text. */
export function checkXmlText(input: Uint8Array | string, what: string, options: ParseXmlOptions = {}): string {
  const text = refuseXmlDoctype(decodeXmlBytes(input), what, options.maxChars);
  const valid = xmlLibrary().XMLValidator.validate(text);
  if (valid !== true) {
    throw new CofferError(
      options.malformedCode ?? MALFORMED_XML_CODE,
      `${what} is not well-formed XML: ${valid.err.msg} (line ${valid.err.line}).`,
      {
        hresult: HRESULT.ERROR_INVALID_DATA,
        object: what,
        hint: options.hint ?? 'The file is damaged; take the backup again.',
      },
    );
  }
  return text;
}

/** Parses XML into an {@link XmlElement} tree (see the module comment for what is refused). */
export function parseXmlDocument(input: Uint8Array | string, what: string, options: ParseXmlOptions = {}): XmlElement {
  const text = checkXmlText(input, what, options);
  const nodes = xmlParser().parse(text) as OrderedNode[];
  const roots = nodes.map(toElement).filter((node): node is XmlElement => node !== null);
  if (roots.length !== 1) {
    throw new CofferError(options.malformedCode ?? MALFORMED_XML_CODE, `${what} has ${roots.length} root elements.`, {
      hresult: HRESULT.ERROR_INVALID_DATA,
      object: what,
    });
  }
  return roots[0]!;
}

function toElement(node: OrderedNode): XmlElement | null {
  const name = Object.keys(node).find((key) => key !== ':@');
  if (name === undefined || name === '#text' || name === '#comment' || name.startsWith('?')) return null;
  const content = (node[name] as OrderedNode[] | undefined) ?? [];
  const element: XmlElement = { name, attributes: { ...(node[':@'] ?? {}) }, children: [], text: '' };
  for (const child of content) {
    if ('#text' in child) {
      element.text += String(child['#text']);
      continue;
    }
    const converted = toElement(child);
    if (converted !== null) element.children.push(converted);
  }
  return element;
}

/** First child with that local name. */
export function xmlChild(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((candidate) => candidate.name === name);
}

/** Text of the first child with that name, `''` when absent. */
export function xmlChildText(element: XmlElement, name: string): string {
  return xmlChild(element, name)?.text ?? '';
}
