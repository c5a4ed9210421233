import { chmod, mkdir, mkdtemp, open, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { runCoffer, startCoffer, type CofferRun } from './helpers/run-coffer.js';

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

const connection = () => [
  '--dc',
  domain.dcHostname,
  '--domain',
  domain.dnsDomain,
  '--user',
  domain.adminUser,
  '--ca-file',
  domain.caFile,
];

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
