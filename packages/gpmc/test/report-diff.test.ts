/**
 * diffBackups / readBackupSnapshot / the renderers over backup folders written in the test with this package's own
 * writers (the DC round trip is packages/cli/test/report-diff.e2e.test.ts): each area of a difference is found and
 * only it, directories pair by GUID with GPOs on one side listed as such, and hostile names never become markup.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseSddl, serializeSecurityDescriptor } from '@coffer/active-directory';
import { tempDir } from '@coffer/test-support';
import { describe, expect, test } from 'vitest';
import {
  backupInstOf,
  changedFields,
  diffBackups,
  encodeRegistryPol,
  hasDifferences,
  readBackupSnapshot,
  renderBackupXml,
  renderBkupInfoXml,
  renderDiffHtml,
  renderDiffText,
  renderGpReportXml,
  renderManifestXml,
  renderSettingsReportHtml,
  REG_DWORD,
  REG_SZ,
  type GpoBackupModel,
  type ReportLink,
} from '../src/index.js';

const APPLY = 'edacfd8f-ffb3-11d1-b41d-00a0c968f939';
// ED may read (LCRPLORC: LC RP LO RC, no CR): not in security filtering.
const BASE_SDDL = `D:(A;;LCRPLORC;;;AU)(OA;;CR;${APPLY};;AU)(A;CI;CCDCLCSWRPWPDTLOSDRCWDWO;;;SY)(A;CI;LCRPLORC;;;ED)`;

interface Variant {
  backupId: string;
  gpoId?: string;
  name?: string;
  flags?: number;
  version?: number;
  sddl?: string;
  value?: number;
  links?: ReportLink[];
  drivePath?: string;
  time?: Date;
}

let counter = 0;
const id = () => `{5B0C1C9E-0D0B-4C4F-9C39-${(++counter).toString(16).padStart(12, '0').toUpperCase()}}`;

async function writeBackup(directory: string, v: Variant): Promise<string> {
  const descriptor = Buffer.from(serializeSecurityDescriptor(parseSddl(v.sddl ?? BASE_SDDL)));
  const model: GpoBackupModel = {
    backupId: v.backupId,
    backupTime: v.time ?? new Date('2026-12-01T10:00:00Z'),
    comment: '',
    gpoId: v.gpoId ?? '{31B2F340-016D-11D2-945F-00C04FB984F9}',
    domain: 'corp.example',
    domainGuid: '{0a0b0c0d-1111-2222-3333-444455556666}',
    domainController: 'dc1.corp.example',
    displayName: v.name ?? 'Baseline',
    flags: v.flags ?? 0,
    versionNumber: v.version ?? 0x00010003,
    gptIniVersion: v.version ?? 0x00010003,
    machineExtensionNames: '[{35378EAC-683F-11D2-A89A-00C04FBBCFA2}{D02B1F72-3407-48AE-BA88-E8213C6761F1}]',
    userExtensionNames: '',
    wmiFilter: null,
    securityGroups: [],
    filePaths: [],
    gptTree: [],
    securityDescriptor: descriptor,
  };
  const folder = join(directory, v.backupId);
  const gpt = join(folder, 'DomainSysvol', 'GPO');
  await mkdir(join(gpt, 'Machine'), { recursive: true });
  await mkdir(join(gpt, 'User', 'Preferences', 'Drives'), { recursive: true });
  await writeFile(join(folder, 'Backup.xml'), renderBackupXml(model));
  await writeFile(join(folder, 'bkupInfo.xml'), renderBkupInfoXml(model));
  const facts = {
    createdTime: new Date('2026-01-01T00:00:00Z'),
    modifiedTime: new Date('2026-12-01T00:00:00Z'),
    readTime: new Date(),
    sddl: v.sddl ?? BASE_SDDL,
    links: v.links ?? [],
  };
  await writeFile(join(folder, 'gpreport.xml'), renderGpReportXml(model, facts));
  await writeFile(
    join(gpt, 'Machine', 'Registry.pol'),
    encodeRegistryPol([
      { key: 'Software\\Policies\\Contoso', valueName: 'Enabled', type: REG_DWORD, data: v.value ?? 1 },
      { key: 'Software\\Policies\\Contoso', valueName: 'Server', type: REG_SZ, data: 'backup01' },
    ]),
  );
  const drives = `<?xml version="1.0" encoding="utf-8"?><Drives clsid="{8FDDCC1A-0C3C-43cd-A6B4-71A6DF20DA8C}"><Drive clsid="{935D1B74-9CB8-4e3c-9914-7DD559B7A417}" name="H:" status="H:" image="2" changed="${(v.time ?? new Date()).toISOString()}" uid="{EC2492CD-137C-433B-A29C-96E809905EC7}"><Properties action="U" thisDrive="NOCHANGE" allDrives="NOCHANGE" userName="" path="${v.drivePath ?? '\\\\files\\home'}" label="Home" persistent="1" useLetter="1" letter="H"/></Drive></Drives>`;
  await writeFile(join(gpt, 'User', 'Preferences', 'Drives', 'Drives.xml'), drives);
  return folder;
}

const link = (path: string, enforced = false, enabled = true): ReportLink => ({
  somName: path.split('/').pop()!,
  somPath: path,
  enabled,
  noOverride: enforced,
});

describe('diffBackups over backup folders', () => {
  test('two backups of an unchanged GPO are equal, whatever their ids and times (and the preference item changed stamp)', async () => {
    const dir = await tempDir();
    const a = await writeBackup(dir, { backupId: id(), links: [link('corp.example/Servers')] });
    const b = await writeBackup(dir, {
      backupId: id(),
      links: [link('corp.example/Servers')],
      time: new Date('2026-12-02T10:00:00Z'),
    });
    const diff = await diffBackups(a, b);
    expect(diff.gpos).toHaveLength(1);
    expect(diff.gpos[0]!.changes).toEqual([]);
    expect(hasDifferences(diff)).toBe(false);
  });

  test('identical GPTs are not decoded twice, yet the GPO facts are still compared and a GPT byte changed after the backup is found whatever the manifests claim', async () => {
    const dir = await tempDir();
    const time = new Date('2026-12-01T10:00:00Z');
    const a = await writeBackup(dir, { backupId: id(), time, links: [link('corp.example/Servers')] });
    const b = await writeBackup(dir, {
      backupId: id(),
      time,
      links: [link('corp.example/Servers', true)],
      name: 'Baseline v2',
    });
    // Byte-identical GPTs: only the facts outside them differ.
    const facts = await diffBackups(a, b);
    expect(facts.gpos[0]!.changes.map((c) => `${c.area} ${c.item}`)).toEqual([
      'name name',
      'link corp.example/Servers',
    ]);
    const c = await writeBackup(dir, { backupId: id(), time, links: [link('corp.example/Servers')] });
    expect(hasDifferences(await diffBackups(a, c))).toBe(false);
    // Both sides claim the same (made-up) integrity manifest; C's Registry.pol is then edited in place, its size kept.
    const manifest = JSON.stringify({
      format: 'coffer-integrity-manifest',
      version: 1,
      files: [{ path: 'DomainSysvol/GPO/Machine/Registry.pol', size: 0, sha256: '0'.repeat(64) }],
    });
    await writeFile(join(a, 'coffer-manifest.json'), manifest);
    await writeFile(join(c, 'coffer-manifest.json'), manifest);
    const pol = join(c, 'DomainSysvol', 'GPO', 'Machine', 'Registry.pol');
    const edited = encodeRegistryPol([
      { key: 'Software\\Policies\\Contoso', valueName: 'Enabled', type: REG_DWORD, data: 7 },
      { key: 'Software\\Policies\\Contoso', valueName: 'Server', type: REG_SZ, data: 'backup01' },
    ]);
    await writeFile(pol, edited);
    const tampered = await diffBackups(a, c);
    expect(tampered.gpos[0]!.changes.map(({ area, item, old, new: now }) => ({ area, item, old, new: now }))).toEqual([
      { area: 'setting', item: 'Software\\Policies\\Contoso\\Enabled', old: 'REG_DWORD 1', new: 'REG_DWORD 7' },
    ]);
  });

  test('each kind of difference is named with its old and new value, and nothing else', async () => {
    const dir = await tempDir();
    const a = await writeBackup(dir, {
      backupId: id(),
      links: [link('corp.example/Servers'), link('corp.example/Labs')],
    });
    const b = await writeBackup(dir, {
      backupId: id(),
      name: 'Baseline v2',
      flags: 1,
      version: 0x00020004,
      value: 0,
      drivePath: '\\\\files2\\home',
      links: [link('corp.example/Servers', true), link('corp.example/Kiosks')],
      sddl: `D:(OD;;CR;${APPLY};;S-1-5-21-1-2-3-1105)${BASE_SDDL.slice(2)}`,
    });
    const diff = await diffBackups(a, b);
    const changes = diff.gpos[0]!.changes.map(({ kind, area, scope, item, old, new: now }) => ({
      kind,
      area,
      scope,
      item,
      old,
      new: now,
    }));
    expect(changes).toEqual([
      { kind: 'changed', area: 'name', scope: 'name', item: 'name', old: 'Baseline', new: 'Baseline v2' },
      {
        kind: 'changed',
        area: 'status',
        scope: 'status',
        item: 'status',
        old: 'Enabled (flags 0)',
        new: 'User configuration settings disabled (flags 1)',
      },
      { kind: 'changed', area: 'version', scope: 'version', item: 'Computer AD', old: '3', new: '4' },
      { kind: 'changed', area: 'version', scope: 'version', item: 'Computer SYSVOL', old: '3', new: '4' },
      { kind: 'changed', area: 'version', scope: 'version', item: 'User AD', old: '1', new: '2' },
      { kind: 'changed', area: 'version', scope: 'version', item: 'User SYSVOL', old: '1', new: '2' },
      {
        kind: 'changed',
        area: 'link',
        scope: 'link',
        item: 'corp.example/Servers',
        old: 'order 1, enabled, not enforced',
        new: 'order 1, enabled, enforced',
      },
      {
        kind: 'removed',
        area: 'link',
        scope: 'link',
        item: 'corp.example/Labs',
        old: 'order 2, enabled, not enforced',
        new: null,
      },
      {
        kind: 'added',
        area: 'link',
        scope: 'link',
        item: 'corp.example/Kiosks',
        old: null,
        new: 'order 2, enabled, not enforced',
      },
      {
        kind: 'added',
        area: 'delegation',
        scope: 'delegation',
        item: 'S-1-5-21-1-2-3-1105 (S-1-5-21-1-2-3-1105)',
        old: null,
        new: `(OD;;CR;${APPLY};;S-1-5-21-1-2-3-1105)`,
      },
      {
        kind: 'changed',
        area: 'setting',
        scope: 'Computer/Registry',
        item: 'Software\\Policies\\Contoso\\Enabled',
        old: 'REG_DWORD 1',
        new: 'REG_DWORD 0',
      },
      expect.objectContaining({
        kind: 'changed',
        area: 'setting',
        scope: 'User/Drive Maps',
        item: 'Drive H: {EC2492CD-137C-433B-A29C-96E809905EC7}',
      }),
    ]);
    // The preference item's change is shown field by field.
    expect(changedFields(diff.gpos[0]!.changes.at(-1)!)).toEqual({
      old: 'properties.path: \\\\files\\home',
      new: 'properties.path: \\\\files2\\home',
    });
    const text = renderDiffText(diff);
    expect(text).toContain(' Baseline v2 | 12 changes (+2 -1 ~9)');
    expect(text).toContain('  ~ Computer/Registry: Software\\Policies\\Contoso\\Enabled: REG_DWORD 1 → REG_DWORD 0');
    expect(text).toContain('  + delegation: S-1-5-21-1-2-3-1105 (S-1-5-21-1-2-3-1105): (OD;;CR;');
  });

  test('two directories: the newest backup of each GPO, paired by GUID; GPOs on one side only are listed as such', async () => {
    const [left, right] = [await tempDir(), await tempDir()];
    const shared = '{6AC1786C-016F-11D2-945F-00C04FB984F9}';
    const old = await writeBackup(left, {
      backupId: id(),
      gpoId: shared,
      name: 'Shared',
      value: 5,
      time: new Date('2026-11-01T00:00:00Z'),
    });
    const newest = await writeBackup(left, {
      backupId: id(),
      gpoId: shared,
      name: 'Shared',
      value: 6,
      time: new Date('2026-11-02T00:00:00Z'),
    });
    const gone = await writeBackup(left, {
      backupId: id(),
      gpoId: '{11111111-2222-3333-4444-555555555555}',
      name: 'Gone',
    });
    const now = await writeBackup(right, { backupId: id(), gpoId: shared, name: 'Shared', value: 6 });
    const added = await writeBackup(right, {
      backupId: id(),
      gpoId: '{66666666-7777-8888-9999-000000000000}',
      name: 'New',
    });
    await writeFile(
      join(left, 'manifest.xml'),
      renderManifestXml(null, await Promise.all([old, newest, gone].map(instOf))),
    );
    await writeFile(join(right, 'manifest.xml'), renderManifestXml(null, await Promise.all([now, added].map(instOf))));
    const diff = await diffBackups(left, right);
    expect(diff.gpos.map((g) => [g.name, g.status])).toEqual([
      ['Gone', 'onlyInA'],
      ['New', 'onlyInB'],
      ['Shared', 'unchanged'], // the newest of the left (value 6) equals the right
    ]);
    expect(diff.summary).toMatchObject({ gpos: 3, changed: 0, unchanged: 1, onlyInA: 1, onlyInB: 1 });
    expect(hasDifferences(diff)).toBe(true);
  });
});

async function instOf(folder: string) {
  const snapshot = await readBackupSnapshot(folder);
  return backupInstOf({
    backupId: snapshot.backupId,
    backupTime: new Date(`${snapshot.backupTime}Z`),
    comment: '',
    gpoId: snapshot.gpoId,
    domain: snapshot.domain,
    domainGuid: '{0a0b0c0d-1111-2222-3333-444455556666}',
    domainController: 'dc1.corp.example',
    displayName: snapshot.name,
  } as GpoBackupModel);
}

describe('the HTML pages', () => {
  test('every string is escaped: a GPO named with markup, a CDATA terminator, & and Unicode stays text', async () => {
    const dir = await tempDir();
    const hostile = "<script>alert(1)</script> ]]> & Zürich “quotes” 'x'";
    const a = await writeBackup(dir, { backupId: id(), name: hostile, links: [link('corp.example/<b>OU</b>')] });
    const snapshot = await readBackupSnapshot(a);
    expect(snapshot.name).toBe(hostile);
    expect(snapshot.securityFiltering).toEqual(['Authenticated Users']);
    const html = renderSettingsReportHtml([snapshot]);
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<b>OU</b>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; ]]&gt; &amp; Zürich “quotes” &#39;x&#39;');
    // Self-contained: one inline style and one inline script, a CSP that forbids fetching, nothing loaded from outside.
    expect(html).toContain(
      `content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"`,
    );
    expect(html).not.toMatch(/<script[^>]+src=|<link |@import|url\(/i);
    for (const section of [
      'Details',
      'Links',
      'Security Filtering',
      'WMI Filtering',
      'Delegation',
      'Computer Configuration (Enabled)',
      'User Configuration (Enabled)',
      'Extra Registry Settings',
      'Drive Maps',
    ]) {
      expect(html, section).toContain(`<summary>${section}</summary>`);
    }
    const b = await writeBackup(dir, { backupId: id(), name: `${hostile}2` });
    const diffHtml = renderDiffHtml(await diffBackups(a, b));
    expect(diffHtml).not.toContain('<script>alert');
    expect(diffHtml).toContain('&lt;script&gt;');
  });
});
