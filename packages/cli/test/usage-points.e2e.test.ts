/**
 * Messages and exit codes that tell the user what is really wrong (issue 15's smaller points), through the real
 * binary; the connection cases against the package's real Samba DC.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { COFFER_BIN } from './helpers/paths.js';
import { runCoffer } from './helpers/run-coffer.js';

const domain = inject('testDomain');
const seed = domain.seed!;
const account = () => ['--domain', domain.dnsDomain, '--user', domain.adminUser];
const withPassword = { env: { COFFER_PASSWORD: domain.adminPassword } };
let work: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'coffer-cli-usage-'));
  // Other accounts (nobody, below) must be able to reach what is inside.
  chmodSync(work, 0o755);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function folder(name: string, mode = 0o755): string {
  const path = join(work, name);
  mkdirSync(path, { recursive: true });
  chmodSync(path, mode);
  return path;
}

describe('the CA file: only a missing one is ERROR_FILE_NOT_FOUND', () => {
  test('a folder given as --ca-file is a usage error that says it is a folder (exit 2)', async () => {
    const run = await runCoffer(
      [
        'backup',
        'gpo',
        '--dc',
        domain.dcHostname,
        ...account(),
        '--ca-file',
        work,
        '--all',
        '--out',
        folder('ca-dir-out'),
        '--json',
      ],
      withPassword,
    );
    expect(run.exitCode).toBe(2);
    expect(run.result!.error).toMatchObject({ code: 'INVALID_ARGUMENT', hresultName: 'E_INVALIDARG', object: work });
    expect(String(run.result!.error!.message)).toContain('is a folder');
  });

  test('a CA file this account may not read is ACCESS_DENIED (E_ACCESSDENIED), not ERROR_FILE_NOT_FOUND', async () => {
    // Root reads any file, so the binary runs as nobody: a 0000 file is then a real EACCES from the kernel.
    const ca = join(folder('ca-locked'), 'ca.pem');
    writeFileSync(ca, 'not for you\n');
    chmodSync(ca, 0o000);
    const out = folder('ca-locked-out', 0o777);
    const run = spawnSync(
      'setpriv',
      [
        '--reuid=65534',
        '--regid=65534',
        '--clear-groups',
        process.execPath,
        COFFER_BIN,
        'backup',
        'gpo',
        '--dc',
        domain.dcHostname,
        ...account(),
        '--ca-file',
        ca,
        '--all',
        '--out',
        out,
        '--json',
      ],
      {
        env: { PATH: process.env.PATH, HOME: '/', NO_COLOR: '1', COFFER_PASSWORD: domain.adminPassword },
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    const result = JSON.parse(run.stdout.trim().split('\n').at(-1)!);
    expect(result.error, run.stderr).toMatchObject({
      code: 'ACCESS_DENIED',
      hresultName: 'E_ACCESSDENIED',
      object: ca,
    });
    expect(result.error.message).toContain('may not read it');
    expect(run.status).toBe(1);
    // And a missing one is still said as such.
    const missing = await runCoffer(
      [
        'backup',
        'gpo',
        '--dc',
        domain.dcHostname,
        ...account(),
        '--ca-file',
        join(work, 'nope.pem'),
        '--all',
        '--out',
        out,
        '--json',
      ],
      withPassword,
    );
    expect(missing.result!.error).toMatchObject({ code: 'PATH_NOT_FOUND', hresultName: 'ERROR_FILE_NOT_FOUND' });
  });
});

describe('--dc with an IPv6 literal works or says clearly why not; never INTERNAL', () => {
  test.each(['::1', '[::1]'])('%s where no DC listens: AD_SERVER_UNREACHABLE naming the address', async (dc) => {
    const run = await runCoffer(
      [
        'backup',
        'gpo',
        '--dc',
        dc,
        ...account(),
        '--ca-file',
        domain.caFile,
        '--all',
        '--out',
        folder('v6-out'),
        '--json',
      ],
      withPassword,
    );
    expect(run.exitCode).toBe(1);
    expect(run.result!.error).toMatchObject({ code: 'AD_SERVER_UNREACHABLE' });
    expect(String(run.result!.error!.message)).toContain('::1');
  });

  test('the DC by its IPv4-mapped IPv6 address is reached: the certificate check answers (it names the IPv4 form), and --no-tls-verify backs up', async () => {
    const dc = `[::ffff:${domain.address}]`;
    const verified = await runCoffer(
      [
        'backup',
        'gpo',
        '--dc',
        dc,
        ...account(),
        '--ca-file',
        domain.caFile,
        '--all',
        '--out',
        folder('v6-mapped'),
        '--json',
      ],
      withPassword,
    );
    expect(verified.exitCode).toBe(1);
    expect(verified.result!.error).toMatchObject({ code: 'AD_CERTIFICATE_NAME_MISMATCH' });
    const unverified = await runCoffer(
      [
        'backup',
        'gpo',
        '--dc',
        dc,
        ...account(),
        '--no-tls-verify',
        '--gpo',
        seed.gpos[0]!.guid,
        '--out',
        folder('v6-unverified'),
        '--json',
      ],
      withPassword,
    );
    expect(unverified.result?.status, unverified.stdout).toBe('succeeded-with-warnings'); // TLS_VERIFY_OFF
    expect((unverified.result as unknown as { backups: unknown[] }).backups).toHaveLength(1);
  });
});

describe('list and verify say what the path is', () => {
  test('coffer list /nonexistent prints the error once, without "Create it first"', async () => {
    const missing = join(work, 'no-such-folder');
    const run = await runCoffer(['list', missing]);
    expect(run.exitCode).toBe(1);
    expect(run.stderr.match(/does not exist/g)).toHaveLength(1);
    expect(run.stderr).not.toContain('Create it first');
    const json = await runCoffer(['list', missing, '--json']);
    expect(json.lines.filter((l) => JSON.stringify(l).includes('does not exist'))).toHaveLength(1);
    expect(json.result!.error).toMatchObject({ code: 'PATH_NOT_FOUND', object: missing });
    expect(JSON.stringify(json.stdout)).not.toContain('Create it first');
  });

  test('coffer verify <a file> says it is a file, not that it does not exist, and names its folder', async () => {
    const file = join(folder('verify-file'), 'Backup.xml');
    writeFileSync(file, '<x/>');
    const run = await runCoffer(['verify', file]);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain(`${file} is a file, not a folder of backups`);
    expect(run.stderr).not.toContain('does not exist');
    expect(run.stderr).toContain(join(work, 'verify-file'));
    const json = await runCoffer(['verify', file, '--json']);
    expect(json.result!.error).toMatchObject({ code: 'NOT_A_DIRECTORY', hresultName: 'ERROR_DIRECTORY' });
  });
});

describe('password: warnings and usage errors as the README says', () => {
  test('a 0644 password file: the warning is in the --json output and the exit code is 3', async () => {
    const file = join(folder('pw'), 'password');
    writeFileSync(file, `${domain.adminPassword}\n`);
    chmodSync(file, 0o644);
    const run = await runCoffer([
      'backup',
      'gpo',
      '--dc',
      domain.dcHostname,
      ...account(),
      '--ca-file',
      domain.caFile,
      '--password-file',
      file,
      '--gpo',
      seed.gpos[0]!.guid,
      '--out',
      folder('pw-out'),
      '--json',
    ]);
    expect(run.exitCode).toBe(3);
    expect(run.result!.status).toBe('succeeded-with-warnings');
    expect(run.lines).toContainEqual(
      expect.objectContaining({ type: 'message', severity: 'warning', code: 'PASSWORD_FILE_READABLE', object: file }),
    );
    expect(run.stdout).not.toContain(domain.adminPassword);
  });

  test('no password at all is E_INVALIDARG and exits 2', async () => {
    const run = await runCoffer([
      'backup',
      'gpo',
      '--dc',
      domain.dcHostname,
      ...account(),
      '--ca-file',
      domain.caFile,
      '--all',
      '--out',
      folder('nopw-out'),
      '--json',
    ]);
    expect(run.exitCode).toBe(2);
    expect(run.result!.error).toMatchObject({ hresultName: 'E_INVALIDARG' });
  });
});

describe('drm: --flags 0 --overwrite is a usage error', () => {
  test('refused with E_INVALIDARG (exit 2) before anything is written', async () => {
    const dir = folder('drm-flags');
    const env = { COFFER_DRM_MACHINE_ID: 'flags-machine' };
    expect(
      (await runCoffer(['drm', 'create-store', '--store', 'store', '--service-path', 'service'], { cwd: dir, env }))
        .exitCode,
    ).toBe(0);
    folder('drm-flags/backups');
    const run = await runCoffer(
      ['backup', 'drm', '--store', 'store', '--out', 'backups', '--flags', '0', '--overwrite', '--json'],
      { cwd: dir, env },
    );
    expect(run.exitCode).toBe(2);
    expect(run.result!.error).toMatchObject({ hresultName: 'E_INVALIDARG' });
    expect(String(run.result!.error!.message)).toMatch(/overwrite/);
  });
});
