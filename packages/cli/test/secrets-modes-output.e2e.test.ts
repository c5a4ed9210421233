/**
 * What a backup run leaves for others to see or trip over, through the real `coffer` binary (against the package's
 * real Samba DC for the GPO providers): the password nowhere but in pipes (not in a child's argv or environment,
 * not in any file, not even after a kill -9), backups private whatever the umask, and a reader that goes away
 * (`| head -1`) never killing the work or leaving the destination locked.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
// The /proc sampler and the content scan the SYSVOL secrecy tests use too.
import { childProcessesOf, filesHolding, gpoConnectionArgs } from '@coffer/test-support';
import { COFFER_BIN, REPO_ROOT } from './helpers/paths.js';
import { parseJsonLines, runCoffer } from './helpers/run-coffer.js';

const domain = inject('testDomain');
const seed = domain.seed!;
const connection = () => gpoConnectionArgs(domain);
let work: string;

beforeAll(() => {
  if (!existsSync(join(REPO_ROOT, 'packages', 'provider-drm-licenses', 'dist', 'index.js')))
    throw new Error('build packages/provider-drm-licenses first');
  work = mkdtempSync(join(tmpdir(), 'coffer-cli-private-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function fresh(name: string): string {
  const dir = join(work, `${name}-${Math.random().toString(36).slice(2, 8)}`);
  mkdirSync(dir);
  return dir;
}

interface Spawned {
  child: ChildProcess;
  /** Resolves with the first stdout line. */
  firstLine: Promise<string>;
  done: Promise<{ exitCode: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

/** The binary with a clean environment plus `env`, optionally under a umask (set by sh, then exec'd). */
function spawnCoffer(
  args: string[],
  options: { env?: Record<string, string>; umask?: string; cwd?: string } = {},
): Spawned {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/root',
    NO_COLOR: '1',
    ...options.env,
  };
  const child =
    options.umask === undefined
      ? spawn(process.execPath, [COFFER_BIN, ...args], {
          env,
          cwd: options.cwd ?? work,
          stdio: ['ignore', 'pipe', 'pipe'],
        })
      : spawn('sh', ['-c', `umask ${options.umask} && exec "$0" "$@"`, process.execPath, COFFER_BIN, ...args], {
          env,
          cwd: options.cwd ?? work,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
  let stdout = '';
  let stderr = '';
  let resolveLine: (line: string) => void = () => undefined;
  const firstLine = new Promise<string>((resolve) => (resolveLine = resolve));
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    if (stdout.includes('\n')) resolveLine(stdout.slice(0, stdout.indexOf('\n')));
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const done = new Promise<{ exitCode: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>(
    (resolve) => child.on('close', (exitCode, signal) => resolve({ exitCode, signal, stdout, stderr })),
  );
  return { child, firstLine, done };
}

/** Permission bits of every folder and file below `dir` (not `dir`, which the test made). */
function modesBelow(dir: string): Array<{ path: string; folder: boolean; mode: number }> {
  const out: Array<{ path: string; folder: boolean; mode: number }> = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const mode = statSync(path).mode & 0o777;
    out.push({ path, folder: entry.isDirectory(), mode });
    if (entry.isDirectory()) out.push(...modesBelow(path));
  }
  return out;
}

function expectPrivate(dir: string): void {
  const found = modesBelow(dir);
  expect(found.filter((f) => f.folder).length).toBeGreaterThan(0);
  expect(found.filter((f) => !f.folder).length).toBeGreaterThan(0);
  for (const item of found)
    expect(`${item.path} ${item.mode.toString(8)}`).toBe(`${item.path} ${item.folder ? '700' : '600'}`);
}

async function drmStore(machine: string, licenses: number): Promise<{ dir: string; env: Record<string, string> }> {
  const dir = fresh('drm');
  const env = { COFFER_DRM_MACHINE_ID: machine };
  const created = await runCoffer(['drm', 'create-store', '--store', 'store', '--service-path', 'service'], {
    cwd: dir,
    env,
  });
  expect(created.exitCode, created.stderr).toBe(0);
  const issued = await runCoffer(
    ['drm', 'issue', '--store', 'store', '--allow-backup-restore', '--title', 'Song', '--count', String(licenses)],
    { cwd: dir, env, timeoutMs: 120_000 },
  );
  expect(issued.exitCode, issued.stderr).toBe(0);
  mkdirSync(join(dir, 'backups'));
  return { dir, env };
}

describe('no secret on disk, in argv or in a child environment (real DC, smbclient)', () => {
  /** Samples coffer's children every few ms while it runs; also scans its private TMPDIR for the password. */
  function watch(run: Spawned, tmp: string) {
    const samples: Array<{ cmdline: string; environ: string }> = [];
    const leaks: string[] = [];
    const timer = setInterval(() => {
      if (run.child.pid === undefined) return;
      samples.push(...childProcessesOf(run.child.pid, /smbclient|smbcacls|python/));
      leaks.push(...filesHolding(tmp, domain.adminPassword));
    }, 5);
    return { samples, leaks, stop: () => clearInterval(timer) };
  }

  function expectClean(samples: Array<{ cmdline: string; environ: string }>): void {
    expect(samples.length).toBeGreaterThan(0);
    for (const sample of samples) {
      expect(sample.cmdline).not.toContain(domain.adminPassword);
      expect(sample.environ).not.toContain(domain.adminPassword);
      expect(sample.environ).not.toContain('COFFER_PASSWORD');
    }
  }

  test('a GPO backup and a restore over smbclient work, and neither leaves the password in a file, an argv or an environ', async () => {
    const tmp = fresh('tmp');
    const out = fresh('gpo');
    const env = { COFFER_PASSWORD: domain.adminPassword, TMPDIR: tmp };
    const backup = spawnCoffer(['backup', 'gpo', ...connection(), '--all', '--out', out, '--json'], { env });
    const backupWatch = watch(backup, tmp);
    const backedUp = await backup.done;
    backupWatch.stop();
    expect([0, 3], backedUp.stderr).toContain(backedUp.exitCode);
    expect(parseJsonLines(backedUp.stdout).at(-1)).toMatchObject({
      type: 'result',
      status: expect.stringMatching(/^succeeded/),
    });

    const source = seed.gpos.find((g) => g.files.length > 1)!;
    const restore = spawnCoffer(['restore', 'gpo', ...connection(), '--from', out, '--gpo', source.guid, '--json'], {
      env,
    });
    const restoreWatch = watch(restore, tmp);
    const restored = await restore.done;
    restoreWatch.stop();
    expect([0, 3], restored.stderr).toContain(restored.exitCode);
    expect(parseJsonLines(restored.stdout).at(-1)).toMatchObject({
      type: 'result',
      status: expect.stringMatching(/^succeeded/),
    });

    expectClean([...backupWatch.samples, ...restoreWatch.samples]);
    // A restore writes over smbclient's tar mode and sets ACLs: smbclient ran with its password pipe.
    expect(
      restoreWatch.samples.some(
        (s) => s.cmdline.includes('smbclient') && s.environ.split('\0').includes('PASSWD_FD=3'),
      ),
    ).toBe(true);
    expect([...backupWatch.leaks, ...restoreWatch.leaks]).toEqual([]);
    expect(filesHolding(tmp, domain.adminPassword)).toEqual([]);
    expect(filesHolding(out, domain.adminPassword)).toEqual([]);
  });

  test('kill -9 of a backup mid-run leaves no secret on disk', async () => {
    const tmp = fresh('tmp-kill');
    const out = fresh('gpo-kill');
    const systemTmpBefore = new Set(readdirSync(tmpdir()));
    const run = spawnCoffer(['backup', 'gpo', ...connection(), '--all', '--out', out, '--json'], {
      env: { COFFER_PASSWORD: domain.adminPassword, TMPDIR: tmp },
    });
    // Mid-run: smbclient is up (it has the password by now), so the kill lands while the secret is in use.
    let children: Array<{ pid: number }> = [];
    for (let i = 0; i < 4000 && children.length === 0 && run.child.exitCode === null; i++) {
      children = childProcessesOf(run.child.pid!, /smbclient/);
      await new Promise((r) => setTimeout(r, 2));
    }
    expect(children.length, 'smbclient was never seen running').toBeGreaterThan(0);
    run.child.kill('SIGKILL');
    for (const child of children) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    expect((await run.done).signal).toBe('SIGKILL');
    expect(filesHolding(tmp, domain.adminPassword)).toEqual([]);
    expect(filesHolding(out, domain.adminPassword)).toEqual([]);
    // Nothing new in the system temp folder holds it either (other test runs' files are left alone).
    const added = readdirSync(tmpdir()).filter((name) => !systemTmpBefore.has(name));
    for (const name of added) expect(filesHolding(join(tmpdir(), name), domain.adminPassword)).toEqual([]);
    expect(
      readdirSync(tmpdir()).filter((name) => name.startsWith('coffer-smb-') && !systemTmpBefore.has(name)),
    ).toEqual([]);
  });
});

describe('backups are private whatever the umask', () => {
  test.each(['022', '000'])(
    'umask %s: GPO, Starter GPO and DRM backups are 0700 folders and 0600 files',
    async (umask) => {
      const out = fresh(`gp-umask-${umask}`);
      const env = { COFFER_PASSWORD: domain.adminPassword };
      const gpo = await spawnCoffer(
        ['backup', 'gpo', ...connection(), '--gpo', seed.gpos[0]!.guid, '--out', out, '--json'],
        { env, umask },
      ).done;
      expect([0, 3], gpo.stderr).toContain(gpo.exitCode);
      const starter = await spawnCoffer(['backup', 'starter-gpo', ...connection(), '--all', '--out', out, '--json'], {
        env,
        umask,
      }).done;
      expect([0, 3], starter.stderr).toContain(starter.exitCode);
      expect(readdirSync(out).length).toBeGreaterThanOrEqual(1 + seed.starterGpos.length);
      expectPrivate(out);

      const { dir, env: drmEnv } = await drmStore(`umask-${umask}`, 20);
      const drm = await spawnCoffer(['backup', 'drm', '--store', 'store', '--out', 'backups', '--json'], {
        env: drmEnv,
        umask,
        cwd: dir,
      }).done;
      expect(drm.exitCode, drm.stderr).toBe(0);
      expectPrivate(join(dir, 'backups'));
    },
  );
});

describe('a reader that goes away never kills the work', () => {
  /** Runs coffer, reads one stdout line, then closes our end of the pipe (what `| head -1` does) and stderr's. */
  async function withReaderGone(args: string[], options: { env?: Record<string, string>; cwd?: string }) {
    const run = spawnCoffer(args, options);
    const first = await run.firstLine;
    run.child.stdout!.destroy();
    run.child.stderr!.destroy();
    const done = await run.done;
    return { first, ...done };
  }

  test('backup drm --json | head -1: the backup completes (exit 0), the lock is released, the next run starts at once', async () => {
    const { dir, env } = await drmStore('pipe-machine', 3000);
    const gone = await withReaderGone(['backup', 'drm', '--store', 'store', '--out', 'backups', '--json'], {
      env,
      cwd: dir,
    });
    expect(JSON.parse(gone.first)).toMatchObject({ type: 'progress' });
    expect(gone.signal).toBeNull();
    expect(gone.exitCode).toBe(0);
    expect(gone.stderr).not.toContain('EPIPE');
    expect(existsSync(join(dir, 'backups', '.coffer.lock'))).toBe(false);
    const verify = await runCoffer(['verify', 'backups', '--json'], { cwd: dir });
    expect(verify.exitCode, verify.stdout).toBe(0);
    // The next backup runs at once: an overwrite, not DESTINATION_LOCKED (which a left lock causes for 10 s).
    const started = Date.now();
    const again = await runCoffer(
      ['backup', 'drm', '--store', 'store', '--out', 'backups', '--overwrite', '--flags', '1', '--json'],
      { cwd: dir, env, timeoutMs: 120_000 },
    );
    expect(again.exitCode, again.stdout).toBe(0);
    expect(Date.now() - started).toBeLessThan(9_000);
  });

  test('backup gpo --json | head -1 against the DC: completes, exit code says so, lock released; verify | head -1 too', async () => {
    const out = fresh('gpo-pipe');
    const gone = await withReaderGone(['backup', 'gpo', ...connection(), '--all', '--out', out, '--json'], {
      env: { COFFER_PASSWORD: domain.adminPassword },
    });
    expect(gone.signal).toBeNull();
    expect([0, 3]).toContain(gone.exitCode);
    expect(existsSync(join(out, '.coffer.lock'))).toBe(false);
    expect(readdirSync(out).filter((name) => name.startsWith('{')).length).toBe(seed.gpos.length + 2);

    const verifyGone = await withReaderGone(['verify', out, '--json'], {});
    expect(verifyGone.signal).toBeNull();
    expect(verifyGone.exitCode).toBe(0);
    const next = await runCoffer(
      ['backup', 'gpo', ...connection(), '--gpo', seed.gpos[0]!.guid, '--out', fresh('gpo-next'), '--json'],
      { env: { COFFER_PASSWORD: domain.adminPassword } },
    );
    expect([0, 3], next.stderr).toContain(next.exitCode);
    // And the first destination takes a writer at once.
    const replaced = await runCoffer(['backup', 'starter-gpo', ...connection(), '--all', '--out', out, '--json'], {
      env: { COFFER_PASSWORD: domain.adminPassword },
    });
    expect([0, 3], replaced.stderr).toContain(replaced.exitCode);
  });
});
