/**
 * Descriptors written by a real Samba AD DC (packages/samba-test-domain), read straight from its
 * sam.ldb with Samba's own Python bindings, which also give Samba's SDDL for each one: a second,
 * independent implementation to check the model against. Reading over LDAP belongs to the LDAP
 * client's tests; this file is about the codec.
 */
import { startTestDomain, type TestDomain } from '@coffer/samba-test-domain';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Acl,
  parseSddl,
  parseSecurityDescriptor,
  type SecurityDescriptor,
  serializeSecurityDescriptor,
  toSddl,
} from '../../src/security/index.js';

const run = promisify(execFile);

interface DumpedDescriptor {
  dn: string;
  objectClass: string[];
  sd: Buffer;
  sambaSddl: string;
}

// Samba's bindings live with the system interpreter, not whatever python3 is first on PATH.
const DUMP_SCRIPT = `
import base64, json, sys
from samba.samdb import SamDB
from samba.auth import system_session
from samba.param import LoadParm
from samba.ndr import ndr_unpack
from samba.dcerpc import security
lp = LoadParm(); lp.load(sys.argv[2])
db = SamDB(url=sys.argv[1], session_info=system_session(), lp=lp)
domain_sid = security.dom_sid(db.get_domain_sid())
res = db.search(base=db.domain_dn(), scope=2, expression="(objectClass=*)", attrs=["nTSecurityDescriptor", "objectClass"], controls=["sd_flags:1:15"])
for msg in res:
    if "nTSecurityDescriptor" not in msg: continue
    raw = bytes(msg["nTSecurityDescriptor"][0])
    sddl = ndr_unpack(security.descriptor, raw).as_sddl(domain_sid)
    print(json.dumps({"dn": str(msg.dn), "objectClass": [str(c) for c in msg["objectClass"]], "sd": base64.b64encode(raw).decode(), "sddl": sddl, "domainSid": str(domain_sid)}))
`;

let domain: TestDomain | undefined;
let dumped: DumpedDescriptor[] = [];
let domainSid = '';

beforeAll(async () => {
  // Own realm, so this DC can run next to other packages' test DCs.
  domain = await startTestDomain({ realm: 'SDCODEC.TEST', seed: true });
  const { stdout } = await run('/usr/bin/python3', ['-c', DUMP_SCRIPT, domain.samLdbPath, domain.smbConfPath], {
    maxBuffer: 256 * 1024 * 1024,
  });
  dumped = stdout
    .trim()
    .split('\n')
    .map(
      (line) => JSON.parse(line) as { dn: string; objectClass: string[]; sd: string; sddl: string; domainSid: string },
    )
    .map((row) => {
      domainSid = row.domainSid;
      return { dn: row.dn, objectClass: row.objectClass, sd: Buffer.from(row.sd, 'base64'), sambaSddl: row.sddl };
    });
}, 300_000);

afterAll(async () => {
  await domain?.stop();
}, 120_000);

/** What SDDL can carry: owner, group, the control bits it has letters for, and the ACEs. */
function sddlView(sd: SecurityDescriptor): unknown {
  const acl = (a: Acl | undefined) => a?.aces;
  const c = sd.control;
  return {
    owner: sd.owner,
    group: sd.group,
    dacl: acl(sd.dacl),
    sacl: acl(sd.sacl),
    daclFlags: [c.daclPresent, c.daclProtected, c.daclAutoInheritRequired, c.daclAutoInherited].map(Boolean),
    saclFlags: [c.saclPresent, c.saclProtected, c.saclAutoInheritRequired, c.saclAutoInherited].map(Boolean),
  };
}

describe('descriptors written by a real Samba AD DC', () => {
  it('reads a real domain: many objects, the seeded GPOs among them', () => {
    expect(dumped.length).toBeGreaterThan(50);
    expect(dumped.filter((d) => d.objectClass.includes('groupPolicyContainer')).length).toBeGreaterThanOrEqual(3);
    expect(domainSid).toMatch(/^S-1-5-21-\d+-\d+-\d+$/);
  });

  it('parses every one and re-serializes it byte for byte (Samba lays parts out owner, group, SACL, DACL)', () => {
    for (const entry of dumped) {
      const sd = parseSecurityDescriptor(entry.sd);
      expect(sd.layout?.order, entry.dn).toEqual(
        ['owner', 'group', 'sacl', 'dacl'].filter((part) => sd[part as 'owner'] !== undefined),
      );
      expect(Buffer.from(serializeSecurityDescriptor(sd)).equals(entry.sd), entry.dn).toBe(true);
    }
  });

  it("agrees with Samba's own SDDL on owner, group, control letters and every ACE", () => {
    for (const entry of dumped) {
      const ours = parseSecurityDescriptor(entry.sd);
      const fromSamba = parseSddl(entry.sambaSddl, { domainSid, rootDomainSid: domainSid });
      expect(sddlView(fromSamba), entry.dn).toEqual(sddlView(ours));
      // Our rendering reads back to the same model (Samba orders rights letters differently from Windows).
      expect(
        sddlView(
          parseSddl(toSddl(ours, { domainSid, rootDomainSid: domainSid }), { domainSid, rootDomainSid: domainSid }),
        ),
        entry.dn,
      ).toEqual(sddlView(ours));
    }
  });
});
