import { matchGuidOrName } from '@coffer/active-directory';
import { CofferError, ErrorCode, HRESULT } from '@coffer/core';

export interface SelectableStarterGpo {
  /** `{GUID}` as stored. */
  id: string;
  displayName: string;
}

function bare(id: string): string {
  return id.replace(/[{}]/g, '').toLowerCase();
}

/**
 * Picks Starter GPOs by GUID (braces optional, any case) or display name (exact, case-insensitive, as GPMC's
 * name search). Unknown → NOT_FOUND; a name several Starter GPOs share → AMBIGUOUS: backing up "the wrong one
 * of two" is worse than none. Each one is chosen once, in the order first asked for.
 */
export function selectStarterGpos<T extends SelectableStarterGpo>(all: readonly T[], requested: readonly string[], domain: string): T[] {
  const chosen = new Map<string, T>();
  for (const request of requested) {
    const wanted = request.trim();
    const matches = matchGuidOrName(all, wanted);
    if (matches.length === 0) {
      const known = all.length === 0 ? 'it has none' : `it has: ${all.map((gpo) => JSON.stringify(gpo.displayName)).join(', ')}`;
      throw new CofferError(ErrorCode.NotFound, `No Starter GPO named or with the GUID ${JSON.stringify(wanted)} exists in ${domain} (${known}).`, {
        hresult: HRESULT.ERROR_NOT_FOUND,
        object: wanted,
        hint: 'Check the name (Get-GPStarterGPO -All lists them) or pass the GUID of the Starter GPO.',
      });
    }
    if (matches.length > 1) {
      throw new CofferError(
        ErrorCode.Ambiguous,
        `${matches.length} Starter GPOs in ${domain} are named ${JSON.stringify(wanted)}: ${matches.map((m) => m.id).join(', ')}.`,
        { hresult: HRESULT.E_INVALIDARG, object: wanted, hint: 'Pass the GUID of the one you mean.' },
      );
    }
    const match = matches[0]!;
    if (!chosen.has(bare(match.id))) chosen.set(bare(match.id), match);
  }
  return [...chosen.values()];
}
