/**
 * The one INI reader of the package: GptTmpl.inf (SecEdit), scripts.ini / psscripts.ini, fdeploy1.ini. These are
 * Windows private-profile files: `[Section]` headers, `key=value` lines, `;` comments; keys are case-insensitive
 * and a key may repeat (SecEdit never repeats one, but the reader keeps every line in order and leaves it to the
 * caller). Lines that are neither are kept as `key: null` entries so a malformed file is reported, not dropped.
 */
export interface IniEntry {
  /** Trimmed key, case as written; null for a line without `=`. */
  key: string | null;
  /** Everything after the first `=`, trimmed (the whole line when key is null). */
  value: string;
  /** 1-based line number. */
  line: number;
}

export interface IniSection {
  /** Name as written, without brackets. */
  name: string;
  entries: IniEntry[];
}

/** Decodes an ini written by Windows: UTF-16LE with BOM (SecEdit, the scripts editor), else UTF-8 (BOM optional). */
export function decodeIniText(bytes: Uint8Array): string {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer[0] === 0xff && buffer[1] === 0xfe) return buffer.subarray(2).toString('utf16le');
  // Windows' scripts editor writes UTF-16LE without a BOM: every other byte of ASCII text is NUL.
  if (buffer.length >= 4 && buffer[1] === 0 && buffer[3] === 0 && buffer[0] !== 0) return buffer.toString('utf16le');
  return buffer.toString('utf8').replace(/^\uFEFF/, '');
}

/** Sections in file order; entries before the first header go to a section named `''`. */
export function parseIniSections(text: string): IniSection[] {
  const sections: IniSection[] = [];
  let current: IniSection | null = null;
  const lines = text.split(/\r\n|\r|\n/);
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!.trim();
    if (line === '' || line.startsWith(';')) continue;
    const header = /^\[(.*)\]$/.exec(line);
    if (header !== null) {
      current = { name: header[1]!.trim(), entries: [] };
      sections.push(current);
      continue;
    }
    if (current === null) {
      current = { name: '', entries: [] };
      sections.push(current);
    }
    const equals = line.indexOf('=');
    current.entries.push(
      equals < 0
        ? { key: null, value: line, line: index + 1 }
        : { key: line.slice(0, equals).trim(), value: line.slice(equals + 1).trim(), line: index + 1 },
    );
  }
  return sections;
}

/** The sections with that name (case-insensitive). */
export function iniSection(sections: readonly IniSection[], name: string): IniSection | undefined {
  const wanted = name.toLowerCase();
  return sections.find((section) => section.name.toLowerCase() === wanted);
}

/** Splits a comma-separated value, honouring double quotes (`"a,b",c`). */
export function splitIniList(value: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (const char of value) {
    if (char === '"') quoted = !quoted;
    if (char === ',' && !quoted) {
      out.push(current.trim());
      current = '';
    } else current += char;
  }
  out.push(current.trim());
  return out.length === 1 && out[0] === '' ? [] : out;
}
