import { invalidSddl } from './errors.js';
import { normalizeSid } from './sid.js';
import {
  domainSidOf,
  lookupWellKnownDomainRid,
  lookupWellKnownSid,
  WELL_KNOWN_DOMAIN_RIDS,
  WELL_KNOWN_SIDS,
} from './well-known-sids.js';

/**
 * What Windows needs to know to print or read domain aliases: the machine's domain (DA, DU, ...)
 * and the forest root domain (EA, SA, RO, EK). The corpus shows both cases: a report printing
 * `EA` (root domain known) and one printing the -519 SID in full next to `DA`.
 */
export interface SddlContext {
  domainSid?: string;
  rootDomainSid?: string;
}

const CONSTANT_ALIASES = new Map<string, string>();
for (const entry of WELL_KNOWN_SIDS) if (entry.sddlAlias) CONSTANT_ALIASES.set(entry.sddlAlias, entry.sid);
const DOMAIN_ALIASES = new Map(WELL_KNOWN_DOMAIN_RIDS.filter((e) => e.sddlAlias).map((e) => [e.sddlAlias!, e]));

/** All two-letter SID aliases this module reads and prints. */
export const SDDL_SID_ALIASES: readonly string[] = [...CONSTANT_ALIASES.keys(), ...DOMAIN_ALIASES.keys()].sort();

function sameSid(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && normalizeSid(a) === normalizeSid(b);
}

/** The alias Windows prints for a SID, or the SID itself. */
export function formatSddlSid(sid: string, context: SddlContext = {}): string {
  const canonical = normalizeSid(sid);
  const constant = lookupWellKnownSid(canonical)?.sddlAlias;
  if (constant) return constant;
  const domainRid = lookupWellKnownDomainRid(canonical);
  if (domainRid?.sddlAlias) {
    const domain = domainSidOf(canonical);
    const expected = domainRid.scope === 'forestRoot' ? context.rootDomainSid : context.domainSid;
    if (sameSid(domain, expected)) return domainRid.sddlAlias;
  }
  return canonical;
}

/** A SID alias or SID string to the canonical SID; domain aliases need the matching context SID. */
export function parseSddlSid(text: string, context: SddlContext = {}, object = text): string {
  const constant = CONSTANT_ALIASES.get(text);
  if (constant) return constant;
  const domainRid = DOMAIN_ALIASES.get(text);
  if (domainRid) {
    const base = domainRid.scope === 'forestRoot' ? context.rootDomainSid : context.domainSid;
    if (base === undefined) {
      const needed = domainRid.scope === 'forestRoot' ? 'rootDomainSid' : 'domainSid';
      throw invalidSddl(`The alias ${text} (${domainRid.name}) needs the ${needed} option to be resolved.`, object);
    }
    return `${normalizeSid(base)}-${domainRid.rid}`;
  }
  if (/^S-/i.test(text)) {
    try {
      return normalizeSid(text);
    } catch {
      throw invalidSddl(`"${text}" is not a valid SID.`, object);
    }
  }
  throw invalidSddl(`"${text}" is neither a SID nor a known SDDL alias.`, object);
}
