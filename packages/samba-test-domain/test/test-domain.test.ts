import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeRegistryPol, startTestDomain, sweepStaleDomains, type TestDomain } from '../src/index.js';
import { COFFER_POLICIES } from '../src/seed/content/admx.js';
import * as settings from '../src/seed/content/registry-settings.js';
import { parseInf } from '../src/seed/content/gpttmpl-inf.js';
import { portAnswers } from '../src/system/dc-registry.js';

const run = promisify(execFile);

function filesBelow(dir: string, prefix = ''): string[] {
  return readdirSync(dir).flatMap((name) => {
    const rel = prefix === '' ? name : `${prefix}/${name}`;
    return statSync(join(dir, name)).isDirectory() ? filesBelow(join(dir, name), rel) : [rel];
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('a seeded test domain', () => {
  let dc: TestDomain;
  let ldap: Client;

  beforeAll(async () => {
    dc = await startTestDomain({ address: '127.0.0.71', realm: 'HARNESS.TEST', seed: { extraGpos: 25 } });
    ldap = new Client({
      url: `ldaps://${dc.dcHostname}:636`,
      tlsOptions: { ca: readFileSync(dc.caFile), servername: dc.dcHostname },
    });
    await ldap.bind(`${dc.adminUser}@${dc.dnsDomain}`, dc.adminPassword);
  });
  afterAll(async () => {
    await ldap?.unbind();
    await dc?.stop();
  });

  it('describes itself and answers on its own address only', async () => {
    expect(dc).toMatchObject({
      realm: 'HARNESS.TEST',
      dnsDomain: 'harness.test',
      netbiosDomain: 'HARNESS',
      baseDn: 'DC=harness,DC=test',
      dcHostname: 'dc1.harness.test',
      address: '127.0.0.71',
      adminUser: 'Administrator',
    });
    expect(dc.adminPassword.length).toBeGreaterThanOrEqual(12);
    expect(readFileSync('/etc/hosts', 'utf8')).toMatch(
      /^127\.0\.0\.71 dc1\.harness\.test # coffer-samba-test-domain /m,
    );
    expect(await portAnswers('127.0.0.71', 445)).toBe(true);
    expect(await portAnswers('127.0.0.1', 636)).toBe(false);
    expect(readFileSync(dc.smbConfPath, 'utf8')).toContain('interfaces = 127.0.0.71/8');
    expect(existsSync(join(dc.sysvolPath, dc.dnsDomain, 'Policies'))).toBe(true);
    expect(dc.timings.totalSeconds).toBeGreaterThan(0);
  });

  it('seeds generated real-world GPOs: AD attributes, extension names, the file set and its encodings', async () => {
    const seed = dc.seed;
    const byPurpose = (purpose: string) => {
      const gpo = seed?.gpos.find((g) => g.purpose === purpose);
      if (!gpo) throw new Error(`no ${purpose} GPO`);
      return gpo;
    };
    const generated = [
      'workstation-baseline',
      'user-lockdown',
      'legacy-user',
      'drive-mappings',
      'server-hardening',
    ].map(byPurpose);
    for (const gpo of generated) {
      const { searchEntries } = await ldap.search(gpo.dn, {
        scope: 'base',
        attributes: ['displayName', 'flags', 'versionNumber', 'gPCMachineExtensionNames', 'gPCUserExtensionNames'],
      });
      const entry = searchEntries[0];
      expect(entry?.displayName).toBe(gpo.displayName);
      expect(Number(entry?.flags)).toBe(gpo.flags);
      expect(Number(entry?.versionNumber)).toBe(gpo.versionNumber);
      expect(entry?.gPCMachineExtensionNames ?? null).toBe(gpo.machineExtensionNames);
      expect(entry?.gPCUserExtensionNames ?? null).toBe(gpo.userExtensionNames);
      // The summary's file list is what is on disk, both halves populated.
      expect(filesBelow(gpo.sysvolFolder).sort()).toEqual(gpo.files.map((f) => f.path).sort());
      expect(
        gpo.files.some((f) => f.path.startsWith('Machine/')) && gpo.files.some((f) => f.path.startsWith('User/')),
      ).toBe(true);
      expect(readFileSync(join(gpo.sysvolFolder, 'GPT.INI'), 'utf8')).toContain(`Version=${gpo.gptIniVersion}`);
      for (const file of gpo.files) {
        const bytes = readFileSync(join(gpo.sysvolFolder, file.path));
        expect(bytes.length, file.path).toBe(file.size);
        if (/\.(inf|ini)$/i.test(file.path) && file.path !== 'GPT.INI')
          expect([...bytes.subarray(0, 2)], `${gpo.displayName}: ${file.path} is UTF-16LE with BOM`).toEqual([
            0xff, 0xfe,
          ]);
        if (file.path.endsWith('.xml'))
          expect(bytes.subarray(0, 38).toString('utf8'), file.path).toBe('<?xml version="1.0" encoding="utf-8"?>');
        if (/registry\.pol$/i.test(file.path)) expect(bytes.subarray(0, 4).toString('ascii')).toBe('PReg');
      }
    }
    // Flags 1 and 2, and AD versions that differ from GPT.INI's, as the corpus GPOs gave them.
    expect(generated.map((g) => g.flags)).toEqual(expect.arrayContaining([1, 2]));
    expect(generated.some((g) => g.versionNumber !== g.gptIniVersion)).toBe(true);

    const workstation = byPurpose('workstation-baseline');
    expect(workstation.contentKinds).toEqual(
      expect.arrayContaining([
        'machine:registry-pol',
        'machine:security-template',
        'machine:advanced-audit',
        'machine:scripts',
        'machine:powershell-scripts',
        'machine:gpp-groups',
        'machine:gpp-scheduledtasks',
        'machine:comment-cmtx',
        'user:registry-pol',
      ]),
    );
    expect(decodeRegistryPol(readFileSync(join(workstation.sysvolFolder, 'Machine/Registry.pol')))).toEqual(
      settings.workstationMachineSettings(),
    );
    const inf = parseInf(
      readFileSync(join(workstation.sysvolFolder, 'Machine/Microsoft/Windows NT/SecEdit/GptTmpl.inf'))
        .subarray(2)
        .toString('utf16le'),
    );
    expect([...inf.keys()]).toEqual([
      'Unicode',
      'System Access',
      'Kerberos Policy',
      'Event Audit',
      'Registry Values',
      'Privilege Rights',
      'Group Membership',
      'Service General Setting',
      'Registry Keys',
      'File Security',
      'Version',
    ]);
    // The seeded group's real SID went into user rights and restricted groups.
    const finance = seed?.groups.find((g) => g.name === 'Finance Users')?.sid ?? 'missing';
    expect(inf.get('Privilege Rights')?.find((l) => l.key === 'SeRemoteInteractiveLogonRight')?.value).toContain(
      `*${finance}`,
    );
    expect(inf.get('Group Membership')?.find((l) => l.key === '*S-1-5-32-544__Members')?.value).toBe(
      `*${finance.replace(/-\d+$/, '')}-512,*${finance}`,
    );
    expect(
      readFileSync(join(workstation.sysvolFolder, 'Machine/Microsoft/Windows NT/Audit/audit.csv'), 'utf8'),
    ).toMatch(
      /^Machine Name,Policy Target,Subcategory,Subcategory GUID,Inclusion Setting,Exclusion Setting,Setting Value\r\n,System,/,
    );
    expect(
      readFileSync(join(byPurpose('drive-mappings').sysvolFolder, 'User/Preferences/Drives/Drives.xml'), 'utf8'),
    ).toContain(`sid="${finance}"`);
    expect(byPurpose('user-lockdown').contentKinds).toEqual(
      expect.arrayContaining([
        'user:folder-redirection',
        'user:gpp-shortcuts',
        'user:scripts',
        'user:powershell-scripts',
      ]),
    );

    // The Coffer ADMX/ADML pair in the domain's central store.
    const definitions = seed?.policyDefinitions;
    expect(definitions?.sysvolFolder).toBe(join(dc.sysvolPath, dc.dnsDomain, 'Policies', 'PolicyDefinitions'));
    expect(definitions?.files.map((f) => f.path).sort()).toEqual(['coffer.admx', 'en-US/coffer.adml']);
    const admx = readFileSync(join(definitions?.sysvolFolder ?? '', 'coffer.admx'), 'utf8');
    for (const policy of COFFER_POLICIES)
      expect(admx).toContain(`<policy name="${policy.name}" class="${policy.class}"`);
    expect(readFileSync(join(definitions?.sysvolFolder ?? '', 'en-US', 'coffer.adml'), 'utf8')).toContain(
      '<policyDefinitionResources',
    );
  });

  it('writes links, block inheritance, the WMI filter, flags and the custom permissions', async () => {
    const seed = dc.seed;
    for (const { containerDn, gPLink } of seed?.gpLinks ?? []) {
      const { searchEntries } = await ldap.search(containerDn, { scope: 'base', attributes: ['gPLink'] });
      expect(searchEntries[0]?.gPLink).toBe(gPLink);
    }
    const domainLink = seed?.gpLinks.find((l) => l.containerDn === dc.baseDn)?.gPLink ?? '';
    expect(domainLink).toMatch(/^\[LDAP:\/\/CN=\{31B2F340-016D-11D2-945F-00C04FB984F9\}/i);
    expect(seed?.gpLinks.some((l) => l.containerDn.startsWith('CN=Default-First-Site-Name,CN=Sites'))).toBe(true);
    const links = seed?.gpos.flatMap((g) => g.links) ?? [];
    expect(links.some((l) => l.enforced && l.enabled)).toBe(true);
    expect(links.some((l) => !l.enabled && !l.enforced)).toBe(true);
    expect(links.some((l) => !l.enabled && l.enforced)).toBe(true);
    const kiosks = seed?.ous.find((o) => o.name === 'Kiosks');
    expect(kiosks?.blockInheritance).toBe(true);
    expect(
      (await ldap.search(kiosks?.dn ?? '', { scope: 'base', attributes: ['gPOptions'] })).searchEntries[0]?.gPOptions,
    ).toBe('1');

    const filter = seed?.wmiFilters[0];
    const som = (await ldap.search(filter?.dn ?? '', { scope: 'base', attributes: ['msWMI-Name', 'msWMI-Parm2'] }))
      .searchEntries[0];
    expect(som?.['msWMI-Parm2']).toBe(filter?.parm2);
    expect(String(filter?.parm2)).toMatch(/^2;3;10;\d+;WQL;root\\CIMv2;SELECT/);
    const filtered = seed?.gpos.find((g) => g.wmiFilter !== null);
    expect(
      (await ldap.search(filtered?.dn ?? '', { scope: 'base', attributes: ['gPCWQLFilter'] })).searchEntries[0]
        ?.gPCWQLFilter,
    ).toBe(filtered?.wmiFilter?.gPCWQLFilter);

    expect(seed?.gpos.find((g) => g.flags === 3)).toBeDefined();
    expect(seed?.gpos.find((g) => g.flags === 1)).toBeDefined();
    expect(seed?.gpos.some((g) => g.displayName.includes(']]>'))).toBe(true);

    const secured = seed?.gpos.find((g) => g.permissions !== null);
    const { stdout } = await run('ldbsearch', [
      '-H',
      dc.samLdbPath,
      '-b',
      secured?.dn ?? '',
      '-s',
      'base',
      'nTSecurityDescriptor',
    ]);
    const sddl = stdout.replace(/\n /g, '');
    const deny = secured?.permissions?.applyDeniedTo[0]?.sid;
    const grant = secured?.permissions?.applyGrantedTo[0]?.sid;
    expect(sddl).toContain(`(OD;CI;CR;edacfd8f-ffb3-11d1-b41d-00a0c968f939;;${deny})`);
    expect(sddl).toContain(`(OA;CI;CR;edacfd8f-ffb3-11d1-b41d-00a0c968f939;;${grant})`);
    expect(sddl).not.toContain('(OA;CI;CR;edacfd8f-ffb3-11d1-b41d-00a0c968f939;;AU)');
  });

  it('adds the extra benchmark GPOs, each with a registry.pol', async () => {
    const bench = dc.seed?.gpos.filter((g) => g.purpose === 'bench') ?? [];
    expect(bench).toHaveLength(25);
    expect(dc.seed?.extraGpoCount).toBe(25);
    const { searchEntries } = await ldap.search(`CN=Policies,CN=System,${dc.baseDn}`, {
      scope: 'one',
      filter: '(displayName=Bench GPO *)',
      attributes: ['name'],
      paged: { pageSize: 10 },
    });
    expect(searchEntries).toHaveLength(25);
    for (const gpo of bench)
      expect(
        readFileSync(join(gpo.sysvolFolder, 'Machine', 'registry.pol'))
          .subarray(0, 4)
          .toString(),
      ).toBe('PReg');
  });

  it('writes starter GPOs: System and Custom, Unicode, both sides, localized', () => {
    const starters = dc.seed?.starterGpos ?? [];
    expect(starters.map((s) => s.typeName).sort()).toEqual(['Custom', 'Custom', 'System']);
    expect(starters.some((s) => /[^\x00-\x7f]/.test(s.displayName))).toBe(true);
    const both = starters.find((s) =>
      ['Machine/registry.pol', 'User/registry.pol', 'Machine/comment.cmtx', 'User/comment.cmtx'].every((f) =>
        s.files.some((x) => x.path === f),
      ),
    );
    expect(both).toBeDefined();
    const localized = starters.find((s) => s.localizedLanguages.includes('en-US'));
    expect(readFileSync(join(localized?.sysvolFolder ?? '', 'en-US', 'StarterGPO.tmpll'), 'utf8')).toContain(
      localized?.displayName,
    );
    for (const s of starters)
      expect(readFileSync(join(s.sysvolFolder, 'StarterGPO.tmplx'), 'utf8')).toContain(`<ID>${s.guid}</ID>`);
  });

  it('serves the seeded SYSVOL over SMB with NT ACLs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'harness-smb-'));
    const auth = join(dir, 'auth');
    writeFileSync(auth, `username=${dc.adminUser}\npassword=${dc.adminPassword}\ndomain=${dc.netbiosDomain}\n`, {
      mode: 0o600,
    });
    const { stdout } = await run('smbclient', [
      `//${dc.address}/sysvol`,
      '-A',
      auth,
      '--use-kerberos=off',
      '-c',
      `ls "${dc.seed?.unicodeFileSharePath}"`,
    ]);
    expect(stdout).toContain('ünï cödé ✓.cmd');
    const acl = await run('smbcacls', [
      `//${dc.address}/sysvol`,
      dc.seed?.gpos[0]?.sysvolSharePath ?? '',
      '-A',
      auth,
      '--use-kerberos=off',
      '--sddl',
    ]);
    expect(acl.stdout).toMatch(/^O:/);
  });

  it('sets every SYSVOL ACL as samba-tool ntacl sysvolreset would (its ACLs copied per distinct ACL, sysvolcheck agrees)', async () => {
    // sysvolcheck re-derives every path's ACL (SYSVOL's own, each GPO's from its AD security descriptor, the
    // security-filtered GPO's included) and fails on the first that differs from what is stored.
    await expect(
      run('samba-tool', ['ntacl', 'sysvolcheck', '-s', dc.smbConfPath], { timeout: 5 * 60_000 }),
    ).resolves.toBeDefined();
    const filtered = dc.seed?.gpos.find((gpo) => gpo.permissions !== null);
    const plain = dc.seed?.gpos.find((gpo) => gpo.permissions === null);
    if (!filtered || !plain) throw new Error('the seed has no security-filtered GPO beside a plain one');
    const ntacl = async (path: string) =>
      (await run('samba-tool', ['ntacl', 'get', '--as-sddl', '-s', dc.smbConfPath, path])).stdout.trim();
    // Distinct ACLs stay distinct: the filtered GPO's files carry its grant, the others do not.
    const filteredAcl = await ntacl(join(filtered.sysvolFolder, 'GPT.INI'));
    expect(filteredAcl).toContain(filtered.permissions?.applyGrantedTo[0]?.sid ?? 'missing');
    expect(await ntacl(join(plain.sysvolFolder, 'GPT.INI'))).not.toBe(filteredAcl);
  });
});

describe('start, stop and crash safety', () => {
  it('stop() kills samba and its children and removes the hosts line and the folder', async () => {
    const dc = await startTestDomain({ address: '127.0.0.72', realm: 'STOPME.TEST' });
    const { stdout } = await run('pgrep', ['-f', dc.smbConfPath]);
    const pids = stdout.trim().split('\n').map(Number);
    expect(pids.length).toBeGreaterThan(0);
    await dc.stop();
    await dc.stop();
    for (const pid of [dc.sambaPid, ...pids]) expect(isAlive(pid), `pid ${pid}`).toBe(false);
    expect(readFileSync('/etc/hosts', 'utf8')).not.toContain('dc1.stopme.test');
    expect(existsSync(dc.workDir)).toBe(false);
    expect(await portAnswers('127.0.0.72', 636)).toBe(false);
  });

  it('a test run killed with SIGKILL leaves no DC running, and the sweeper clears what is left', async () => {
    const script = `
      import { startTestDomain } from ${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)};
      const dc = await startTestDomain({ address: '127.0.0.73', realm: 'CRASH.TEST' });
      process.stdout.write(JSON.stringify(dc.info()) + '\\n');
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    const info = await new Promise<{ sambaPid: number; workDir: string }>((resolvePromise, reject) => {
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('\n')) resolvePromise(JSON.parse(out.split('\n')[0] ?? '{}'));
      });
      child.on('exit', (code) => reject(new Error(`child exited early (${code})`)));
    });
    expect(isAlive(info.sambaPid)).toBe(true);
    child.kill('SIGKILL');
    // samba -i stops on EOF of the stdin pipe the dead process held.
    for (let i = 0; i < 100 && isAlive(info.sambaPid); i++) await sleep(100);
    expect(isAlive(info.sambaPid)).toBe(false);
    expect(readFileSync('/etc/hosts', 'utf8')).toContain('dc1.crash.test');
    expect(await sweepStaleDomains()).toBeGreaterThanOrEqual(1);
    expect(readFileSync('/etc/hosts', 'utf8')).not.toContain('dc1.crash.test');
    expect(existsSync(info.workDir)).toBe(false);
  });

  it('refuses a second DC on an address that is taken and a realm already mapped', async () => {
    const dc = await startTestDomain({ address: '127.0.0.74', realm: 'TAKEN.TEST' });
    try {
      await expect(startTestDomain({ address: '127.0.0.74', realm: 'OTHER.TEST' })).rejects.toThrow(
        /already running on 127\.0\.0\.74/,
      );
      await expect(startTestDomain({ address: '127.0.0.75', realm: 'TAKEN.TEST' })).rejects.toThrow(/same realm/);
    } finally {
      await dc.stop();
    }
  });

  it('the script starts a detached DC and stops it again', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'harness-cli-')), 'dc');
    const bin = new URL('../bin/coffer-test-domain.mjs', import.meta.url).pathname;
    const up = await run(process.execPath, [
      bin,
      'up',
      '--dir',
      dir,
      '--detach',
      '--address',
      '127.0.0.76',
      '--realm',
      'CLI.TEST',
    ]);
    const info = JSON.parse(up.stdout) as { sambaPid: number; dcHostname: string };
    expect(info.dcHostname).toBe('dc1.cli.test');
    expect(isAlive(info.sambaPid)).toBe(true);
    // A sweep from another run must leave a live detached DC alone.
    await sweepStaleDomains();
    expect(isAlive(info.sambaPid)).toBe(true);
    await run(process.execPath, [bin, 'down', '--dir', dir]);
    expect(isAlive(info.sambaPid)).toBe(false);
    expect(existsSync(dir)).toBe(false);
    expect(readFileSync('/etc/hosts', 'utf8')).not.toContain('dc1.cli.test');
  });
});
