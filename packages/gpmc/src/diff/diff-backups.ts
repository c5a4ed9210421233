/**
 * diffBackups: what changed between two backups of a GPO, or between two backup directories (the newest backup of
 * each GPO on each side, paired by GUID). Compares the settings (one row per setting, see setting-items.ts) and the
 * GPO's own facts: name, status flags, versions, links (order, enforced, disabled), security filtering, delegation
 * ACE by ACE, and the WMI filter. Times and backup ids are not differences: two backups of an unchanged GPO are equal.
 */
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { BackupReader, CofferError, ErrorCode, eventLoopTurns } from '@coffer/core';
import pMap from 'p-map';
import type { BackupInst } from '../model.js';
import { newestFirst, visitBackupDirectoryUntyped } from '../read/backup-directory.js';
import type { SettingsReportOptions } from '../settings/build-settings-report.js';
import { readSnapshot, type BackupSnapshot, type PairMemo } from './backup-snapshot.js';
import { settingItems, settingKey, type SettingItem } from './setting-items.js';

export type ChangeKind = 'added' | 'removed' | 'changed';

/** One difference. `area` says what it is about; `item` names it; `old`/`new` are null on the side it is absent. */
export interface GpoChange {
  kind: ChangeKind;
  area: 'name' | 'status' | 'version' | 'link' | 'securityFiltering' | 'delegation' | 'wmiFilter' | 'setting';
  /** For settings: `Computer/Registry`, `User/Drive Maps`; for the others the area's name. */
  scope: string;
  item: string;
  old: string | null;
  new: string | null;
}

export interface GpoDiff {
  gpoId: string;
  /** The name on side B (A's when it is only in A). */
  name: string;
  status: 'changed' | 'unchanged' | 'onlyInA' | 'onlyInB';
  a: { folder: string; backupId: string; backupTime: string } | null;
  b: { folder: string; backupId: string; backupTime: string } | null;
  changes: GpoChange[];
}

export interface BackupsDiff {
  a: string;
  b: string;
  gpos: GpoDiff[];
  summary: {
    gpos: number;
    changed: number;
    unchanged: number;
    onlyInA: number;
    onlyInB: number;
    added: number;
    removed: number;
    changedSettings: number;
  };
}

export interface DiffOptions extends SettingsReportOptions {
  /** Limit to these GPOs (name or GUID, case-insensitive). */
  gpos?: readonly string[];
  /**
   * Pairs read at once (default 1). The reads underneath are synchronous (core's BackupReader), so more pairs at once
   * overlap no waiting: they only hold more snapshots alive at each step, and more of them outlive the young
   * generation (a 313-GPO diff peaked ~3-6 MiB higher at 8).
   */
  concurrency?: number;
  /** Stops the comparison once it fires (it rejects with the signal's reason): two directories of 10,000 GPOs take seconds. */
  signal?: AbortSignal;
}

function sideName(side: 'computer' | 'user'): string {
  return side === 'computer' ? 'Computer' : 'User';
}

/** Counts repeated keys (the same Registry.pol value written twice) so each occurrence is compared with its twin. */
function keyed<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T> {
  const seen = new Map<string, number>();
  const out = new Map<string, T>();
  for (const item of items) {
    const base = keyOf(item);
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    out.set(n === 1 ? base : `${base}\u0000#${n}`, item);
  }
  return out;
}

function compareMaps<T>(
  a: Map<string, T>,
  b: Map<string, T>,
  emit: (kind: ChangeKind, old: T | null, now: T | null) => void,
  same: (x: T, y: T) => boolean,
): void {
  for (const [key, old] of a) {
    const now = b.get(key);
    if (now === undefined) emit('removed', old, null);
    else if (!same(old, now)) emit('changed', old, now);
  }
  for (const [key, now] of b) if (!a.has(key)) emit('added', null, now);
}

/** The differences between two snapshots of one GPO, in a stable order: the GPO's facts first, then settings. */
export function diffSnapshots(a: BackupSnapshot, b: BackupSnapshot): GpoChange[] {
  const changes: GpoChange[] = [];
  const fact = (area: GpoChange['area'], item: string, old: string | null, now: string | null): void => {
    if (old === now) return;
    changes.push({
      kind: old === null ? 'added' : now === null ? 'removed' : 'changed',
      area,
      scope: area,
      item,
      old,
      new: now,
    });
  };
  fact('name', 'name', a.name, b.name);
  fact('status', 'status', `${a.status} (flags ${a.flags})`, `${b.status} (flags ${b.flags})`);
  for (const side of ['computer', 'user'] as const) {
    fact('version', `${sideName(side)} AD`, String(a.versions[side].ad), String(b.versions[side].ad));
    fact('version', `${sideName(side)} SYSVOL`, String(a.versions[side].sysvol), String(b.versions[side].sysvol));
  }
  const linkText = (l: BackupSnapshot['links'][number]): string =>
    `order ${l.order}, ${l.enabled ? 'enabled' : 'disabled'}, ${l.enforced ? 'enforced' : 'not enforced'}`;
  compareMaps(
    keyed(a.links, (l) => l.somPath.toLowerCase()),
    keyed(b.links, (l) => l.somPath.toLowerCase()),
    (kind, old, now) =>
      changes.push({
        kind,
        area: 'link',
        scope: 'link',
        item: (old ?? now)!.somPath,
        old: old && linkText(old),
        new: now && linkText(now),
      }),
    (x, y) => linkText(x) === linkText(y),
  );
  const filtering = (s: BackupSnapshot) => keyed(s.securityFiltering, (name) => name.toLowerCase());
  compareMaps(
    filtering(a),
    filtering(b),
    (kind, old, now) =>
      changes.push({ kind, area: 'securityFiltering', scope: 'securityFiltering', item: (old ?? now)!, old, new: now }),
    () => true,
  );
  // ACE-level: an ACE is its whole SDDL text; a changed mask is one ACE removed and another added for that trustee.
  compareMaps(
    keyed(a.aces, (ace) => ace.sddl),
    keyed(b.aces, (ace) => ace.sddl),
    (kind, old, now) => {
      const ace = (old ?? now)!;
      changes.push({
        kind,
        area: 'delegation',
        scope: 'delegation',
        item: `${ace.name ?? ace.sid} (${ace.sid})`,
        old: old?.sddl ?? null,
        new: now?.sddl ?? null,
      });
    },
    () => true,
  );
  const wmi = (s: BackupSnapshot) =>
    s.wmiFilter ? `${s.wmiFilter.name}${s.wmiFilter.id ? ` ${s.wmiFilter.id}` : ''}` : null;
  fact('wmiFilter', 'WMI filter', wmi(a), wmi(b));
  compareMaps(
    keyed(settingItems(a.settings), settingKey),
    keyed(settingItems(b.settings), settingKey),
    (kind, old, now) => {
      const item = (old ?? now) as SettingItem;
      changes.push({
        kind,
        area: 'setting',
        scope: `${sideName(item.side)}/${item.extension}`,
        item: item.setting,
        old: old?.value ?? null,
        new: now?.value ?? null,
      });
    },
    (x, y) => x.value === y.value,
  );
  return changes;
}

const GPT = 'DomainSysvol/GPO';

/**
 * Whether two backups hold the same GPT: the same folders and files (names exactly, sizes) and the same bytes in
 * every file, compared here, not taken from the backups' manifests (a manifest is the backup's own claim; a file
 * edited after the backup was written must still show up in the diff). Same GPT and same extension names make the
 * same settings report, so such a pair is compared without decoding either side. Anything unusual (no GPT folder,
 * a link, a file over the bound, an unreadable file) answers false: the full read reports it as usual.
 */
async function sameGpt(readerA: BackupReader, readerB: BackupReader): Promise<boolean> {
  try {
    const [treeA, treeB] = await Promise.all([readerA.walk(GPT), readerB.walk(GPT)]);
    if (
      treeA.entries.length === 0 ||
      treeA.anomalies.length > 0 ||
      treeB.anomalies.length > 0 ||
      treeA.entries.length !== treeB.entries.length
    )
      return false;
    const files: string[] = [];
    for (const [i, entry] of treeA.entries.entries()) {
      const other = treeB.entries[i]!;
      if (entry.path !== other.path || entry.kind !== other.kind || entry.size !== other.size) return false;
      if (entry.kind === 'file') files.push(`${GPT}/${entry.path}`);
    }
    for (const file of files) {
      const [bytesA, bytesB] = await Promise.all([readerA.readFile(file), readerB.readFile(file)]);
      if (!bytesA.equals(bytesB)) return false;
    }
    return true;
  } catch {
    return false;
  }
}

/** Both snapshots of a pair; the GPT is decoded only when the two GPTs differ (see {@link sameGpt}). */
async function readPair(
  sideA: ListedFolder,
  sideB: ListedFolder,
  options: DiffOptions,
): Promise<[BackupSnapshot, BackupSnapshot]> {
  // One after the other (the reads are synchronous underneath), so B finds A's Backup.xml and gpreport.xml decoded when
  // they are the same (see gpreport-pair.ts).
  const memo: PairMemo = { backupXml: [], gpReport: [] };
  // One reader per side for the whole pair: the GPT compared, then the snapshot, share its checked folders.
  const readerA = await BackupReader.open(sideA.folder);
  const readerB = await BackupReader.open(sideB.folder);
  if (await sameGpt(readerA, readerB)) {
    const a = await readSnapshot(readerA, options, false, memo, sideA.info);
    const b = await readSnapshot(readerB, options, false, memo, sideB.info);
    const same =
      a.extensionNames.machineExtensionNames === b.extensionNames.machineExtensionNames &&
      a.extensionNames.userExtensionNames === b.extensionNames.userExtensionNames;
    // Equal settings compare equal whatever they are: both sides keep the empty report (no setting rows to diff).
    if (same && a.snapshot.kind === 'GPO' && b.snapshot.kind === 'GPO') return [a.snapshot, b.snapshot];
  }
  const a = await readSnapshot(readerA, options, true, memo, sideA.info);
  const b = await readSnapshot(readerB, options, true, memo, sideB.info);
  return [a.snapshot, b.snapshot];
}

/**
 * A backup folder to compare, with its bkupInfo.xml as the directory's listing read and parsed it (through the same
 * reader checks): the snapshot takes it from there instead of reading and parsing the file a second time. `info` is
 * null when the folder was named directly (the snapshot then reads the file itself).
 */
interface ListedFolder {
  folder: string;
  info: BackupInst | null;
}

/** A backup folder (holds bkupInfo.xml) or a directory of backups. */
async function isBackupFolder(path: string): Promise<boolean> {
  const stat = await lstat(join(path, 'bkupInfo.xml')).catch(() => null);
  return stat?.isFile() === true;
}

async function newestByGpo(path: string, signal: AbortSignal | undefined): Promise<Map<string, ListedFolder>> {
  const byGpo = new Map<string, ListedFolder>();
  if (await isBackupFolder(path)) {
    byGpo.set('', { folder: path, info: null }); // one folder is compared with the other folder, whatever its GPO
    return byGpo;
  }
  const stat = await lstat(path).catch(() => null);
  if (!stat?.isDirectory())
    throw new CofferError(ErrorCode.PathNotFound, `'${path}' is neither a backup folder nor a directory of backups.`, {
      object: path,
      hint: 'Give a backup folder (it holds bkupInfo.xml) or a directory of backups.',
    });
  // Newest first, so the first backup of each GPO is its newest. Entries with a problem are left out. Their type is
  // not needed to pair them (the untyped listing skips the content heuristic's folder listings).
  const listed: Array<{ backupTime: Date | null; id: string; gpoGuid: string; side: ListedFolder }> = [];
  await visitBackupDirectoryUntyped(
    path,
    (entry, own) => {
      if (entry.problem || !entry.hasFolder) return;
      listed.push({
        backupTime: entry.backupTime,
        id: entry.id,
        gpoGuid: entry.gpoGuid,
        side: { folder: entry.folder, info: own },
      });
    },
    { signal },
  );
  for (const entry of listed.sort(newestFirst)) {
    const key = entry.gpoGuid.toUpperCase();
    if (!byGpo.has(key)) byGpo.set(key, entry.side);
  }
  return byGpo;
}

function selected(snapshot: BackupSnapshot, gpos: readonly string[] | undefined): boolean {
  if (!gpos || gpos.length === 0) return true;
  const wanted = gpos.map((g) => g.toLowerCase().replace(/[{}]/g, ''));
  return (
    wanted.includes(snapshot.name.toLowerCase()) || wanted.includes(snapshot.gpoId.toLowerCase().replace(/[{}]/g, ''))
  );
}

/**
 * Compares A and B: two backup folders (of one GPO, or of two GPOs: compared as one pair whatever their GUIDs), or
 * two backup directories (the newest backup of each GPO, paired by GUID; a GPO on one side only is `onlyInA`/`onlyInB`).
 * Snapshots are read one pair at a time, so memory stays flat however many GPOs the directories hold.
 */
export async function diffBackups(a: string, b: string, options: DiffOptions = {}): Promise<BackupsDiff> {
  const [sideA, sideB] = await Promise.all([newestByGpo(a, options.signal), newestByGpo(b, options.signal)]);
  const pairs: Array<[ListedFolder | undefined, ListedFolder | undefined]> = [];
  if ((await isBackupFolder(a)) && (await isBackupFolder(b)))
    pairs.push([[...sideA.values()][0], [...sideB.values()][0]]);
  else {
    for (const [gpo, listed] of sideA) pairs.push([listed, sideB.get(gpo)]);
    for (const [gpo, listed] of sideB) if (!sideA.has(gpo)) pairs.push([undefined, listed]);
  }
  // One pair at a time by default (see DiffOptions.concurrency): only the pairs in flight are held (each pair's
  // snapshots are dropped once its changes are computed).
  // Each pair is read synchronously (core's BackupReader): turns of the event loop let the signal fire meanwhile.
  const turn = eventLoopTurns();
  const results = await pMap(
    pairs,
    async ([listedA, listedB]): Promise<GpoDiff | null> => {
      await turn();
      options.signal?.throwIfAborted();
      const [snapA, snapB] =
        listedA && listedB
          ? await readPair(listedA, listedB, options)
          : await Promise.all([
              listedA
                ? readSnapshot(listedA.folder, options, true, undefined, listedA.info).then((r) => r.snapshot)
                : null,
              listedB
                ? readSnapshot(listedB.folder, options, true, undefined, listedB.info).then((r) => r.snapshot)
                : null,
            ]);
      const any = (snapB ?? snapA)!;
      if (!(snapA && selected(snapA, options.gpos)) && !(snapB && selected(snapB, options.gpos))) return null;
      const ref = (s: BackupSnapshot | null) =>
        s ? { folder: s.folder, backupId: s.backupId, backupTime: s.backupTime } : null;
      const changes = snapA && snapB ? diffSnapshots(snapA, snapB) : [];
      return {
        gpoId: any.gpoId,
        name: any.name,
        status: !snapA ? 'onlyInB' : !snapB ? 'onlyInA' : changes.length > 0 ? 'changed' : 'unchanged',
        a: ref(snapA),
        b: ref(snapB),
        changes,
      };
    },
    { concurrency: options.concurrency ?? 1 },
  );
  const gpos = results.filter((g): g is GpoDiff => g !== null);
  gpos.sort((x, y) => x.name.localeCompare(y.name) || x.gpoId.localeCompare(y.gpoId));
  const settings = gpos.flatMap((g) => g.changes);
  return {
    a,
    b,
    gpos,
    summary: {
      gpos: gpos.length,
      changed: gpos.filter((g) => g.status === 'changed').length,
      unchanged: gpos.filter((g) => g.status === 'unchanged').length,
      onlyInA: gpos.filter((g) => g.status === 'onlyInA').length,
      onlyInB: gpos.filter((g) => g.status === 'onlyInB').length,
      added: settings.filter((c) => c.kind === 'added').length,
      removed: settings.filter((c) => c.kind === 'removed').length,
      changedSettings: settings.filter((c) => c.kind === 'changed').length,
    },
  };
}

/** True when the diff found anything (what `coffer diff --exit-code` reports). */
export function hasDifferences(diff: BackupsDiff): boolean {
  return diff.gpos.some((g) => g.status !== 'unchanged');
}
