import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AdErrorCode,
  collectBytes,
  createLocalSysvolSource,
  createSmbclientSysvolSource,
  type SysvolSource,
  type SysvolTreeEntry,
} from '../../src/index.js';
import { patternGroups } from '../../src/sysvol/smbclient-sysvol.js';
import { testDomain } from '../helpers/test-domain.js';
import { failure } from '../helpers/expect-failure.js';

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Every file below `dir` on the local disk: relative path → sha256. */
function localFiles(dir: string, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const name of readdirSync(dir)) {
    const abs = join(dir, name);
    const rel = prefix === '' ? name : `${prefix}/${name}`;
    if (statSync(abs).isDirectory()) for (const [k, v] of localFiles(abs, rel)) out.set(k, v);
    else out.set(rel, sha(readFileSync(abs)));
  }
  return out;
}

async function readAll(
  source: SysvolSource,
  path: string,
  options?: { only: string[] },
): Promise<Map<string, { kind: string; size: number; sha?: string }>> {
  const out = new Map<string, { kind: string; size: number; sha?: string }>();
  for await (const entry of source.readTree(path, options) as AsyncIterable<SysvolTreeEntry>) {
    if (entry.kind === 'file') {
      const bytes = entry.content ? await collectBytes(entry.content) : Buffer.alloc(0);
      expect(bytes.length).toBe(entry.size);
      out.set(entry.path, { kind: 'file', size: entry.size, sha: sha(bytes) });
    } else out.set(entry.path, { kind: 'directory', size: 0 });
  }
  return out;
}

/** Owner/group prefix and the sorted ACE list of an SDDL string. */
function aclParts(sddl: string): { head: string; aces: string[] } {
  const head = sddl.slice(0, sddl.indexOf('D:') + 2);
  return { head, aces: (sddl.match(/\([^()]*\)/g) ?? []).sort() };
}

const domain = testDomain();
/** The domain SID, from a seeded group's SID minus its RID. */
const domainSid = () => (domain.seed?.groups[0]?.sid ?? '').replace(/-\d+$/, '');
const transports: Array<[string, () => Promise<SysvolSource>]> = [
  ['local path', async () => createLocalSysvolSource({ root: domain.sysvolPath, smbConfPath: domain.smbConfPath })],
  [
    'smbclient',
    async () =>
      createSmbclientSysvolSource({
        host: domain.dcHostname,
        credentials: { user: domain.adminUser, domain: domain.netbiosDomain, password: domain.adminPassword },
        domainSid: domainSid(),
      }),
  ],
];

describe.each(transports)('SYSVOL over %s', (name, open) => {
  let sysvol: SysvolSource;
  const seed = domain.seed;
  const scratch = `${domain.dnsDomain}/coffer-scratch-${name.replace(/\W/g, '-')}`;

  beforeAll(async () => {
    sysvol = await open();
  });
  afterAll(async () => {
    await sysvol?.removeTree(scratch, { missingOk: true });
    await sysvol?.close();
  });

  it('says which GPO folders exist', async () => {
    const gpo = seed?.gpos[0];
    expect(await sysvol.exists(gpo?.sysvolSharePath ?? '')).toBe(true);
    expect(await sysvol.exists(`${domain.dnsDomain}/Policies/{00000000-0000-0000-0000-000000000000}`)).toBe(false);
  });

  it('streams every seeded GPO byte for byte against the files the seed wrote, Unicode names included', async () => {
    const gpos = seed?.gpos ?? [];
    expect(gpos.some((g) => /[^\x20-\x7e]/.test(g.files.map((f) => f.path).join('')))).toBe(true);
    for (const gpo of gpos) {
      const tree = await readAll(sysvol, gpo.sysvolSharePath);
      const expected = localFiles(gpo.sysvolFolder);
      expect(expected.size).toBe(gpo.files.length);
      for (const [path, hash] of expected) expect(tree.get(path)?.sha, `${gpo.displayName}: ${path}`).toBe(hash);
      const files = [...tree]
        .filter(([, v]) => v.kind === 'file')
        .map(([k]) => k)
        .sort();
      expect(files, gpo.displayName).toEqual(gpo.files.map((f) => f.path).sort());
      for (const file of gpo.files)
        expect(tree.get(file.path)?.size, `${gpo.displayName}: ${file.path}`).toBe(file.size);
    }
    // The richest GPOs: a security template, GPP XML and scripts, nested folders with spaces.
    const baseline = gpos.find((g) => g.purpose === 'workstation-baseline');
    const tree = await readAll(sysvol, baseline?.sysvolSharePath ?? '');
    expect(tree.get('Machine/Microsoft/Windows NT/SecEdit/GptTmpl.inf')?.kind).toBe('file');
    expect(tree.get('Machine/Preferences/ScheduledTasks')?.kind).toBe('directory');
  });

  it('keeps Unicode and spaces in names, empty files and folders', async () => {
    const gpo = seed?.gpos.find((g) => g.purpose === 'unicode-file');
    const tree = await readAll(sysvol, gpo?.sysvolSharePath ?? '');
    const script = tree.get('Machine/Scripts/Startup/ünï cödé ✓.cmd');
    expect(script?.kind).toBe('file');
    expect(script?.sha).toBe(
      sha(readFileSync(join(gpo?.sysvolFolder ?? '', 'Machine/Scripts/Startup/ünï cödé ✓.cmd'))),
    );
    expect(tree.get('Machine/Scripts/Shutdown/Empty Folder Marker.txt')).toMatchObject({ kind: 'file', size: 0 });
    expect(tree.get('Machine/Scripts/Startup')?.kind).toBe('directory');
    expect(tree.get('User')?.kind).toBe('directory');
    // Parents come before their children.
    const order = [...tree.keys()];
    expect(order.indexOf('Machine/Scripts')).toBeLessThan(order.indexOf('Machine/Scripts/Startup/ünï cödé ✓.cmd'));
  });

  it('reads many named files in one call, as stored, and leaves missing ones out', async () => {
    const gpos = seed?.gpos ?? [];
    const unicode = gpos.find((g) => g.purpose === 'unicode-file');
    const wanted = [
      ...gpos.map((g) => `${g.sysvolSharePath}/GPT.INI`),
      `${unicode?.sysvolSharePath}/Machine/Scripts/Startup/ünï cödé ✓.cmd`,
      `${unicode?.sysvolSharePath}/Machine/Scripts/Shutdown/Empty Folder Marker.txt`,
      `${domain.dnsDomain}/Policies/{00000000-0000-0000-0000-000000000000}/GPT.INI`,
    ];
    const read = await sysvol.readFiles(wanted);
    expect(read.size).toBe(wanted.length - 1);
    expect(read.has(wanted.at(-1)!)).toBe(false);
    for (const gpo of gpos)
      expect(sha(read.get(`${gpo.sysvolSharePath}/GPT.INI`)!), gpo.displayName).toBe(
        sha(readFileSync(join(gpo.sysvolFolder, 'GPT.INI'))),
      );
    expect(read.get(wanted.at(-2)!)?.length).toBe(0);
    expect(sha(read.get(wanted.at(-3)!)!)).toBe(
      sha(readFileSync(join(unicode?.sysvolFolder ?? '', 'Machine/Scripts/Startup/ünï cödé ✓.cmd'))),
    );
    await expect(sysvol.readFiles([`${domain.dnsDomain}/Policies/*/GPT.INI`])).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });

  it('lists the same tree it reads', async () => {
    const gpo = seed?.gpos.find((g) => g.purpose === 'unicode-file');
    const listed = [];
    for await (const entry of sysvol.listTree(gpo?.sysvolSharePath ?? ''))
      listed.push(`${entry.kind}:${entry.path}:${entry.size}`);
    const read = [...(await readAll(sysvol, gpo?.sysvolSharePath ?? ''))].map(([p, v]) => `${v.kind}:${p}:${v.size}`);
    expect(listed.sort()).toEqual(read.sort());
  });

  it('lists names, sizes and times in several sessions as in one, parents first', async () => {
    const tree = `${scratch}-stat`;
    // Thirteen names with thirteen first letters: enough for three sessions' prefix patterns (see patternGroups).
    const names = [...'abcdefghijkl'].map((letter, n) => `${letter}${n} Folder ✓`);
    expect(patternGroups([...names, 'top.txt'], 3)).not.toBeNull();
    await sysvol.writeTree(tree, [
      ...names.flatMap((name) => [
        { path: `${name}/Sub`, kind: 'directory' as const },
        { path: `${name}/Sub/${name}.txt`, kind: 'file' as const, content: Buffer.from(name) },
      ]),
      { path: 'top.txt', kind: 'file', content: Buffer.from('top') },
    ]);
    try {
      const key = (entries: Awaited<ReturnType<SysvolSource['statTree']>>) =>
        entries.map((e) => `${e.kind}:${e.path}:${e.size}:${e.mtime}`).sort();
      const one = await sysvol.statTree(tree);
      const three = await sysvol.statTree(tree, { sessions: 3 });
      expect(one).toHaveLength(names.length * 3 + 1);
      expect(key(three)).toEqual(key(one));
      expect(three.find((e) => e.path === 'a0 Folder ✓/Sub/a0 Folder ✓.txt')).toMatchObject({
        kind: 'file',
        size: Buffer.byteLength('a0 Folder ✓'),
      });
      const seen = new Set<string>();
      for (const entry of three) {
        const parent = entry.path.slice(0, Math.max(0, entry.path.lastIndexOf('/')));
        expect(parent === '' || seen.has(parent), entry.path).toBe(true);
        seen.add(entry.path);
      }
      // The seeded Policies folder, GPO folders with Unicode file names among them, alike in one and two sessions.
      const policies = `${domain.dnsDomain}/Policies`;
      expect(key(await sysvol.statTree(policies, { sessions: 2 }))).toEqual(key(await sysvol.statTree(policies)));
    } finally {
      await sysvol.removeTree(tree, { missingOk: true });
    }
  });

  it('reads only the named folders, in one pass, past a name that is not there', async () => {
    const gpos = (seed?.gpos ?? []).slice(0, 3);
    expect(gpos).toHaveLength(3);
    const policies = `${domain.dnsDomain}/Policies`;
    const folder = (gpo: (typeof gpos)[number]) => gpo.sysvolSharePath.slice(gpo.sysvolSharePath.lastIndexOf('/') + 1);
    // smbclient's tar stops at a missing name: the folders after it must still come.
    const names = [
      folder(gpos[0]!),
      '{00000000-0000-0000-0000-00000000DEAD}',
      folder(gpos[1]!).toLowerCase(),
      folder(gpos[2]!),
    ];
    const read = await readAll(sysvol, policies, { only: names });
    const expected = new Map<string, { kind: string; size: number; sha?: string }>();
    for (const gpo of gpos)
      for (const [path, entry] of await readAll(sysvol, gpo.sysvolSharePath))
        expected.set(`${folder(gpo)}/${path}`.toLowerCase(), entry);
    const got = new Map(
      [...read].filter(([path]) => path.includes('/')).map(([path, entry]) => [path.toLowerCase(), entry]),
    );
    expect(got).toEqual(expected);
    expect(
      [...read.keys()]
        .filter((path) => !path.includes('/'))
        .map((p) => p.toLowerCase())
        .sort(),
    ).toEqual(gpos.map((gpo) => folder(gpo).toLowerCase()).sort());
  });

  it('skipping a file’s content does not derail the stream', async () => {
    const gpo = seed?.gpos.find((g) => g.purpose === 'workstation-baseline');
    let files = 0;
    for await (const entry of sysvol.readTree(gpo?.sysvolSharePath ?? '')) if (entry.kind === 'file') files += 1;
    expect(files).toBe(gpo?.files.length);
  });

  it('reads a single file and a starter GPO', async () => {
    const gpo = seed?.gpos.find((g) => g.purpose === 'all-disabled');
    const ini = await sysvol.readFile(`${gpo?.sysvolSharePath}/GPT.INI`);
    expect(ini.toString('utf8')).toContain(`Version=${gpo?.gptIniVersion}`);
    const starter = seed?.starterGpos.find((s) => s.localizedLanguages.includes('en-US'));
    const tmpll = await sysvol.readFile(`${starter?.sysvolSharePath}/en-US/StarterGPO.tmpll`);
    expect(tmpll.toString('utf8')).toContain(starter?.displayName);
  });

  it('reads ACLs as SDDL', async () => {
    const gpo = seed?.gpos.find((g) => g.purpose === 'security-filtering');
    const sddl = await sysvol.readAcl(gpo?.sysvolSharePath ?? '');
    expect(sddl).toMatch(/^O:[A-Z0-9-]+G:[A-Z0-9-]+D:/);
    expect(sddl).toContain('(A;');
  });

  it('fails clearly for a missing folder', async () => {
    const missing = `${domain.dnsDomain}/Policies/{11111111-2222-3333-4444-555555555555}`;
    const error = await failure(readAll(sysvol, missing));
    expect(error.code).toBe(AdErrorCode.PathNotFound);
    expect(error.hresult).toBe(0x80070003);
    expect(error.object).toBe(missing);
    expect((await failure(sysvol.readFile(`${missing}/GPT.INI`))).code).toBe(AdErrorCode.PathNotFound);
    expect((await failure(sysvol.readAcl(missing))).code).toBe(AdErrorCode.PathNotFound);
  });

  it('writes a tree, reads it back, sets its ACL and removes it', async () => {
    const payload = Buffer.from([0, 1, 2, 255, 254, 0x0d, 0x0a, 0x1a]);
    await sysvol.writeTree(scratch, [
      { path: 'Machine', kind: 'directory' },
      { path: 'Machine/Scripts/Startup/ünï cödé ✓.cmd', kind: 'file', content: Buffer.from('echo ✓\r\n') },
      { path: 'Machine/registry.pol', kind: 'file', content: payload },
      {
        path: 'User/streamed file.bin',
        kind: 'file',
        size: 6,
        content: (async function* () {
          yield Buffer.from('abc');
          yield Buffer.from('def');
        })(),
      },
      { path: 'Empty Dir', kind: 'directory' },
    ]);
    const tree = await readAll(sysvol, scratch);
    expect(tree.get('Machine/Scripts/Startup/ünï cödé ✓.cmd')?.sha).toBe(sha(Buffer.from('echo ✓\r\n')));
    expect(tree.get('Machine/registry.pol')?.sha).toBe(sha(payload));
    expect(tree.get('User/streamed file.bin')?.sha).toBe(sha(Buffer.from('abcdef')));
    expect(tree.get('Empty Dir')?.kind).toBe('directory');

    const reference = await sysvol.readAcl(
      seed?.gpos.find((g) => g.purpose === 'security-filtering')?.sysvolSharePath ?? '',
    );
    await sysvol.writeAcl(scratch, reference);
    // Same owner, group and ACEs; smbcacls may put the ACEs into canonical order.
    expect(aclParts(await sysvol.readAcl(scratch))).toEqual(aclParts(reference));

    await sysvol.removeTree(scratch);
    expect(await sysvol.exists(scratch)).toBe(false);
    expect((await failure(sysvol.removeTree(scratch))).code).toBe(AdErrorCode.PathNotFound);
    await sysvol.removeTree(scratch, { missingOk: true });
  });

  it('refuses paths that climb out of the share', async () => {
    await expect(sysvol.readFile('../etc/passwd')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
