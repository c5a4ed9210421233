import { randomUUID } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { snapshotTree } from '@coffer/test-support';
import { connectLdap, SecurityInformation, type LdapConnection } from '@coffer/active-directory';
import { formatGpmcHex } from '@coffer/gpmc';
import { runTool } from './run-tool.js';
import { formatGpLink, parseGpLink } from '../../src/ad/gplink.js';
import { domain } from './helpers.js';

/** A bound admin LDAP connection to the test DC, closed by the caller. */
export function adminLdap(): Promise<LdapConnection> {
  return connectLdap({
    host: domain.dcHostname,
    caFile: domain.caFile,
    bindName: `${domain.adminUser}@${domain.dnsDomain}`,
    password: domain.adminPassword,
  });
}

export const policiesDn = () => `CN=Policies,CN=System,${domain.baseDn}`;
export const gpoDn = (guid: string) => `CN=${guid},${policiesDn()}`;
export const gptFolder = (guid: string) => join(domain.sysvolPath, domain.dnsDomain, 'Policies', guid);

export interface ScratchGpo {
  guid: string;
  displayName: string;
}

/**
 * A throwaway GPO for one test (the seeded ones are shared by every test file): container, CN=Machine and
 * CN=User, and a GPT with GPT.INI and the given files, written into the DC's local SYSVOL.
 */
export async function createScratchGpo(
  displayName: string,
  files: Record<string, Buffer | string> = {},
  versions = { ad: 1, sysvol: 1 },
): Promise<ScratchGpo> {
  const guid = `{${randomUUID().toUpperCase()}}`;
  const ldap = await adminLdap();
  try {
    await ldap.add(gpoDn(guid), {
      objectClass: 'groupPolicyContainer',
      displayName,
      flags: '0',
      versionNumber: String(versions.ad),
      gPCFunctionalityVersion: '2',
      gPCFileSysPath: `\\\\${domain.dnsDomain}\\SysVol\\${domain.dnsDomain}\\Policies\\${guid}`,
      gPCMachineExtensionNames: '[{35378EAC-683F-11D2-A89A-00C04FBBCFA2}{D02B1F72-3407-48AE-BA88-E8213C6761F1}]',
    });
    await ldap.add(`CN=User,${gpoDn(guid)}`, { objectClass: 'container' });
    await ldap.add(`CN=Machine,${gpoDn(guid)}`, { objectClass: 'container' });
  } finally {
    await ldap.close();
  }
  const folder = gptFolder(guid);
  await mkdir(join(folder, 'Machine'), { recursive: true });
  await mkdir(join(folder, 'User'), { recursive: true });
  await writeFile(
    join(folder, 'GPT.INI'),
    `[General]\r\nVersion=${versions.sysvol}\r\ndisplayName=New Group Policy Object\r\n`,
  );
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(folder, ...path.split('/').slice(0, -1)), { recursive: true });
    await writeFile(join(folder, ...path.split('/')), content);
  }
  // Give the GPT the ACL Samba derives from the container, as `samba-tool gpo create` would.
  await runTool('samba-tool', ['ntacl', 'sysvolreset', '-s', domain.smbConfPath]);
  return { guid, displayName };
}

/** Deletes a GPO the way an accident would: container (with children), GPT folder, every link to it; optionally its WMI filter. */
export async function deleteGpoCompletely(guid: string, options: { wmiFilterId?: string } = {}): Promise<void> {
  const ldap = await adminLdap();
  try {
    await ldap.del(gpoDn(guid), { recursive: true }).catch(() => undefined);
    for (const base of [domain.baseDn, `CN=Sites,CN=Configuration,${domain.baseDn}`]) {
      for (const entry of await ldap.search(base, { scope: 'sub', filter: '(gPLink=*)', attributes: ['gPLink'] })) {
        const links = parseGpLink(String(entry.gPLink));
        const kept = links.filter((l) => l.gpoId !== guid.toUpperCase());
        if (kept.length === links.length) continue;
        await ldap.modify(entry.dn, [
          kept.length > 0
            ? { operation: 'replace', attribute: 'gPLink', values: [formatGpLink(kept)] }
            : { operation: 'delete', attribute: 'gPLink', values: [] },
        ]);
      }
    }
    if (options.wmiFilterId)
      await ldap.del(`CN=${options.wmiFilterId},CN=SOM,CN=WMIPolicy,CN=System,${domain.baseDn}`).catch(() => undefined);
  } finally {
    await ldap.close();
  }
  await rm(gptFolder(guid), { recursive: true, force: true });
}

/** Everything restore or import could touch, in comparable form: GPO containers, links, WMI filters, SYSVOL Policies bytes. */
export async function snapshotDomain(): Promise<Record<string, unknown>> {
  const ldap = await adminLdap();
  try {
    const gpos = await ldap.search(policiesDn(), {
      scope: 'sub',
      filter: '(objectClass=*)',
      attributes: [
        'displayName',
        'flags',
        'versionNumber',
        'gPCFileSysPath',
        'gPCMachineExtensionNames',
        'gPCUserExtensionNames',
        'gPCWQLFilter',
        'nTSecurityDescriptor',
      ],
      sdFlags: SecurityInformation.Owner | SecurityInformation.Group | SecurityInformation.Dacl,
    });
    const links = [
      ...(await ldap.search(domain.baseDn, { scope: 'sub', filter: '(gPLink=*)', attributes: ['gPLink'] })),
      ...(await ldap.search(`CN=Sites,CN=Configuration,${domain.baseDn}`, {
        scope: 'sub',
        filter: '(gPLink=*)',
        attributes: ['gPLink'],
      })),
    ];
    const filters = await ldap.search(`CN=SOM,CN=WMIPolicy,CN=System,${domain.baseDn}`, {
      scope: 'one',
      attributes: ['msWMI-Name', 'msWMI-Parm1', 'msWMI-Parm2'],
    });
    const plain = (entries: Array<Record<string, unknown>>) =>
      Object.fromEntries(
        entries
          .map(
            (e) =>
              [
                String(e.dn).toLowerCase(),
                Object.fromEntries(
                  Object.entries(e)
                    .filter(([k]) => k !== 'dn')
                    .map(([k, v]) => [k, Buffer.isBuffer(v) ? formatGpmcHex(v) : v]),
                ),
              ] as const,
          )
          .sort(([a], [b]) => (a < b ? -1 : 1)),
      );
    return {
      gpos: plain(gpos),
      links: plain(links),
      filters: plain(filters),
      sysvol: await snapshotTree(join(domain.sysvolPath, domain.dnsDomain, 'Policies'), { missingAsEmpty: true }),
    };
  } finally {
    await ldap.close();
  }
}

/** The file-system ACL of a SYSVOL path as Samba stores it (samba-tool on the DC's own smb.conf). */
export async function localAcl(path: string): Promise<string> {
  const { stdout } = await runTool('samba-tool', ['ntacl', 'get', '--as-sddl', '-s', domain.smbConfPath, path]);
  return stdout.trim();
}
