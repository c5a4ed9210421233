import { LINK_DISABLED, LINK_ENFORCED, type GpLinkEntry } from '../ad/gplink.js';

/** A link to put back: which GPO, with what options, and where it stood in the container's gPLink when backed up. */
export interface LinkToRestore {
  gpoId: string;
  gpoDn: string;
  enabled: boolean;
  enforced: boolean;
  /** 0-based position in the gPLink string at backup time (from GPMC's order: linksOnContainer - order). */
  recordedIndex: number;
}

export function linkOptions(enabled: boolean, enforced: boolean, previous = 0): number {
  // Keep option bits other than disabled/enforced as they were (none are defined today).
  return (previous & ~(LINK_DISABLED | LINK_ENFORCED)) | (enabled ? 0 : LINK_DISABLED) | (enforced ? LINK_ENFORCED : 0);
}

/**
 * The container's links with `link` put back. An existing link to the GPO keeps its place and gets the
 * recorded options. A missing one goes right after the last link whose recorded position (known when its
 * GPO is restored in the same run) comes before it, or, with nothing to go by, at its recorded position,
 * so that restoring all links of a container, in any order, rebuilds the original order.
 */
export function placeGpoLink(
  current: readonly Pick<GpLinkEntry, 'gpoDn' | 'gpoId' | 'options'>[],
  link: LinkToRestore,
  recordedIndexOf: (gpoId: string) => number | undefined,
): Array<Pick<GpLinkEntry, 'gpoDn' | 'gpoId' | 'options'>> {
  const wanted = link.gpoId.toUpperCase();
  const existing = current.findIndex((entry) => entry.gpoId.toUpperCase() === wanted);
  if (existing >= 0) {
    return current.map((entry, index) =>
      index === existing ? { ...entry, options: linkOptions(link.enabled, link.enforced, entry.options) } : entry,
    );
  }
  const entry = { gpoDn: link.gpoDn, gpoId: wanted, options: linkOptions(link.enabled, link.enforced) };
  let position = -1;
  let anyKnown = false;
  current.forEach((other, index) => {
    const known = recordedIndexOf(other.gpoId.toUpperCase());
    if (known === undefined) return;
    anyKnown = true;
    if (known < link.recordedIndex) position = index + 1;
  });
  if (!anyKnown) position = Math.min(Math.max(link.recordedIndex, 0), current.length);
  else if (position < 0) {
    // Every known link comes after this one: go before the first of them.
    position = current.findIndex((other) => recordedIndexOf(other.gpoId.toUpperCase()) !== undefined);
  }
  return [...current.slice(0, position), entry, ...current.slice(position)];
}
