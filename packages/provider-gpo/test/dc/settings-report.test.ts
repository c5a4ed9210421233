/**
 * gpreport.xml of a backup of the seeded GPOs carries their settings in GPMC's <ExtensionData>: every extension
 * the seed wrote files for (Security, Advanced Audit, Registry, Scripts, Folder Redirection, each preference type),
 * Administrative Template policies named from the Coffer ADMX the seed put in the domain's central store, and the
 * same settings as an offline report built later from the backup folder alone.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseXmlDocument, runBackup, type XmlElement } from '@coffer/core';
import {
  buildSettingsReport,
  decodeRegistryPol,
  parseBackupXml,
  preferenceTypeOf,
  renderGpreportSettingsXml,
  type ResolvedAccount,
} from '@coffer/gpmc';
import provider from '../../src/index.js';
import { BILLION_LAUGHS_DOCTYPE } from '@coffer/test-support';
import { createScratchGpo, deleteGpoCompletely } from './gpo-fixtures.js';
import { connection, domain, tempDir } from './helpers.js';

const seed = domain.seed!;

const child = (e: XmlElement | undefined, name: string): XmlElement | undefined =>
  e?.children.find((c) => c.name === name);
const extensionData = (side: XmlElement | undefined): XmlElement[] =>
  (side?.children ?? []).filter((c) => c.name === 'ExtensionData');
const names = (side: XmlElement | undefined): string[] => extensionData(side).map((data) => child(data, 'Name')!.text);

/** The extension GPMC lists for a seeded GPT file, with its side; null for files that have none (scripts, comments). */
function expectedExtension(path: string, bytes: Buffer): { side: 'Computer' | 'User'; name: string } | null {
  const lower = path.toLowerCase();
  const side = lower.startsWith('machine/') ? 'Computer' : 'User';
  if (lower === 'machine/microsoft/windows nt/secedit/gpttmpl.inf') return { side, name: 'Security' };
  if (lower === 'machine/microsoft/windows nt/audit/audit.csv') return { side, name: 'Advanced Audit Configuration' };
  if (/^(machine|user)\/registry\.pol$/.test(lower))
    return decodeRegistryPol(bytes).length > 0 ? { side, name: 'Registry' } : null;
  if (/^(machine|user)\/scripts\/(ps)?scripts\.ini$/.test(lower)) return { side, name: 'Scripts' };
  if (/^user\/documents & settings\/fdeploy1?\.ini$/.test(lower)) return { side, name: 'Folder Redirection' };
  const preference = preferenceTypeOf(path);
  return preference ? { side, name: preference.reportName } : null;
}

/** Text of an element tree without insignificant whitespace, for comparing two renderings. */
function canonical(e: XmlElement): string {
  const attrs = Object.entries(e.attributes)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(' ');
  return `<${e.name} ${attrs}>${e.children.length > 0 ? e.children.map(canonical).join('') : e.text}</${e.name}>`;
}

describe("gpreport.xml of a backup lists each seeded GPO's settings as GPMC does", () => {
  test('every seeded extension per side, ADMX policy names from the central store, and the same settings as an offline report', async () => {
    const destination = await tempDir();
    const result = await runBackup(provider, { destination, options: connection({ all: true }) });
    expect(result.error, JSON.stringify(result.error)).toBeUndefined();
    expect(
      result.messages?.filter((m) => m.code === 'GPO_SETTINGS_UNREADABLE' || m.code === 'ADMX_STORE_UNREADABLE') ?? [],
    ).toEqual([]);
    const output = result.output!;
    let checkedExtensions = 0;
    for (const gpo of seed.gpos) {
      const backup = output.backups.find((b) => b.objectId?.toUpperCase() === gpo.guid.toUpperCase())!;
      const report = parseXmlDocument(await readFile(join(backup.path, 'gpreport.xml')), 'gpreport.xml');
      const computer = child(report, 'Computer');
      const user = child(report, 'User');
      const expected = { Computer: new Set<string>(), User: new Set<string>() };
      for (const file of gpo.files) {
        const found = expectedExtension(file.path, await readFile(join(gpo.sysvolFolder, ...file.path.split('/'))));
        if (found) expected[found.side].add(found.name);
      }
      for (const [side, element] of [
        ['Computer', computer],
        ['User', user],
      ] as const) {
        const listed = names(element);
        for (const name of expected[side]) expect(listed, `${gpo.displayName} ${side}`).toContain(name);
        checkedExtensions += expected[side].size;
      }

      // The report a user builds later from the backup folder alone (ADMX from the central store, names of domain
      // SIDs from Backup.xml's SecurityGroups) renders the same <ExtensionData>.
      const groups = parseBackupXml(await readFile(join(backup.path, 'Backup.xml'))).securityGroups;
      const accounts = new Map<string, ResolvedAccount>();
      for (const g of groups) {
        if (g.sid && g.samAccountName && g.netbiosDomainName)
          accounts.set(g.sid, {
            samAccountName: g.samAccountName,
            type: g.type ?? 'Unknown',
            netbiosDomainName: g.netbiosDomainName,
            dnsDomainName: g.dnsDomainName ?? '',
          });
      }
      const offline = renderGpreportSettingsXml(
        await buildSettingsReport(backup.path, {
          admxDir: seed.policyDefinitions.sysvolFolder,
          resolve: (sid) => accounts.get(sid),
        }),
      );
      const xsi = 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"';
      const rebuilt = parseXmlDocument(
        `<GPO ${xsi}><Computer>${offline.computer}</Computer><User>${offline.user}</User></GPO>`,
        'offline',
      );
      expect(extensionData(child(rebuilt, 'Computer')).map(canonical), `${gpo.displayName} Computer`).toEqual(
        extensionData(computer).map(canonical),
      );
      expect(extensionData(child(rebuilt, 'User')).map(canonical), `${gpo.displayName} User`).toEqual(
        extensionData(user).map(canonical),
      );
    }
    expect(checkedExtensions).toBeGreaterThan(20);

    // Administrative Templates: the Coffer ADMX names the seeded policies, with state, category and element values.
    const baseline = seed.gpos.find((g) => g.displayName === 'Workstation Security Baseline')!;
    const report = parseXmlDocument(
      await readFile(
        join(
          output.backups.find((b) => b.objectId?.toUpperCase() === baseline.guid.toUpperCase())!.path,
          'gpreport.xml',
        ),
      ),
      'gpreport.xml',
    );
    const registry = extensionData(child(report, 'Computer')).find((data) => child(data, 'Name')!.text === 'Registry')!;
    const policies = child(registry, 'Extension')!.children.filter((c) => c.name === 'Policy');
    const policy = (name: string) => policies.find((p) => child(p, 'Name')?.text === name);
    expect(child(policy('Run the Coffer backup agent'), 'State')?.text).toBe('Enabled');
    const target = policy('Backup target and retention')!;
    expect(child(target, 'Category')?.text).toMatch(/Coffer/);
    const numeric = target.children.find((c) => c.name === 'Numeric')!;
    expect([child(numeric, 'Name')?.text, child(numeric, 'Value')?.text]).toEqual(['Keep backups for (days):', '90']);
    const dropDown = target.children.find((c) => c.name === 'DropDownList')!;
    expect(child(child(dropDown, 'Value'), 'Name')?.text).toBe('Incremental');
    const list = policy('Folders to back up')!.children.find((c) => c.name === 'ListBox')!;
    expect(child(list, 'Value')!.children.map((e) => child(e, 'Data')?.text)).toEqual([
      '%USERPROFILE%\\Documents',
      'D:\\Projects',
      '\\\\files.coffer.test\\shared\\Finanzen – 2025',
    ]);
    // Values no ADMX describes stay as GPMC's extra registry settings (key, value name, data).
    expect(child(registry, 'Extension')!.children.some((c) => c.name === 'RegistrySetting')).toBe(true);

    const lockdown = seed.gpos.find((g) => g.displayName === 'User Desktop Lockdown')!;
    const lockdownReport = parseXmlDocument(
      await readFile(
        join(
          output.backups.find((b) => b.objectId?.toUpperCase() === lockdown.guid.toUpperCase())!.path,
          'gpreport.xml',
        ),
      ),
      'gpreport.xml',
    );
    const userPolicies = extensionData(child(lockdownReport, 'User'))
      .flatMap((data) => child(data, 'Extension')!.children)
      .filter((c) => c.name === 'Policy')
      .map((p) => `${child(p, 'Name')?.text}: ${child(p, 'State')?.text}`);
    expect(userPolicies).toEqual(
      expect.arrayContaining(['Show the Coffer tray icon: Enabled', 'Let users restore their own files: Disabled']),
    );

    // Item-level targeting travels with the preference item.
    const drives = seed.gpos.find((g) => g.displayName === 'Mapped Drives and Printers')!;
    const drivesXml = (
      await readFile(
        join(output.backups.find((b) => b.objectId?.toUpperCase() === drives.guid.toUpperCase())!.path, 'gpreport.xml'),
      )
    ).toString('utf16le');
    expect(drivesXml).toMatch(
      /<q\d+:Drive [^>]*name="F:"[\s\S]*?<q\d+:Filters>\s*<q\d+:FilterGroup bool="AND" not="0" name="[^"]+" sid="S-1-5-21-/,
    );
  }, 300_000);

  test('a GPO with a hostile preference file (DOCTYPE) and a truncated Registry.pol: backed up byte for byte, warnings name the files, the other settings are reported', async () => {
    const hostile = Buffer.from(`<?xml version="1.0"?>${BILLION_LAUGHS_DOCTYPE}<Drives clsid="x">&lol9;</Drives>`);
    const truncated = Buffer.concat([
      Buffer.from('PReg\x01\x00\x00\x00'),
      Buffer.from('[Software\\Coffer\0;Val', 'utf16le'),
    ]);
    const audit =
      'Machine Name,Policy Target,Subcategory,Subcategory GUID,Inclusion Setting,Exclusion Setting,Setting Value\r\n,System,Audit Logon,{0cce9215-69ae-11d9-bed3-505054503030},Success,,1\r\n';
    const gpo = await createScratchGpo('Settings Hostile ✓', {
      'User/Preferences/Drives/Drives.xml': hostile,
      'Machine/registry.pol': truncated,
      'Machine/Microsoft/Windows NT/Audit/audit.csv': audit,
    });
    try {
      const destination = await tempDir();
      const result = await runBackup(provider, { destination, options: connection({ gpo: [gpo.guid] }) });
      expect(result.error, JSON.stringify(result.error)).toBeUndefined();
      const warnings = (result.messages ?? [])
        .filter((m) => m.code === 'GPO_SETTINGS_UNREADABLE')
        .map((m) => m.message);
      expect(warnings).toHaveLength(2);
      expect(warnings.join('\n')).toMatch(
        /User\/Preferences\/Drives\/Drives\.xml could not be decoded for gpreport\.xml \(XML_DOCTYPE_REFUSED/,
      );
      expect(warnings.join('\n')).toMatch(
        /Machine\/registry\.pol could not be decoded for gpreport\.xml \(SETTINGS_FILE_MALFORMED/,
      );
      const folder = result.output!.backups[0]!.path;
      expect(
        (await readFile(join(folder, 'DomainSysvol', 'GPO', 'User', 'Preferences', 'Drives', 'Drives.xml'))).equals(
          hostile,
        ),
      ).toBe(true);
      expect((await readFile(join(folder, 'DomainSysvol', 'GPO', 'Machine', 'registry.pol'))).equals(truncated)).toBe(
        true,
      );
      const report = parseXmlDocument(await readFile(join(folder, 'gpreport.xml')), 'gpreport.xml');
      // The undecodable files stay listed, under their extension's name, in Coffer's namespace for unread extensions.
      expect(names(child(report, 'Computer'))).toEqual(['Advanced Audit Configuration', 'Registry']);
      expect(names(child(report, 'User'))).toEqual(['Drive Maps']);
      const listed = extensionData(child(report, 'User'))[0]!;
      expect(child(listed, 'Extension')!.children.map((c) => `${c.name}=${c.text}`)).toEqual([
        'Guid={5794DAFD-BE60-433F-88A2-1A31939AC01F}',
        'File=User/Preferences/Drives/Drives.xml',
      ]);
    } finally {
      await deleteGpoCompletely(gpo.guid);
    }
  }, 300_000);
});
