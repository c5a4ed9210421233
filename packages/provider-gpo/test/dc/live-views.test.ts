import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runCommand, type CommandOutput, type OperationResult } from '@coffer/core';
import provider from '../../src/index.js';
import type { LiveGpo } from '../../src/live/list-domain-gpos.js';
import type { GpoInheritance, LinkedContainer } from '../../src/live/list-gpo-links.js';
import { connection, domain } from './helpers.js';
import { runTool } from './run-tool.js';

function output<T>(result: OperationResult<CommandOutput>): T {
  expect(result.error, JSON.stringify(result.error)).toBeUndefined();
  expect(result.status).toBe('succeeded');
  return result.output!.data as T;
}

/** `samba-tool gpo listall` against the DC's own database: what Samba itself says the GPOs are. */
async function sambaListall(): Promise<Map<string, { name: string; version: number; flags: string }>> {
  const { stdout } = await runTool('samba-tool', ['gpo', 'listall', '-H', domain.samLdbPath, '-s', domain.smbConfPath]);
  const gpos = new Map<string, { name: string; version: number; flags: string }>();
  for (const block of stdout.split(/\n\s*\n/)) {
    const field = (name: string) => new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(block)?.[1]?.trim();
    const id = field('GPO');
    if (id)
      gpos.set(id.toUpperCase(), {
        name: field('display name')!,
        version: Number(field('version')),
        flags: field('flags')!,
      });
  }
  return gpos;
}

/** Every gPLink in the domain and configuration partitions, read with ldbsearch (not Coffer's LDAP code). */
async function rawLinks(): Promise<Array<{ dn: string; links: string[]; options: number }>> {
  const out: Array<{ dn: string; links: string[]; options: number }> = [];
  for (const base of [domain.baseDn, `CN=Configuration,${domain.baseDn}`]) {
    const { stdout } = await runTool('ldbsearch', [
      '-H',
      domain.samLdbPath,
      '-b',
      base,
      '(|(gPLink=*)(gPOptions=*))',
      'gPLink',
      'gPOptions',
    ]);
    for (const record of stdout.replace(/\n /g, '').split(/\n(?=dn: )/)) {
      const dn = /^dn: (.*)$/m.exec(record)?.[1];
      if (!dn) continue;
      const gpLink = /^gPLink: (.*)$/m.exec(record)?.[1] ?? '';
      out.push({
        dn,
        links: [...gpLink.matchAll(/\[LDAP:\/\/cn=(\{[^}]+\})[^;]*;(\d+)\]/gi)].map(
          (m) => `${m[1]!.toUpperCase()};${m[2]}`,
        ),
        options: Number(/^gPOptions: (\d+)$/m.exec(record)?.[1] ?? 0),
      });
    }
  }
  return out;
}

describe('coffer gpo list: the live domain’s GPOs', () => {
  test('equals what samba-tool gpo listall, SYSVOL’s GPT.INI files and the gPLink attributes say', async () => {
    const gpos = output<LiveGpo[]>(await runCommand(provider, 'list', { options: connection() }));
    const samba = await sambaListall();
    expect(new Set(gpos.map((g) => g.id.toUpperCase()))).toEqual(new Set(samba.keys()));
    const linkCounts = new Map<string, number>();
    for (const container of await rawLinks())
      for (const entry of container.links) {
        const id = entry.split(';')[0]!;
        linkCounts.set(id, (linkCounts.get(id) ?? 0) + 1);
      }
    for (const gpo of gpos) {
      const truth = samba.get(gpo.id.toUpperCase())!;
      expect(gpo.displayName).toBe(truth.name);
      expect((gpo.user.ad << 16) | gpo.computer.ad).toBe(truth.version);
      expect(truth.flags.includes('USER_DISABLE'), gpo.displayName).toBe(
        gpo.status === 'UserSettingsDisabled' || gpo.status === 'AllSettingsDisabled',
      );
      expect(truth.flags.includes('MACHINE_DISABLE'), gpo.displayName).toBe(
        gpo.status === 'ComputerSettingsDisabled' || gpo.status === 'AllSettingsDisabled',
      );
      const ini = await readFile(join(domain.sysvolPath, gpo.sysvolPath, 'GPT.INI'), 'latin1');
      const sysvol = Number(/Version=(\d+)/i.exec(ini)?.[1]);
      expect([gpo.user.sysvol, gpo.computer.sysvol], gpo.displayName).toEqual([sysvol >>> 16, sysvol & 0xffff]);
      expect(gpo.user.consistent && gpo.computer.consistent).toBe(sysvol === truth.version);
      expect(gpo.links, gpo.displayName).toBe(linkCounts.get(gpo.id.toUpperCase()) ?? 0);
      expect(gpo.owner?.sid).toMatch(/^S-1-5-/);
      expect(gpo.owner?.name).not.toMatch(/^S-1-/);
      expect(Date.parse(gpo.created ?? '')).toBeLessThanOrEqual(Date.parse(gpo.modified ?? ''));
    }
    // The seed leaves AD and SYSVOL versions apart on purpose somewhere: the list says so.
    expect(gpos.some((g) => !g.user.consistent || !g.computer.consistent)).toBe(true);
    const wmi = domain.seed!.gpos.find((g) => g.wmiFilter !== null)!;
    expect(gpos.find((g) => g.id.toUpperCase() === wmi.guid.toUpperCase())?.wmiFilter?.name).toBe(wmi.wmiFilter!.name);
  });

  test('--name takes wildcards and GUIDs; an exact name that matches nothing is NOT_FOUND', async () => {
    const defaults = output<LiveGpo[]>(
      await runCommand(provider, 'list', { options: connection({ name: ['default*'] }) }),
    );
    expect(defaults.map((g) => g.displayName).sort()).toEqual([
      'Default Domain Controllers Policy',
      'Default Domain Policy',
    ]);
    const byGuid = output<LiveGpo[]>(
      await runCommand(provider, 'list', { options: connection({ name: ['31b2f340-016d-11d2-945f-00c04fb984f9'] }) }),
    );
    expect(byGuid.map((g) => g.displayName)).toEqual(['Default Domain Policy']);
    const missing = await runCommand(provider, 'list', { options: connection({ name: ['No Such GPO'] }) });
    expect(missing.status).toBe('failed');
    expect(missing.error?.code).toBe('NOT_FOUND');
  });
});

describe('coffer gpo links: where GPOs are linked', () => {
  const purpose = (name: string) => domain.seed!.gpos.find((g) => g.purpose === name)!.guid.toUpperCase();

  test('every container’s links, in order, with enforced/disabled and block inheritance, as stored in gPLink', async () => {
    const containers = output<LinkedContainer[]>(await runCommand(provider, 'links', { options: connection() }));
    const raw = await rawLinks();
    for (const truth of raw.filter((r) => r.links.length > 0 || (r.options & 1) === 1)) {
      const shown = containers.find((c) => c.dn.toLowerCase() === truth.dn.toLowerCase());
      expect(shown, truth.dn).toBeDefined();
      // gPLink lists the lowest precedence first: order 1 is its last entry.
      expect(shown!.links.map((l) => `${l.gpoId};${(l.enabled ? 0 : 1) | (l.enforced ? 2 : 0)}`)).toEqual(
        [...truth.links].reverse(),
      );
      expect(shown!.blocksInheritance).toBe(shown!.type !== 'site' && (truth.options & 1) === 1);
    }
    expect(containers.filter((c) => c.links.length > 0).length).toBe(raw.filter((r) => r.links.length > 0).length);
    expect(containers.find((c) => c.path.endsWith('/Büro Zürich'))?.links[0]).toMatchObject({ enabled: false });
  });

  test('--target: a blocking OU inherits only enforced links from above; a plain OU inherits everything enabled', async () => {
    const kiosks = output<GpoInheritance>(
      await runCommand(provider, 'links', {
        options: connection({ target: `${domain.dnsDomain}/Coffer Lab/Workstations/Kiosks` }),
      }),
    );
    expect(kiosks.blocksInheritance).toBe(true);
    expect(kiosks.inherited.map((l) => l.gpoId)).toEqual([
      purpose('unicode-name'),
      purpose('workstation-baseline'),
      purpose('all-disabled'),
    ]);
    const workstations = output<GpoInheritance>(
      await runCommand(provider, 'links', {
        options: connection({ target: `OU=Workstations,OU=Coffer Lab,${domain.baseDn}`.toLowerCase() }),
      }),
    );
    const lab = `${domain.dnsDomain}/Coffer Lab`;
    expect(workstations.inherited.map((l) => `${l.gpoId}@${l.from}`)).toEqual([
      `${purpose('unicode-name')}@${domain.dnsDomain}`,
      `${purpose('workstation-baseline')}@${lab}/Workstations`,
      `${purpose('wmi-filter')}@${lab}/Workstations`,
      `${purpose('user-lockdown')}@${lab}/Workstations`,
      `${purpose('unicode-name')}@${lab}`,
      `${purpose('drive-mappings')}@${lab}`,
      `{31B2F340-016D-11D2-945F-00C04FB984F9}@${domain.dnsDomain}`,
    ]);
    expect(workstations.inherited.every((l) => l.gpoName !== null)).toBe(true);
    const missing = await runCommand(provider, 'links', {
      options: connection({ target: `${domain.dnsDomain}/Nowhere` }),
    });
    expect(missing.error?.code).toBe('NOT_FOUND');
  });
});
