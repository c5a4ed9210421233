import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { runCommand } from '../system/run-command.js';
import type { DcLayout } from '../system/smb-conf.js';
import type { SeedSummary, SeededGpo, SeededLink } from '../types.js';
import { resolveContent, type SeedContext } from './content/text.js';
import { parseLdif, renderLdif, type LdifRecord } from './ldif.js';
import { ADD_BATCH_PY, FAST_SYSVOLRESET_PY } from './samba-python.js';
import { buildSeedPlan, gpLinkEntry, gpoDn, gptIniContent, securityFilteredSddl, type SeedPlan } from './seed-plan.js';

export interface ApplySeedInput {
  layout: DcLayout;
  baseDn: string;
  dnsDomain: string;
  netbiosDomain: string;
  extraGpos: number;
  /** Receives one line per seed step with its duration, so a slow seed says where its time goes. */
  log?: (line: string) => void;
}

/**
 * Seeds a provisioned DC before samba starts: one LDIF of additions (added in one batch-mode transaction, see
 * ADD_BATCH_PY), one ldbsearch for the SIDs the new groups got, one ldbmodify batch, SYSVOL written directly,
 * then sysvolreset once for every ACL (each distinct ACL computed once, see FAST_SYSVOLRESET_PY).
 * Offline writes avoid racing a running DC and are far faster than one `samba-tool gpo create` per GPO: every step
 * grows about linearly, and 10,000 extra GPOs seed in under two minutes on a 2-core machine (see the README).
 */
export async function applySeed({
  layout,
  baseDn,
  dnsDomain,
  netbiosDomain,
  extraGpos,
  log = () => undefined,
}: ApplySeedInput): Promise<SeedSummary> {
  let stepStarted = performance.now();
  const step = (name: string) => {
    const now = performance.now();
    log(`seed: ${name} in ${((now - stepStarted) / 1000).toFixed(1)} s`);
    stepStarted = now;
  };
  const plan = buildSeedPlan({ baseDn, dnsDomain, extraGpos });
  const seedDir = join(layout.workDir, 'seed');
  await mkdir(seedDir, { recursive: true });

  const addFile = join(seedDir, '1-add.ldif');
  await writeFile(addFile, renderLdif(additions(plan)));
  step('planned and rendered the LDIF');
  await addRecords(layout, addFile);
  step(`added ${plan.gpos.length} GPOs, their containers, OUs, groups and WMI filters`);

  const found = await lookUp(layout, plan);
  const groupSids = new Map(plan.groups.map((g) => [g.dn.toLowerCase(), found.sids.get(g.dn.toLowerCase())]));
  const grant = plan.groups.find((g) => g.role === 'apply');
  const deny = plan.groups.find((g) => g.role === 'deny');
  const grantSid = grant ? groupSids.get(grant.dn.toLowerCase()) : undefined;
  const denySid = deny ? groupSids.get(deny.dn.toLowerCase()) : undefined;
  if (!grant || !deny || !grantSid || !denySid)
    throw new Error('The seed groups were added but their objectSid could not be read back.');
  const sddl = securityFilteredSddl(grantSid, denySid);
  // Files that name seeded groups (restricted groups, targeting) are rendered now that the groups have SIDs.
  const context: SeedContext = {
    domainSid: grantSid.replace(/-\d+$/, ''),
    netbiosDomain,
    dnsDomain,
    groupSids: new Map(
      plan.groups
        .map((g) => [g.samAccountName, groupSids.get(g.dn.toLowerCase()) ?? ''] as const)
        .filter(([, sid]) => sid !== ''),
    ),
  };

  const gpLinks = new Map<string, string>();
  const modifications: LdifRecord[] = [];
  for (const container of plan.containers) {
    if (container.links.length === 0) continue;
    const existing = container.create ? '' : (found.gpLinks.get(container.dn.toLowerCase()) ?? '');
    const value = existing + container.links.map((l) => gpLinkEntry(l.gpoGuid, baseDn, l.options)).join('');
    gpLinks.set(container.dn, value);
    if (!container.create)
      modifications.push({
        dn: container.dn,
        changes: [{ operation: 'replace', attribute: 'gPLink', values: [value] }],
      });
  }
  for (const gpo of plan.gpos.filter((g) => g.securityFiltered)) {
    modifications.push({
      dn: gpoDn(gpo.guid, baseDn),
      changes: [{ operation: 'replace', attribute: 'nTSecurityDescriptor', values: [sddl] }],
    });
  }
  const modifyFile = join(seedDir, '2-modify.ldif');
  await writeFile(modifyFile, renderLdif(modifications));
  await runCommand('ldbmodify', ['-H', layout.samLdbPath, modifyFile], { timeoutMs: 10 * 60_000 });
  step('ldbsearch and ldbmodify');

  const policiesDir = join(layout.sysvolPath, dnsDomain, 'Policies');
  await mapConcurrently(plan.gpos, async (gpo) => {
    const folder = join(policiesDir, gpo.guid);
    await mkdir(join(folder, 'Machine'), { recursive: true });
    await mkdir(join(folder, 'User'), { recursive: true });
    await writeFile(join(folder, 'GPT.INI'), gptIniContent((gpo.userSysvolVersion << 16) | gpo.machineSysvolVersion));
    for (const file of gpo.files) {
      await mkdir(dirname(join(folder, file.path)), { recursive: true });
      await writeFile(join(folder, file.path), resolveContent(file.content, context));
    }
  });
  const definitionsDir = join(policiesDir, 'PolicyDefinitions');
  for (const file of plan.policyDefinitions) {
    await mkdir(dirname(join(definitionsDir, file.path)), { recursive: true });
    await writeFile(join(definitionsDir, file.path), resolveContent(file.content, context));
  }
  const startersDir = join(layout.sysvolPath, dnsDomain, 'StarterGPOs');
  for (const starter of plan.starterGpos) {
    for (const file of starter.files) {
      await mkdir(dirname(join(startersDir, starter.guid, file.path)), { recursive: true });
      await writeFile(join(startersDir, starter.guid, file.path), resolveContent(file.content, context));
    }
  }
  step('wrote SYSVOL');
  const aclScript = join(seedDir, 'sysvolreset.py');
  await writeFile(aclScript, FAST_SYSVOLRESET_PY);
  await runCommand(await sambaPython(), [aclScript, '-s', layout.smbConfPath], { timeoutMs: 30 * 60_000 });
  step('sysvolreset');

  const summary = await summarise(
    plan,
    layout,
    { grantSid, denySid, sddl, grantName: grant.name, denyName: deny.name },
    gpLinks,
    groupSids,
  );
  step('summarised');
  return summary;
}

/**
 * Adds the records of an LDIF file to the DC's sam.ldb (samba not running) in one transaction: all of them or, if one
 * fails, none (see ADD_BATCH_PY).
 */
export async function addRecords(layout: DcLayout, ldifFile: string): Promise<void> {
  const script = join(dirname(ldifFile), 'add.py');
  await writeFile(script, ADD_BATCH_PY);
  await runCommand(await sambaPython(), [script, layout.smbConfPath, layout.samLdbPath, ldifFile], {
    timeoutMs: 30 * 60_000,
  });
}

/** The interpreter samba-tool runs under (its #! line): the one that has samba's Python modules. */
async function sambaPython(): Promise<string> {
  const { stdout } = await runCommand('sh', ['-c', 'command -v samba-tool'], { timeoutMs: 10_000 });
  const shebang = (await readFile(stdout.trim(), 'utf8')).split('\n', 1)[0] ?? '';
  const interpreter = /^#!\s*(\S+)/.exec(shebang)?.[1];
  if (!interpreter || interpreter.endsWith('/env')) return 'python3';
  return interpreter;
}

function additions(plan: SeedPlan): LdifRecord[] {
  const { baseDn, dnsDomain } = plan;
  const records: LdifRecord[] = [];
  // Parents first: OUs are listed outermost first in the plan.
  for (const container of plan.containers.filter((c) => c.create)) {
    const attributes: Array<[string, string]> = [['objectClass', 'organizationalUnit']];
    if (container.blockInheritance) attributes.push(['gPOptions', '1']);
    if (container.links.length > 0)
      attributes.push(['gPLink', container.links.map((l) => gpLinkEntry(l.gpoGuid, baseDn, l.options)).join('')]);
    records.push({ dn: container.dn, attributes });
  }
  for (const group of plan.groups) {
    records.push({
      dn: group.dn,
      attributes: [
        ['objectClass', 'group'],
        ['sAMAccountName', group.samAccountName],
        ['description', `Coffer seed: security filtering (${group.role})`],
      ],
    });
  }
  for (const filter of plan.wmiFilters) {
    records.push({
      dn: `CN=${filter.guid},CN=SOM,CN=WMIPolicy,CN=System,${baseDn}`,
      attributes: [
        ['objectClass', 'msWMI-Som'],
        ['msWMI-Name', filter.name],
        ['msWMI-Parm1', filter.description],
        ['msWMI-Parm2', filter.parm2],
        ['msWMI-Author', `Administrator@${dnsDomain.toUpperCase()}`],
        ['msWMI-ID', filter.guid],
        ['msWMI-CreationDate', '20240115103000.000000-000'],
        ['msWMI-ChangeDate', '20240220081500.000000-000'],
        ['showInAdvancedViewOnly', 'TRUE'],
      ],
    });
  }
  for (const gpo of plan.gpos) {
    const dn = gpoDn(gpo.guid, baseDn);
    const attributes: Array<[string, string]> = [
      ['objectClass', 'groupPolicyContainer'],
      ['displayName', gpo.displayName],
      ['gPCFileSysPath', `\\\\${dnsDomain}\\SysVol\\${dnsDomain}\\Policies\\${gpo.guid}`],
      ['flags', String(gpo.flags)],
      ['versionNumber', String((gpo.userAdVersion << 16) | gpo.machineAdVersion)],
      ['gPCFunctionalityVersion', '2'],
    ];
    if (gpo.machineExtensionNames) attributes.push(['gPCMachineExtensionNames', gpo.machineExtensionNames]);
    if (gpo.userExtensionNames) attributes.push(['gPCUserExtensionNames', gpo.userExtensionNames]);
    if (gpo.wmiFilterGuid) attributes.push(['gPCWQLFilter', `[${dnsDomain};${gpo.wmiFilterGuid};0]`]);
    records.push({ dn, attributes });
    records.push({ dn: `CN=User,${dn}`, attributes: [['objectClass', 'container']] });
    records.push({ dn: `CN=Machine,${dn}`, attributes: [['objectClass', 'container']] });
  }
  return records;
}

async function lookUp(
  layout: DcLayout,
  plan: SeedPlan,
): Promise<{ sids: Map<string, string>; gpLinks: Map<string, string> }> {
  const filter = `(|${plan.groups.map((g) => `(sAMAccountName=${g.samAccountName})`).join('')}(objectClass=domainDNS)(objectClass=site))`;
  const { stdout } = await runCommand(
    'ldbsearch',
    ['-H', layout.samLdbPath, '-b', plan.baseDn, filter, 'objectSid', 'gPLink'],
    { timeoutMs: 60_000 },
  );
  const sids = new Map<string, string>();
  const gpLinks = new Map<string, string>();
  for (const record of parseLdif(stdout)) {
    const sid = record.attributes.get('objectsid')?.[0];
    const link = record.attributes.get('gplink')?.[0];
    if (sid) sids.set(record.dn.toLowerCase(), sid);
    if (link) gpLinks.set(record.dn.toLowerCase(), link);
  }
  return { sids, gpLinks };
}

/**
 * GPO folders written or listed at once. Each file operation is small, so a sequential walk is bound by the latency of
 * its libuv round trips (long on a loaded machine), not by the disk; the folders of two GPOs share nothing.
 */
const CONCURRENT_GPO_FOLDERS = 8;

/**
 * `task` over every item, CONCURRENT_GPO_FOLDERS at a time; results in the items' order. After a failure no new task
 * starts, and the first error is thrown only once the running ones have ended, so nothing writes into the DC's folder
 * after the seed has failed (and the folder is being removed).
 */
async function mapConcurrently<T, R>(items: readonly T[], task: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  const errors: unknown[] = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length && errors.length === 0) {
      const index = next++;
      try {
        results[index] = await task(items[index] as T);
      } catch (error) {
        errors.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENT_GPO_FOLDERS, items.length) }, worker));
  if (errors.length > 0) throw errors[0];
  return results;
}

async function listFiles(root: string): Promise<Array<{ path: string; size: number }>> {
  const out: Array<{ path: string; size: number }> = [];
  async function walk(dir: string, prefix: string): Promise<void> {
    for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      const rel = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
      if (entry.isDirectory()) await walk(join(dir, entry.name), rel);
      else out.push({ path: rel, size: (await stat(join(dir, entry.name))).size });
    }
  }
  await walk(root, '');
  return out;
}

async function summarise(
  plan: SeedPlan,
  layout: DcLayout,
  permissions: { grantSid: string; denySid: string; sddl: string; grantName: string; denyName: string },
  gpLinks: Map<string, string>,
  groupSids: Map<string, string | undefined>,
): Promise<SeedSummary> {
  const { baseDn, dnsDomain } = plan;
  // One pass over every link (the bench OU links every extra GPO: a lookup per GPO would be quadratic).
  const linksByGpo = new Map<string, SeededLink[]>();
  for (const container of plan.containers) {
    const existingCount = container.create ? 0 : countLinks(gpLinks.get(container.dn) ?? '') - container.links.length;
    container.links.forEach((link, index) => {
      const links = linksByGpo.get(link.gpoGuid) ?? [];
      links.push({
        containerDn: container.dn,
        containerKind: container.kind,
        options: link.options,
        enabled: (link.options & 1) === 0,
        enforced: (link.options & 2) !== 0,
        positionInGpLink: existingCount + index + 1,
      });
      linksByGpo.set(link.gpoGuid, links);
    });
  }
  const linksOf = (guid: string): SeededLink[] => linksByGpo.get(guid) ?? [];
  const folderOf = (guid: string) => join(layout.sysvolPath, dnsDomain, 'Policies', guid);
  const filesOf = await mapConcurrently(plan.gpos, (gpo) => listFiles(folderOf(gpo.guid)));
  const gpos: SeededGpo[] = [];
  for (const [index, gpo] of plan.gpos.entries()) {
    const sysvolSharePath = `${dnsDomain}/Policies/${gpo.guid}`;
    const sysvolFolder = folderOf(gpo.guid);
    const filter = plan.wmiFilters.find((f) => f.guid === gpo.wmiFilterGuid);
    gpos.push({
      guid: gpo.guid,
      dn: gpoDn(gpo.guid, baseDn),
      displayName: gpo.displayName,
      flags: gpo.flags,
      versionNumber: (gpo.userAdVersion << 16) | gpo.machineAdVersion,
      userVersion: gpo.userAdVersion,
      machineVersion: gpo.machineAdVersion,
      gptIniVersion: (gpo.userSysvolVersion << 16) | gpo.machineSysvolVersion,
      machineExtensionNames: gpo.machineExtensionNames,
      userExtensionNames: gpo.userExtensionNames,
      sysvolFolder,
      sysvolSharePath,
      files: filesOf[index] ?? [],
      contentKinds: gpo.contentKinds,
      links: linksOf(gpo.guid),
      wmiFilter: filter
        ? { guid: filter.guid, name: filter.name, gPCWQLFilter: `[${dnsDomain};${filter.guid};0]` }
        : null,
      permissions: gpo.securityFiltered
        ? {
            authenticatedUsersApplyRemoved: true,
            applyGrantedTo: [{ name: permissions.grantName, sid: permissions.grantSid }],
            applyDeniedTo: [{ name: permissions.denyName, sid: permissions.denySid }],
            sddl: permissions.sddl,
          }
        : null,
      purpose: gpo.purpose,
    });
  }
  const startersRoot = join(layout.sysvolPath, dnsDomain, 'StarterGPOs');
  const starterGpos = [];
  for (const s of plan.starterGpos) {
    starterGpos.push({
      guid: s.guid,
      displayName: s.displayName,
      description: s.description,
      type: s.type,
      typeName: s.type === 0 ? ('System' as const) : ('Custom' as const),
      author: s.author,
      product: s.product,
      computerVersion: s.computerVersion,
      userVersion: s.userVersion,
      starterGpoVersion: s.starterGpoVersion,
      sysvolFolder: join(startersRoot, s.guid),
      sysvolSharePath: `${dnsDomain}/StarterGPOs/${s.guid}`,
      files: await listFiles(join(startersRoot, s.guid)),
      localizedLanguages: s.localizedLanguages,
    });
  }
  return {
    gpos,
    ous: plan.containers
      .filter((c) => c.kind === 'ou')
      .map((c) => ({
        dn: c.dn,
        name: c.name,
        blockInheritance: c.blockInheritance,
        gPLink: gpLinks.get(c.dn) ?? null,
      })),
    groups: plan.groups.map((g) => ({ name: g.name, dn: g.dn, sid: groupSids.get(g.dn.toLowerCase()) ?? '' })),
    wmiFilters: plan.wmiFilters.map((f) => ({
      guid: f.guid,
      dn: `CN=${f.guid},CN=SOM,CN=WMIPolicy,CN=System,${baseDn}`,
      name: f.name,
      description: f.description,
      parm2: f.parm2,
      queries: f.queries,
    })),
    starterGpos,
    gpLinks: [...gpLinks].map(([containerDn, gPLink]) => ({ containerDn, gPLink })),
    extraGpoCount: plan.extraGpoCount,
    unicodeFileSharePath: `${dnsDomain}/Policies/${plan.unicodeScriptGpoGuid}/Machine/Scripts/Startup/ünï cödé ✓.cmd`,
    policyDefinitions: {
      sysvolFolder: join(layout.sysvolPath, dnsDomain, 'Policies', 'PolicyDefinitions'),
      sysvolSharePath: `${dnsDomain}/Policies/PolicyDefinitions`,
      files: await listFiles(join(layout.sysvolPath, dnsDomain, 'Policies', 'PolicyDefinitions')),
    },
  };
}

function countLinks(gPLink: string): number {
  return (gPLink.match(/\[LDAP:\/\//gi) ?? []).length;
}
