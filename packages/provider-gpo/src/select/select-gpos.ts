import { selectByGuidOrName, type GuidOrNameMatchable } from '@coffer/active-directory';

export type SelectableGpo = GuidOrNameMatchable;

/** GPOs by GUID or display name (active-directory's selector, in GPO words); NOT_FOUND / AMBIGUOUS name the request. */
export function selectGpos<T extends SelectableGpo>(all: readonly T[], requested: readonly string[]): T[] {
  return selectByGuidOrName(all, requested, {
    noun: 'GPO',
    scope: 'the domain',
    hint: "Check the name (list the domain's GPOs with Get-GPO -All or samba-tool gpo listall) or pass the GUID.",
  });
}
