import { selectByGuidOrName, type GuidOrNameMatchable } from '@coffer/active-directory';

export type SelectableStarterGpo = GuidOrNameMatchable;

/** Starter GPOs by GUID or display name (active-directory's selector, in Starter GPO words); NOT_FOUND lists the ones that exist. */
export function selectStarterGpos<T extends SelectableStarterGpo>(
  all: readonly T[],
  requested: readonly string[],
  domain: string,
): T[] {
  return selectByGuidOrName(all, requested, {
    noun: 'Starter GPO',
    scope: domain,
    hint: 'Check the name (Get-GPStarterGPO -All lists them) or pass the GUID of the Starter GPO.',
    listKnown: true,
  });
}
