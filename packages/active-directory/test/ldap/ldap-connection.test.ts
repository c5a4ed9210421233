import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AdErrorCode,
  connectLdap,
  parseGuid,
  parseSid,
  SecurityInformation,
  Secret,
  type LdapConnection,
} from '../../src/index.js';
import { adminBind, testDomain, unrelatedCaFile } from '../helpers/test-domain.js';
import { failure } from '../helpers/expect-failure.js';

describe('connectLdap against the test DC', () => {
  const domain = testDomain();
  let ldap: LdapConnection;

  beforeAll(async () => {
    ldap = await connectLdap(adminBind(domain));
  });
  afterAll(async () => {
    await ldap?.close();
  });

  it('reads the rootDSE over verified LDAPS', async () => {
    const rootDse = await ldap.rootDse();
    expect(rootDse.defaultNamingContext).toBe(domain.baseDn);
    expect(rootDse.configurationNamingContext).toBe(`CN=Configuration,${domain.baseDn}`);
    expect(rootDse.dnsHostName.toLowerCase()).toBe(domain.dcHostname);
    expect(rootDse.namingContexts).toContain(domain.baseDn);
    expect(rootDse.domainFunctionality).toBeGreaterThanOrEqual(2);
    expect(rootDse.supportedControls).toContain('1.2.840.113556.1.4.801');
  });

  it('connects with StartTLS on 389 and binds with a DN and a Secret', async () => {
    const conn = await connectLdap({
      host: domain.dcHostname,
      security: 'starttls',
      caFile: domain.caFile,
      bindName: `CN=Administrator,CN=Users,${domain.baseDn}`,
      password: new Secret(domain.adminPassword),
    });
    try {
      const [admin] = await conn.search(`CN=Administrator,CN=Users,${domain.baseDn}`, {
        scope: 'base',
        attributes: ['sAMAccountName'],
      });
      expect(admin?.sAMAccountName).toBe('Administrator');
    } finally {
      await conn.close();
    }
  });

  it('pages through every GPO with small pages and returns binary attributes as Buffers', async () => {
    const seeded = domain.seed?.gpos ?? [];
    let pages = 0;
    const names: string[] = [];
    for await (const page of ldap.searchPages(`CN=Policies,CN=System,${domain.baseDn}`, {
      scope: 'one',
      filter: '(objectClass=groupPolicyContainer)',
      attributes: ['name', 'displayName', 'objectGUID', 'versionNumber', 'flags'],
      paged: { pageSize: 7 },
    })) {
      pages += 1;
      expect(page.length).toBeLessThanOrEqual(7);
      for (const entry of page) {
        names.push(String(entry.name));
        expect(Buffer.isBuffer(entry.objectGUID)).toBe(true);
        expect((entry.objectGUID as Buffer).length).toBe(16);
        expect(parseGuid(entry.objectGUID as Buffer)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-/i);
      }
    }
    // The two default GPOs plus everything the seed added.
    expect(names.length).toBe(seeded.length + 2);
    expect(pages).toBe(Math.ceil(names.length / 7));
    for (const gpo of seeded) expect(names.map((n) => n.toUpperCase())).toContain(gpo.guid);
  });

  it('reads Unicode attributes exactly and finds them by filter', async () => {
    const seeded = domain.seed?.gpos.find((g) => g.purpose === 'unicode-name');
    expect(seeded?.displayName).toBe('Räume – 東京 ✓ 🚀');
    const found = await ldap.search(`CN=Policies,CN=System,${domain.baseDn}`, {
      filter: '(displayName=Räume – 東京 ✓ 🚀)',
      attributes: ['displayName', 'name', 'flags', 'versionNumber'],
    });
    expect(found).toHaveLength(1);
    expect(found[0]?.displayName).toBe('Räume – 東京 ✓ 🚀');
    expect(String(found[0]?.name).toUpperCase()).toBe(seeded?.guid);
    const cdata = domain.seed?.gpos.find((g) => g.purpose === 'cdata-terminator');
    const [withTerminator] = await ldap.search(cdata?.dn ?? '', { scope: 'base', attributes: ['displayName'] });
    expect(withTerminator?.displayName).toBe('Legacy ]]> Settings & <Quirks>');
  });

  it('sends the SD flags control: DACL-only descriptors carry no owner, 7 returns owner and group', async () => {
    const gpo = domain.seed?.gpos.find((g) => g.purpose === 'security-filtering');
    const [daclOnly] = await ldap.search(gpo?.dn ?? '', {
      scope: 'base',
      attributes: ['nTSecurityDescriptor'],
      sdFlags: SecurityInformation.Dacl,
    });
    const [full] = await ldap.search(gpo?.dn ?? '', {
      scope: 'base',
      attributes: ['nTSecurityDescriptor'],
      sdFlags: 7,
    });
    const dacl = daclOnly?.nTSecurityDescriptor as Buffer;
    const ownerGroupDacl = full?.nTSecurityDescriptor as Buffer;
    expect(Buffer.isBuffer(dacl)).toBe(true);
    expect(dacl[0]).toBe(1); // revision
    expect(dacl.readUInt32LE(4)).toBe(0); // no owner
    expect(dacl.readUInt32LE(16)).not.toBe(0); // a DACL
    expect(ownerGroupDacl.readUInt32LE(4)).not.toBe(0);
    expect(ownerGroupDacl.readUInt32LE(8)).not.toBe(0);
    expect(ownerGroupDacl.readUInt32LE(12)).toBe(0); // no SACL asked
    // The deny ACE for the seeded group is in the DACL bytes.
    const denied = domain.seed?.groups.find((g) => g.name === 'Contractors');
    const denySidBytes = Buffer.from(
      denied?.sid
        .split('-')
        .slice(-1)
        .map((rid) => {
          const b = Buffer.alloc(4);
          b.writeUInt32LE(Number(rid));
          return b;
        })[0] ?? [],
    );
    expect(dacl.includes(denySidBytes)).toBe(true);
  });

  it('decodes objectSid of the domain head to the domain SID of the seeded groups', async () => {
    const [head] = await ldap.search(domain.baseDn, { scope: 'base', attributes: ['objectSid'] });
    const domainSid = parseSid(head?.objectSid as Buffer);
    for (const group of domain.seed?.groups ?? []) expect(group.sid.startsWith(`${domainSid}-`)).toBe(true);
  });

  it('adds, modifies, reads back and deletes entries (tree delete included)', async () => {
    const ou = `OU=Coffer LDAP Test ✓,${domain.baseDn}`;
    await ldap.add(ou, { objectClass: 'organizationalUnit', description: 'first' });
    await ldap.add(`CN=Child,${ou}`, { objectClass: 'container' });
    await ldap.modify(ou, [
      { operation: 'replace', attribute: 'description', values: ['Zweite – ✓'] },
      { operation: 'add', attribute: 'gPOptions', values: ['1'] },
    ]);
    const [read] = await ldap.search(ou, { scope: 'base', attributes: ['description', 'gPOptions'] });
    expect(read?.description).toBe('Zweite – ✓');
    expect(read?.gPOptions).toBe('1');
    await ldap.del(ou, { recursive: true });
    const error = await failure(ldap.search(ou, { scope: 'base' }));
    expect(error.code).toBe(AdErrorCode.NoSuchObject);
  });

  it('reports a missing base as AD_NO_SUCH_OBJECT', async () => {
    const error = await failure(ldap.search(`OU=Nowhere,${domain.baseDn}`, { scope: 'base' }));
    expect(error.code).toBe(AdErrorCode.NoSuchObject);
    expect(error.hresult).toBe(0x80070490);
  });
});

describe('connectLdap failures', () => {
  const domain = testDomain();

  it('maps a wrong password to ERROR_LOGON_FAILURE without echoing it', async () => {
    const error = await failure(connectLdap({ ...adminBind(domain), password: 'definitely-Wrong-42' }));
    expect(error.code).toBe(AdErrorCode.LogonFailure);
    expect(error.hresult).toBe(0x8007052e);
    expect(error.object).toBe(`Administrator@${domain.dnsDomain}`);
    expect(JSON.stringify(error)).not.toContain('definitely-Wrong-42');
    expect(error.message).not.toContain('definitely-Wrong-42');
  });

  it('rejects a certificate signed by another CA and names the CA option', async () => {
    const error = await failure(
      connectLdap({ ...adminBind(domain), caFile: unrelatedCaFile(), caOptionName: '--ca-file' }),
    );
    expect(error.code).toBe(AdErrorCode.UntrustedCertificate);
    expect(error.hresult).toBe(0x80090325);
    expect(error.hint).toContain('--ca-file');
  });

  it('does not trust the DC through the system store alone', async () => {
    const { caFile: _ignored, ...withoutCa } = adminBind(domain);
    const error = await failure(connectLdap(withoutCa));
    expect(error.code).toBe(AdErrorCode.UntrustedCertificate);
  });

  it('with tlsVerify:false connects but warns on every connect', async () => {
    const warnings: string[] = [];
    for (let i = 0; i < 2; i++) {
      const conn = await connectLdap({
        ...adminBind(domain),
        caFile: unrelatedCaFile(),
        tlsVerify: false,
        warn: (m) => warnings.push(m),
      });
      expect((await conn.rootDse()).defaultNamingContext).toBe(domain.baseDn);
      await conn.close();
    }
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/verification is OFF/);
  });

  it('maps an address where no DC listens to ERROR_DS_SERVER_DOWN', async () => {
    const error = await failure(connectLdap({ ...adminBind(domain), port: 1, connectTimeoutMs: 3_000 }));
    expect(error.code).toBe(AdErrorCode.ServerUnreachable);
    expect(error.hresult).toBe(0x8007203a);
    expect(error.object).toBe(domain.dcHostname);
  });

  it('reports an unreadable CA file clearly', async () => {
    const error = await failure(connectLdap({ ...adminBind(domain), caFile: '/nonexistent/ca.pem' }));
    expect(error.code).toBe(AdErrorCode.PathNotFound);
    expect(error.object).toBe('/nonexistent/ca.pem');
  });
});
