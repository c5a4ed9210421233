/**
 * Store and backup files are lines of tab-separated fields; a field never holds a raw
 * tab, newline or carriage return, nor a lone backslash.
 */
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
const UNESCAPES: Record<string, string> = { '\\': '\\', t: '\t', n: '\n', r: '\r' };

export function escapeField(value: string): string {
  return /[\\\t\n\r]/.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c]!) : value;
}

export function unescapeField(value: string): string {
  if (!value.includes('\\')) return value;
  return value.replace(/\\(.)/g, (_, c: string) => {
    const plain = UNESCAPES[c];
    if (plain === undefined) throw new Error(`bad escape \\${c}`);
    return plain;
  });
}
