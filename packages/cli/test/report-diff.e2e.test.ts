/**
 * coffer report and coffer diff against the real seeded DC: back up every GPO, change one thing of each kind in the
 * live domain (a Registry.pol value, a GptTmpl.inf line, a GPP item — SYSVOL files edited through the DC's local
 * sysvol with the versions bumped in GPT.INI and AD as an editor would —, a link's enforced flag in an OU's gPLink,
 * a deny ACE in a GPO's nTSecurityDescriptor), back up again, and require `coffer diff` to name exactly those
 * changes and nothing else. Then the same with --live, and the HTML report and diff opened in headless Chromium.
 * Every change is undone afterwards so the other tests of this package see the seeded domain.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import {
  connectLdap,
  parseSecurityDescriptor,
  SecurityInformation,
  serializeSecurityDescriptor,
  type LdapConnection,
} from '@coffer/active-directory';
import { decodeRegistryPol, encodeRegistryPol, type BackupsDiff, type GpoChange } from '@coffer/gpmc';
import { runCoffer } from './helpers/run-coffer.js';
import { gpoConnectionArgs } from '@coffer/test-support';

const run = promisify(execFile);
const domain = inject('testDomain');
const seed = domain.seed!;
let work: string;
let passwordFile: string;
let ldap: LdapConnection;
const undo: Array<() => Promise<void>> = [];

const connection = () => gpoConnectionArgs(domain, passwordFile);
const APPLY_GROUP_POLICY = 'edacfd8f-ffb3-11d1-b41d-00a0c968f939';
const RESULTS = join(import.meta.dirname, '..', 'test-results');

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'coffer-cli-diff-'));
  passwordFile = join(work, 'password');
  await writeFile(passwordFile, `${domain.adminPassword}\n`);
  await chmod(passwordFile, 0o600);
  ldap = await connectLdap({
    host: domain.dcHostname,
    caFile: domain.caFile,
    bindName: `${domain.adminUser}@${domain.dnsDomain}`,
    password: domain.adminPassword,
  });
  await mkdir(RESULTS, { recursive: true });
});
afterAll(async () => {
  for (const step of undo.reverse()) await step().catch(() => undefined);
  await ldap?.close();
  await rm(work, { recursive: true, force: true });
});

async function backupAll(name: string): Promise<string> {
  const out = join(work, name);
  await mkdir(out);
  const result = await runCoffer(['backup', 'gpo', ...connection(), '--all', '--out', out, '--json'], {
    timeoutMs: 180_000,
  });
  expect([0, 3], `${result.stderr}\n${result.stdout}`).toContain(result.exitCode);
  return out;
}

/** A GPT file of a seeded GPO by its path, case-insensitively (Samba keeps MACHINE/USER as created). */
function gptFile(gpo: (typeof seed.gpos)[number], pattern: RegExp): string {
  const file = gpo.files.find((f) => pattern.test(f.path));
  if (!file) throw new Error(`${gpo.displayName} has no file matching ${pattern}`);
  return join(gpo.sysvolFolder, file.path);
}

async function edit(path: string, change: (bytes: Buffer) => Buffer): Promise<void> {
  const before = await readFile(path);
  undo.push(() => writeFile(path, before));
  await writeFile(path, change(before));
}

/**
 * Bumps one side's version in GPT.INI and AD versionNumber, as the GPMC editor does after a change. Returns the live
 * versionNumber it started from: other test files share this DC and may have moved it since the seed (a restore
 * bumps it), so the seed's figure is not the one the backups hold.
 */
async function bumpVersion(gpo: (typeof seed.gpos)[number], side: 'machine' | 'user'): Promise<number> {
  const step = side === 'machine' ? 1 : 0x10000;
  const ini = join(gpo.sysvolFolder, (await readdir(gpo.sysvolFolder)).find((n) => n.toLowerCase() === 'gpt.ini')!);
  await edit(ini, (bytes) =>
    Buffer.from(
      bytes.toString('latin1').replace(/Version=(\d+)/i, (_m, v: string) => `Version=${Number(v) + step}`),
      'latin1',
    ),
  );
  const [entry] = await ldap.search(gpo.dn, { scope: 'base', attributes: ['versionNumber'], paged: false });
  const version = Number(entry!.versionNumber);
  undo.push(() =>
    ldap.modify(gpo.dn, [{ operation: 'replace', attribute: 'versionNumber', values: [String(version)] }]),
  );
  await ldap.modify(gpo.dn, [{ operation: 'replace', attribute: 'versionNumber', values: [String(version + step)] }]);
  return version;
}

const sideVersions = (v: number) => ({ machine: v & 0xffff, user: v >>> 16 });

describe('coffer report and coffer diff against a real DC', () => {
  let before: string;
  let after: string;
  const expected: Array<
    { gpo: string } & Omit<GpoChange, 'old' | 'new'> & { old?: string | null; new?: string | null }
  > = [];

  test('a backup, five kinds of change in the live domain, a second backup: diff names exactly those changes', async () => {
    before = await backupAll('before');
    const byPurpose = (purpose: string) => seed.gpos.find((g) => g.purpose === purpose)!;
    const baseline = byPurpose('workstation-baseline');
    const drives = byPurpose('drive-mappings');
    const hardening = byPurpose('server-hardening');
    const used = new Set([baseline.guid, drives.guid, hardening.guid]);
    const linked = seed.gpos.find(
      (g) => !used.has(g.guid) && g.links.some((l) => l.containerKind === 'ou' && !l.enforced),
    )!;
    expect([baseline, drives, hardening, linked].every(Boolean)).toBe(true);

    // 1. Registry.pol: a REG_DWORD value changed (the file re-encodes byte-identically, so nothing else moves).
    const pol = gptFile(baseline, /^machine\/registry\.pol$/i);
    let polKey = '';
    let polOld = 0;
    await edit(pol, (bytes) => {
      const entries = decodeRegistryPol(bytes, 'Registry.pol');
      expect(Buffer.from(encodeRegistryPol(entries)).equals(bytes)).toBe(true);
      const dword = entries.find((e) => e.typeName === 'REG_DWORD' && !e.valueName.startsWith('**'))!;
      polKey = `${dword.key}\\${dword.valueName}`;
      polOld = dword.data as number;
      dword.data = polOld + 7;
      return Buffer.from(encodeRegistryPol(entries));
    });
    // 2. GptTmpl.inf: MinimumPasswordLength raised by one (UTF-16LE with BOM, as SecEdit writes it).
    const inf = gptFile(baseline, /^machine\/microsoft\/windows nt\/secedit\/gpttmpl\.inf$/i);
    let lengthOld = 0;
    await edit(inf, (bytes) => {
      const text = bytes
        .subarray(2)
        .toString('utf16le')
        .replace(/MinimumPasswordLength = (\d+)/, (_m, v: string) => {
          lengthOld = Number(v);
          return `MinimumPasswordLength = ${lengthOld + 1}`;
        });
      return Buffer.concat([bytes.subarray(0, 2), Buffer.from(text, 'utf16le')]);
    });
    expect(lengthOld).toBeGreaterThan(0);
    const baselineVersion = sideVersions(await bumpVersion(baseline, 'machine'));
    // 3. A Drive Maps item's path.
    const drivesXml = gptFile(drives, /^user\/preferences\/drives\/drives\.xml$/i);
    let driveName = '';
    await edit(drivesXml, (bytes) => {
      const text = bytes.toString('utf8');
      const item = /<Drive [^>]*name="([^"]*)"[^>]*uid="([^"]*)"[^>]*>\s*<Properties [^>]*\spath="([^"]*)"/.exec(text)!;
      driveName = item[1]!;
      return Buffer.from(text.replace(`path="${item[3]}"`, `path="${item[3]}-moved"`), 'utf8');
    });
    await bumpVersion(drives, 'user');
    // 4. A link made enforced: the GPO's entry in the OU's gPLink gets option 2.
    const link = linked.links.find((l) => l.containerKind === 'ou' && !l.enforced)!;
    const [ou] = await ldap.search(link.containerDn, {
      scope: 'base',
      attributes: ['gPLink', 'canonicalName'],
      paged: false,
    });
    const gpLink = String(ou!.gPLink);
    undo.push(() => ldap.modify(link.containerDn, [{ operation: 'replace', attribute: 'gPLink', values: [gpLink] }]));
    const pattern = new RegExp(
      `(\\[LDAP://cn=${linked.guid.replace(/[{}]/g, (c) => `\\${c}`)},[^;\\]]*;)(\\d+)\\]`,
      'i',
    );
    expect(pattern.test(gpLink)).toBe(true);
    await ldap.modify(link.containerDn, [
      {
        operation: 'replace',
        attribute: 'gPLink',
        values: [gpLink.replace(pattern, (_m, head: string, options: string) => `${head}${Number(options) | 2}]`)],
      },
    ]);
    // 5. A deny "Apply Group Policy" ACE for a seeded group.
    const [sdEntry] = await ldap.search(hardening.dn, {
      scope: 'base',
      attributes: ['nTSecurityDescriptor'],
      sdFlags: SecurityInformation.Dacl,
      paged: false,
    });
    const sdBytes = sdEntry!.nTSecurityDescriptor as Buffer;
    undo.push(() =>
      ldap.modify(hardening.dn, [{ operation: 'replace', attribute: 'nTSecurityDescriptor', values: [sdBytes] }], {
        sdFlags: SecurityInformation.Dacl,
      }),
    );
    const sd = parseSecurityDescriptor(sdBytes);
    const group = seed.groups[0]!;
    sd.dacl!.aces.unshift({
      kind: 'accessDeniedObject',
      flags: {},
      mask: 0x100,
      objectType: APPLY_GROUP_POLICY,
      sid: group.sid,
    } as never);
    await ldap.modify(
      hardening.dn,
      [
        {
          operation: 'replace',
          attribute: 'nTSecurityDescriptor',
          values: [Buffer.from(serializeSecurityDescriptor(sd))],
        },
      ],
      { sdFlags: SecurityInformation.Dacl },
    );

    after = await backupAll('after');
    const diffRun = await runCoffer(['diff', before, after, '--json', '--exit-code'], { timeoutMs: 120_000 });
    expect(diffRun.exitCode, diffRun.stderr + diffRun.stdout).toBe(4);
    const diff = diffRun.result as unknown as BackupsDiff & { differences: boolean };
    expect(diff.differences).toBe(true);
    const seen = diff.gpos.flatMap((g) =>
      g.changes.map((c) => ({
        gpo: g.gpoId.toUpperCase(),
        kind: c.kind,
        area: c.area,
        scope: c.scope,
        item: c.item,
        old: c.old,
        new: c.new,
      })),
    );
    const somPath = String(ou!.canonicalName).replace(/\/$/, '');
    expected.push(
      {
        gpo: baseline.guid,
        kind: 'changed',
        area: 'version',
        scope: 'version',
        item: 'Computer AD',
        old: String(baselineVersion.machine),
        new: String(baselineVersion.machine + 1),
      },
      { gpo: baseline.guid, kind: 'changed', area: 'version', scope: 'version', item: 'Computer SYSVOL' },
      {
        gpo: baseline.guid,
        kind: 'changed',
        area: 'setting',
        scope: 'Computer/Security',
        item: 'Password/MinimumPasswordLength',
        old: String(lengthOld),
        new: String(lengthOld + 1),
      },
      {
        gpo: baseline.guid,
        kind: 'changed',
        area: 'setting',
        scope: 'Computer/Registry',
        item: polKey,
        old: `REG_DWORD ${polOld}`,
        new: `REG_DWORD ${polOld + 7}`,
      },
      { gpo: drives.guid, kind: 'changed', area: 'version', scope: 'version', item: 'User AD' },
      { gpo: drives.guid, kind: 'changed', area: 'version', scope: 'version', item: 'User SYSVOL' },
      {
        gpo: drives.guid,
        kind: 'changed',
        area: 'setting',
        scope: 'User/Drive Maps',
        item: expect.stringContaining(`Drive ${driveName} `) as unknown as string,
      },
      {
        gpo: linked.guid,
        kind: 'changed',
        area: 'link',
        scope: 'link',
        item: expect.stringMatching(new RegExp(`${somPath.split('/').pop()}$`, 'i')) as unknown as string,
        old: expect.stringContaining('not enforced') as unknown as string,
        new: expect.stringMatching(/, enforced$/) as unknown as string,
      },
      {
        gpo: hardening.guid,
        kind: 'added',
        area: 'delegation',
        scope: 'delegation',
        item: expect.stringContaining(group.sid) as unknown as string,
        old: null,
        new: expect.stringMatching(/^\(OD;;CR;edacfd8f-ffb3-11d1-b41d-00a0c968f939;;/i) as unknown as string,
      },
    );
    expect(seen).toHaveLength(expected.length);
    expect(seen).toEqual(expect.arrayContaining(expected.map((e) => expect.objectContaining(e))));
    // The drive's new path is in the changed value.
    expect(seen.find((c) => c.scope === 'User/Drive Maps')!.new).toContain('-moved');
    expect(diff.summary).toMatchObject({ changed: 4, onlyInA: 0, onlyInB: 0, gpos: seed.gpos.length + 2 });

    // The text form: a stat line per changed GPO, then the details with old → new.
    const text = await runCoffer(['diff', before, after]);
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toContain(`${baseline.displayName}`);
    expect(text.stdout).toContain(
      `~ Computer/Security: Password/MinimumPasswordLength: ${lengthOld} → ${lengthOld + 1}`,
    );
    expect(text.stdout).toMatch(/4 changed, \d+ unchanged, 0 only in A, 0 only in B; 1 added, 0 removed, 8 changed/);
    // Equal sides: nothing, and --exit-code says so with 0.
    const same = await runCoffer(['diff', after, after, '--exit-code']);
    expect(same.exitCode).toBe(0);
  }, 600_000);

  test('--live: the backup before the changes against the domain now names the same changes; the backup after, none', async () => {
    expect(after).toBeDefined();
    const live = await runCoffer(['diff', before, '--live', ...connection(), '--json'], { timeoutMs: 300_000 });
    expect(live.exitCode, live.stderr).toBe(0);
    const diff = live.result as unknown as BackupsDiff;
    const seen = diff.gpos.flatMap((g) =>
      g.changes.map((c) => ({
        gpo: g.gpoId.toUpperCase(),
        kind: c.kind,
        area: c.area,
        scope: c.scope,
        item: c.item,
        old: c.old,
        new: c.new,
      })),
    );
    expect(seen).toHaveLength(expected.length);
    expect(seen).toEqual(expect.arrayContaining(expected.map((e) => expect.objectContaining(e))));
    expect(diff.b).toBe('live domain');
    const none = await runCoffer(['diff', after, '--live', ...connection(), '--exit-code'], { timeoutMs: 300_000 });
    expect(none.exitCode, none.stdout + none.stderr).toBe(0);
    // The private temp folder of the live backup is gone.
    expect((await readdir(tmpdir())).filter((n) => n.startsWith('coffer-diff-live-'))).toEqual([]);
  }, 600_000);

  test('report (HTML, XML, JSON) and the HTML diff, opened in headless Chromium: every section, no console errors, no network', async () => {
    expect(after).toBeDefined();
    const reportHtml = join(RESULTS, 'report.html');
    const diffHtml = join(RESULTS, 'diff.html');
    const report = await runCoffer(['report', after, '--out', reportHtml], { timeoutMs: 180_000 });
    // The seeded domain's GPTs all decode: no warnings (a --help example relies on exit 0).
    expect(report.exitCode, report.stderr).toBe(0);
    const diff = await runCoffer(['diff', before, after, '--format', 'html', '--out', diffHtml], {
      timeoutMs: 120_000,
    });
    expect(diff.exitCode, diff.stderr).toBe(0);

    // XML: GPMC's multi-GPO root with a <GPO> per GPO, settings inside; it parses.
    const xml = await runCoffer(['report', after, '--format', 'xml']);
    expect(xml.stdout.startsWith('<?xml version="1.0" encoding="utf-8"?>\r\n<report ')).toBe(true);
    expect((xml.stdout.match(/<GPO /g) ?? []).length).toBe(seed.gpos.length + 2);
    expect(xml.stdout).toContain('<ExtensionData>');
    const json = JSON.parse((await runCoffer(['report', after, '--format', 'json'])).stdout) as {
      backups: Array<{ gpoId: string; name: string; securityFiltering: string[]; settings: unknown }>;
    };
    expect(json.backups).toHaveLength(seed.gpos.length + 2);
    // Starter GPO backups: reported from their folders too (no Backup.xml; the template's GPT decoded the same way).
    const starters = join(work, 'starters');
    await mkdir(starters);
    const starterBackup = await runCoffer(
      ['backup', 'starter-gpo', ...connection(), '--all', '--out', starters, '--json'],
      { timeoutMs: 180_000 },
    );
    expect([0, 3], starterBackup.stderr).toContain(starterBackup.exitCode);
    const starterReport = JSON.parse((await runCoffer(['report', starters, '--format', 'json'])).stdout) as {
      backups: Array<{
        kind: string;
        name: string;
        settings: { computer: { extensions: unknown[] }; user: { extensions: unknown[] } };
      }>;
    };
    expect(starterReport.backups.map((b) => b.kind)).toEqual(seed.starterGpos.map(() => 'StarterGPO'));
    expect(starterReport.backups.map((b) => b.name).sort()).toEqual(seed.starterGpos.map((g) => g.displayName).sort());
    expect(
      starterReport.backups.some((b) => b.settings.computer.extensions.length + b.settings.user.extensions.length > 0),
    ).toBe(true);
    // Security filtering from the descriptor: the seeded security-filtering GPO applies to its groups only.
    for (const gpo of seed.gpos.filter((g) => g.permissions)) {
      const reported = json.backups.find((b) => b.gpoId.toUpperCase() === gpo.guid)!;
      const expected = [
        ...(gpo.permissions!.authenticatedUsersApplyRemoved ? [] : ['Authenticated Users']),
        ...gpo.permissions!.applyGrantedTo.map((g) => g.sid),
      ];
      expect([...reported.securityFiltering].sort(), gpo.displayName).toEqual(expected.sort());
    }

    // What the page itself asked of the network: the net log's URL requests a document started (their initiator is
    // the page's origin, "null" for file://); the browser's own background fetches have none ("not an origin").
    const pageRequests = async (netLog: string): Promise<string[]> => {
      const log = JSON.parse(await readFile(netLog, 'utf8')) as {
        constants: { logEventTypes: Record<string, number> };
        events: Array<{ type: number; params?: { url?: string; initiator?: string } }>;
      };
      const start = log.constants.logEventTypes.URL_REQUEST_START_JOB;
      return log.events
        .filter((e) => e.type === start && e.params?.url && e.params.initiator !== 'not an origin')
        .map((e) => e.params!.url!);
    };
    const open = async (page: string, name: string) => {
      const profile = await mkdtemp(join(tmpdir(), 'coffer-chromium-'));
      const netLog = join(work, `${name}-netlog.json`);
      const flags = [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        `--user-data-dir=${profile}`,
        '--enable-logging=stderr',
        '--v=0',
        `--log-net-log=${netLog}`,
      ];
      try {
        const dom = await run('chromium', [...flags, '--dump-dom', `file://${page}`], {
          maxBuffer: 256 * 1024 * 1024,
          timeout: 120_000,
        });
        // Console messages (errors, CSP violations) are logged as INFO:CONSOLE lines.
        return {
          dom: dom.stdout,
          console: dom.stderr.split('\n').filter((line) => /:CONSOLE[:(]/.test(line)),
          requests: await pageRequests(netLog),
          flags: flags.filter((f) => !f.startsWith('--log-net-log')),
        };
      } finally {
        await rm(profile, { recursive: true, force: true });
      }
    };
    // The detectors can fail: a page that fetches and logs is caught by both.
    const control = join(work, 'control.html');
    await writeFile(
      control,
      '<html><body><img src="http://127.0.0.1:9/x.png"><script>console.error("control")</script></body></html>',
    );
    const caught = await open(control, 'control');
    expect(caught.requests).toEqual(['http://127.0.0.1:9/x.png']);
    expect(caught.console.join('\n')).toContain('control');

    for (const [page, sections] of [
      [
        reportHtml,
        [
          'Details',
          'Links',
          'Security Filtering',
          'WMI Filtering',
          'Delegation',
          'Computer Configuration',
          'User Configuration',
          'Extra Registry Settings',
          'Drive Maps',
        ],
      ],
      [diffHtml, ['Summary', 'MinimumPasswordLength', 'Drive Maps', 'enforced', 'delegation']],
    ] as const) {
      const name = page.endsWith('report.html') ? 'report' : 'diff';
      const opened = await open(page, name);
      for (const section of sections) expect(opened.dom, section).toContain(section);
      expect(opened.console).toEqual([]);
      expect(opened.requests).toEqual([]);
      const profile = await mkdtemp(join(tmpdir(), 'coffer-chromium-'));
      try {
        const shotFlags = opened.flags.map((f) =>
          f.startsWith('--user-data-dir=') ? `--user-data-dir=${profile}` : f,
        );
        await run(
          'chromium',
          [
            ...shotFlags,
            '--hide-scrollbars',
            '--window-size=1280,2000',
            `--screenshot=${join(RESULTS, `${name}.png`)}`,
            `file://${page}`,
          ],
          { timeout: 120_000 },
        );
      } finally {
        await rm(profile, { recursive: true, force: true });
      }
      expect((await readFile(join(RESULTS, `${name}.png`))).subarray(1, 4).toString('latin1')).toBe('PNG');
    }
    // Names with <, ]]>, & and Unicode from the seed are escaped, never markup.
    const html = await readFile(reportHtml, 'utf8');
    for (const gpo of seed.gpos.filter((g) => /[<&]|]]>/.test(g.displayName)))
      expect(html).not.toContain(gpo.displayName);
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|@import|url\(/i);
  }, 600_000);

  test('usage errors exit 2, a missing directory 1, a report file is written whole or not at all', async () => {
    expect((await runCoffer(['diff', work])).exitCode).toBe(2); // one side only
    expect((await runCoffer(['diff', work, work, '--live'])).exitCode).toBe(2); // B and --live
    expect((await runCoffer(['diff', work, work, '--format', 'pdf'])).exitCode).toBe(2);
    expect((await runCoffer(['report', work, '--format', 'pdf'])).exitCode).toBe(2);
    expect((await runCoffer(['report', work, '--backup-id', '{X}', '--gpo', 'Y'])).exitCode).toBe(2);
    const missing = await runCoffer(['report', join(work, 'nowhere'), '--out', join(work, 'nowhere.html'), '--json']);
    expect(missing.exitCode).toBe(1);
    expect(missing.result?.error?.code).toBe('PATH_NOT_FOUND');
    // An unknown backup id fails before anything is written: no file, no temporary file beside it.
    const out = join(work, 'unknown.html');
    const unknown = await runCoffer([
      'report',
      after,
      '--backup-id',
      '{00000000-0000-0000-0000-000000000000}',
      '--out',
      out,
    ]);
    expect(unknown.exitCode).toBe(1);
    expect((await readdir(work)).filter((n) => n.includes('unknown.html'))).toEqual([]);
  });

  test('report and diff read backups without loading the providers; an option of the gpo provider still loads them', async () => {
    // A provider that throws when imported: every command that discovers providers warns about it.
    const broken = join(work, 'broken-provider.mjs');
    await writeFile(broken, "throw new Error('this provider breaks on import');\n");
    const warned = /failed to load/;
    const report = await runCoffer(['--provider', broken, 'report', before, '--out', join(work, 'plain.html')]);
    expect(report.exitCode).toBe(0);
    expect(report.stderr).not.toMatch(warned);
    const diff = await runCoffer(['--provider', broken, 'diff', before, after, '--format', 'json']);
    expect(diff.exitCode).toBe(0);
    expect(diff.stderr).not.toMatch(warned);
    expect((JSON.parse(diff.stdout) as BackupsDiff).summary.changed).toBeGreaterThan(0);
    // --all is the gpo provider's option: diff only knows it once the providers are discovered (and warns).
    const withProviderOption = await runCoffer([
      '--provider',
      broken,
      'diff',
      before,
      after,
      '--all',
      '--format',
      'json',
    ]);
    expect(withProviderOption.exitCode).toBe(0);
    expect(withProviderOption.stderr).toMatch(warned);
  });
});
