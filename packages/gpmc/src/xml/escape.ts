/** Escaping as GPMC's serializer (MSXML) does it, for hand-written, byte-exact output. */

/**
 * `<![CDATA[…]]>` around a value. A `]]>` inside the value cannot stay in one section: it is split as
 * `]]` + `]]><![CDATA[` + `>`, the standard way, so a reader gets the original text back.
 */
export function cdata(value: string): string {
  return `<![CDATA[${value.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}

/** An element whose value is wrapped in CDATA, or self-closing when the value is empty (Backup.xml's habit). */
export function cdataElementOrEmpty(name: string, value: string | null | undefined): string {
  return value === null || value === undefined || value === '' ? `<${name}/>` : `<${name}>${cdata(value)}</${name}>`;
}

/** An element whose value is always wrapped in CDATA, even when empty (the manifest family's habit). */
export function cdataElement(name: string, value: string): string {
  return `<${name}>${cdata(value)}</${name}>`;
}

/** Attribute value in double quotes: `&`, `<` and `"` are escaped (`Documents &amp; Settings`). */
export function escapeAttribute(value: string): string {
  return value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('"', '&quot;');
}

/** Character data of an element (gpreport.xml, which does not use CDATA). */
export function escapeText(value: string): string {
  return value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}
