const GUID = /^\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$/i;

/** An object a user may name by its GUID or its display name: a GPO, a Starter GPO. */
export interface GuidOrNameMatchable {
  /** `{GUID}` (braces optional). */
  id: string;
  displayName: string;
}

/**
 * The objects a request names, as GPMC's search finds them: a GUID (braces optional, any case, surrounding blanks
 * ignored) matches by id; anything else matches display names exactly, ignoring case. Several matches mean the name
 * is ambiguous, none that it is unknown; the caller says so in its own words.
 */
export function matchGuidOrName<T extends GuidOrNameMatchable>(all: readonly T[], request: string): T[] {
  const guid = GUID.exec(request.trim())?.[1]?.toLowerCase();
  if (guid !== undefined) return all.filter((item) => item.id.replace(/[{}]/g, '').toLowerCase() === guid);
  const name = request.toLocaleLowerCase();
  return all.filter((item) => item.displayName.toLocaleLowerCase() === name);
}
