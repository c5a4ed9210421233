import { selectByGuidOrName, type GuidOrNameMatchable } from '@coffer/active-directory';

export type SelectableGpo = GuidOrNameMatchable;

/** GPOs by GUID or display name (active-directory's selector, in GPO words); NOT_FOUND / AMBIGUOUS name the request. */
export function selectGpos<T extends SelectableGpo>(all: readonly T[], requested: readonly string[]): T[] {
  return selectByGuidOrName(all, requested, {
    noun: 'GPO',
    scope: 'the domain',
    hint: "Check the name (coffer gpo list shows the domain's GPOs) or pass the GUID.",
  });
}
