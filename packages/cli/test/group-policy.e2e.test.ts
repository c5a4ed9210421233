import { chmod, mkdir, mkdtemp, open, readdir, rm, writeFile } from 'node:fs/promises';
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

const connection = () => ['--dc', domain.dcHostname, '--domain', domain.dnsDomain, '--user', domain.adminUser, '--ca-file', domain.caFile];

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
    const gpo = await runCoffer(['backup', 'gpo', ...connection(), '--password-file', passwordFile, '--all', '--out', out, '--comment', 'from the CLI', '--json'], { timeoutMs: 120_000 });
    expectDone(gpo);
    expect(gpo.lines.some((l) => l.type === 'progress')).toBe(true);
    const gpoOutput = gpo.result as unknown as { backups: Array<{ id: string; objectId: string }>; counts: Record<string, number> };
    // Every seeded GPO, plus the two default policies provisioning creates.
    const backedUp = new Set(gpoOutput.backups.map((b) => b.objectId.toUpperCase()));
    for (const seeded of seed.gpos) expect(backedUp.has(seeded.guid.toUpperCase()), seeded.displayName).toBe(true);
    expect(backedUp.size).toBe(seed.gpos.length + 2);

    // The password from the environment instead of a file.
    const starter = await runCoffer(['backup', 'starter-gpo', ...connection(), '--all', '--out', out, '--json'], { env: { COFFER_PASSWORD: domain.adminPassword }, timeoutMs: 120_000 });
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
    const both = await runCoffer(['backup', 'gpo', ...connection(), '--password-file', passwordFile, '--all', '--gpo', 'x', '--out', out]);
    expect(both.exitCode).toBe(2);
    const secret = await runCoffer(['backup', 'gpo', ...connection(), '--password', 'hunter2', '--all', '--out', out]);
    expect(secret.exitCode).toBe(2);
    expect(secret.stdout + secret.stderr).not.toContain('hunter2');
    const unknown = await runCoffer(['backup', 'gpo', ...connection(), '--password-file', passwordFile, '--all', '--out', out, '--colour', 'x']);
    expect(unknown.exitCode).toBe(2);
    expect(await readdir(out)).toEqual([]);
  });

  test('failures exit 1 with what to do next: wrong password, unknown GPO, no password at all', async () => {
    const out = await freshDir('fail');
    const wrong = await runCoffer(['backup', 'gpo', ...connection(), '--all', '--out', out], { env: { COFFER_PASSWORD: 'not-the-password' } });
    expect(wrong.exitCode).toBe(1);
    expect(wrong.stderr).toMatch(/password/i);
    const unknown = await runCoffer(['backup', 'gpo', ...connection(), '--password-file', passwordFile, '--gpo', 'No Such Policy', '--out', out]);
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
      const running = startCoffer(['backup', 'gpo', ...connection(), '--password-file', passwordFile, '--all', '--out', out, '--json'], { timeoutMs: 120_000 });
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
