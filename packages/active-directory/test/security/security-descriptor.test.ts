import { CofferError } from '@coffer/core';
import { describe, expect, it } from 'vitest';
import {
  type Ace,
  ACE_TYPE,
  controlFlagNames,
  decodeAceFlags,
  decodeControl,
  encodeControl,
  encodeSid,
  parseSecurityDescriptor,
  type SecurityDescriptor,
  serializeSecurityDescriptor,
  withCanonicalLayout,
} from '../../src/security/index.js';

const hex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

function rejection(bytes: Uint8Array): CofferError {
  try {
    parseSecurityDescriptor(bytes);
  } catch (error) {
    if (error instanceof CofferError) return error;
    throw error;
  }
  throw new Error('expected parseSecurityDescriptor to throw');
}

/** Builds a self-relative descriptor by hand, parts in the given order, so tests check real offsets. */
function build(
  control: number,
  parts: { owner?: Uint8Array; group?: Uint8Array; sacl?: Uint8Array; dacl?: Uint8Array },
  order: (keyof typeof parts)[],
): Uint8Array {
  const header = new Uint8Array(20);
  header[0] = 1;
  header[2] = control & 0xff;
  header[3] = control >> 8;
  const fields = { owner: 4, group: 8, sacl: 12, dacl: 16 };
  const chunks: Uint8Array[] = [header];
  let at = 20;
  for (const name of order) {
    const bytes = parts[name]!;
    new DataView(header.buffer).setUint32(fields[name], at, true);
    chunks.push(bytes);
    at += bytes.length;
  }
  return Uint8Array.from(Buffer.concat(chunks));
}

function acl(revision: number, aces: Uint8Array[]): Uint8Array {
  const body = Buffer.concat(aces);
  const out = Buffer.alloc(8 + body.length);
  out[0] = revision;
  out.writeUInt16LE(out.length, 2);
  out.writeUInt16LE(aces.length, 4);
  body.copy(out, 8);
  return Uint8Array.from(out);
}

function ace(type: number, flags: number, body: Uint8Array): Uint8Array {
  const out = Buffer.alloc(4 + body.length);
  out[0] = type;
  out[1] = flags;
  out.writeUInt16LE(out.length, 2);
  Buffer.from(body).copy(out, 4);
  return Uint8Array.from(out);
}

const u32 = (value: number): Uint8Array => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(value >>> 0);
  return Uint8Array.from(b);
};
const cat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(Buffer.concat(parts));
const guidBytes = hex('8f fd ac ed b3 ff d1 11 b4 1d 00 a0 c9 68 f9 39'); // edacfd8f-ffb3-11d1-b41d-00a0c968f939
const guid2Bytes = hex('a5 7a 96 bf e6 0d d0 11 a2 85 00 aa 00 30 49 e2'); // bf967aa5-0de6-11d0-a285-00aa003049e2
const everyone = encodeSid('S-1-1-0');
const system = encodeSid('S-1-5-18');

describe('control word', () => {
  it('names every SE_* bit', () => {
    expect(controlFlagNames(0xffff)).toHaveLength(16);
    expect(controlFlagNames(0x9c04)).toEqual([
      'SE_DACL_PRESENT',
      'SE_DACL_AUTO_INHERITED',
      'SE_SACL_AUTO_INHERITED',
      'SE_DACL_PROTECTED',
      'SE_SELF_RELATIVE',
    ]);
    for (let bit = 0; bit < 16; bit++) expect(encodeControl(decodeControl(1 << bit))).toBe(1 << bit);
  });
});

describe('every ACE kind', () => {
  const aces: [string, Uint8Array, Partial<Ace> & { kind: string }][] = [
    [
      'ACCESS_ALLOWED',
      ace(0x00, 0x03, cat(u32(0x001f01ff), everyone)),
      { kind: 'accessAllowed', mask: 0x1f01ff, sid: 'S-1-1-0' },
    ],
    [
      'ACCESS_DENIED',
      ace(0x01, 0x00, cat(u32(0x00040000), everyone)),
      { kind: 'accessDenied', mask: 0x40000, sid: 'S-1-1-0' },
    ],
    ['SYSTEM_AUDIT', ace(0x02, 0xc0, cat(u32(0x10000000), everyone)), { kind: 'systemAudit', mask: 0x10000000 }],
    ['SYSTEM_ALARM', ace(0x03, 0x40, cat(u32(1), system)), { kind: 'systemAlarm', sid: 'S-1-5-18' }],
    [
      'ACCESS_ALLOWED_OBJECT (both GUIDs)',
      ace(0x05, 0x02, cat(u32(0x100), u32(3), guidBytes, guid2Bytes, everyone)),
      {
        kind: 'accessAllowedObject',
        objectType: 'edacfd8f-ffb3-11d1-b41d-00a0c968f939',
        inheritedObjectType: 'bf967aa5-0de6-11d0-a285-00aa003049e2',
      },
    ],
    [
      'ACCESS_DENIED_OBJECT (inherited type only)',
      ace(0x06, 0x0a, cat(u32(0x20), u32(2), guid2Bytes, everyone)),
      { kind: 'accessDeniedObject', inheritedObjectType: 'bf967aa5-0de6-11d0-a285-00aa003049e2' },
    ],
    [
      'SYSTEM_AUDIT_OBJECT (no GUIDs)',
      ace(0x07, 0x40, cat(u32(0x20), u32(0), everyone)),
      { kind: 'systemAuditObject', mask: 0x20 },
    ],
    [
      'SYSTEM_ALARM_OBJECT',
      ace(0x08, 0, cat(u32(0x20), u32(1), guidBytes, everyone)),
      { kind: 'systemAlarmObject', objectType: 'edacfd8f-ffb3-11d1-b41d-00a0c968f939' },
    ],
    [
      'ACCESS_ALLOWED_CALLBACK (conditional expression kept)',
      ace(0x09, 0, cat(u32(0x1f01ff), everyone, hex('61 72 74 78 f8 02 00 00 00 78 00 87 00'))),
      { kind: 'accessAllowedCallback', applicationData: hex('61 72 74 78 f8 02 00 00 00 78 00 87 00') },
    ],
    [
      'ACCESS_DENIED_CALLBACK',
      ace(0x0a, 0, cat(u32(1), everyone, hex('01 02 03 04'))),
      { kind: 'accessDeniedCallback', applicationData: hex('01 02 03 04') },
    ],
    [
      'ACCESS_ALLOWED_CALLBACK_OBJECT',
      ace(0x0b, 0, cat(u32(0x100), u32(1), guidBytes, everyone, hex('aa bb cc dd'))),
      {
        kind: 'accessAllowedCallbackObject',
        objectType: 'edacfd8f-ffb3-11d1-b41d-00a0c968f939',
        applicationData: hex('aa bb cc dd'),
      },
    ],
    [
      'ACCESS_DENIED_CALLBACK_OBJECT',
      ace(0x0c, 0, cat(u32(0x100), u32(0), everyone)),
      { kind: 'accessDeniedCallbackObject', applicationData: new Uint8Array(0) },
    ],
    [
      'SYSTEM_AUDIT_CALLBACK',
      ace(0x0d, 0x80, cat(u32(2), everyone, hex('00 00 00 00'))),
      { kind: 'systemAuditCallback' },
    ],
    ['SYSTEM_ALARM_CALLBACK', ace(0x0e, 0, cat(u32(2), everyone)), { kind: 'systemAlarmCallback' }],
    [
      'SYSTEM_AUDIT_CALLBACK_OBJECT',
      ace(0x0f, 0, cat(u32(2), u32(2), guidBytes, everyone)),
      { kind: 'systemAuditCallbackObject', inheritedObjectType: 'edacfd8f-ffb3-11d1-b41d-00a0c968f939' },
    ],
    [
      'SYSTEM_ALARM_CALLBACK_OBJECT',
      ace(0x10, 0, cat(u32(2), u32(0), everyone)),
      { kind: 'systemAlarmCallbackObject' },
    ],
    [
      'SYSTEM_MANDATORY_LABEL (low, no-write-up)',
      hex('11 00 14 00 01 00 00 00 01 01 00 00 00 00 00 10 00 10 00 00'),
      { kind: 'systemMandatoryLabel', mask: 1, sid: 'S-1-16-4096' },
    ],
    [
      'SYSTEM_RESOURCE_ATTRIBUTE (claim blob kept)',
      ace(
        0x12,
        0,
        cat(
          u32(0),
          everyone,
          hex(
            '14 00 00 00 02 00 00 00 00 00 00 00 01 00 00 00 20 00 00 00 53 00 65 00 63 00 00 00 00 00 00 00 03 00 00 00 00 00 00 00',
          ),
        ),
      ),
      { kind: 'systemResourceAttribute', mask: 0 },
    ],
    [
      'SYSTEM_SCOPED_POLICY_ID',
      ace(0x13, 0, cat(u32(0), encodeSid('S-1-17-1'))),
      { kind: 'systemScopedPolicyId', sid: 'S-1-17-1' },
    ],
    [
      'SYSTEM_PROCESS_TRUST_LABEL',
      ace(0x14, 0, cat(u32(0x20001), encodeSid('S-1-19-512-8192'))),
      { kind: 'systemProcessTrustLabel', sid: 'S-1-19-512-8192' },
    ],
    [
      'unknown type 0x15 (raw)',
      ace(0x15, 0x01, hex('de ad be ef 00 11 22 33')),
      { kind: 'unknown', type: 0x15, body: hex('de ad be ef 00 11 22 33') },
    ],
    [
      'ACCESS_ALLOWED_COMPOUND 0x04 (raw)',
      ace(0x04, 0, hex('01 00 00 00 01 00 00 00')),
      { kind: 'unknown', type: 0x04 },
    ],
    [
      'ACCESS_ALLOWED padded past its SID',
      ace(0x00, 0, cat(u32(1), everyone, hex('00 00 00 00'))),
      { kind: 'accessAllowed', trailing: hex('00 00 00 00') },
    ],
  ];

  it('covers every ACE type of [MS-DTYP] 2.4.4.1', () => {
    const covered = new Set(aces.map(([, bytes]) => bytes[0]));
    for (const type of Object.values(ACE_TYPE)) expect(covered.has(type), `type 0x${type.toString(16)}`).toBe(true);
  });

  it.each(aces)('%s parses to the expected model and serializes to the same bytes', (_name, aceBytes, expected) => {
    for (const order of [['dacl'], ['sacl']] as const) {
      const bytes = build(0x8014, { [order[0]]: acl(4, [aceBytes]) }, [...order]);
      const sd = parseSecurityDescriptor(bytes);
      const parsed = sd[order[0]]!.aces[0]!;
      expect(parsed).toMatchObject(expected);
      expect(parsed.flags).toEqual(decodeAceFlags(aceBytes[1]!));
      expect(toHex(serializeSecurityDescriptor(sd))).toBe(toHex(bytes));
    }
  });
});

describe('layout', () => {
  const owner = encodeSid('S-1-5-21-1-2-3-512');
  const group = encodeSid('S-1-5-21-1-2-3-513');
  const dacl = acl(2, [ace(0, 0, cat(u32(0x1f01ff), everyone))]);
  const sacl = acl(2, [ace(2, 0xc0, cat(u32(0x10000000), everyone))]);

  it.each([
    ['Samba/NDR order (owner, group, SACL, DACL)', ['owner', 'group', 'sacl', 'dacl']],
    ['Windows order (SACL, DACL, owner, group)', ['sacl', 'dacl', 'owner', 'group']],
    ['DACL before owner, no SACL', ['dacl', 'owner', 'group']],
  ] as const)('keeps %s byte for byte', (_name, order) => {
    const bytes = build(0x8014 | 0x0004, { owner, group, sacl, dacl }, [...order]);
    const sd = parseSecurityDescriptor(bytes);
    expect(sd.layout?.order).toEqual(order);
    expect(toHex(serializeSecurityDescriptor(sd))).toBe(toHex(bytes));
  });

  it('writes new descriptors in Windows order: SACL, DACL, owner, group', () => {
    const sd = parseSecurityDescriptor(build(0x8014, { owner, group, sacl, dacl }, ['owner', 'group', 'sacl', 'dacl']));
    const canonical = serializeSecurityDescriptor(withCanonicalLayout(sd));
    expect(toHex(canonical)).toBe(
      toHex(build(0x8014, { owner, group, sacl, dacl }, ['sacl', 'dacl', 'owner', 'group'])),
    );
    expect(parseSecurityDescriptor(canonical)).toMatchObject({
      owner: sd.owner,
      group: sd.group,
      dacl: sd.dacl,
      sacl: sd.sacl,
    });
  });

  it('keeps filler bytes between parts and after the last one', () => {
    const header = build(0x8004, { owner, dacl }, ['owner', 'dacl']);
    const withGaps = Buffer.alloc(header.length + 12);
    Buffer.from(header.subarray(0, 20)).copy(withGaps, 0);
    withGaps.fill(0xee, 20, 24); // 4 filler bytes before the owner
    Buffer.from(owner).copy(withGaps, 24);
    withGaps.fill(0xdd, 24 + owner.length, 28 + owner.length);
    Buffer.from(dacl).copy(withGaps, 28 + owner.length);
    withGaps.fill(0xcc, 28 + owner.length + dacl.length);
    withGaps.writeUInt32LE(24, 4);
    withGaps.writeUInt32LE(28 + owner.length, 16);
    const sd = parseSecurityDescriptor(withGaps);
    expect(sd.layout?.gaps?.map((g) => g.length)).toEqual([4, 4, 4]);
    expect(toHex(serializeSecurityDescriptor(sd))).toBe(toHex(withGaps));
  });

  it('accepts owner and group pointing at the same SID (then writes the canonical layout)', () => {
    const bytes = build(0x8000, { owner }, ['owner']);
    Buffer.from(bytes.buffer).writeUInt32LE(20, 8);
    const sd = parseSecurityDescriptor(bytes);
    expect(sd.group).toBe(sd.owner);
    expect(sd.layout).toBeUndefined();
    expect(parseSecurityDescriptor(serializeSecurityDescriptor(sd))).toMatchObject({
      owner: sd.owner,
      group: sd.group,
    });
  });

  it('keeps slack space at the end of an ACL', () => {
    const withSlack = Buffer.concat([Buffer.from(dacl), Buffer.alloc(8)]);
    withSlack.writeUInt16LE(withSlack.length, 2);
    const bytes = build(0x8004, { dacl: Uint8Array.from(withSlack) }, ['dacl']);
    const sd = parseSecurityDescriptor(bytes);
    expect(sd.dacl?.slack).toHaveLength(8);
    expect(toHex(serializeSecurityDescriptor(sd))).toBe(toHex(bytes));
  });

  it('keeps a NULL DACL (DACL present, offset 0) and an empty DACL apart', () => {
    const nullDacl = parseSecurityDescriptor(build(0x8004, {}, []));
    expect(nullDacl.control.daclPresent).toBe(true);
    expect(nullDacl.dacl).toBeUndefined();
    const empty = parseSecurityDescriptor(build(0x8004, { dacl: acl(2, []) }, ['dacl']));
    expect(empty.dacl).toEqual({ revision: 2, aces: [] });
    expect(toHex(serializeSecurityDescriptor(nullDacl))).toBe(toHex(build(0x8004, {}, [])));
  });

  it('keeps the resource-manager control byte', () => {
    const bytes = build(0xc004, {}, []);
    bytes[1] = 0x5a;
    const sd = parseSecurityDescriptor(bytes);
    expect(sd.resourceManagerControl).toBe(0x5a);
    expect(sd.control.rmControlValid).toBe(true);
    expect(toHex(serializeSecurityDescriptor(sd))).toBe(toHex(bytes));
  });

  it('serializes a hand-written model', () => {
    const sd: SecurityDescriptor = {
      revision: 1,
      resourceManagerControl: 0,
      control: { daclPresent: true },
      owner: 'S-1-5-32-544',
      dacl: {
        revision: 2,
        aces: [{ kind: 'accessAllowed', flags: { containerInherit: true }, mask: 0x1f01ff, sid: 'S-1-5-18' }],
      },
    };
    expect(toHex(serializeSecurityDescriptor(sd))).toBe(
      toHex(
        build(0x8004, { owner: encodeSid('S-1-5-32-544'), dacl: acl(2, [ace(0, 2, cat(u32(0x1f01ff), system))]) }, [
          'dacl',
          'owner',
        ]),
      ),
    );
  });
});

describe('malformed descriptors are rejected with INVALID_SECURITY_DESCRIPTOR', () => {
  const goodAce = ace(0, 0, cat(u32(1), everyone));
  const good = build(0x8004, { owner: system, dacl: acl(2, [goodAce, goodAce]) }, ['owner', 'dacl']);

  const cases: [string, () => Uint8Array, RegExp][] = [
    ['an empty buffer', () => new Uint8Array(0), /20-byte header; got 0 bytes/],
    ['a 19-byte header', () => good.subarray(0, 19), /20-byte header; got 19/],
    [
      'revision 2',
      () => {
        const b = Uint8Array.from(good);
        b[0] = 2;
        return b;
      },
      /revision is 2/,
    ],
    [
      'an absolute-format descriptor',
      () => {
        const b = Uint8Array.from(good);
        b[3] = 0x00;
        return b;
      },
      /SE_SELF_RELATIVE/,
    ],
    [
      'an owner offset inside the header',
      () => {
        const b = Buffer.from(good);
        b.writeUInt32LE(8, 4);
        return Uint8Array.from(b);
      },
      /owner SID offset 0x8 lies outside/,
    ],
    [
      'a DACL offset past the end',
      () => {
        const b = Buffer.from(good);
        b.writeUInt32LE(0x1000, 16);
        return Uint8Array.from(b);
      },
      /DACL offset 0x1000 lies outside/,
    ],
    [
      'a truncated buffer (last ACE cut)',
      () => good.subarray(0, good.length - 4),
      /AclSize \d+, which runs 4 bytes past the end/,
    ],
    [
      'an owner SID cut short',
      () => {
        const b = Buffer.from(good);
        b.writeUInt32LE(good.length - 6, 4);
        return Uint8Array.from(b);
      },
      /owner SID.*needs at least 8 bytes|owner SID.*remain/,
    ],
    [
      'a SID with 16 sub-authorities',
      () => {
        const b = Uint8Array.from(good);
        b[21] = 16;
        return b;
      },
      /16 sub-authorities/,
    ],
    [
      'an ACE size overflowing the ACL',
      () => {
        const b = Buffer.from(good);
        const firstAce = 20 + system.length + 8;
        b.writeUInt16LE(200, firstAce + 2);
        return Uint8Array.from(b);
      },
      /AceSize 200, overflowing the DACL/,
    ],
    [
      'an ACE size below its header',
      () => {
        const b = Buffer.from(good);
        b.writeUInt16LE(2, 20 + system.length + 8 + 2);
        return Uint8Array.from(b);
      },
      /AceSize 2, smaller than its header/,
    ],
    [
      'an ACE count larger than the ACL holds',
      () => {
        const b = Buffer.from(good);
        b.writeUInt16LE(3, 20 + system.length + 4);
        return Uint8Array.from(b);
      },
      /declares 3 ACEs/,
    ],
    [
      'an AclSize smaller than the ACL header',
      () => {
        const b = Buffer.from(good);
        b.writeUInt16LE(4, 20 + system.length + 2);
        return Uint8Array.from(b);
      },
      /AclSize 4, smaller than its own header/,
    ],
    [
      'ACL revision 1',
      () => {
        const b = Uint8Array.from(good);
        b[20 + system.length] = 1;
        return b;
      },
      /revision 1; Windows knows revisions 2 to 4/,
    ],
    [
      'non-zero ACL reserved bytes',
      () => {
        const b = Uint8Array.from(good);
        b[20 + system.length + 1] = 7;
        return b;
      },
      /reserved fields/,
    ],
    [
      'an object ACE whose GUID does not fit',
      () => build(0x8004, { dacl: acl(4, [ace(5, 0, cat(u32(0x100), u32(1), guidBytes.subarray(0, 8)))]) }, ['dacl']),
      /too small for its ObjectType GUID/,
    ],
    [
      'an object ACE with unknown object flags',
      () => build(0x8004, { dacl: acl(4, [ace(5, 0, cat(u32(0x100), u32(4), everyone))]) }, ['dacl']),
      /unknown object-type flags 0x4/,
    ],
    [
      'an ACE too small for its mask',
      () => build(0x8004, { dacl: acl(2, [ace(0, 0, hex('01 00'))]) }, ['dacl']),
      /too small for its access mask/,
    ],
    [
      'an ACE whose SID overruns the ACE (not the buffer)',
      () =>
        build(0x8004, { dacl: acl(2, [ace(0, 0, cat(u32(1), hex('01 02 00 00 00 00 00 05 20 00 00 00'))), goodAce]) }, [
          'dacl',
        ]),
      /DACL ACE #0 SID/,
    ],
  ];

  it.each(cases)('%s', (_name, make, message) => {
    const error = rejection(make());
    expect(error.code).toBe('INVALID_SECURITY_DESCRIPTOR');
    expect(error.hresult).toBe(0x8007053a);
    expect(error.message).toMatch(message);
    expect(error.hint).toMatch(/MS-DTYP/);
  });

  it('the well-formed base case parses (so each failure above is due to its one defect)', () => {
    expect(parseSecurityDescriptor(good).dacl?.aces).toHaveLength(2);
  });
});
