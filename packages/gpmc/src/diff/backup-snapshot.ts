/**
 * What `coffer report` and `coffer diff` know of one backup, read from its folder alone (no AD): identity and
 * status from Backup.xml / bkupInfo.xml, links, owner and times from gpreport.xml, the DACL's ACEs from the
 * security descriptor GPMC keeps in Backup.xml (decoded with @coffer/active-directory's codec), and the settings
 * from the GPT through buildSettingsReport. Every file is read through core's BackupReader (links refused, sizes
 * bounded, DOCTYPE refused). A file that is missing or cannot be parsed leaves its facts empty and is named in
 * `problems`: a report of a damaged backup still shows what can be read.
 */
import { BACKUP_READ_LIMITS, BackupReader } from '@coffer/core';
import { parseSecurityDescriptor, splitSddl, toSddl, wellKnownSidName } from '@coffer/active-directory/security';
import { parseBackupXmlCore, type BackupCoreSettings } from '../read/parse-backup-xml.js';
import type { BackupInst } from '../model.js';
import { parseBkupInfoXml } from '../read/parse-manifest.js';
import { buildSettingsReport, type SettingsReportOptions } from '../settings/build-settings-report.js';
import type { GpoSettingsReport } from '../settings/model.js';
import { parseGpReportOfPair, type GpReportMemo } from './gpreport-pair.js';

/** One access control entry of the GPO's DACL, in SDDL (`(A;CI;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;DA)`), with its trustee. */
export interface SnapshotAce {
  sddl: string;
  /** `A` allow, `D` deny, `OA`/`OD` object ACEs. */
  type: string;
  sid: string;
  /** The name gpreport.xml gives the SID, or a well-known name; null when neither knows it. */
  name: string | null;
}

export interface BackupSnapshot {
  /** The backup folder's path and id (`{GUID}`). */
  folder: string;
  backupId: string;
  kind: 'GPO' | 'StarterGPO';
  gpoId: string;
  name: string;
  domain: string;
  comment: string;
  /** bkupInfo.xml's BackupTime (UTC, `yyyy-MM-ddTHH:mm:ss`), '' when unknown. */
  backupTime: string;
  createdTime: string;
  modifiedTime: string;
  owner: { sid: string; name: string } | null;
  /** GPO status: `Enabled`, `User configuration settings disabled`, `Computer configuration settings disabled`, `All settings disabled` (GPMC's words). */
  status: string;
  /** AD `flags`. */
  flags: number;
  versions: { computer: { ad: number; sysvol: number }; user: { ad: number; sysvol: number } };
  links: Array<{ somName: string; somPath: string; order: number; enabled: boolean; enforced: boolean }>;
  wmiFilter: { id: string; name: string } | null;
  /** Principals with "Apply Group Policy" (gpreport's trustee permissions) = GPMC's Security Filtering. */
  securityFiltering: string[];
  /** gpreport.xml's trustee permissions, as GPMC's Delegation table shows them. */
  delegation: Array<{ sid: string; name: string; type: string; permission: string }>;
  /** The DACL, ACE by ACE (from Backup.xml's descriptor). */
  aces: SnapshotAce[];
  settings: GpoSettingsReport;
  /** Files that could not be read (their facts are left empty). */
  problems: Array<{ file: string; code: string; message: string }>;
}

/** GPMC's wording of the GPO status from `flags`. */
export function gpoStatusText(flags: number): string {
  switch (flags & 3) {
    case 0:
      return 'Enabled';
    case 1:
      return 'User configuration settings disabled';
    case 2:
      return 'Computer configuration settings disabled';
    default:
      return 'All settings disabled';
  }
}

function problemOf(file: string, error: unknown): { file: string; code: string; message: string } {
  const e = error as { code?: unknown; message?: unknown };
  return {
    file,
    code: typeof e.code === 'string' ? e.code : 'GPMC_FILE_MALFORMED',
    message: typeof e.message === 'string' ? e.message : String(error),
  };
}

/**
 * wellKnownSidName by SID, remembered: the GPOs of a domain name the same few trustees in ACE after ACE, and each look-up
 * parses the SID. Bounded (emptied when full), as {@link decodedDacls}.
 */
const wellKnownNames = new Map<string, string | null>();

function wellKnownName(sid: string): string | null {
  let name = wellKnownNames.get(sid);
  if (name === undefined) {
    name = wellKnownSidName(sid) ?? null;
    if (wellKnownNames.size >= 4096) wellKnownNames.clear();
    wellKnownNames.set(sid, name);
  }
  return name;
}

/** An ACE with its trustee's name: gpreport.xml's, else a well-known name (fields spelled out, not spread: ACE by ACE of hundreds of GPOs). */
function namedAce(ace: Omit<SnapshotAce, 'name'>, names: ReadonlyMap<string, string>): SnapshotAce {
  return { sddl: ace.sddl, type: ace.type, sid: ace.sid, name: names.get(ace.sid) ?? wellKnownName(ace.sid) };
}

/** The ACEs of a DACL, each in SDDL: split at the top-level parentheses of the `D:` part. */
export function daclAces(descriptor: Uint8Array, names: ReadonlyMap<string, string> = new Map()): SnapshotAce[] {
  return unnamedAces(descriptor).map((ace) => namedAce(ace, names));
}

/**
 * DACLs already turned into ACEs, by their bytes: the GPOs of one domain mostly carry the same few descriptors, and a
 * report or diff of hundreds of them decodes each distinct one once. Bounded (emptied when full); the entries are
 * never handed out, only copied.
 */
const decodedDacls = new Map<string, ReadonlyArray<Omit<SnapshotAce, 'name'>>>();
const DECODED_DACLS_MAX = 256;

/** The ACEs of a DACL without trustee names (those come from each backup's own gpreport.xml). */
function unnamedAces(descriptor: Uint8Array): Array<Omit<SnapshotAce, 'name'>> {
  const key = Buffer.from(descriptor.buffer, descriptor.byteOffset, descriptor.byteLength).toString('base64');
  let aces = decodedDacls.get(key);
  if (aces === undefined) {
    aces = decodeAces(descriptor);
    if (decodedDacls.size >= DECODED_DACLS_MAX) decodedDacls.clear();
    decodedDacls.set(key, aces);
  }
  return aces.map((ace) => ({ sddl: ace.sddl, type: ace.type, sid: ace.sid }));
}

function decodeAces(descriptor: Uint8Array): Array<Omit<SnapshotAce, 'name'>> {
  const sd = parseSecurityDescriptor(descriptor);
  const dacl = splitSddl(toSddl(sd)).dacl ?? '';
  const parsed = sd.dacl?.aces ?? [];
  const aces: Array<Omit<SnapshotAce, 'name'>> = [];
  let index = 0;
  // toSddl writes the ACEs in DACL order, so the n-th parenthesised group is the n-th ACE (whose SID is exact).
  for (const match of dacl.matchAll(/\(([^()]*)\)/g)) {
    const ace = parsed[index++] as { sid?: string } | undefined;
    const sid = (ace?.sid ?? match[1]!.split(';')[5] ?? '').toUpperCase();
    aces.push({ sddl: match[0], type: match[1]!.split(';')[0] ?? '', sid });
  }
  return aces;
}

const APPLY_GROUP_POLICY = 'edacfd8f-ffb3-11d1-b41d-00a0c968f939';

/** An allow ACE granting Apply Group Policy: the extended right by its GUID, or all extended rights (CR, no object type). */
export function appliesGroupPolicy(ace: SnapshotAce): boolean {
  const [type = '', , rights = '', objectType = ''] = ace.sddl.slice(1, -1).split(';');
  if (type !== 'A' && type !== 'OA') return false;
  // SDDL rights are two-letter tokens (or a hex mask): `LCRPLORC` holds LC RP LO RC, not CR.
  const tokens: string[] = /^0x/i.test(rights) ? [] : (rights.match(/../g) ?? []);
  const controlAccess =
    tokens.includes('CR') || tokens.includes('GA') || (/^0x/i.test(rights) && (Number(rights) & 0x100) !== 0);
  return controlAccess && (objectType === '' || objectType.toLowerCase() === APPLY_GROUP_POLICY);
}

/**
 * A function of an ACE's SDDL alone, remembered by that SDDL: a domain's GPOs repeat the same ACEs. Bounded (emptied
 * when full).
 */
function rememberedBySddl<T>(of: (ace: SnapshotAce) => T): (ace: SnapshotAce) => T {
  const known = new Map<string, T>();
  return (ace) => {
    let value = known.get(ace.sddl);
    if (value === undefined) {
      value = of(ace);
      if (known.size >= 4096) known.clear();
      known.set(ace.sddl, value);
    }
    return value;
  };
}

const appliesGroupPolicyRemembered = rememberedBySddl(appliesGroupPolicy);
const acePermissionRemembered = rememberedBySddl(acePermission);

/** GPMC's words for the usual GPO permissions; other masks as SDDL rights. */
function acePermission(ace: SnapshotAce): string {
  const [, , rights = '', objectType = ''] = ace.sddl.slice(1, -1).split(';');
  if (objectType.toLowerCase() === APPLY_GROUP_POLICY) return 'Apply Group Policy';
  if (rights === 'CCDCLCSWRPWPDTLOSDRCWDWO' || rights === 'GA') return 'Edit settings, delete, modify security';
  if (rights === 'LCRPLORC' || rights === 'GR') return 'Read';
  return rights;
}

/**
 * Backup.xml decoded (its core settings and unnamed ACEs), by its exact bytes: two backups of an unchanged GPO
 * usually hold the same Backup.xml, and diffBackups decodes it once per pair.
 */
export type BackupXmlMemo = Array<{
  bytes: Buffer;
  core: BackupCoreSettings;
  aces?: Array<Omit<SnapshotAce, 'name'>>;
}>;

/** What the two sides of a pair share once decoded: Backup.xml by its bytes, gpreport.xml (see gpreport-pair.ts). */
export interface PairMemo {
  backupXml: BackupXmlMemo;
  gpReport: GpReportMemo;
}

/** Reads one GPO (or Starter GPO) backup folder into a {@link BackupSnapshot}. */
export async function readBackupSnapshot(folder: string, options: SettingsReportOptions = {}): Promise<BackupSnapshot> {
  return (await readSnapshot(folder, options, true)).snapshot;
}

/**
 * readBackupSnapshot, for diffBackups (which passes the reader it compared the pair's GPTs with, so the folders it
 * checked are not checked again): with `settings` false the GPT is not decoded (the snapshot's settings stay
 * empty), for a pair whose GPTs diffBackups found byte-identical. The extension names Backup.xml gives are returned
 * too: they shape the settings report as much as the GPT's files do. `info` is the folder's bkupInfo.xml as the
 * directory's listing parsed it (the file is then not read again).
 */
export async function readSnapshot(
  folderOrReader: string | BackupReader,
  options: SettingsReportOptions,
  settings: boolean,
  memo?: PairMemo,
  info?: BackupInst | null,
): Promise<{
  snapshot: BackupSnapshot;
  extensionNames: { machineExtensionNames?: string; userExtensionNames?: string };
}> {
  const reader = typeof folderOrReader === 'string' ? await BackupReader.open(folderOrReader) : folderOrReader;
  const folder = reader.folder;
  const problems: BackupSnapshot['problems'] = [];
  const snapshot: BackupSnapshot = {
    folder,
    backupId: folder.split(/[\\/]/).pop() ?? '',
    kind: 'GPO',
    gpoId: '',
    name: '',
    domain: '',
    comment: '',
    backupTime: '',
    createdTime: '',
    modifiedTime: '',
    owner: null,
    status: 'Enabled',
    flags: 0,
    versions: { computer: { ad: 0, sysvol: 0 }, user: { ad: 0, sysvol: 0 } },
    links: [],
    wmiFilter: null,
    securityFiltering: [],
    delegation: [],
    aces: [],
    settings: { version: 1, computer: { extensions: [] }, user: { extensions: [] }, issues: [] },
    problems,
  };
  const optional = async (file: string): Promise<Buffer | null> => {
    try {
      return await reader.readOptional(file, { maxBytes: BACKUP_READ_LIMITS.maxXmlBytes });
    } catch (error) {
      problems.push(problemOf(file, error));
      return null;
    }
  };
  const bkupInfo = info ? null : await optional('bkupInfo.xml');
  if (info || bkupInfo) {
    try {
      const inst = info ?? parseBkupInfoXml(bkupInfo!);
      Object.assign(snapshot, {
        backupId: inst.id,
        gpoId: inst.gpoGuid,
        name: inst.gpoDisplayName,
        domain: inst.gpoDomain,
        comment: inst.comment,
        backupTime: inst.backupTime,
      });
    } catch (error) {
      problems.push(problemOf('bkupInfo.xml', error));
    }
  }
  const report = await optional('gpreport.xml');
  const names = new Map<string, string>();
  if (report) {
    try {
      const parsed = parseGpReportOfPair(report, memo?.gpReport);
      snapshot.createdTime = parsed.createdTime;
      snapshot.modifiedTime = parsed.modifiedTime;
      snapshot.owner = parsed.owner;
      if (parsed.name) snapshot.name = parsed.name;
      snapshot.links = parsed.links.map((link, index) => ({
        somName: link.somName,
        somPath: link.somPath,
        order: index + 1,
        enabled: link.enabled,
        enforced: link.noOverride,
      }));
      for (const trustee of parsed.trustees) if (trustee.sid) names.set(trustee.sid.toUpperCase(), trustee.name);
      snapshot.delegation = parsed.trustees.map((t) => ({
        sid: t.sid,
        name: t.name,
        type: t.type,
        permission: t.standard ?? 'Custom',
      }));
      if (parsed.filterName) snapshot.wmiFilter = { id: '', name: parsed.filterName };
    } catch (error) {
      problems.push(problemOf('gpreport.xml', error));
    }
  }
  const backupXml = await optional('Backup.xml');
  let extensionNames: { machineExtensionNames?: string; userExtensionNames?: string } = {};
  if (backupXml) {
    try {
      // Found by comparing bytes (a memo holds the one or two Backup.xml of a pair), not by a text key made of them.
      let decoded = memo?.backupXml.find((entry) => entry.bytes.equals(backupXml));
      if (decoded === undefined) {
        decoded = { bytes: backupXml, core: parseBackupXmlCore(backupXml) };
        memo?.backupXml.push(decoded);
      }
      const core = decoded.core;
      extensionNames = {
        machineExtensionNames: core.machineExtensionNames,
        userExtensionNames: core.userExtensionNames,
      };
      snapshot.gpoId ||= core.id;
      snapshot.name ||= core.displayName;
      snapshot.domain ||= core.domain;
      snapshot.flags = core.options;
      snapshot.status = gpoStatusText(core.options);
      // Backup.xml packs (GPT.INI side version << 16) | AD side version per side.
      snapshot.versions = {
        computer: { ad: core.machineVersionNumber & 0xffff, sysvol: core.machineVersionNumber >>> 16 },
        user: { ad: core.userVersionNumber & 0xffff, sysvol: core.userVersionNumber >>> 16 },
      };
      if (core.wmiFilterLink) snapshot.wmiFilter = { id: core.wmiFilterLink.id, name: core.wmiFilterLink.name };
      if (core.securityDescriptor.length > 0) {
        // Decoded after the facts above are set: a damaged descriptor leaves them (and is named in `problems`).
        decoded.aces ??= unnamedAces(core.securityDescriptor);
        snapshot.aces = decoded.aces.map((ace) => namedAce(ace, names));
      }
      // Security filtering is who may apply the GPO: allow ACEs with the Apply Group Policy right (from the
      // descriptor itself, so it is right even when gpreport.xml lists no permissions).
      const filtering = snapshot.aces.filter(appliesGroupPolicyRemembered).map((ace) => ace.name ?? ace.sid);
      snapshot.securityFiltering = [...new Set(filtering)];
      if (snapshot.delegation.length === 0)
        snapshot.delegation = snapshot.aces.map((ace) => ({
          sid: ace.sid,
          name: ace.name ?? ace.sid,
          type: ace.type.endsWith('D') ? 'Deny' : 'Allow',
          permission: acePermissionRemembered(ace),
        }));
    } catch (error) {
      problems.push(problemOf('Backup.xml', error));
    }
  } else {
    snapshot.kind = 'StarterGPO';
  }
  // The extension names are passed on so buildSettingsReport does not read and parse Backup.xml a second time.
  if (settings) snapshot.settings = await buildSettingsReport(reader, { ...extensionNames, ...options });
  return { snapshot, extensionNames };
}
