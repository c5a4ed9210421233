/** A reference in XML text that XML does not allow here: thrown by {@link decodeXmlReferences}. */
export class XmlReferenceError extends Error {}

const REFERENCE = /&([^;&]*);?/g;
const NUMERIC = /^#(?:x([0-9A-Fa-f]{1,6})|([0-9]{1,7}))$/;
const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' };

/**
 * XML text or an attribute value with its references decoded: the five predefined entities and numeric character
 * references. Anything else with `&` throws {@link XmlReferenceError}: a bare ampersand, a reference to a character
 * XML 1.0 forbids, and any other entity, since no DOCTYPE may declare one in a file Coffer reads back. The one
 * decoder of core's streaming index reader and gpmc's XML scanner.
 */
export function decodeXmlReferences(raw: string): string {
  if (!raw.includes('&')) return raw;
  return raw.replace(REFERENCE, (whole, name: string) => {
    if (!whole.endsWith(';')) throw new XmlReferenceError(`'&' not starting a reference (${JSON.stringify(whole)})`);
    const predefined = PREDEFINED[name];
    if (predefined !== undefined) return predefined;
    const numeric = NUMERIC.exec(name);
    if (numeric === null)
      throw new XmlReferenceError(`the entity &${name}; is not declared (no DOCTYPE may declare any)`);
    const code = numeric[1] !== undefined ? Number.parseInt(numeric[1], 16) : Number(numeric[2]);
    const allowed =
      code === 0x9 ||
      code === 0xa ||
      code === 0xd ||
      (code >= 0x20 && code <= 0xd7ff) ||
      (code >= 0xe000 && code <= 0xfffd) ||
      (code >= 0x10000 && code <= 0x10ffff);
    if (!allowed) throw new XmlReferenceError(`&${name}; refers to a character XML does not allow`);
    return String.fromCodePoint(code);
  });
}
