import { matchGuidOrName } from '@coffer/active-directory';
import { CofferError, ErrorCode, HRESULT } from '@coffer/core';

export interface SelectableGpo {
  /** `{GUID}` as stored. */
  id: string;
  displayName: string;
}

/**
 * Picks GPOs by GUID (with or without braces, any case) or display name (exact, case-insensitive,
 * as GPMC's name search). An unknown name or one shared by several GPOs is an error naming it:
 * a backup of "the wrong one of two" is worse than none.
 */
export function selectGpos<T extends SelectableGpo>(all: readonly T[], requested: readonly string[]): T[] {
  const chosen = new Map<string, T>();
  for (const request of requested) {
    const matches = matchGuidOrName(all, request);
    if (matches.length === 0) {
      throw new CofferError(ErrorCode.NotFound, `No GPO named or with the GUID ${JSON.stringify(request)} exists in the domain.`, {
        hresult: HRESULT.ERROR_NOT_FOUND,
        object: request,
        hint: "Check the name (list the domain's GPOs with Get-GPO -All or samba-tool gpo listall) or pass the GUID.",
      });
    }
    if (matches.length > 1) {
      throw new CofferError(
        ErrorCode.Ambiguous,
        `${matches.length} GPOs are named ${JSON.stringify(request)}: ${matches.map((m) => m.id).join(', ')}.`,
        { hresult: HRESULT.E_INVALIDARG, object: request, hint: 'Pass the GUID of the one you mean.' },
      );
    }
    chosen.set(matches[0]!.id.toUpperCase(), matches[0]!);
  }
  return [...chosen.values()];
}
