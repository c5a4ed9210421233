import { CofferError, ErrorCode, HRESULT, type CommandOutput, type OperationContext } from '@coffer/core';
import { openDomainSession, type DomainSession } from '../ad/domain-session.js';
import { linkOrderOf, parseGpLink } from '../ad/gplink.js';
import { attributeNumber, attributeText, attributeTexts } from '../ad/ldap-values.js';
import { policiesContainerDn } from '../ad/read-gpos.js';
import { canonicalPathOf } from '../ad/read-links.js';
import { type ContainerLink, type InheritedLink, inheritedLinks, type LinkContainer } from './gpo-inheritance.js';
import type { GpoLinksOptions } from './live-options.js';

/** A container as `coffer gpo links --json` prints it. */
export interface LinkedContainer extends LinkContainer {
  type: 'domain' | 'ou' | 'site';
  links: Array<ContainerLink & { gpoName: string | null }>;
}

export interface GpoInheritance extends LinkedContainer {
  /** Every GPO that applies here, precedence 1 first (Get-GPInheritance's InheritedGpoLinks). */
  inherited: Array<InheritedLink & { gpoName: string | null }>;
}

/**
 * `coffer gpo links`: every container that links a GPO or blocks inheritance (the domain head always), or with
 * `--target` one domain or OU with the GPOs it inherits.
 */
export async function listGpoLinks(options: GpoLinksOptions, context: OperationContext): Promise<CommandOutput> {
  const session = await openDomainSession(options, context);
  try {
    context.progress.phase('reading links', 2, 'Reading links and containers');
    const [containers, names] = await Promise.all([readContainers(session), readGpoNames(session)]);
    context.progress.advance();
    const named = containers.map((container) => withNames(container, names));
    if (options.target === undefined) {
      context.progress.advance();
      const shown = named.filter((c) => c.type === 'domain' || c.links.length > 0 || c.blocksInheritance);
      return {
        data: shown,
        lines: shown.flatMap((container) => describe(container)),
      };
    }
    const target = findContainer(named, options.target, session);
    const chain = ancestry(named, target);
    const inherited = inheritedLinks(chain).map((link) => ({ ...link, gpoName: names.get(link.gpoId) ?? null }));
    context.progress.advance();
    const result: GpoInheritance = { ...target, inherited };
    return {
      data: result,
      lines: [...describe(target), '', 'Inherited GPOs (precedence 1 wins):'],
      table: {
        columns: ['PRECEDENCE', 'GPO', 'GUID', 'ENFORCED', 'LINKED AT'],
        rows: inherited.map((link) => [
          String(link.precedence),
          link.gpoName ?? '(missing GPO)',
          link.gpoId,
          link.enforced ? 'yes' : 'no',
          link.from,
        ]),
      },
    };
  } finally {
    await session.close();
  }
}

async function readContainers(session: DomainSession): Promise<LinkedContainer[]> {
  const attributes = ['gPLink', 'gPOptions', 'objectClass'];
  const [domainSide, siteSide] = await Promise.all([
    session.ldap.search(session.baseDn, {
      scope: 'sub',
      filter: '(|(objectClass=domainDNS)(objectClass=organizationalUnit))',
      attributes,
    }),
    session.ldap.search(`CN=Sites,${session.configurationDn}`, {
      scope: 'one',
      filter: '(objectClass=site)',
      attributes: [...attributes, 'name'],
    }),
  ]);
  const containers = [...domainSide, ...siteSide].map((entry): LinkedContainer => {
    const classes = attributeTexts(entry, 'objectClass').map((c) => c.toLowerCase());
    const type = classes.includes('site') ? 'site' : classes.includes('domaindns') ? 'domain' : 'ou';
    const parsed = parseGpLink(attributeText(entry, 'gPLink'));
    return {
      dn: entry.dn,
      path:
        type === 'site'
          ? `${attributeText(entry, 'name') ?? entry.dn} (site)`
          : canonicalPathOf(entry.dn, session.dnsDomain),
      type,
      blocksInheritance: type !== 'site' && (attributeNumber(entry, 'gPOptions') & 1) === 1,
      links: parsed
        .map((link, index) => ({
          gpoId: link.gpoId,
          order: linkOrderOf(index, parsed.length),
          enabled: link.enabled,
          enforced: link.enforced,
          gpoName: null,
        }))
        .sort((a, b) => a.order - b.order),
    };
  });
  // The domain head first, then OUs as a tree walk would meet them, sites last.
  const rank = { domain: 0, ou: 1, site: 2 } as const;
  return containers.sort((a, b) => rank[a.type] - rank[b.type] || a.path.localeCompare(b.path));
}

/** GPO display names by upper-case `{GUID}`. */
async function readGpoNames(session: DomainSession): Promise<Map<string, string>> {
  const entries = await session.ldap.search(policiesContainerDn(session), {
    scope: 'one',
    filter: '(objectClass=groupPolicyContainer)',
    attributes: ['cn', 'displayName'],
  });
  const names = new Map<string, string>();
  for (const entry of entries) {
    const id = attributeText(entry, 'cn');
    if (id) names.set(id.toUpperCase(), attributeText(entry, 'displayName') ?? id);
  }
  return names;
}

function withNames(container: LinkedContainer, names: Map<string, string>): LinkedContainer {
  return { ...container, links: container.links.map((link) => ({ ...link, gpoName: names.get(link.gpoId) ?? null })) };
}

function describe(container: LinkedContainer): string[] {
  const head = `${container.path}  (${container.type}${container.blocksInheritance ? ', blocks inheritance' : ''})`;
  if (container.links.length === 0) return [head, '  no GPO linked'];
  return [
    head,
    ...container.links.map(
      (link) =>
        `  ${link.order}. ${link.gpoName ?? '(missing GPO)'} ${link.gpoId}${link.enforced ? '  enforced' : ''}${link.enabled ? '' : '  link disabled'}`,
    ),
  ];
}

/** A domain or OU by DN (any case) or canonical path (`corp.example/Sales/Laptops`); sites have no inheritance. */
function findContainer(all: readonly LinkedContainer[], request: string, session: DomainSession): LinkedContainer {
  const wanted = request.trim().replace(/\/+$/, '').toLowerCase();
  const found = all.find(
    (c) => c.type !== 'site' && (c.dn.toLowerCase() === wanted || c.path.toLowerCase() === wanted),
  );
  if (found) return found;
  throw new CofferError(ErrorCode.NotFound, `No domain or OU '${request}' in ${session.dnsDomain}.`, {
    hresult: HRESULT.ERROR_NOT_FOUND,
    object: request,
    hint: `Give a DN (OU=Sales,${session.baseDn}) or a path (${session.dnsDomain}/Sales); coffer gpo links lists the containers that hold links.`,
  });
}

/** The domain head down to `target`, through every OU between them. */
function ancestry(all: readonly LinkedContainer[], target: LinkedContainer): LinkedContainer[] {
  const byDn = new Map(all.map((c) => [c.dn.toLowerCase(), c]));
  const chain: LinkedContainer[] = [];
  let dn: string | undefined = target.dn;
  while (dn !== undefined) {
    const container = byDn.get(dn.toLowerCase());
    if (container) chain.unshift(container);
    if (container?.type === 'domain') break;
    const comma: number = dn.search(/(?<!\\),/);
    dn = comma === -1 ? undefined : dn.slice(comma + 1);
  }
  return chain;
}
