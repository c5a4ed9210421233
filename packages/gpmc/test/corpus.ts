/**
 * Builds a GpoBackupModel for each real backup of the shared corpus from that backup's own inputs, the
 * way a provider would from AD and SYSVOL:
 * - identity (IDs, domain, DC, name, time, comment): bkupInfo.xml;
 * - AD/SYSVOL facts GPMC read (flags, versionNumber, GPT.INI version, the domain's NetBIOS name and the
 *   names of DACL principals): gpreport.xml, Windows' own report of the same GPO at the same moment;
 * - extension names, the DACL-only security descriptor, WMI filter link, FilePaths: Backup.xml's core
 *   settings (copied verbatim from AD by GPMC, so they are inputs, not outputs);
 * - the GPT tree: the backup's DomainSysvol/GPO folder;
 * - SecurityGroups: derived by this package from GptTmpl.inf in the tree and from the security descriptor.
 */
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { corpusDir } from '@coffer/test-support';
import {
  buildSecurityGroups,
  parseBackupXml,
  parseBkupInfoXml,
  parseBackupTime,
  parseGpReportXml,
  joinGpoVersion,
  type GpoBackupModel,
  type GptEntry,
  type GpmcTemplateLayout,
  type ResolvedAccount,
  type PrincipalType,
} from '../src/index.js';

export interface CorpusBackup {
  /** Folder of the backup directory in the corpus. */
  name: string;
  dir: string;
  backupId: string;
  folder: string;
  /** The corpus' public source normalised CRLF to LF (GPMC writes CRLF). */
  lfNormalised: boolean;
  /** GPMC template generation that wrote it (slot count proven by its Backup.xml). */
  layout: GpmcTemplateLayout;
  /** The security descriptor was sanitised upstream: DACL principals come from the report's SDDL. */
  sanitisedDescriptor: boolean;
  /** Its source published a manifest.xml (the two nsa-win10 folders came without one); the corpus tests check it. */
  hasManifest: boolean;
}

const CORPUS_FOLDERS: Array<
  Pick<CorpusBackup, 'name' | 'lfNormalised' | 'layout' | 'sanitisedDescriptor' | 'hasManifest'>
> = [
  {
    name: 'nsa-win10-computer',
    lfNormalised: false,
    layout: 'gpmc-2016',
    sanitisedDescriptor: false,
    hasManifest: false,
  },
  { name: 'nsa-win10-user', lfNormalised: false, layout: 'gpmc-2016', sanitisedDescriptor: false, hasManifest: false },
  { name: 'nsa-emet', lfNormalised: true, layout: 'gpmc-2012r2', sanitisedDescriptor: false, hasManifest: true },
  { name: 'disa-win10-user', lfNormalised: true, layout: 'gpmc-2016', sanitisedDescriptor: false, hasManifest: true },
  {
    name: 'gpostudio-mixedcse',
    lfNormalised: false,
    layout: 'gpmc-2016',
    sanitisedDescriptor: true,
    hasManifest: true,
  },
];

/**
 * The corpus backups, named without touching the disk: suites over them are collected (and, without the
 * corpus, counted as skipped) from these names; the backup folder is looked up only when a test reads it.
 */
export const CORPUS_BACKUPS: CorpusBackup[] = CORPUS_FOLDERS.map((entry) => {
  const dir = join(corpusDir(), entry.name);
  const backupId = (): string => {
    const found = readdirSync(dir).find((name) => /^\{[0-9A-F-]{36}\}$/i.test(name));
    if (found === undefined) throw new Error(`no backup folder in ${dir}`);
    return found;
  };
  return {
    ...entry,
    dir,
    get backupId() {
      return backupId();
    },
    get folder() {
      return join(dir, backupId());
    },
  };
});

export function read(backup: CorpusBackup, file: string): Buffer {
  return readFileSync(join(backup.folder, file));
}

/** Every file and folder under DomainSysvol/GPO, relative, as the GPT tree. */
export function gptTreeOnDisk(backup: CorpusBackup): GptEntry[] {
  const root = join(backup.folder, 'DomainSysvol', 'GPO');
  const out: GptEntry[] = [];
  const walk = (relative: string[]): void => {
    for (const name of readdirSync(join(root, ...relative))) {
      const path = [...relative, name];
      const info = statSync(join(root, ...path));
      if (info.isDirectory()) {
        out.push({ path: path.join('/'), kind: 'dir' });
        walk(path);
      } else {
        out.push({ path: path.join('/'), kind: 'file', size: info.size });
      }
    }
  };
  walk([]);
  return out;
}

/**
 * Git keeps no empty folders, so the corpus lost the GPT's empty ones (Applications, Scripts\Startup…).
 * They are put back from Backup.xml's FSObjectDir Locations, only where the folder is absent on disk.
 */
export function emptyFoldersLostByGit(backup: CorpusBackup): GptEntry[] {
  const parsed = parseBackupXml(read(backup, 'Backup.xml'));
  const out: GptEntry[] = [];
  for (const block of parsed.extensions) {
    for (const object of block.objects) {
      if (object.kind !== 'dir' || object.location === undefined) continue;
      const relative = object.location.replace(/^DomainSysvol\\GPO\\?/, '').split('\\');
      if (!existsSync(join(backup.folder, 'DomainSysvol', 'GPO', ...relative)))
        out.push({ path: relative.join('/'), kind: 'dir' });
    }
  }
  return out;
}

const RID_TYPES: Record<string, PrincipalType> = {
  '512': 'GlobalGroup',
  '513': 'GlobalGroup',
  '515': 'GlobalGroup',
  '516': 'GlobalGroup',
  '518': 'UniversalGroup',
  '519': 'UniversalGroup',
  '520': 'GlobalGroup',
};

/** SIDs of the trustees of an SDDL DACL, in ACE order (aliases DA/EA/DU expanded with the domain SID). */
export function sddlDaclTrusteeSids(sddl: string, domainSid: string): string[] {
  const dacl = /D:[A-Z]*((?:\([^)]*\))*)/.exec(sddl)?.[1] ?? '';
  const aliases: Record<string, string> = {
    DA: `${domainSid}-512`,
    EA: `${domainSid}-519`,
    DU: `${domainSid}-513`,
    DD: `${domainSid}-516`,
  };
  return [...dacl.matchAll(/\(([^)]*)\)/g)].map((ace) => {
    const trustee = ace[1]!.split(';')[5]!;
    return aliases[trustee] ?? trustee;
  });
}

/** A fixed little "directory" from the report: SID → DOMAIN\name, type by well-known RID. */
function resolverFromReport(
  report: ReturnType<typeof parseGpReportXml>,
  dnsDomain: string,
): (sid: string) => ResolvedAccount | undefined {
  const names = new Map<string, string>();
  for (const principal of [report.owner, report.group, ...report.trustees])
    if (principal !== null) names.set(principal.sid, principal.name);
  return (sid) => {
    const qualified = names.get(sid);
    if (qualified === undefined || !qualified.includes('\\')) return undefined;
    const [netbios, sam] = qualified.split('\\') as [string, string];
    return {
      samAccountName: sam,
      type: RID_TYPES[sid.split('-').pop()!] ?? 'Unknown',
      netbiosDomainName: netbios,
      dnsDomainName: dnsDomain,
    };
  };
}

/** The model of one corpus backup, built from its inputs (see the file comment). */
export function corpusModel(backup: CorpusBackup): GpoBackupModel {
  const inst = parseBkupInfoXml(read(backup, 'bkupInfo.xml'));
  const core = parseBackupXml(read(backup, 'Backup.xml'));
  const report = parseGpReportXml(read(backup, 'gpreport.xml'));
  const tree = [...gptTreeOnDisk(backup), ...emptyFoldersLostByGit(backup)];
  const gptTmplPath = tree.find((entry) => /^Machine\/microsoft\/windows nt\/SecEdit\/GptTmpl\.inf$/i.test(entry.path));
  const gptTmplInf =
    gptTmplPath === undefined ? null : readFileSync(join(backup.folder, 'DomainSysvol', 'GPO', gptTmplPath.path));

  const resolve = resolverFromReport(report, inst.gpoDomain);
  // The sanitised descriptor has no DACL left; its trustees are read from the report's SDDL instead.
  const domainSid = report.trustees
    .map((t) => t.sid)
    .find((sid) => /^S-1-5-21-/.test(sid))
    ?.replace(/-\d+$/, '');
  const dacl = backup.sanitisedDescriptor
    ? { daclTrusteeSids: sddlDaclTrusteeSids(report.sddl, domainSid!) }
    : { securityDescriptor: core.core.securityDescriptor };

  return {
    backupId: inst.id,
    backupTime: parseBackupTime(inst.backupTime)!,
    comment: inst.comment,
    gpoId: inst.gpoGuid,
    domain: inst.gpoDomain,
    domainGuid: inst.gpoDomainGuid,
    domainController: inst.gpoDomainController,
    displayName: inst.gpoDisplayName,
    flags: (report.user.enabled ? 0 : 1) | (report.computer.enabled ? 0 : 2),
    versionNumber: joinGpoVersion({ machine: report.computer.versionDirectory, user: report.user.versionDirectory }),
    gptIniVersion: joinGpoVersion({ machine: report.computer.versionSysvol, user: report.user.versionSysvol }),
    machineExtensionNames: core.core.machineExtensionNames,
    userExtensionNames: core.core.userExtensionNames,
    wmiFilter: core.core.wmiFilterLink,
    securityDescriptor: core.core.securityDescriptor,
    securityGroups: buildSecurityGroups({ gptTmplInf, ...dacl, resolve }),
    filePaths: core.filePaths,
    gptTree: tree,
    layout: backup.layout,
  };
}
