/** RFC 4515 escaping of a value inside a search filter. */
export function escapeFilterValue(value: string): string {
  return value.replace(/[\\*()\0]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** RFC 4515 escaping of binary bytes (e.g. an objectSid) for an equality filter. */
export function escapeFilterBytes(bytes: Uint8Array): string {
  return [...bytes].map((b) => `\\${b.toString(16).padStart(2, '0')}`).join('');
}

/** The DNS name a domain naming context stands for: `DC=corp,DC=example` → `corp.example` (lower case). */
export function dnsNameFromDn(dn: string): string {
  return dn
    .split(',')
    .map((rdn) => rdn.trim())
    .filter((rdn) => /^dc=/i.test(rdn))
    .map((rdn) => rdn.slice(3))
    .join('.')
    .toLowerCase();
}
