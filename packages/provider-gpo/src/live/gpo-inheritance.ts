/**
 * Which GPOs a domain or OU receives and in what precedence, as GPMC's "Group Policy Inheritance" tab and
 * Get-GPInheritance show it. Windows processes domain, then each OU down to the target, the link with order 1 last
 * (so it wins); an OU that blocks inheritance stops the links above it, except enforced ones; enforced links beat
 * everything, and the highest container's enforced link beats a lower one's. Disabled links apply nowhere.
 */

/** One link as stored on a container (`order` 1 = the container's highest precedence). */
export interface ContainerLink {
  gpoId: string;
  order: number;
  enabled: boolean;
  enforced: boolean;
}

/** A domain head or OU with its links and whether it blocks inheritance (`gPOptions` bit 0). */
export interface LinkContainer {
  dn: string;
  path: string;
  blocksInheritance: boolean;
  links: ContainerLink[];
}

export interface InheritedLink extends ContainerLink {
  /** 1 = applied last, wins every conflict. */
  precedence: number;
  /** The container that holds the link. */
  from: string;
}

/** `chain` runs from the domain head down to the target (the target last). */
export function inheritedLinks(chain: readonly LinkContainer[]): InheritedLink[] {
  const byOrder = (container: LinkContainer) =>
    [...container.links].filter((link) => link.enabled).sort((a, b) => a.order - b.order);
  const enforced: Array<[ContainerLink, LinkContainer]> = [];
  for (const container of chain)
    for (const link of byOrder(container)) if (link.enforced) enforced.push([link, container]);
  const inherited: Array<[ContainerLink, LinkContainer]> = [];
  for (let i = chain.length - 1; i >= 0; i--) {
    const container = chain[i]!;
    for (const link of byOrder(container)) if (!link.enforced) inherited.push([link, container]);
    if (container.blocksInheritance) break;
  }
  return [...enforced, ...inherited].map(([link, container], index) => ({
    ...link,
    precedence: index + 1,
    from: container.path,
  }));
}
