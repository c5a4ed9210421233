#!/usr/bin/env node
// The main job, end to end, on a fresh machine: a throwaway Samba domain (installed and
// provisioned if needed) and a throwaway DRM license store, a real backup of each kind
// through the `coffer` CLI, then list and verify. Everything lives in one temp folder that
// is removed at the end (pass --keep to look at the backups afterwards).
import { spawn } from 'node:child_process';
import fse from 'fs-extra';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestDomain } from '../packages/samba-test-domain/dist/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'packages', 'cli', 'dist', 'bin.js');
const keep = process.argv.includes('--keep');
const work = await fse.mkdtemp(join(tmpdir(), 'coffer-demo-'));
const EXIT_OK = new Set([0, 3]); // 3: completed with warnings (restricted licenses are reported, by design)

function step(title) {
  process.stdout.write(`\n\x1b[1m== ${title}\x1b[0m\n`);
}

function coffer(args, env = {}) {
  process.stdout.write(`$ coffer ${args.map((a) => (/[\s"]/.test(a) ? JSON.stringify(a) : a)).join(' ')}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: 'inherit', env: { ...process.env, ...env } });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal || !EXIT_OK.has(code ?? 1))
        reject(new Error(`coffer ${args[0]} ended with ${signal ?? `exit code ${code}`}`));
      else resolve(code);
    });
  });
}

let domain;
let failed = false;
try {
  step(
    'A throwaway Active Directory domain (Samba AD DC on loopback, seeded with OUs, GPOs, links, a WMI filter, starter GPOs)',
  );
  domain = await startTestDomain({
    seed: true,
    address: '127.0.0.90',
    realm: 'DEMO.COFFER.TEST',
    log: (line) => process.stdout.write(`  ${line}\n`),
  });
  process.stdout.write(
    `  ${domain.dcHostname} is up (${domain.timings.totalSeconds.toFixed(1)} s); ${domain.seed.gpos.length} GPOs, ${domain.seed.starterGpos.length} starter GPOs\n`,
  );

  const passwordFile = join(work, 'admin.password');
  await fse.outputFile(passwordFile, `${domain.adminPassword}\n`, { mode: 0o600 });
  await fse.chmod(passwordFile, 0o600); // the mode above is filtered by the umask
  const gpBackups = join(work, 'backups', 'group-policy');
  const drmBackups = join(work, 'backups', 'drm-licenses');
  await fse.ensureDir(gpBackups);
  await fse.ensureDir(drmBackups);
  const connection = [
    '--dc',
    domain.dcHostname,
    '--user',
    domain.adminUser,
    '--domain',
    domain.dnsDomain,
    '--password-file',
    passwordFile,
    '--ca-file',
    domain.caFile,
  ];

  step('Providers the CLI found');
  await coffer(['providers']);

  step('Back up every GPO (GPMC-compatible backups, plus links, WMI filters and full permissions)');
  await coffer(['backup', 'gpo', ...connection, '--all', '--out', gpBackups, '--comment', 'Coffer demo']);

  step('Back up every Starter GPO into the same GPMC backup directory');
  await coffer(['backup', 'starter-gpo', ...connection, '--all', '--out', gpBackups, '--comment', 'Coffer demo']);

  step('A throwaway Windows Media DRM license store with licenses, then its backup');
  const drm = ['--store', join(work, 'drm-store'), '--machine-id', 'demo-laptop'];
  await coffer(['drm', 'create-store', ...drm, '--service-path', join(work, 'drm-license-service')]);
  await coffer(['drm', 'issue', ...drm, '--title', 'Album track', '--allow-backup-restore', '--count', '3']);
  await coffer(['drm', 'issue', ...drm, '--title', 'Rental (3 plays: never backed up)', '--play-count', '3']);
  await coffer(['backup', 'drm-licenses', ...drm, '--out', drmBackups]);

  step('What is in the backup directories');
  await coffer(['list', gpBackups]);
  await coffer(['list', drmBackups]);

  step('Verify every backup against its integrity manifest');
  await coffer(['verify', gpBackups]);
  await coffer(['verify', drmBackups]);
  process.stdout.write(
    `\nDemo finished: every backup verified.${keep ? ` Backups kept in ${join(work, 'backups')}` : ''}\n`,
  );
} catch (error) {
  failed = true;
  process.stderr.write(`\nDemo failed: ${error instanceof Error ? error.message : String(error)}\n`);
} finally {
  await domain?.stop();
  if (!keep) await fse.remove(work);
}
process.exitCode = failed ? 1 : 0;
