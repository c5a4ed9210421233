import {
  encodeSid,
  escapeFilterBytes,
  escapeFilterValue,
  isDomainSid,
  normalizeSid,
  parseSid,
  WELL_KNOWN_SIDS,
  wellKnownSidName,
} from '@coffer/active-directory';
import type { SecurityPrincipal } from '@coffer/gpmc';
import type { DomainSession } from '../ad/domain-session.js';
import { attributeBytes, attributeText, attributeTexts } from '../ad/ldap-values.js';
import type { TargetPrincipal } from './apply-migration.js';
import { invalidTable, type MigrationMapping } from './migration-table.js';

interface FoundAccount extends TargetPrincipal {
  objectClass: 'user' | 'computer' | 'group' | 'well-known';
}

/**
 * Finds, in the target domain, the account every principal mapping points to (`<Destination>` or, for
 * `<DestinationByRelativeName/>`, the source's account name). Mappings whose destination cannot be found,
 * names another domain, or is of another kind than the mapping's type are all reported in one error,
 * before anything is changed.
 */
export async function resolveMappingTargets(
  session: DomainSession,
  mappings: readonly MigrationMapping[],
  sourcePrincipals: readonly SecurityPrincipal[],
  where: string,
): Promise<Map<number, TargetPrincipal>> {
  const targets = new Map<number, TargetPrincipal>();
  const problems: string[] = [];
  for (const mapping of mappings) {
    if (mapping.type === 'UNCPath') continue;
    const source = sourcePrincipals.find(
      (p) => p.sid?.toLowerCase() === mapping.source.toLowerCase() || namesOf(p).includes(mapping.source.toLowerCase()),
    );
    if (source?.type && source.type !== 'Unknown' && mapping.type !== 'Unknown' && source.type !== mapping.type) {
      problems.push(
        `mapping #${mapping.index} says ${mapping.source} is a ${mapping.type}, but the backup records it as a ${source.type}`,
      );
      continue;
    }
    let wanted: string;
    if (mapping.destination.kind === 'set') wanted = mapping.destination.value;
    else if (mapping.destination.kind === 'by-relative-name')
      wanted = source?.samAccountName ?? relativeName(mapping.source);
    else continue;
    const found = await findAccount(session, wanted).catch((error: Error) => {
      problems.push(`mapping #${mapping.index} (${mapping.source}): ${error.message}`);
      return null;
    });
    if (found === null) continue;
    if (found === undefined) {
      problems.push(`mapping #${mapping.index} (${mapping.source}): ${wanted} does not exist in ${session.dnsDomain}`);
      continue;
    }
    const expected =
      mapping.type === 'User'
        ? 'user'
        : mapping.type === 'Computer'
          ? 'computer'
          : mapping.type.endsWith('Group')
            ? 'group'
            : null;
    if (expected && found.objectClass !== 'well-known' && found.objectClass !== expected) {
      problems.push(
        `mapping #${mapping.index} (${mapping.source}) is of type ${mapping.type}, but its destination ${wanted} is a ${found.objectClass}`,
      );
      continue;
    }
    targets.set(mapping.index, { sid: found.sid, name: found.name });
  }
  if (problems.length > 0) throw invalidTable(where, problems);
  return targets;
}

function namesOf(p: SecurityPrincipal): string[] {
  if (!p.samAccountName) return [];
  return [
    p.samAccountName,
    p.netbiosDomainName ? `${p.netbiosDomainName}\\${p.samAccountName}` : '',
    p.dnsDomainName ? `${p.dnsDomainName}\\${p.samAccountName}` : '',
    p.upn ?? '',
  ]
    .filter(Boolean)
    .map((n) => n.toLowerCase());
}

/** `SRC\name`, `name@src.example` or `name` → `name`. */
export function relativeName(source: string): string {
  const slash = source.lastIndexOf('\\');
  if (slash >= 0) return source.slice(slash + 1);
  const at = source.indexOf('@');
  return at > 0 ? source.slice(0, at) : source;
}

/** An account of the target domain (or a well-known one) by SID, DOMAIN\name, UPN or name; undefined when there is none. */
async function findAccount(session: DomainSession, text: string): Promise<FoundAccount | undefined> {
  const value = text.trim();
  if (/^S-1-/i.test(value)) {
    const sid = normalizeSid(value);
    if (!isDomainSid(sid)) {
      const name = wellKnownSidName(sid);
      return name === undefined ? undefined : { sid, name, objectClass: 'well-known' };
    }
    if (!sid.startsWith(`${session.domainSid}-`))
      throw new Error(`${sid} belongs to another domain than ${session.dnsDomain}`);
    return search(session, `(objectSid=${escapeFilterBytes(encodeSid(sid))})`);
  }
  const slash = value.indexOf('\\');
  if (slash >= 0) {
    const domain = value.slice(0, slash).toLowerCase();
    const name = value.slice(slash + 1);
    if (domain === 'builtin' || domain === 'nt authority') return wellKnown(name);
    if (domain !== session.netbiosDomain.toLowerCase() && domain !== session.dnsDomain.toLowerCase()) {
      throw new Error(
        `${value} is in domain ${value.slice(0, slash)}; destinations must be in ${session.dnsDomain} (${session.netbiosDomain})`,
      );
    }
    return search(session, `(sAMAccountName=${escapeFilterValue(name)})`);
  }
  const at = value.indexOf('@');
  if (at > 0) {
    return search(
      session,
      `(|(userPrincipalName=${escapeFilterValue(value)})(sAMAccountName=${escapeFilterValue(value.slice(0, at))}))`,
    );
  }
  return wellKnown(value) ?? search(session, `(sAMAccountName=${escapeFilterValue(value)})`);
}

function wellKnown(name: string): FoundAccount | undefined {
  const entry = WELL_KNOWN_SIDS.find((w) => w.name.toLowerCase() === name.toLowerCase());
  return entry ? { sid: entry.sid, name: entry.name, objectClass: 'well-known' } : undefined;
}

async function search(session: DomainSession, filter: string): Promise<FoundAccount | undefined> {
  const entries = await session.ldap.search(session.baseDn, {
    scope: 'sub',
    filter: `(&(objectSid=*)${filter})`,
    attributes: ['objectSid', 'sAMAccountName', 'objectClass'],
  });
  if (entries.length > 1) throw new Error(`${entries.length} accounts match ${filter}`);
  const [entry] = entries;
  if (!entry) return undefined;
  const bytes = attributeBytes(entry, 'objectSid');
  if (!bytes) return undefined;
  const classes = attributeTexts(entry, 'objectClass').map((c) => c.toLowerCase());
  const objectClass = classes.includes('computer') ? 'computer' : classes.includes('group') ? 'group' : 'user';
  return {
    sid: parseSid(bytes),
    name: `${session.netbiosDomain}\\${attributeText(entry, 'sAMAccountName') ?? ''}`,
    objectClass,
  };
}
