import { chmod, mkdir, mkdtemp, open, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { execFileSync } from 'node:child_process';
import stringWidth from 'string-width';
import { COFFER_BIN } from './helpers/paths.js';
import { runCoffer, startCoffer, type CofferRun } from './helpers/run-coffer.js';
import { gpoConnectionArgs } from '@coffer/test-support';

const domain = inject('testDomain');
const seed = domain.seed!;
let work: string;
let passwordFile: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'coffer-cli-gp-'));
  passwordFile = join(work, 'password');
  await writeFile(passwordFile, `${domain.adminPassword}\n`);
  await chmod(passwordFile, 0o600);
});
afterAll(() => rm(work, { recursive: true, force: true }));

const connection = () => gpoConnectionArgs(domain);

async function freshDir(name: string): Promise<string> {
  const dir = join(work, `${name}-${Math.random().toString(36).slice(2, 8)}`);
  await mkdir(dir);
  return dir;
}

function expectDone(run: CofferRun): void {
  expect([0, 3], `${run.stderr}\n${run.stdout}`).toContain(run.exitCode);
}

describe('coffer with the Group Policy providers against a real DC', () => {
  test('providers lists gpo and starter-gpo as loaded built-ins', async () => {
    const run = await runCoffer(['providers', '--json']);
    const ids = JSON.stringify(run.lines);
    expect(ids).toContain('"gpo"');
    expect(ids).toContain('"starter-gpo"');
  });

  test('backup gpo --all and backup starter-gpo --all into one directory, then list and verify (JSON lines)', async () => {
    const out = await freshDir('gp');
    const gpo = await runCoffer(
      [
        'backup',
        'gpo',
        ...connection(),
        '--password-file',
        passwordFile,
        '--all',
        '--out',
        out,
        '--comment',
        'from the CLI',
        '--json',
      ],
      { timeoutMs: 120_000 },
    );
    expectDone(gpo);
    expect(gpo.lines.some((l) => l.type === 'progress')).toBe(true);
    const gpoOutput = gpo.result as unknown as {
      backups: Array<{ id: string; objectId: string }>;
      counts: Record<string, number>;
    };
    // Every seeded GPO, plus the two default policies provisioning creates.
    const backedUp = new Set(gpoOutput.backups.map((b) => b.objectId.toUpperCase()));
    for (const seeded of seed.gpos) expect(backedUp.has(seeded.guid.toUpperCase()), seeded.displayName).toBe(true);
    expect(backedUp.size).toBe(seed.gpos.length + 2);

    // The password from the environment instead of a file.
    const starter = await runCoffer(['backup', 'starter-gpo', ...connection(), '--all', '--out', out, '--json'], {
      env: { COFFER_PASSWORD: domain.adminPassword },
      timeoutMs: 120_000,
    });
    expectDone(starter);
    const starterOutput = starter.result as unknown as { backups: unknown[] };
    expect(starterOutput.backups).toHaveLength(seed.starterGpos.length);

    const list = await runCoffer(['list', out, '--json']);
    expect(list.exitCode).toBe(0);
    const listed = list.result!.backups as Array<{ kind: string }>;
    expect(listed.filter((l) => l.kind === 'gpo')).toHaveLength(seed.gpos.length + 2);
    expect(listed.filter((l) => l.kind === 'starter-gpo')).toHaveLength(seed.starterGpos.length);

    const verify = await runCoffer(['verify', out]);
    expect(verify.exitCode, verify.stdout + verify.stderr).toBe(0);

    // A flipped byte in one backed-up SYSVOL file is caught and named.
    const victim = gpoOutput.backups[0]!;
    const backupXml = join(out, victim.id, 'Backup.xml');
    const handle = await open(backupXml, 'r+');
    const byte = Buffer.alloc(1);
    await handle.read(byte, 0, 1, 100);
    await handle.write(Buffer.from([byte[0]! ^ 0x01]), 0, 1, 100);
    await handle.close();
    const broken = await runCoffer(['verify', out]);
    expect(broken.exitCode).toBe(1);
    expect(broken.stdout + broken.stderr).toContain('Backup.xml');
  });

  test('usage errors exit 2: --gpo with --all, a password given as a flag, an unknown flag', async () => {
    const out = await freshDir('usage');
    const both = await runCoffer([
      'backup',
      'gpo',
      ...connection(),
      '--password-file',
      passwordFile,
      '--all',
      '--gpo',
      'x',
      '--out',
      out,
    ]);
    expect(both.exitCode).toBe(2);
    const secret = await runCoffer(['backup', 'gpo', ...connection(), '--password', 'hunter2', '--all', '--out', out]);
    expect(secret.exitCode).toBe(2);
    expect(secret.stdout + secret.stderr).not.toContain('hunter2');
    const unknown = await runCoffer([
      'backup',
      'gpo',
      ...connection(),
      '--password-file',
      passwordFile,
      '--all',
      '--out',
      out,
      '--colour',
      'x',
    ]);
    expect(unknown.exitCode).toBe(2);
    expect(await readdir(out)).toEqual([]);
  });

  test('failures exit 1 with what to do next: wrong password, unknown GPO, no password at all', async () => {
    const out = await freshDir('fail');
    const wrong = await runCoffer(['backup', 'gpo', ...connection(), '--all', '--out', out], {
      env: { COFFER_PASSWORD: 'not-the-password' },
    });
    expect(wrong.exitCode).toBe(1);
    expect(wrong.stderr).toMatch(/password/i);
    const unknown = await runCoffer([
      'backup',
      'gpo',
      ...connection(),
      '--password-file',
      passwordFile,
      '--gpo',
      'No Such Policy',
      '--out',
      out,
    ]);
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stderr).toContain('No Such Policy');
    const none = await runCoffer(['backup', 'gpo', ...connection(), '--all', '--out', out]);
    expect([1, 2]).toContain(none.exitCode);
    expect(none.stderr).toMatch(/COFFER_PASSWORD|password-file/);
    expect(await readdir(out)).toEqual([]);
  });

  test('Ctrl-C during a GPO backup exits 130 and leaves nothing behind', async () => {
    let cancelled = 0;
    for (let attempt = 0; attempt < 3 && cancelled === 0; attempt++) {
      const out = await freshDir('cancel');
      const running = startCoffer(
        ['backup', 'gpo', ...connection(), '--password-file', passwordFile, '--all', '--out', out, '--json'],
        { timeoutMs: 120_000 },
      );
      await running.waitForOutput(/copying SYSVOL/, 'stdout');
      running.child.kill('SIGINT');
      const run = await running.done;
      const left = await readdir(out);
      if (run.exitCode === 130) {
        cancelled += 1;
        expect(run.result?.status).toBe('cancelled');
        expect(left).toEqual([]);
      } else {
        // It finished before the signal arrived: then the backup must be whole.
        expectDone(run);
        expect(left.filter((name) => name.startsWith('.coffer-'))).toEqual([]);
      }
    }
    expect(cancelled).toBeGreaterThan(0);
  });
});

// These change the DC (its own, on 127.0.0.51), so they come after the tests that compare against the seed.
describe('restore, import and cabinets through the CLI', () => {
  test('restore gpo puts a GPO back from its backup; import gpo copies a backup into another GPO; a tampered backup is refused', async () => {
    const out = await freshDir('restore');
    const source = seed.gpos.find((g) => g.files.length > 1)!;
    const target =
      seed.gpos.find((g) => g.guid !== source.guid && g.purpose === 'unicode-name') ??
      seed.gpos.find((g) => g.guid !== source.guid)!;
    const backup = await runCoffer([
      'backup',
      'gpo',
      ...connection(),
      '--password-file',
      passwordFile,
      '--gpo',
      source.guid,
      '--out',
      out,
      '--json',
    ]);
    expectDone(backup);

    const restore = await runCoffer(
      [
        'restore',
        'gpo',
        ...connection(),
        '--password-file',
        passwordFile,
        '--from',
        out,
        '--gpo',
        source.guid,
        '--restore-links',
        '--json',
      ],
      { timeoutMs: 120_000 },
    );
    expectDone(restore);
    expect(restore.result!.status).toMatch(/^succeeded/);
    expect(JSON.stringify(restore.result)).toContain(source.guid.replace(/[{}]/g, '').slice(0, 8));

    const imported = await runCoffer(
      [
        'import',
        'gpo',
        ...connection(),
        '--password-file',
        passwordFile,
        '--from',
        out,
        '--gpo',
        source.guid,
        '--target-gpo',
        target.guid,
        '--json',
      ],
      { timeoutMs: 120_000 },
    );
    expectDone(imported);
    // The target now carries the source's settings: a fresh backup of it holds the same registry.pol bytes.
    const after = await freshDir('after-import');
    const check = await runCoffer([
      'backup',
      'gpo',
      ...connection(),
      '--password-file',
      passwordFile,
      '--gpo',
      target.guid,
      '--out',
      after,
      '--json',
    ]);
    expectDone(check);
    const sourceFiles = source.files.filter(
      (f) => f.path.toLowerCase() !== 'gpt.ini' && !f.path.toLowerCase().startsWith('adm/'),
    );
    const targetBackup = (check.result as unknown as { backups: Array<{ path: string }> }).backups[0]!.path;
    for (const file of sourceFiles) {
      const copied = await readFile(join(targetBackup, 'DomainSysvol', 'GPO', ...file.path.split('/')));
      expect(copied.equals(await readFile(join(source.sysvolFolder, ...file.path.split('/')))), file.path).toBe(true);
    }

    // A tampered backup is refused before anything is touched: exit 1.
    const victim = (backup.result as unknown as { backups: Array<{ path: string }> }).backups[0]!.path;
    await writeFile(join(victim, 'bkupInfo.xml'), '<tampered/>');
    const refused = await runCoffer([
      'restore',
      'gpo',
      ...connection(),
      '--password-file',
      passwordFile,
      '--from',
      out,
      '--all',
    ]);
    expect(refused.exitCode).toBe(1);
  });

  test('starter-gpo: save-cab, load-cab back over it, and restore from a backup', async () => {
    const starter = seed.starterGpos[0]!;
    const dir = await freshDir('cab');
    const cab = join(dir, 'starter.cab');
    const saved = await runCoffer([
      'starter-gpo',
      'save-cab',
      ...connection(),
      '--password-file',
      passwordFile,
      '--starter-gpo',
      starter.guid,
      '--out',
      cab,
    ]);
    expect(saved.exitCode, saved.stderr).toBe(0);
    const loadedWithout = await runCoffer([
      'starter-gpo',
      'load-cab',
      ...connection(),
      '--password-file',
      passwordFile,
      '--cab',
      cab,
    ]);
    expect(loadedWithout.exitCode).toBe(1); // it exists: --overwrite is needed
    const loaded = await runCoffer([
      'starter-gpo',
      'load-cab',
      ...connection(),
      '--password-file',
      passwordFile,
      '--cab',
      cab,
      '--overwrite',
      '--json',
    ]);
    expectDone(loaded);

    const out = await freshDir('starter-restore');
    const backup = await runCoffer([
      'backup',
      'starter-gpo',
      ...connection(),
      '--password-file',
      passwordFile,
      '--starter-gpo',
      starter.guid,
      '--out',
      out,
    ]);
    expectDone(backup);
    const restore = await runCoffer(
      [
        'restore',
        'starter-gpo',
        ...connection(),
        '--password-file',
        passwordFile,
        '--from',
        out,
        '--starter-gpo',
        starter.guid,
        '--json',
      ],
      { timeoutMs: 120_000 },
    );
    expectDone(restore);
    expect(restore.result!.status).toMatch(/^succeeded/);
  });
});

/** The seed's Unicode-named GPO (`Räume – 東京 ✓ 🚀`): wider on a terminal than its UTF-16 length. */
const seeded = () => domain.seed!.gpos.find((g) => g.purpose === 'unicode-name')!;
const NAME = seeded().displayName;
const COMMENT = 'コメント: nightly ✅';
let out: string;
const guid = () => seeded().guid;

interface Listed {
  id: string;
  provider: string;
  kind: string;
  objectId?: string;
  objectName?: string;
  createdAt: string;
  comment?: string;
}

async function listJson(...args: string[]): Promise<Listed[]> {
  const run = await runCoffer(['list', out, ...args, '--json']);
  expect(run.exitCode, `list ${args.join(' ')}: ${run.stderr}`).toBe(0);
  return run.result!.backups as Listed[];
}

/** `coffer list` on a pseudo-terminal (util-linux `script`), as a person runs it: the table, lines without the CR. */
function listOnTerminal(): string[] {
  const command = [process.execPath, COFFER_BIN, 'list', out].map((a) => `'${a}'`).join(' ');
  const transcript = execFileSync('script', ['-qec', command, '/dev/null'], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TERM: 'xterm', NO_COLOR: '1', COLUMNS: '300' },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
  return transcript.split(/\r?\n/).filter((line) => line.trim() !== '');
}

// Last in this file, in a describe of its own, so its GPO never exists during this file's `--all` counts above.
describe('coffer list against the DC: a CJK + emoji GPO name, its comment, and the filters', () => {
  beforeAll(async () => {
    out = await freshDir('cjk');
    const login = [...connection(), '--password-file', passwordFile];
    // The seed's GPO, not one made here: other test files back up and count every GPO of this shared DC meanwhile.
    expectDone(
      await runCoffer(['backup', 'gpo', ...login, '--gpo', guid(), '--comment', COMMENT, '--out', out], {
        timeoutMs: 120_000,
      }),
    );
    // Backup times count whole seconds (GPMC's BackupTime): the next backups start in a later one.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    for (const args of [
      ['backup', 'gpo', ...login, '--gpo', 'Default Domain Policy', '--out', out],
      ['backup', 'starter-gpo', ...login, '--all', '--out', out],
    ])
      expectDone(await runCoffer(args, { timeoutMs: 120_000 }));
  }, 300_000);

  test('--json carries the name and the comment as they are', async () => {
    const backups = await listJson();
    const cjk = backups.filter((b) => b.objectName === NAME);
    expect(cjk).toHaveLength(1);
    expect(cjk[0]).toMatchObject({ provider: 'gpo', kind: 'gpo', comment: COMMENT });
    expect(cjk[0]!.objectId!.toUpperCase()).toBe(guid().toUpperCase());
  });

  test('the table on a terminal keeps its columns aligned by display width', async () => {
    const backups = await listJson();
    const lines = listOnTerminal();
    const header = lines.find((line) => line.startsWith('CREATED'))!;
    expect(header).toMatch(/^CREATED +PROVIDER +KIND +NAME +ID +COMMENT$/);
    // The header is ASCII: its offsets are display columns.
    const columns = ['CREATED', 'PROVIDER', 'KIND', 'NAME', 'ID', 'COMMENT'].map((title) =>
      title === 'CREATED' ? 0 : header.indexOf(` ${title}`) + 1,
    );
    const rows = lines.slice(lines.indexOf(header) + 1);
    expect(rows).toHaveLength(backups.length);
    for (const [index, backup] of backups.entries()) {
      const row = rows[index]!;
      // Find each cell in the row, in order, and measure the display width of everything before it.
      const cells = [backup.createdAt, backup.provider, backup.kind, backup.objectName ?? '', backup.id];
      if (backup.comment) cells.push(backup.comment);
      let from = 0;
      for (const [column, cell] of cells.entries()) {
        const at = row.indexOf(cell, from);
        expect(at, `${cell} in ${row}`).toBeGreaterThanOrEqual(0);
        expect(stringWidth(row.slice(0, at)), `column ${column} of ${row}`).toBe(columns[column]);
        from = at + cell.length;
      }
    }
    const cjkRow = rows.find((row) => row.includes(NAME))!;
    expect(cjkRow.endsWith(COMMENT)).toBe(true);
    // Measured by UTF-16 length instead, the CJK row would be off: the name is wider than it is long.
    expect(stringWidth(NAME)).toBeGreaterThan(NAME.length);
  });

  test('--type, --name (pattern or GUID, any case, braces or not), --since and --until select exactly', async () => {
    const all = await listJson();
    const idsOf = (list: Listed[]) => list.map((b) => b.id).sort();
    const expectIds = async (args: string[], expected: string[]) =>
      expect(idsOf(await listJson(...args)), `coffer list ${args.join(' ')}`).toEqual(expected);
    const cjk = all.find((b) => b.objectName === NAME)!;
    const starters = all.filter((b) => b.provider === 'starter-gpo');
    expect(starters.length).toBeGreaterThan(0);
    await expectIds(['--type', 'starter-gpo'], idsOf(starters));
    await expectIds(['--type', 'gpo'], idsOf(all.filter((b) => b.provider === 'gpo')));
    expect(all.filter((b) => b.provider === 'gpo')).toHaveLength(2);

    await expectIds(['--name', 'räume*'], [cjk.id]);
    await expectIds(['--name', NAME], [cjk.id]);
    await expectIds(['--name', guid().slice(1, -1).toLowerCase()], [cjk.id]);
    await expectIds(['--name', guid()], [cjk.id]);
    await expectIds(
      ['--name', 'default domain policy', '--name', 'RÄUME*'],
      idsOf(all.filter((b) => b.objectName === 'Default Domain Policy' || b === cjk)),
    );
    expect(await listJson('--name', 'räume*', '--type', 'starter-gpo')).toEqual([]);

    // The CJK GPO was backed up first: from its time on, everything; until it, only it.
    const times = all.map((b) => Date.parse(b.createdAt));
    expect(Math.min(...times)).toBe(Date.parse(cjk.createdAt));
    await expectIds(['--since', cjk.createdAt], idsOf(all));
    await expectIds(['--until', cjk.createdAt], [cjk.id]);
    const later = new Date(Date.parse(cjk.createdAt) + 1).toISOString();
    await expectIds(['--since', later], idsOf(all.filter((b) => b !== cjk)));
    await expectIds(['--since', '1h', '--type', 'gpo'], idsOf(all.filter((b) => b.provider === 'gpo')));
    expect(await listJson('--until', '2000-01-01')).toEqual([]);
  });
});
