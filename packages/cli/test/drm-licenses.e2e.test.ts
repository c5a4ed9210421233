import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './helpers/paths.js';
import { runCoffer, type CofferRun } from './helpers/run-coffer.js';

/**
 * The DRM licenses provider through the CLI of this monorepo, found as a built-in next
 * to the CLI (no --provider, no config). Machines are simulated with COFFER_DRM_MACHINE_ID.
 */
describe('coffer with @coffer/provider-drm-licenses', () => {
  let dir: string;
  const onMachine =
    (machine: string) =>
    (...args: string[]) =>
      runCoffer(args, { cwd: dir, env: { COFFER_DRM_MACHINE_ID: machine } });
  const machineA = onMachine('machine-a');
  const machineB = onMachine('machine-b');

  beforeAll(() => {
    const built = join(REPO_ROOT, 'packages', 'provider-drm-licenses', 'dist', 'index.js');
    if (!existsSync(built))
      throw new Error(
        `${built} is missing: build packages/provider-drm-licenses first (npm run build at the repository root).`,
      );
    dir = mkdtempSync(join(tmpdir(), 'coffer-cli-drm-'));
    mkdirSync(join(dir, 'backups'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const licenseCount = async (run: (...args: string[]) => ReturnType<typeof machineA>, store: string) => {
    const listed = await run('drm', 'list', '--store', store, '--json');
    expect(listed.exitCode).toBe(0);
    return (listed.result!.data as { total: number }).total;
  };

  it('is a loaded built-in answering to drm and drm-licenses', async () => {
    const run = await machineA('providers', '--json');
    const providers = run.result!.providers as Array<{
      id: string;
      aliases: string[];
      source: string;
      commands: Array<{ name: string }>;
    }>;
    const drm = providers.find((p) => p.id === 'drm-licenses');
    expect(drm).toMatchObject({ aliases: ['drm'], source: 'built-in' });
    expect(drm!.commands.map((c) => c.name)).toEqual(
      expect.arrayContaining(['create-store', 'issue', 'list', 'export-licensor']),
    );
  });

  it('creates a store and issues licenses with its own commands', async () => {
    const created = await machineA('drm', 'create-store', '--store', 'store', '--service-path', 'service', '--json');
    expect(created.exitCode).toBe(0);
    expect(created.result).toMatchObject({
      operation: 'command',
      command: 'create-store',
      provider: 'drm-licenses',
      status: 'succeeded',
    });

    const issued = await machineA(
      'drm',
      'issue',
      '--store',
      'store',
      '--allow-backup-restore',
      '--title',
      'Song',
      '--count',
      '3',
    );
    expect(issued.exitCode).toBe(0);
    expect(issued.stdout.match(/^Issued /gm)).toHaveLength(3);
    const restricted = await machineA(
      'drm-licenses',
      'issue',
      '--store',
      'store',
      '--play-count',
      '2',
      '--title',
      'Limited',
    );
    expect(restricted.exitCode).toBe(0);
    expect(await licenseCount(machineA, 'store')).toBe(4);

    // A command option named --out is the command's own (the CLI reserves --out on backup only).
    const exported = await machineA('drm', 'export-licensor', '--store', 'store', '--out', 'licensor.pub');
    expect(exported.exitCode).toBe(0);
    expect(readFileSync(join(dir, 'licensor.pub'), 'utf8').length).toBeGreaterThan(0);
  });

  it('rejects flags the schema refuses with E_INVALIDARG (exit 2)', async () => {
    const run = await machineA('backup', 'drm', '--store', 'store', '--flags', '4', '--out', 'backups');
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/--flags: unknown flag bits/);
    expect(run.stderr).toContain("Run 'coffer help backup drm-licenses'");
  });

  it('backs up what may be backed up, warning about the rest (exit 3); lists and verifies it', async () => {
    const run = await machineA('backup', 'drm', '--store', 'store', '--out', 'backups', '--json');
    expect(run.exitCode).toBe(3);
    expect(run.result).toMatchObject({
      status: 'succeeded-with-warnings',
      provider: 'drm-licenses',
      counts: { licenses: 3, restricted: 1 },
    });
    expect((run.result!.backups as Array<{ kind: string }>)[0]!.kind).toBe('license-set');
    expect(run.lines).toContainEqual(
      expect.objectContaining({ type: 'message', severity: 'warning', code: 'RESTRICTED_LICENSE' }),
    );

    const again = await machineA('backup', 'drm', '--store', 'store', '--out', 'backups', '--json');
    expect(again.exitCode).toBe(1);
    expect(again.result!.status).toBe('failed');
    const overwritten = await machineA('backup', 'drm', '--store', 'store', '--out', 'backups', '--overwrite');
    expect(overwritten.exitCode).toBe(3);
    // The MSDRM statuses are the phases: --json keeps them as the phase id with the provider's label beside; a person
    // reads the label, and no count before the total is known.
    expect(run.lines).toContainEqual(
      expect.objectContaining({ type: 'progress', phase: 'BACKUPRESTORE_BEGIN', label: 'Copying licenses' }),
    );
    expect(overwritten.stderr).toMatch(/^Copying licenses… \(\d+\/\d+\)$/m);
    expect(overwritten.stderr).not.toMatch(/^BACKUPRESTORE_/m);
    expect(overwritten.stderr).not.toContain('(0/0)');

    const listed = await machineA('list', 'backups', '--json');
    expect(listed.exitCode).toBe(0);
    expect(listed.result!.backups).toEqual([
      expect.objectContaining({ provider: 'drm-licenses', kind: 'license-set' }),
    ]);

    const verified = await machineA('verify', 'backups');
    expect(verified.exitCode).toBe(0);
    expect(verified.stderr).toMatch(/^Verifying…$/m);
    expect(verified.stderr).not.toContain('(0/0)');
  });

  it('verify catches a flipped byte in a copy of the license backup (exit 1)', async () => {
    cpSync(join(dir, 'backups'), join(dir, 'tampered'), { recursive: true });
    const file = join(dir, 'tampered', 'drm-license-backup', 'drmv2lic.bak');
    const bytes = readFileSync(file);
    bytes[bytes.length >> 1] = bytes[bytes.length >> 1]! ^ 0x80;
    writeFileSync(file, bytes);
    const run = await machineA('verify', 'tampered', '--json');
    expect(run.exitCode).toBe(1);
    const [backup] = run.result!.backups as Array<{ problems: Array<{ kind: string; path: string }> }>;
    expect(backup!.problems).toEqual([expect.objectContaining({ kind: 'altered', path: 'drmv2lic.bak' })]);
  });

  it('restores removed licenses on the same machine', async () => {
    const removed = await machineA('drm', 'remove', '--store', 'store', '--kid', await firstKid(machineA));
    expect(removed.exitCode).toBe(0);
    expect(await licenseCount(machineA, 'store')).toBe(3);
    const run = await machineA(
      'restore',
      'drm',
      '--from',
      'backups',
      '--store',
      'store',
      '--service-path',
      'service',
      '--json',
    );
    expect(run.exitCode).toBe(0);
    expect(run.result).toMatchObject({ status: 'succeeded', counts: { restored: 3 } });
    expect(await licenseCount(machineA, 'store')).toBe(4);
  });

  it('needs --individualize on another machine, and says so', async () => {
    expect(
      (await machineB('drm', 'create-store', '--store', 'store-b', '--service-path', 'service', '--no-licensor'))
        .exitCode,
    ).toBe(0);
    const refused = await machineB(
      'restore',
      'drm',
      '--from',
      'backups',
      '--store',
      'store-b',
      '--service-path',
      'service',
    );
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('NS_E_DRM_NEEDS_INDIVIDUALIZATION');
    expect(refused.stderr).toMatch(/hint: .*individualize/);

    const run = await machineB(
      'restore',
      'drm',
      '--from',
      'backups',
      '--store',
      'store-b',
      '--service-path',
      'service',
      '--individualize',
      '--json',
    );
    expect(run.exitCode).toBe(0);
    expect(run.result).toMatchObject({ status: 'succeeded', counts: { restored: 3, rebound: 3 } });
    const played = await machineB('drm', 'play', '--store', 'store-b', '--kid', await firstKid(machineB, 'store-b'));
    expect(played.exitCode).toBe(0);
    expect(played.stdout).toMatch(/^Played with /);
  });
});

async function firstKid(run: (...args: string[]) => Promise<CofferRun>, store = 'store'): Promise<string> {
  const listed = await run('drm', 'list', '--store', store, '--json');
  const { licenses } = listed.result!.data as { licenses: Array<{ kid: string; rights?: unknown; backup?: unknown }> };
  const eligible = licenses.find((l) => JSON.stringify(l).includes('eligible')) ?? licenses[0]!;
  return eligible.kid;
}
