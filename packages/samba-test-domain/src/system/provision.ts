import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand } from './run-command.js';
import type { DcLayout } from './smb-conf.js';

export interface ProvisionInput {
  layout: DcLayout;
  realm: string;
  netbiosDomain: string;
  address: string;
}

/**
 * Provisions the domain with `samba-tool domain provision` and returns the Administrator password.
 * No `--adminpass`: passwords never go on a command line, so Samba picks a random one and we read it from its log.
 * `-s` points at an empty file so the machine's /etc/samba/smb.conf cannot leak settings into the test DC.
 */
export async function provisionDomain(input: ProvisionInput): Promise<string> {
  try {
    return await provisionOnce(input);
  } catch (error) {
    // Seen once under load: provision failed re-reading the smb.conf it had just written. One clean retry.
    for (const name of await readdir(input.layout.workDir))
      await rm(`${input.layout.workDir}/${name}`, { recursive: true, force: true });
    try {
      return await provisionOnce(input);
    } catch {
      throw error;
    }
  }
}

async function provisionOnce({ layout, realm, netbiosDomain, address }: ProvisionInput): Promise<string> {
  await mkdir(layout.workDir, { recursive: true });
  const baseConf = join(layout.workDir, 'provision-base.conf');
  await writeFile(baseConf, '');
  const { stdout, stderr } = await runCommand(
    'samba-tool',
    [
      'domain',
      'provision',
      '--use-rfc2307',
      '--server-role=dc',
      '--dns-backend=NONE',
      `--realm=${realm}`,
      `--domain=${netbiosDomain}`,
      '--host-name=dc1',
      `--targetdir=${layout.workDir}`,
      '-s',
      baseConf,
      `--option=interfaces=${address}/8`,
      '--option=bind interfaces only=yes',
    ],
    { timeoutMs: 5 * 60_000 },
  );
  const match = /Admin password:\s*(\S+)\s*$/m.exec(`${stdout}\n${stderr}`);
  if (!match?.[1]) throw new Error('samba-tool domain provision did not report the generated Administrator password.');
  await writeFile(join(layout.workDir, 'provision.log'), `${stdout}\n${stderr}`.replace(match[1], '<redacted>'), {
    mode: 0o600,
  });
  return match[1];
}
