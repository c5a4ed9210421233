import { CofferError, ErrorCode, HRESULT } from '@coffer/core';
import { matchGuidOrName, type GuidOrNameMatchable } from './match-guid-or-name.js';

export interface SelectByGuidOrNameOptions {
  /** What the objects are, in messages: `GPO`, `Starter GPO`. */
  noun: string;
  /** Where they were looked for, in messages: `the domain`, `corp.example`. */
  scope: string;
  /** How to find the right name or GUID (NOT_FOUND's hint). */
  hint: string;
  /** Name the objects that do exist in NOT_FOUND's message (fine for a handful, as Starter GPOs are). */
  listKnown?: boolean;
}

/**
 * Picks objects by GUID (braces optional, any case) or display name (exact, case-insensitive, as GPMC's name
 * search), each chosen once in the order first asked for. Unknown → NOT_FOUND; a name several objects share →
 * AMBIGUOUS: acting on "the wrong one of two" is worse than not acting. The one selector of both Group Policy
 * providers.
 */
export function selectByGuidOrName<T extends GuidOrNameMatchable>(
  all: readonly T[],
  requested: readonly string[],
  options: SelectByGuidOrNameOptions,
): T[] {
  const chosen = new Map<string, T>();
  for (const request of requested) {
    const wanted = request.trim();
    const matches = matchGuidOrName(all, wanted);
    if (matches.length === 0) {
      const known = !options.listKnown
        ? ''
        : all.length === 0
          ? ' (it has none)'
          : ` (it has: ${all.map((item) => JSON.stringify(item.displayName)).join(', ')})`;
      throw new CofferError(
        ErrorCode.NotFound,
        `No ${options.noun} named or with the GUID ${JSON.stringify(wanted)} exists in ${options.scope}${known}.`,
        {
          hresult: HRESULT.ERROR_NOT_FOUND,
          object: wanted,
          hint: options.hint,
        },
      );
    }
    if (matches.length > 1) {
      throw new CofferError(
        ErrorCode.Ambiguous,
        `${matches.length} ${options.noun}s in ${options.scope} are named ${JSON.stringify(wanted)}: ${matches.map((m) => m.id).join(', ')}.`,
        { hresult: HRESULT.E_INVALIDARG, object: wanted, hint: 'Pass the GUID of the one you mean.' },
      );
    }
    const key = matches[0]!.id.replace(/[{}]/g, '').toLowerCase();
    if (!chosen.has(key)) chosen.set(key, matches[0]!);
  }
  return [...chosen.values()];
}
