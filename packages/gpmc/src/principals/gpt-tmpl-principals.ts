import { orderLikeGpmc } from './gpmc-order.js';
import { decodeIniText, parseIniSections } from '../settings/ini.js';

/** Decodes GptTmpl.inf: UTF-16LE with BOM as SecEdit writes it, else UTF-8. */
export function decodeInfText(bytes: Uint8Array): string {
  return decodeIniText(bytes);
}

/** A principal as a security template names it: `*S-1-5-32-544` (a SID) or a bare account name. */
export interface TemplatePrincipal {
  sid: string | null;
  name: string | null;
}

export function toPrincipal(token: string): TemplatePrincipal | null {
  const value = token.trim().replace(/^"(.*)"$/, '$1');
  if (value === '') return null;
  return value.startsWith('*') ? { sid: value.slice(1).toUpperCase(), name: null } : { sid: null, name: value };
}

/**
 * Every principal GptTmpl.inf refers to, in file order: the accounts of `[Privilege Rights]` and the
 * groups and members of `[Group Membership]` (restricted groups).
 */
export function templatePrincipalReferences(infText: string): TemplatePrincipal[] {
  const out: TemplatePrincipal[] = [];
  for (const section of parseIniSections(infText)) {
    const name = section.name.toLowerCase();
    if (name !== 'privilege rights' && name !== 'group membership') continue;
    for (const entry of section.entries) {
      if (entry.key === null) continue;
      if (name === 'group membership') {
        const group = toPrincipal(entry.key.replace(/__(members|memberof)$/i, ''));
        if (group !== null) out.push(group);
      }
      for (const value of entry.value.split(',')) {
        const principal = toPrincipal(value);
        if (principal !== null) out.push(principal);
      }
    }
  }
  return out;
}

/**
 * The settings principals of a GptTmpl.inf in the order GPMC writes them in `<SecurityGroups>`.
 * Proven for `[Privilege Rights]` by the corpus; `[Group Membership]` follows the same rule (unverified).
 */
export function templatePrincipalsInGpmcOrder(infText: string): TemplatePrincipal[] {
  const references = templatePrincipalReferences(infText);
  const keyOf = (principal: TemplatePrincipal): string =>
    principal.sid !== null ? `*${principal.sid}` : principal.name!;
  const byKey = new Map(references.map((principal) => [keyOf(principal).toUpperCase(), principal]));
  return orderLikeGpmc(references.map(keyOf)).map((key) => byKey.get(key.toUpperCase())!);
}
