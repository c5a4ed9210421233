/**
 * The seed's add step (one batch-mode transaction through samba's SamDB) against a real provisioned sam.ldb: batch
 * mode drops ldb's per-operation sub-transactions, so a record that fails must still fail the whole add and leave
 * none of the records before it. No samba is started: the address only goes into smb.conf.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addRecords } from '../src/seed/apply-seed.js';
import { parseLdif, renderLdif } from '../src/seed/ldif.js';
import { runCommand } from '../src/system/run-command.js';
import { provisionDomain } from '../src/system/provision.js';
import { type DcLayout, dcLayout, renderSmbConf } from '../src/system/smb-conf.js';

const baseDn = 'DC=seedadd,DC=test';
let workDir: string;
let layout: DcLayout;

async function ouNames(): Promise<string[]> {
  const { stdout } = await runCommand('ldbsearch', ['-H', layout.samLdbPath, '-b', baseDn, '(ou=SeedAdd*)', 'ou']);
  return parseLdif(stdout)
    .map((record) => record.attributes.get('ou')?.[0] ?? '')
    .sort();
}

function ldif(name: string, ous: string[]): string {
  const file = join(workDir, name);
  writeFileSync(
    file,
    renderLdif(ous.map((ou) => ({ dn: `OU=${ou},${baseDn}`, attributes: [['objectClass', 'organizationalUnit']] }))),
  );
  return file;
}

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'coffer-seed-add-'));
  layout = dcLayout(workDir);
  await provisionDomain({ layout, realm: 'SEEDADD.TEST', netbiosDomain: 'SEEDADD', address: '127.0.0.79' });
  writeFileSync(
    layout.smbConfPath,
    renderSmbConf({
      layout,
      realm: 'SEEDADD.TEST',
      netbiosDomain: 'SEEDADD',
      dnsDomain: 'seedadd.test',
      address: '127.0.0.79',
    }),
  );
}, 300_000);

afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe('the seed add step', () => {
  it('adds every record of the LDIF through samba’s module stack', async () => {
    await addRecords(layout, ldif('good.ldif', ['SeedAdd One', 'SeedAdd Two']));
    expect(await ouNames()).toEqual(['SeedAdd One', 'SeedAdd Two']);
    // The module stack ran: samba gave the records their objectGUID and a security descriptor.
    const { stdout } = await runCommand('ldbsearch', [
      '-H',
      layout.samLdbPath,
      '-b',
      `OU=SeedAdd One,${baseDn}`,
      '-s',
      'base',
      'objectGUID',
      'nTSecurityDescriptor',
    ]);
    expect(stdout).toMatch(/^objectGUID: [0-9a-f-]{36}$/m);
    expect(stdout).toMatch(/^nTSecurityDescriptor: O:/m);
  });

  it('a record that cannot be added fails the add and leaves none of the records before it', async () => {
    // The third record already exists: the first two were added in the same transaction and must be rolled back.
    await expect(
      addRecords(layout, ldif('bad.ldif', ['SeedAdd Three', 'SeedAdd Four', 'SeedAdd One'])),
    ).rejects.toThrow(/could not add OU=SeedAdd One/);
    expect(await ouNames()).toEqual(['SeedAdd One', 'SeedAdd Two']);
  });
});
