import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { CofferError, HRESULT } from '@coffer/core';

/** A parsed element: local name (namespace prefix dropped), attributes by local name, children in order. */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** Concatenated character data and CDATA of this element itself. */
  text: string;
}

const parser = new XMLParser({
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

type OrderedNode = Record<string, unknown> & { ':@'?: Record<string, string> };

/** Error code for GPMC files this package cannot read. */
export const MALFORMED_GPMC_FILE = 'GPMC_FILE_MALFORMED';

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

/** Parses XML into an {@link XmlElement} tree; throws `GPMC_FILE_MALFORMED` on broken XML. */
export function parseXmlDocument(input: Uint8Array | string, what: string): XmlElement {
  const text = decodeXmlBytes(input);
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw new CofferError(MALFORMED_GPMC_FILE, `${what} is not well-formed XML: ${valid.err.msg} (line ${valid.err.line}).`, {
      hresult: HRESULT.ERROR_INVALID_DATA,
      object: what,
      hint: 'The file is damaged or is not a GPMC backup file; take the backup again.',
    });
  }
  const nodes = parser.parse(text) as OrderedNode[];
  const roots = nodes.map(toElement).filter((node): node is XmlElement => node !== null);
  if (roots.length !== 1) {
    throw new CofferError(MALFORMED_GPMC_FILE, `${what} has ${roots.length} root elements.`, {
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
export function child(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((candidate) => candidate.name === name);
}

/** Text of the first child with that name, `''` when absent. */
export function childText(element: XmlElement, name: string): string {
  return child(element, name)?.text ?? '';
}

export function malformed(what: string, message: string): CofferError {
  return new CofferError(MALFORMED_GPMC_FILE, `${what}: ${message}`, {
    hresult: HRESULT.ERROR_INVALID_DATA,
    object: what,
    hint: 'The file is damaged or is not a GPMC backup file; take the backup again.',
  });
}
