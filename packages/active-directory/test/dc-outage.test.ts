import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CofferError } from '@coffer/core';
import { startTestDomain, type TestDomain } from '@coffer/samba-test-domain';
import { AdErrorCode, connectLdap, createSmbclientSysvolSource } from '../src/index.js';

/** A DC of its own (not the shared one), stopped half-way through reads. */
describe('the DC goes away mid-operation', () => {
  let dc: TestDomain;

  beforeAll(async () => {
    dc = await startTestDomain({ address: '127.0.0.43', realm: 'OUTAGE.TEST', seed: { extraGpos: 120 } });
    // A big file so the tar stream is still running when samba dies.
    const gpo = dc.seed?.gpos.find((g) => g.purpose === 'bench');
    writeFileSync(join(gpo?.sysvolFolder ?? '', 'Machine', 'big.bin'), randomBytes(48 * 1024 * 1024));
  });
  afterAll(async () => {
    await dc?.stop();
  });

  it('a paged LDAP search fails with a clear connection error, and later calls refuse', async () => {
    const ldap = await connectLdap({
      host: dc.dcHostname,
      caFile: dc.caFile,
      bindName: `Administrator@${dc.dnsDomain}`,
      password: dc.adminPassword,
      timeoutMs: 20_000,
    });
    const pages = ldap.searchPages(`CN=Policies,CN=System,${dc.baseDn}`, {
      filter: '(objectClass=groupPolicyContainer)',
      attributes: ['displayName'],
      paged: { pageSize: 5 },
    });
    const first = await pages.next();
    expect(first.done).toBe(false);
    await dc.kill();
    let caught: unknown;
    try {
      for await (const _ of pages) void _;
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CofferError);
    expect([AdErrorCode.ConnectionLost, AdErrorCode.ServerUnreachable]).toContain((caught as CofferError).code);
    expect((caught as CofferError).hresult).toBe(0x8007203a);
    await expect(ldap.rootDse()).rejects.toMatchObject({ code: AdErrorCode.ConnectionLost });
    await ldap.close();
  });
});

describe('the DC goes away during a tar stream', () => {
  let dc: TestDomain;

  beforeAll(async () => {
    dc = await startTestDomain({ address: '127.0.0.44', realm: 'OUTAGE2.TEST', seed: true });
    const gpo = dc.seed?.gpos.find((g) => g.purpose === 'unicode-name');
    writeFileSync(join(gpo?.sysvolFolder ?? '', 'Machine', 'big.bin'), randomBytes(64 * 1024 * 1024));
  });
  afterAll(async () => {
    await dc?.stop();
  });

  it('readTree fails with AD_CONNECTION_LOST and nothing hangs', async () => {
    const sysvol = await createSmbclientSysvolSource({
      host: dc.dcHostname,
      credentials: { user: 'Administrator', domain: dc.netbiosDomain, password: dc.adminPassword },
      idleTimeoutMs: 20_000,
    });
    const gpo = dc.seed?.gpos.find((g) => g.purpose === 'unicode-name');
    let caught: unknown;
    let bytes = 0;
    let entries = 0;
    try {
      for await (const entry of sysvol.readTree(gpo?.sysvolSharePath ?? '')) {
        entries += 1;
        // Stop samba as soon as the stream has begun: smbclient reads ahead, so later is too late to cut a file.
        if (entries === 1) await dc.kill();
        if (entry.path === 'Machine/big.bin') for await (const chunk of entry.content ?? []) bytes += chunk.length;
      }
    } catch (error) {
      caught = error;
    } finally {
      await sysvol.close();
    }
    // smbclient may already hold the big file when samba dies; what matters is that the walk does not end "successfully".
    expect(bytes).toBeLessThanOrEqual(64 * 1024 * 1024);
    expect(caught).toBeInstanceOf(CofferError);
    expect((caught as CofferError).code).toBe(AdErrorCode.ConnectionLost);
    expect((caught as CofferError).message).toContain(gpo?.sysvolSharePath);
  });
});
