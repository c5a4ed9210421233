/** One LDIF record to add (`attributes`) or modify (`changes`). */
export type LdifRecord =
  | { dn: string; attributes: Array<[string, string]> }
  | { dn: string; changes: Array<{ operation: 'add' | 'replace' | 'delete'; attribute: string; values: string[] }> };

/** RFC 2849 SAFE-STRING: anything else (Unicode, leading space or colon, `<`, trailing space) goes base64. */
function isSafe(value: string): boolean {
  if (value === '') return true;
  if (/^[ :<]/.test(value) || / $/.test(value)) return false;
  return /^[\x01-\x09\x0b\x0c\x0e-\x7f]*$/.test(value);
}

function line(attribute: string, value: string): string {
  return isSafe(value) ? `${attribute}: ${value}` : `${attribute}:: ${Buffer.from(value, 'utf8').toString('base64')}`;
}

export function renderLdif(records: readonly LdifRecord[]): string {
  const blocks = records.map((record) => {
    const out = [line('dn', record.dn)];
    if ('attributes' in record) {
      for (const [attribute, value] of record.attributes) out.push(line(attribute, value));
    } else {
      out.push('changetype: modify');
      record.changes.forEach((change, index) => {
        if (index > 0) out.push('-');
        out.push(`${change.operation}: ${change.attribute}`);
        for (const value of change.values) out.push(line(change.attribute, value));
      });
    }
    return out.join('\n');
  });
  return `${blocks.join('\n\n')}\n`;
}

/** Parses `ldbsearch` output: unfolds continuation lines, decodes `::` base64 values. */
export function parseLdif(text: string): Array<{ dn: string; attributes: Map<string, string[]> }> {
  const unfolded = text.replace(/\r?\n /g, '');
  const records: Array<{ dn: string; attributes: Map<string, string[]> }> = [];
  for (const block of unfolded.split(/\n\s*\n/)) {
    let dn: string | null = null;
    const attributes = new Map<string, string[]>();
    for (const raw of block.split('\n')) {
      if (raw.startsWith('#') || raw.trim() === '') continue;
      const match = /^([^:]+)(::?)\s?(.*)$/.exec(raw);
      if (!match) continue;
      const [, name = '', colons, rest = ''] = match;
      const value = colons === '::' ? Buffer.from(rest, 'base64').toString('utf8') : rest;
      if (name.toLowerCase() === 'dn') dn = value;
      else {
        const key = name.toLowerCase();
        attributes.set(key, [...(attributes.get(key) ?? []), value]);
      }
    }
    if (dn !== null) records.push({ dn, attributes });
  }
  return records;
}
