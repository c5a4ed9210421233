import { isDomainSid, toSddl } from '@coffer/active-directory';
import type { OperationContext } from '@coffer/core';
import {
  backupInstOf,
  buildSecurityGroups,
  buildSettingsReport,
  CHANGE_STATE_FILE,
  CHANGE_STATE_FORMAT,
  decodeInfText,
  formatGpmcHex,
  type GpoBackupModel,
  gptSourceFromFiles,
  recordListing,
  renderBackupXml,
  renderBkupInfoXmlForInst,
  renderChangeState,
  renderGpReportXml,
  renderGpreportSettingsXml,
  templatePrincipalReferences,
  toGpmcDaclOnlyDescriptor,
} from '@coffer/gpmc';
import type { GpoContainer } from '../ad/read-gpos.js';
import { canonicalPathOf } from '../ad/read-links.js';
import { displayNameOfSid } from '../ad/resolve-principals.js';
import { parseGpcWqlFilter } from '../ad/wmi-filter.js';
import { GPO_EXTRAS_FILE, GPO_EXTRAS_FORMAT, renderGpoExtras } from '../extras/gpo-extras.js';
import { gpoAdDigest } from './gpo-state.js';
import { BACKUP_GPT_ROOT } from './gpt-routing.js';
import type { GpoBackupPlan } from './plan.js';
import type { GpoPassItem } from './sysvol-pass.js';
import type { WritePool } from './write-pool.js';

/**
 * Domain SIDs the GPO's GptTmpl.inf names that the plan has not resolved (principals in [Group Membership] or
 * [Privilege Rights] need not be in the DACL). Their entry waits until they are resolved, in one batch after the pass.
 */
export function templateSidsToResolve(plan: GpoBackupPlan, item: GpoPassItem): string[] {
  if (!item.gptTmplInf) return [];
  return templatePrincipalReferences(decodeInfText(item.gptTmplInf))
    .map((reference) => reference.sid)
    .filter((sid): sid is string => sid !== null && isDomainSid(sid) && !plan.accounts.has(sid));
}

/**
 * The per-GPO entry: builds the GPO's model from the plan's AD facts and the SYSVOL pass's facts, renders its GPMC files
 * (Backup.xml, bkupInfo.xml, gpreport.xml with settings), Coffer's extras and its change state, writes them beside its
 * GPT files, and seals the entry (its integrity manifest). No LDAP query happens here: principals a GptTmpl.inf
 * adds must be in `plan.accounts` already ({@link templateSidsToResolve}).
 */
export async function writeGpoEntry(
  plan: GpoBackupPlan,
  item: GpoPassItem,
  backupTime: Date,
  pool: WritePool,
  context: OperationContext,
): Promise<void> {
  const { session } = plan;
  const gpo = item.container;
  if (gpo === null) throw new Error(`The backup entry of GPO ${item.gpo.displayName} was already written.`);
  const object = `${gpo.displayName} ${gpo.id}`;
  const { descriptor } = gpo;
  const daclOnly = toGpmcDaclOnlyDescriptor(descriptor);
  if (item.gptIniVersion === null) {
    context.report({
      severity: 'warning',
      code: 'GPT_INI_MISSING',
      message: `GPO ${gpo.displayName} has no GPT.INI; its SYSVOL version is taken as 0.`,
      object,
    });
  }
  const wmiLink = parseGpcWqlFilter(gpo.wqlFilter);
  const wmiFilter = wmiLink ? (plan.wmiFilters.get(wmiLink.id.toUpperCase()) ?? null) : null;
  if (wmiLink && !wmiFilter) {
    context.report({
      severity: 'warning',
      code: 'WMI_FILTER_MISSING',
      message: `GPO ${gpo.displayName} links WMI filter ${wmiLink.id}, which does not exist.`,
      object,
    });
  }
  const model: GpoBackupModel = {
    backupId: item.backupId,
    backupTime,
    comment: plan.comment,
    gpoId: gpo.id,
    domain: session.dnsDomain,
    domainGuid: session.domainGuid,
    domainController: session.dcHostName,
    displayName: gpo.displayName,
    flags: gpo.flags,
    versionNumber: gpo.versionNumber,
    gptIniVersion: item.gptIniVersion ?? 0,
    machineExtensionNames: gpo.machineExtensionNames,
    userExtensionNames: gpo.userExtensionNames,
    wmiFilter: wmiLink ? { domain: wmiLink.domain, id: wmiLink.id, name: wmiFilter?.name ?? '' } : null,
    securityDescriptor: daclOnly,
    securityGroups: buildSecurityGroups({
      gptTmplInf: item.gptTmplInf,
      securityDescriptor: daclOnly,
      resolve: (sid) => plan.accounts.get(sid),
    }),
    filePaths: [],
    gptTree: item.tree,
  };
  const sddlOptions = { domainSid: session.domainSid };
  const links = plan.links.get(gpo.id.toUpperCase()) ?? [];
  const reportDescriptor = { ...descriptor, sacl: undefined, control: { ...descriptor.control, saclPresent: false } };
  const settings = await gpoSettings(plan, item, gpo, context);
  const report = renderGpReportXml(model, {
    extensionData: settings,
    createdTime: gpo.whenCreated,
    modifiedTime: gpo.whenChanged,
    readTime: backupTime,
    sddl: toSddl(reportDescriptor, sddlOptions),
    ...(descriptor.owner
      ? { owner: { sid: descriptor.owner, name: displayNameOfSid(descriptor.owner, plan.accounts) } }
      : {}),
    ...(descriptor.group
      ? { group: { sid: descriptor.group, name: displayNameOfSid(descriptor.group, plan.accounts) } }
      : {}),
    ...(wmiFilter ? { wmiFilterDescription: wmiFilter.description } : {}),
    links: links.map((link) => ({
      somName: link.somName,
      somPath: link.somType === 'domain' ? session.dnsDomain : canonicalPathOf(link.somDn, session.dnsDomain),
      enabled: link.enabled,
      noOverride: link.enforced,
    })),
  });
  const extras = renderGpoExtras({
    format: GPO_EXTRAS_FORMAT,
    version: 1,
    gpo: {
      id: gpo.id,
      dn: gpo.dn,
      displayName: gpo.displayName,
      flags: gpo.flags,
      versionNumber: gpo.versionNumber,
      gptIniVersion: model.gptIniVersion,
      machineExtensionNames: gpo.machineExtensionNames,
      userExtensionNames: gpo.userExtensionNames,
      fileSysPath: gpo.fileSysPath,
      wqlFilter: gpo.wqlFilter,
      whenCreated: gpo.whenCreatedText,
      whenChanged: gpo.whenChangedText,
    },
    securityDescriptor: {
      hex: formatGpmcHex(gpo.securityDescriptor),
      sddl: toSddl(descriptor, sddlOptions),
      saclIncluded: gpo.saclIncluded,
    },
    links,
    wmiFilter,
  });
  const inst = backupInstOf(model);
  const state = renderChangeState({
    format: CHANGE_STATE_FORMAT,
    version: 1,
    objectId: gpo.id,
    adDigest: gpoAdDigest(gpo, links, wmiFilter),
    readStartedAt: plan.readStartedAt.toISOString(),
    contentRoot: BACKUP_GPT_ROOT,
    listing: recordListing(
      item.listing,
      new Map(item.gptIniHash ? [[item.gptIniHash.path, item.gptIniHash.sha256]] : []),
    ),
  });
  // Everything the pass collected for this GPO is rendered now: let it go rather than hold it (with the pool's
  // 8 KiB slabs its small buffers pin) for every GPO until the commit. Only the folders are still to be made.
  const folders = item.tree.filter((entry) => entry.kind === 'dir').map((entry) => entry.path);
  releasePassFacts(item);
  item.container = null;
  const files: Array<[string, string | Uint8Array]> = [
    ['Backup.xml', renderBackupXml(model)],
    ['bkupInfo.xml', renderBkupInfoXmlForInst(inst)],
    ['gpreport.xml', report],
    [GPO_EXTRAS_FILE, extras],
    [CHANGE_STATE_FILE, state],
  ];
  const held = files.reduce(
    (sum, [, content]) => sum + (typeof content === 'string' ? content.length * 2 : content.length),
    0,
  );
  await pool.run(async () => {
    const entry = await item.staged;
    // Every GPT folder, empty ones too: the staged entry makes each folder once, so those a file went into cost nothing.
    for (const folder of folders) await entry.mkdir(`${BACKUP_GPT_ROOT}/${folder}`);
    for (const [name, content] of files) await entry.writeFile(name, content);
    // Sealed (integrity manifest written) here, beside other GPOs' writes, rather than one by one in commit;
    // manifest.xml lists this <BackupInst> at commit without reading bkupInfo.xml back.
    await entry.seal(inst);
    context.progress.advance(gpo.displayName);
  }, held);
}

/**
 * The settings GPMC lists in gpreport.xml's <ExtensionData>, decoded from the bytes the SYSVOL pass held for them
 * (nothing is read again). Administrative Template policies are named from the domain's central store when the GPO
 * has a Registry.pol; a file that cannot be decoded is a warning and leaves only its own settings out.
 */
async function gpoSettings(
  plan: GpoBackupPlan,
  item: GpoPassItem,
  gpo: GpoContainer,
  context: OperationContext,
): Promise<{ computer: string; user: string }> {
  const files = item.tree.filter((entry) => entry.kind === 'file').map((entry) => entry.path);
  const hasRegistryPol = [...item.settingsFiles.keys()].some((path) => /^(machine|user)\/registry\.pol$/i.test(path));
  const admx = hasRegistryPol ? await plan.centralStore.catalog() : undefined;
  const settings = await buildSettingsReport(gptSourceFromFiles(item.settingsFiles, files), {
    ...(admx ? { admx } : {}),
    resolve: (sid) => plan.accounts.get(sid),
    machineExtensionNames: gpo.machineExtensionNames,
    userExtensionNames: gpo.userExtensionNames,
  });
  item.settingsFiles.clear();
  for (const issue of settings.issues) {
    context.report({
      severity: 'warning',
      code: 'GPO_SETTINGS_UNREADABLE',
      message: `GPO ${gpo.displayName}: ${issue.file} could not be decoded for gpreport.xml (${issue.code}: ${issue.message}); the file itself is backed up.`,
      object: `${gpo.displayName} ${gpo.id}`,
    });
  }
  return renderGpreportSettingsXml(settings);
}

/** Drops what the SYSVOL pass collected for a GPO once its entry is rendered; the commit needs only the counts. */
function releasePassFacts(item: GpoPassItem): void {
  item.tree = [];
  item.listing = [];
  item.settingsFiles.clear();
  item.gptTmplInf = null;
  item.gptIniHash = null;
}
