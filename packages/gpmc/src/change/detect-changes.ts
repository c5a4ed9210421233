import {
  BACKUP_READ_LIMITS,
  eventLoopTurns,
  INTEGRITY_MANIFEST_NAME,
  openTrustedBackup,
  parseIntegrityManifest,
  toCofferError,
} from '@coffer/core';
import { type UntypedEntry, visitBackupDirectoryUntyped } from '../read/backup-directory.js';
import { sameGuid } from '../write/manifest-xml.js';
import { CHANGE_STATE_FILE, type ChangeState, type ListedEntry, parseChangeState, sha256Hex } from './change-state.js';
import { compareListing, DEFAULT_CLOCK_ALLOWANCE_SECONDS, type FileToHash } from './compare-state.js';

/** The live state of one object (a GPO, a Starter GPO) whose newest backup decides whether it is backed up again. */
export interface ChangeCandidate {
  /** Its `{GUID}` as bkupInfo.xml records it (any case, braces optional). */
  id: string;
  /** {@link digestFacts} of its directory-side facts, computed exactly as the backup computed the one it stored. */
  adDigest: string;
  /** Its SYSVOL folder listed now (without content), minus what the backup leaves out; null when it has no folder. */
  listing: readonly ListedEntry[] | null;
}

/** Why an object is (or is not) backed up again. `code` is the status message code to report. */
export type ChangeCode =
  /** Nothing the backup keeps differs from the newest backup. */
  | 'UNCHANGED'
  | 'NO_PREVIOUS_BACKUP'
  /** The newest backup fails verification, cannot be read, or has no (valid) change state: it cannot vouch. */
  | 'PREVIOUS_BACKUP_UNUSABLE'
  | 'AD_STATE_CHANGED'
  | 'SYSVOL_CHANGED';

export interface ChangeDecision {
  id: string;
  changed: boolean;
  code: ChangeCode;
  /** One sentence for the status message (what differs, or why the newest backup could not be used). */
  reason: string;
  /** The newest backup compared with, when there was one. */
  previousBackupId?: string;
}

export interface DetectChangesOptions {
  /** The backup directory (the run's destination). */
  directory: string;
  /** The live domain's DNS name: only backups of this domain count (compared case-insensitively). */
  domain: string;
  /**
   * Reads the live content of files whose listing could not settle it, relative to the object's folder as the backup
   * recorded them. A path missing from the map counts as changed. One call per object, with all its files (over SMB,
   * active-directory's `SysvolSource.readFiles` takes them in one transfer).
   */
  readFiles(id: string, paths: string[]): Promise<Map<string, Buffer>>;
  /**
   * Optional: reads the files of every object at once (one call for the whole run instead of one per object), keyed
   * by object id as given in the candidates, then by path. Worth it over SMB, where each call is a transfer of its
   * own: right after a backup every file is too recent for its time to settle anything.
   */
  readAllFiles?(requests: Array<{ id: string; paths: string[] }>): Promise<Map<string, Map<string, Buffer>>>;
  /** See {@link DEFAULT_CLOCK_ALLOWANCE_SECONDS}. */
  clockAllowanceSeconds?: number;
  /** What the objects are, for messages: `GPO` (default), `Starter GPO`. */
  what?: string;
  signal?: AbortSignal;
  /**
   * The newest backups, already verified by {@link loadPreviousStates} (started early, so their verification overlaps
   * the live listing); they must cover every candidate. Loaded here when not given.
   */
  previous?: PreviousStates | Promise<PreviousStates>;
}

/** How many backups are verified at once: reading and hashing their files overlaps the waits on the disk. */
const VERIFY_CONCURRENCY = 4;

/** The newest backups of some objects in a directory, each verified with its change state read, or why it cannot vouch. */
export interface PreviousStates {
  readonly directory: string;
  /** By {@link guidKey}: the newest backups (several when they share a second); absent when there is none. */
  readonly byId: ReadonlyMap<string, readonly Loaded[]>;
}

/**
 * Verifies the newest backup of each object in `ids` (core's openTrustedBackup: every byte re-hashed against its
 * integrity manifest) and reads its change state, {@link VERIFY_CONCURRENCY} backups at a time. Needs nothing live:
 * a provider starts it as soon as it knows the objects and lists SYSVOL meanwhile.
 */
export async function loadPreviousStates(
  ids: readonly string[],
  options: Pick<DetectChangesOptions, 'directory' | 'domain' | 'what' | 'signal'>,
): Promise<PreviousStates> {
  const newest = await newestBackups(options.directory, options.domain, options.signal);
  const wanted = [...new Set(ids.map(guidKey))].flatMap((key) => {
    const entries = newest.get(key);
    return entries && entries.length > 0 ? [[key, entries] as const] : [];
  });
  const byId = new Map<string, Loaded[]>();
  let next = 0;
  const turn = eventLoopTurns();
  const worker = async () => {
    while (next < wanted.length) {
      const [key, entries] = wanted[next++]!;
      options.signal?.throwIfAborted();
      const loaded: Loaded[] = [];
      for (const entry of entries) loaded.push(await load(entry, options));
      byId.set(key, loaded);
      // The reads under openTrustedBackup are synchronous behind promises already settled: without turns, thousands of
      // backups would verify in one turn of the event loop, and what this is meant to overlap would wait for the end
      // (the live SYSVOL listing: smbclient blocks on a pipe no one drains), as would a Ctrl-C.
      await turn();
    }
  };
  await Promise.all(Array.from({ length: Math.min(VERIFY_CONCURRENCY, wanted.length) }, worker));
  return { directory: options.directory, byId };
}

/**
 * Decides for each candidate whether it differs from its newest backup in `directory`. Every backup consulted is
 * verified first (core's openTrustedBackup: each byte re-hashed against its integrity manifest), and only then is its
 * change state read; a backup that fails, or holds no change state, never vouches for an object: the object is
 * `changed` with `PREVIOUS_BACKUP_UNUSABLE`. Only the newest backup of an object counts (by backup time; GPMC's counts
 * whole seconds, so backups of one second are told apart by when each began reading, and each must vouch), so an
 * older, intact backup never hides a damaged newer one. Backups whose identity cannot be read at all
 * (bkupInfo.xml unreadable) name no object and are not considered.
 */
export async function detectChanges(
  candidates: readonly ChangeCandidate[],
  options: DetectChangesOptions,
): Promise<ChangeDecision[]> {
  const previous = await (options.previous ??
    loadPreviousStates(
      candidates.map((c) => c.id),
      options,
    ));
  if (previous.directory !== options.directory)
    throw new Error(`The previous states given were read from ${previous.directory}, not ${options.directory}.`);
  const assessed: Array<ChangeDecision | ContentCheck> = [];
  for (const candidate of candidates) {
    options.signal?.throwIfAborted();
    assessed.push(decide(candidate, previous.byId.get(guidKey(candidate.id)), options));
  }
  const checks = assessed.filter((a): a is ContentCheck => 'files' in a);
  const requests = checks.map((check) => ({ id: check.id, paths: check.files.map((file) => file.path) }));
  let contents: Map<string, Map<string, Buffer>>;
  if (options.readAllFiles && requests.length > 0) contents = await options.readAllFiles(requests);
  else {
    contents = new Map();
    for (const request of requests) {
      options.signal?.throwIfAborted();
      contents.set(request.id, await options.readFiles(request.id, request.paths));
    }
  }
  return assessed.map((a) => ('files' in a ? settle(a, contents.get(a.id) ?? new Map()) : a));
}

/** An object whose listing agreed with its backup but for files only their content can settle. */
interface ContentCheck {
  id: string;
  previousBackupId: string;
  files: FileToHash[];
}

function settle(check: ContentCheck, contents: Map<string, Buffer>): ChangeDecision {
  const { id, previousBackupId } = check;
  for (const file of check.files) {
    const live = contents.get(file.path);
    const reason =
      live === undefined
        ? `${file.path} could not be read back`
        : sha256Hex(live) !== file.sha256
          ? `${file.path} has other content`
          : null;
    if (reason !== null) return sysvolChanged(id, previousBackupId, reason);
  }
  return unchangedSince(id, previousBackupId);
}

function unchangedSince(id: string, previousBackupId: string): ChangeDecision {
  return {
    id,
    changed: false,
    code: 'UNCHANGED',
    reason: `it is unchanged since its newest backup ${previousBackupId}`,
    previousBackupId,
  };
}

function sysvolChanged(id: string, previousBackupId: string, reason: string): ChangeDecision {
  return {
    id,
    changed: true,
    code: 'SYSVOL_CHANGED',
    reason: `its SYSVOL folder differs from its newest backup: ${reason}`,
    previousBackupId,
  };
}

function guidKey(id: string): string {
  return id.replace(/[{}]/g, '').toUpperCase();
}

/**
 * The newest backups of each object of `domain` in `directory`, damaged ones included (they must not be skipped).
 * GPMC's BackupTime counts whole seconds, so two runs in one second tie: all backups of the newest second are kept,
 * and {@link decide} tells them apart by the moment each began reading (its change state).
 */
async function newestBackups(
  directory: string,
  domain: string,
  signal: AbortSignal | undefined,
): Promise<Map<string, UntypedEntry[]>> {
  const newest = new Map<string, UntypedEntry[]>();
  // Entry by entry, keeping only each object's newest: the whole listing of a directory of 70,000 backups is not held.
  // The signal stops the listing itself (a Ctrl-C during it is not kept waiting until it ends).
  await visitBackupDirectoryUntyped(
    directory,
    (entry) => {
      if (entry.domain.toLowerCase() !== domain.toLowerCase() || entry.gpoGuid === '') return;
      const key = guidKey(entry.gpoGuid);
      const current = newest.get(key);
      const time = timeOf(entry);
      if (!current || time > timeOf(current[0]!)) newest.set(key, [entry]);
      else if (time === timeOf(current[0]!)) current.push(entry);
    },
    { signal },
  );
  return newest;
}

function timeOf(entry: UntypedEntry): number {
  return entry.backupTime?.getTime() ?? Number.NEGATIVE_INFINITY;
}

/** A newest backup, verified, with what it recorded; or why it cannot vouch. */
export type Loaded =
  | { ok: true; entry: UntypedEntry; state: ChangeState; hashes: Map<string, string> }
  | { ok: false; entry: UntypedEntry; why: string };

async function load(entry: UntypedEntry, options: Pick<DetectChangesOptions, 'what' | 'signal'>): Promise<Loaded> {
  if (entry.problem)
    return { ok: false, entry, why: `is not usable (${entry.problem.code}: ${entry.problem.message})` };
  try {
    const { reader } = await openTrustedBackup(entry.folder, {
      what: options.what ?? 'GPO',
      ...(options.signal ? { signal: options.signal } : {}),
    });
    // Verified just now: the manifest and the state file below are the bytes it vouched for.
    if (!(await reader.isFile(CHANGE_STATE_FILE)))
      return { ok: false, entry, why: `holds no ${CHANGE_STATE_FILE} (an older Coffer)` };
    const limit = { maxBytes: BACKUP_READ_LIMITS.maxXmlBytes };
    const state = parseChangeState(
      (await reader.readFile(CHANGE_STATE_FILE, limit)).toString('utf8'),
      CHANGE_STATE_FILE,
    );
    const manifest = parseIntegrityManifest(
      (await reader.readFile(INTEGRITY_MANIFEST_NAME, limit)).toString('utf8'),
      INTEGRITY_MANIFEST_NAME,
    );
    return { ok: true, entry, state, hashes: new Map(manifest.files.map((file) => [file.path, file.sha256])) };
  } catch (error) {
    options.signal?.throwIfAborted();
    const coded = toCofferError(error, entry.folder);
    // core's trust checks speak for a restore ("Nothing was restored."); here the refusal only means "back up again".
    const message = coded.message.replace(/\s*Nothing was restored\.$/, '');
    return { ok: false, entry, why: `cannot vouch for it (${coded.code}: ${message})` };
  }
}

function decide(
  candidate: ChangeCandidate,
  loaded: readonly Loaded[] | undefined,
  options: DetectChangesOptions,
): ChangeDecision | ContentCheck {
  const { id } = candidate;
  if (!loaded || loaded.length === 0)
    return { id, changed: true, code: 'NO_PREVIOUS_BACKUP', reason: 'it has no backup in this directory yet' };
  const unusable = (backupId: string, why: string): ChangeDecision => ({
    id,
    changed: true,
    code: 'PREVIOUS_BACKUP_UNUSABLE',
    reason: `its newest backup ${backupId} ${why}, so it is backed up again`,
    previousBackupId: backupId,
  });
  // Backups of the same second: every one must vouch, and the one that began reading last is the newest.
  const failed = loaded.find((l) => !l.ok);
  if (failed && !failed.ok) return unusable(failed.entry.id, failed.why);
  const usable = loaded.filter((l): l is Extract<Loaded, { ok: true }> => l.ok);
  const latest = usable.reduce((a, b) =>
    Date.parse(b.state.readStartedAt) > Date.parse(a.state.readStartedAt) ? b : a,
  );
  const { state, hashes } = latest;
  const previousBackupId = latest.entry.id;
  if (!sameGuid(state.objectId, id)) return unusable(previousBackupId, `records the state of ${state.objectId}`);
  if (state.adDigest !== candidate.adDigest)
    return {
      id,
      changed: true,
      code: 'AD_STATE_CHANGED',
      reason: 'its Active Directory state differs from its newest backup',
      previousBackupId,
    };
  if (candidate.listing === null)
    return { id, changed: true, code: 'SYSVOL_CHANGED', reason: 'its SYSVOL folder is missing', previousBackupId };
  const verdict = compareListing(
    state,
    candidate.listing,
    (recorded) => recorded.sha256 ?? hashes.get(`${state.contentRoot}/${recorded.path}`),
    options.clockAllowanceSeconds ?? DEFAULT_CLOCK_ALLOWANCE_SECONDS,
  );
  if (verdict.verdict === 'changed') return sysvolChanged(id, previousBackupId, verdict.reason);
  if (verdict.verdict === 'hash') return { id, previousBackupId, files: verdict.files };
  return unchangedSince(id, previousBackupId);
}
