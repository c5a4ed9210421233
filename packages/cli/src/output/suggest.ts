import { distance } from 'fastest-levenshtein';

/**
 * The candidate nearest to what was typed, if near enough to be a likely typo (or one it begins): the same rule
 * commander applies to mistyped commands and flags, for the names commander does not know (provider ids, aliases).
 */
export function closest(typed: string, candidates: readonly string[]): string | undefined {
  const lower = typed.toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const d = distance(lower, candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  const limit = Math.max(2, Math.floor(typed.length / 3));
  return best !== undefined && (bestDistance <= limit || best.startsWith(typed)) ? best : undefined;
}
