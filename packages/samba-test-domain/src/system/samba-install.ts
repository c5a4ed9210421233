import { access, constants, writeFile, rm } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { runCommand } from './run-command.js';

/** Programs the harness and @coffer/active-directory call. */
export const REQUIRED_PROGRAMS = [
  'samba',
  'samba-tool',
  'smbclient',
  'smbcacls',
  'ldbadd',
  'ldbmodify',
  'ldbsearch',
  'unshare',
  'openssl',
] as const;

// With their recommended packages: the exact set proven to run a DC here (policy-rc.d keeps their services stopped).
const APT_PACKAGES = ['samba', 'samba-ad-dc', 'smbclient', 'ldb-tools', 'winbind', 'openssl'];
const SEARCH_DIRS = ['/usr/sbin', '/usr/bin', '/sbin', '/bin'];

export async function findProgram(name: string): Promise<string | null> {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...SEARCH_DIRS];
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return null;
}

export async function missingPrograms(): Promise<string[]> {
  const missing: string[] = [];
  for (const name of REQUIRED_PROGRAMS) if ((await findProgram(name)) === null) missing.push(name);
  return missing;
}

/**
 * Installs Samba with apt when any tool is missing (fresh machines and CI start without it).
 * A temporary policy-rc.d stops the packages from starting their own smbd/nmbd on 0.0.0.0, which would
 * take port 445 from every test DC.
 */
export async function ensureSambaInstalled(log: (line: string) => void = () => undefined): Promise<void> {
  const missing = await missingPrograms();
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new Error(
      `Samba tools are missing (${missing.join(', ')}) and this process is not root, so they cannot be installed. ` +
        `Run: sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y ${APT_PACKAGES.join(' ')}`,
    );
  }
  log(`installing Samba (${missing.join(', ')} missing)…`);
  const policyRcD = '/usr/sbin/policy-rc.d';
  let wrotePolicy = false;
  try {
    try {
      await writeFile(policyRcD, '#!/bin/sh\nexit 101\n', { mode: 0o755, flag: 'wx' });
      wrotePolicy = true;
    } catch {
      // one already exists: leave the machine's own policy alone
    }
    const script = `apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y ${APT_PACKAGES.join(' ')}`;
    // flock: two test processes starting at once must not race for dpkg's lock.
    await runCommand('flock', ['/tmp/coffer-samba-install.lock', 'sh', '-c', script], {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      timeoutMs: 20 * 60_000,
    });
  } finally {
    if (wrotePolicy) await rm(policyRcD, { force: true });
  }
  const stillMissing = await missingPrograms();
  if (stillMissing.length > 0) throw new Error(`Samba was installed but ${stillMissing.join(', ')} is still missing.`);
  log('Samba installed');
}
