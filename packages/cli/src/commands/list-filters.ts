import { invalidArgument, type BackupListing, type CofferError } from '@coffer/core';
import type { AvailableProvider, ProviderRegistry } from '../providers/provider-registry.js';
import { closest } from '../output/suggest.js';

/** What `coffer list` keeps of the backups it found: every given filter must match. */
export interface ListFilters {
  /** Only these providers' backups (`--type`, by id or alias). */
  providers?: readonly AvailableProvider[];
  /** `--name`: any of these patterns or GUIDs. */
  names?: readonly NameMatcher[];
  /** `--since`: created at or after (ms since the epoch). */
  since?: number;
  /** `--until`: created at or before (ms since the epoch). */
  until?: number;
}

export type NameMatcher = (backup: BackupListing) => boolean;

export interface ListFilterFlags {
  type?: string[];
  name?: string[];
  since?: string;
  until?: string;
}

const GUID = /^\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$/i;
const RELATIVE = /^(\d+)\s*(m|min|h|d|w)$/i;
const UNIT_MS: Record<string, number> = { m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
/** An ISO 8601 date (`2026-12-01`), or a date and time with an optional zone (`2026-12-01T08:30`, `…:00Z`, `…+02:00`). */
const ISO = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

/** Reads `--type`, `--name`, `--since` and `--until`; a value that means nothing is a usage error (E_INVALIDARG, exit 2). */
export function parseListFilters(flags: ListFilterFlags, registry: ProviderRegistry, now = Date.now()): ListFilters {
  const filters: ListFilters = {};
  if (flags.type && flags.type.length > 0) filters.providers = flags.type.map((name) => providerNamed(name, registry));
  if (flags.name && flags.name.length > 0) filters.names = flags.name.map(nameMatcher);
  if (flags.since !== undefined) filters.since = parseTime(flags.since, '--since', now, 'start');
  if (flags.until !== undefined) filters.until = parseTime(flags.until, '--until', now, 'end');
  if (filters.since !== undefined && filters.until !== undefined && filters.since > filters.until) {
    throw invalidArgument(`--since ${flags.since} is after --until ${flags.until}: no backup can match.`, {
      hint: 'Give the earlier time to --since and the later one to --until.',
    });
  }
  return filters;
}

export function matchesFilters(backup: BackupListing, filters: ListFilters): boolean {
  if (filters.names && !filters.names.some((matches) => matches(backup))) return false;
  if (filters.since !== undefined || filters.until !== undefined) {
    // A backup whose time is unknown cannot be said to fall in the range.
    const created = backup.createdAt === undefined ? Number.NaN : Date.parse(backup.createdAt);
    if (Number.isNaN(created)) return false;
    if (filters.since !== undefined && created < filters.since) return false;
    if (filters.until !== undefined && created > filters.until) return false;
  }
  return true;
}

function providerNamed(name: string, registry: ProviderRegistry): AvailableProvider {
  const entry = registry.find(name);
  if (entry) return entry;
  const unavailable = registry.findUnavailableBuiltin(name);
  if (unavailable)
    throw invalidArgument(
      `--type ${name}: the provider '${unavailable.builtin.id}' is not installed or failed to load.`,
      {
        hint: `npm install ${unavailable.builtin.packageName}, or run 'coffer providers' to see why it failed.`,
      },
    );
  const known = registry.available.flatMap((e) => [e.id, ...e.aliases]);
  const suggestion = closest(name, known);
  throw invalidArgument(`--type ${name}: there is no such provider.`, {
    hint: `${suggestion ? `Did you mean '${suggestion}'? ` : ''}Loaded providers: ${known.join(', ') || 'none'}.`,
  });
}

/**
 * A GUID (braces optional, any case) matches the object's id or the backup's id; anything else is a name pattern,
 * case-insensitive, matching the whole object name, where `*` stands for any text and `?` for one character.
 */
function nameMatcher(pattern: string): NameMatcher {
  if (pattern.trim() === '')
    throw invalidArgument('--name needs a name, a pattern (with * and ?) or a GUID.', {
      hint: 'coffer list DIR --name "Default*"',
    });
  const guid = GUID.exec(pattern.trim())?.[1]?.toLowerCase();
  if (guid)
    return (backup) => [backup.objectId, backup.id].some((id) => GUID.exec(id ?? '')?.[1]?.toLowerCase() === guid);
  const source = [...pattern]
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.+()[\]{}|]/g, '\\$&')))
    .join('');
  const regex = new RegExp(`^${source}$`, 'iu');
  return (backup) => backup.objectName !== undefined && regex.test(backup.objectName.normalize('NFC'));
}

/**
 * ISO dates and times, or a time before now (`30m`, `12h`, `7d`, `2w`). Without a zone a time is local time, as ISO 8601
 * reads it; a date alone is that whole local day (--since from its first moment, --until to its last).
 */
function parseTime(text: string, flag: string, now: number, side: 'start' | 'end'): number {
  const value = text.trim();
  const relative = RELATIVE.exec(value);
  if (relative) return now - Number(relative[1]) * UNIT_MS[relative[2]!.toLowerCase()]!;
  if (!ISO.test(value)) throw badTime(flag, text);
  const [year, month, day] = value.slice(0, 10).split('-').map(Number) as [number, number, number];
  // Date would roll 2026-02-31 over into March: a day that does not exist is refused.
  const check = new Date(Date.UTC(year, month - 1, day));
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day)
    throw badTime(flag, text);
  if (value.length === 10)
    return side === 'start'
      ? new Date(year, month - 1, day, 0, 0, 0, 0).getTime()
      : new Date(year, month - 1, day, 23, 59, 59, 999).getTime();
  const time = Date.parse(value.replace(' ', 'T').replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  if (Number.isNaN(time)) throw badTime(flag, text);
  return time;
}

function badTime(flag: string, text: string): CofferError {
  return invalidArgument(`${flag} ${JSON.stringify(text)} is not a time.`, {
    hint: `Give an ISO date or time (2026-12-01, 2026-12-01T08:30Z) or a time ago (30m, 12h, 7d, 2w): ${flag} 7d.`,
  });
}
