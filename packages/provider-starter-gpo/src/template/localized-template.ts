/**
 * `<lang>\StarterGPO.tmpll`: localised strings of a (system) Starter GPO. IGPMStarterGPO::Save documents that
 * a Starter GPO saved as a system one has its strings "converted into MUI resources"; like ADMX/ADML, the
 * tmplx then refers to them as `$(string.<id>)`. Not verified against a real file, so both shapes are read:
 * string tables (`<string id="…">text</string>`, anywhere) and plain `DisplayName`/`Description` children.
 */
import { parseLosslessXml } from '@coffer/gpmc';

export interface LocalizedTemplate {
  /** The language folder it came from, e.g. `en-US`. */
  language: string;
  /** `id` → text, from every element carrying an `id` attribute. */
  strings: Record<string, string>;
  displayName: string | null;
  description: string | null;
}

const STRING_REFERENCE = /^\$\(string\.([^)]+)\)$/;

function collectStrings(text: string, into: Record<string, string>): void {
  // The string table may sit at any depth (`resources/stringTable/string`), so scan the whole text.
  const pattern = /<([\w.:-]+)\b[^>]*?\bid\s*=\s*(["'])(.*?)\2[^>]*>([\s\S]*?)<\/\1\s*>/g;
  for (const match of text.matchAll(pattern)) {
    const id = match[3]!;
    if (!(id in into)) into[id] = decodeSimple(match[4]!);
  }
}

function decodeSimple(text: string): string {
  const cdata = /^\s*<!\[CDATA\[([\s\S]*)\]\]>\s*$/.exec(text);
  if (cdata) return cdata[1]!;
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(Number.parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, dec: string) => String.fromCodePoint(Number.parseInt(dec, 10)))
    .replace(/&amp;/g, '&');
}

export function parseLocalizedTemplate(bytes: Uint8Array, language: string, where: string): LocalizedTemplate {
  const document = parseLosslessXml(bytes, where);
  const strings: Record<string, string> = {};
  for (const item of document.content) if (item.kind === 'element') collectStrings(item.raw, strings);
  const direct = (name: string): string | null => {
    const element = document.content.find(
      (item) => item.kind === 'element' && item.localName.toLowerCase() === name && !item.hasChildElements,
    );
    return element && element.kind === 'element' ? element.text.trim() : null;
  };
  return { language, strings, displayName: direct('displayname'), description: direct('description') };
}

/**
 * Resolves a tmplx value that refers to a localised string (`$(string.X)`), preferring the given languages in
 * order, then any. Values that are not references come back unchanged.
 */
export function resolveLocalized(
  value: string | null,
  field: 'displayName' | 'description',
  localized: readonly LocalizedTemplate[],
  preferred: readonly string[] = ['en-US'],
): string | null {
  const ordered = [
    ...preferred.flatMap((language) => localized.filter((l) => l.language.toLowerCase() === language.toLowerCase())),
    ...localized,
  ];
  const reference = value === null ? null : STRING_REFERENCE.exec(value.trim());
  if (reference) {
    for (const candidate of ordered) {
      const text = candidate.strings[reference[1]!];
      if (text !== undefined) return text;
    }
    return value;
  }
  if (value !== null && value !== '') return value;
  for (const candidate of ordered) {
    const text = candidate[field];
    if (text !== null && text !== '') return text;
  }
  return value;
}
