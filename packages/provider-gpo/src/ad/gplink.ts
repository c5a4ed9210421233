/**
 * `gPLink` on a domain head, OU or site: `[LDAP://<GPO DN>;<options>]...` where options bit 1
 * disables the link and bit 2 enforces it. DN case varies between tools, so GPO ids are
 * compared case-insensitively.
 */
export interface GpLinkEntry {
  /** The GPO's DN as written in the link. */
  gpoDn: string;
  /** `{GUID}` taken from the DN's first RDN, upper-cased for comparison. */
  gpoId: string;
  options: number;
  enabled: boolean;
  enforced: boolean;
}

export const LINK_DISABLED = 1;
export const LINK_ENFORCED = 2;

const LINK_PATTERN = /\[LDAP:\/\/([^;\]]+);(\d+)\]/gi;

export function parseGpLink(value: string | undefined | null): GpLinkEntry[] {
  if (!value) return [];
  const out: GpLinkEntry[] = [];
  for (const match of value.matchAll(LINK_PATTERN)) {
    const gpoDn = match[1]!;
    const options = Number(match[2]);
    const id = /^cn=(\{[0-9a-f-]{36}\})/i.exec(gpoDn)?.[1];
    if (!id) continue; // a link to something that is not a GPO container: not ours to interpret
    out.push({
      gpoDn,
      gpoId: id.toUpperCase(),
      options,
      enabled: (options & LINK_DISABLED) === 0,
      enforced: (options & LINK_ENFORCED) !== 0,
    });
  }
  return out;
}

export function formatGpLink(entries: readonly Pick<GpLinkEntry, 'gpoDn' | 'options'>[]): string {
  return entries.map((e) => `[LDAP://${e.gpoDn};${e.options}]`).join('');
}

/**
 * GPMC's link order (1 = highest precedence) of the entry at `index` among `count` links.
 * Samba's setlink puts a new link first in the string and GPMC shows the newest link last,
 * so order 1 is the last entry. Unverified against Windows: change it here if a sample disagrees.
 */
export function linkOrderOf(index: number, count: number): number {
  return count - index;
}
