import { encodeSid, escapeFilterBytes, parseSid, wellKnownSidName } from '@coffer/active-directory';
import type { ResolvedAccount } from '@coffer/gpmc';
import type { DomainSession } from './domain-session.js';
import { attributeBytes, attributeNumber, attributeText, attributeTexts } from './ldap-values.js';

const GROUP_TYPE_GLOBAL = 0x2;
const GROUP_TYPE_DOMAIN_LOCAL = 0x4;
const GROUP_TYPE_UNIVERSAL = 0x8;
const BATCH = 50;

/** Looks domain SIDs up in AD, many per search; SIDs nobody owns any more are simply absent. */
export async function resolveDomainSids(
  session: DomainSession,
  sids: Iterable<string>,
): Promise<Map<string, ResolvedAccount>> {
  const wanted = [...new Set(sids)];
  const resolved = new Map<string, ResolvedAccount>();
  for (let i = 0; i < wanted.length; i += BATCH) {
    const batch = wanted.slice(i, i + BATCH);
    const filter = `(|${batch.map((sid) => `(objectSid=${escapeFilterBytes(encodeSid(sid))})`).join('')})`;
    const entries = await session.ldap.search(session.baseDn, {
      scope: 'sub',
      filter,
      attributes: ['objectSid', 'sAMAccountName', 'objectClass', 'groupType', 'userPrincipalName'],
    });
    for (const entry of entries) {
      const bytes = attributeBytes(entry, 'objectSid');
      if (!bytes) continue;
      const classes = attributeTexts(entry, 'objectClass').map((c) => c.toLowerCase());
      const groupType = attributeNumber(entry, 'groupType');
      const type: ResolvedAccount['type'] = classes.includes('computer')
        ? 'Computer'
        : classes.includes('user')
          ? 'User'
          : classes.includes('group')
            ? groupType & GROUP_TYPE_UNIVERSAL
              ? 'UniversalGroup'
              : groupType & GROUP_TYPE_DOMAIN_LOCAL
                ? 'LocalGroup'
                : groupType & GROUP_TYPE_GLOBAL
                  ? 'GlobalGroup'
                  : 'Unknown'
            : 'Unknown';
      const upn = attributeText(entry, 'userPrincipalName');
      resolved.set(parseSid(bytes), {
        samAccountName: attributeText(entry, 'sAMAccountName') ?? '',
        type,
        netbiosDomainName: session.netbiosDomain,
        dnsDomainName: session.dnsDomain,
        ...(upn && type !== 'UniversalGroup' && type !== 'GlobalGroup' && type !== 'LocalGroup' ? { upn } : {}),
      });
    }
  }
  return resolved;
}

/** `DOMAIN\name` for a domain account, the well-known name for built-ins, else the SID itself. */
export function displayNameOfSid(sid: string, accounts: Map<string, ResolvedAccount>): string {
  const account = accounts.get(sid);
  if (account) return `${account.netbiosDomainName}\\${account.samAccountName}`;
  return wellKnownSidName(sid) ?? sid;
}
