import type { SecurityDescriptor } from './model.js';
import { normalizeSid } from './sid.js';
import { isDomainSid } from './well-known-sids.js';

/** Trustee SIDs of the DACL's ACEs, in ACE order, each once (canonical spelling). */
export function sidsInDacl(sd: SecurityDescriptor): string[] {
  const seen = new Set<string>();
  for (const ace of sd.dacl?.aces ?? []) {
    if (ace.kind === 'unknown') continue;
    seen.add(normalizeSid(ace.sid));
  }
  return [...seen];
}

/**
 * The DACL's domain principals (S-1-5-21-...-RID), in ACE order, each once: the candidates for
 * GPMC's `<Group bkp:Source="FromDACL">` entries. The corpus lists them in a different order
 * (Enterprise Admins before Domain Admins, though DA comes first in the DACL), so the writer
 * decides the order; this returns ACE order.
 */
export function domainSidsInDacl(sd: SecurityDescriptor): string[] {
  return sidsInDacl(sd).filter(isDomainSid);
}
