import { createHash } from 'node:crypto';

/**
 * The file a backup keeps its change state in, beside its GPMC files. Its name starts with `coffer-`, so core's
 * integrity manifest covers it like every other file and a backup holding it counts as Coffer's (see core's
 * backup-trust): it is only ever read back through a verified backup.
 */
export const CHANGE_STATE_FILE = 'coffer-change-state.json';
export const CHANGE_STATE_FORMAT = 'coffer-change-state';

/** One file or folder of an object's SYSVOL folder, as a listing gives it (relative, `/`-separated). */
export interface ListedEntry {
  path: string;
  kind: 'file' | 'directory';
  /** Bytes (0 for folders). */
  size: number;
  /** Last write time in whole seconds since 1970 UTC; undefined when the listing did not give one. */
  mtime?: number;
}

/** A listed entry as a backup recorded it. */
export interface RecordedEntry {
  path: string;
  kind: 'file' | 'directory';
  size: number;
  mtime: number | null;
  /**
   * SHA-256 (hex) of a file the backup read but does not hold under `contentRoot` (a GPO's GPT.INI, whose version
   * goes into Backup.xml instead). Files the backup holds are hashed by its integrity manifest.
   */
  sha256?: string;
}

/** What a backup remembers of the state it was taken from, so the next `--changed` run can tell what moved. */
export interface ChangeState {
  format: typeof CHANGE_STATE_FORMAT;
  version: 1;
  /** The object backed up (a GPO's `{GUID}`). */
  objectId: string;
  /** {@link digestFacts} of the directory-side facts the provider counts as the object's state. */
  adDigest: string;
  /** When reading the object's SYSVOL folder began (ISO 8601, this machine's clock). */
  readStartedAt: string;
  /** The folder inside the backup that holds the listed files (`DomainSysvol/GPO`). */
  contentRoot: string;
  /** The object's SYSVOL folder as read (names exact, parents first), minus what the backup leaves out. */
  listing: RecordedEntry[];
}

/**
 * A SHA-256 of `facts` as canonical JSON (object keys sorted at every level), so the same facts give the same digest
 * whatever order they were gathered in. Arrays keep their order: sort them first where order means nothing.
 */
export function digestFacts(facts: unknown): string {
  return createHash('sha256').update(canonicalJson(facts)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function renderChangeState(state: ChangeState): string {
  return `${JSON.stringify(state)}\n`;
}

/** Parses a change state file; throws (with `where`) on anything that is not one. */
export function parseChangeState(text: string, where: string): ChangeState {
  let value: Partial<ChangeState>;
  try {
    value = JSON.parse(text) as Partial<ChangeState>;
  } catch (error) {
    throw new Error(`${where} is not valid JSON: ${(error as Error).message}`);
  }
  const listingOk =
    Array.isArray(value.listing) &&
    value.listing.every(
      (e) =>
        typeof e?.path === 'string' &&
        (e.kind === 'file' || e.kind === 'directory') &&
        typeof e.size === 'number' &&
        (e.mtime === null || typeof e.mtime === 'number') &&
        (e.sha256 === undefined || typeof e.sha256 === 'string'),
    );
  if (
    value.format !== CHANGE_STATE_FORMAT ||
    value.version !== 1 ||
    typeof value.objectId !== 'string' ||
    typeof value.adDigest !== 'string' ||
    typeof value.readStartedAt !== 'string' ||
    Number.isNaN(Date.parse(value.readStartedAt)) ||
    typeof value.contentRoot !== 'string' ||
    !listingOk
  ) {
    throw new Error(
      `${where} is not a Coffer change state (format ${String(value.format)}, version ${String(value.version)}).`,
    );
  }
  return value as ChangeState;
}

/** A listing as a backup records it: times as given (null when missing), in the order read. */
export function recordListing(entries: readonly ListedEntry[], hashes: ReadonlyMap<string, string> = new Map()) {
  return entries.map((entry): RecordedEntry => {
    const sha256 = hashes.get(entry.path);
    return {
      path: entry.path,
      kind: entry.kind,
      size: entry.kind === 'file' ? entry.size : 0,
      mtime: entry.mtime ?? null,
      ...(sha256 === undefined ? {} : { sha256 }),
    };
  });
}
