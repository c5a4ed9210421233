import { CofferError } from '@coffer/core';
import { describe, expect, it } from 'vitest';
import {
  encodeSid,
  formatSddlRights,
  formatSddlSid,
  parseSddl,
  parseSddlRights,
  parseSddlSid,
  parseSecurityDescriptor,
  type SecurityDescriptor,
  serializeSecurityDescriptor,
  toSddl,
} from '../../src/security/index.js';

const DOMAIN = 'S-1-5-21-1111111111-2222222222-3333333333';
const ROOT = 'S-1-5-21-444444444-555555555-666666666';

function errorOf(fn: () => unknown): CofferError {
  try {
    fn();
  } catch (error) {
    if (error instanceof CofferError) return error;
    throw error;
  }
  throw new Error('expected a CofferError');
}

describe('SDDL rights', () => {
  it.each([
    [0x000f00ff, 'CCDCLCSWRPWPDTLOSDRCWDWO'], // GPO full control, as in every corpus report
    [0x00020094, 'LCRPLORC'], // GPO read
    [0x00000100, 'CR'],
    [0x00040020, 'WPWD'],
    [0x001f01ff, 'FA'],
    [0x00120089, 'FR'],
    [0x00120116, 'FW'],
    [0x001200a0, 'FX'],
    [0x000f003f, 'KA'],
    [0x00020019, 'KR'],
    [0x00020006, 'KW'],
    [0x10000000, 'GA'],
    [0xa0000000, 'GXGR'],
    [0x001200a9, '0x1200a9'], // SYNCHRONIZE has no letter: Windows prints the whole mask in hex
    [0x01000000, '0x1000000'],
    [0, ''],
  ])('0x%s renders as %s', (mask, text) => {
    expect(formatSddlRights(mask)).toBe(text);
    expect(parseSddlRights(text)).toBe(mask >>> 0);
  });

  it('uses NW/NR/NX for mandatory labels', () => {
    expect(formatSddlRights(1, true)).toBe('NW');
    expect(formatSddlRights(7, true)).toBe('NWNRNX');
    expect(formatSddlRights(8, true)).toBe('0x8');
  });

  it('reads decimal and letters in any order, rejects junk', () => {
    expect(parseSddlRights('RPWPCCDCLCSWRCWDWOGA')).toBe(0x100e003f);
    expect(parseSddlRights('983295')).toBe(0xf00ff);
    expect(parseSddlRights('ZZ')).toBeUndefined();
    expect(parseSddlRights('R')).toBeUndefined();
  });
});

describe('SDDL SIDs', () => {
  it.each([
    ['S-1-1-0', 'WD'],
    ['S-1-5-11', 'AU'],
    ['S-1-5-18', 'SY'],
    ['S-1-5-9', 'ED'],
    ['S-1-3-0', 'CO'],
    ['S-1-5-32-544', 'BA'],
    ['S-1-5-10', 'PS'],
    ['S-1-16-4096', 'LW'],
    [`${DOMAIN}-512`, 'DA'],
    [`${DOMAIN}-513`, 'DU'],
    [`${DOMAIN}-515`, 'DC'],
    [`${DOMAIN}-517`, 'CA'],
    [`${DOMAIN}-520`, 'PA'],
    [`${ROOT}-519`, 'EA'],
    [`${ROOT}-518`, 'SA'],
    [`${ROOT}-498`, 'RO'],
  ])('%s <-> %s', (sid, alias) => {
    const context = { domainSid: DOMAIN, rootDomainSid: ROOT };
    expect(formatSddlSid(sid, context)).toBe(alias);
    expect(parseSddlSid(alias, context)).toBe(sid);
  });

  it('prints domain SIDs in full without the matching domain', () => {
    expect(formatSddlSid(`${DOMAIN}-512`)).toBe(`${DOMAIN}-512`);
    expect(formatSddlSid(`${DOMAIN}-519`, { domainSid: DOMAIN })).toBe(`${DOMAIN}-519`);
    expect(formatSddlSid(`${ROOT}-512`, { domainSid: DOMAIN, rootDomainSid: ROOT })).toBe(`${ROOT}-512`);
    expect(formatSddlSid(`${DOMAIN}-1105`, { domainSid: DOMAIN })).toBe(`${DOMAIN}-1105`);
  });

  it('refuses domain aliases it cannot resolve', () => {
    const error = errorOf(() => parseSddlSid('DA'));
    expect(error.code).toBe('INVALID_SDDL');
    expect(error.message).toMatch(/domainSid/);
    expect(errorOf(() => parseSddlSid('EA', { domainSid: DOMAIN })).message).toMatch(/rootDomainSid/);
    expect(errorOf(() => parseSddlSid('QQ')).code).toBe('INVALID_SDDL');
  });
});

describe('toSddl / parseSddl', () => {
  const context = { domainSid: DOMAIN, rootDomainSid: ROOT };

  it.each([
    'O:DAG:DAD:PAI(OA;CI;CR;edacfd8f-ffb3-11d1-b41d-00a0c968f939;;AU)(A;;CCDCLCSWRPWPDTLOSDRCWDWO;;;DA)(A;CIIO;CCDCLCSWRPWPDTLOSDRCWDWO;;;CO)S:AI(OU;CIIDSA;WPWD;;f30e3bc2-9ff0-11d1-b603-0000f80367c1;WD)',
    'O:BAG:SYD:(A;OICIID;FA;;;SY)(A;OICIIO;GXGR;;;BU)(A;;0x1200a9;;;BU)(D;;WD;;;WD)',
    'D:PARAI(A;;GA;;;EA)(A;;RPWP;;;S-1-5-21-1-2-3-1105)',
    'D:NO_ACCESS_CONTROL',
    'D:PNO_ACCESS_CONTROLS:(ML;;NW;;;LW)',
    'S:P(AU;FA;GA;;;WD)(AL;SA;GR;;;AN)(OL;NP;CR;edacfd8f-ffb3-11d1-b41d-00a0c968f939;bf967aa5-0de6-11d0-a285-00aa003049e2;SY)',
    'D:(OD;;WP;;bf967aa5-0de6-11d0-a285-00aa003049e2;PS)(A;CR;;;;WD)',
    'S:(SP;;;;;S-1-17-1)(TL;;CCRC;;;S-1-19-512-8192)',
    'O:S-1-0x123456789abc-1',
    '',
  ])('%s round-trips through the model and the binary form', (sddl) => {
    const model = parseSddl(sddl, context);
    expect(toSddl(model, context)).toBe(sddl);
    const binary = serializeSecurityDescriptor(model);
    expect(toSddl(parseSecurityDescriptor(binary), context)).toBe(sddl);
  });

  it('sets the control bits SDDL describes', () => {
    const sd = parseSddl('D:PAI(A;;GA;;;WD)S:ARAI(AU;SA;GA;;;WD)');
    expect(sd.control).toEqual({
      selfRelative: true,
      daclPresent: true,
      daclProtected: true,
      daclAutoInherited: true,
      saclPresent: true,
      saclAutoInheritRequired: true,
      saclAutoInherited: true,
    });
    expect(sd.dacl?.revision).toBe(2);
    expect(parseSddl('D:(OA;;CR;edacfd8f-ffb3-11d1-b41d-00a0c968f939;;AU)').dacl?.revision).toBe(4);
  });

  it('omits D: and S: when those parts are absent, and prints O:/G: first', () => {
    const sd: SecurityDescriptor = {
      revision: 1,
      resourceManagerControl: 0,
      control: { saclAutoInherited: true },
      group: 'S-1-5-18',
      owner: 'S-1-5-32-544',
    };
    expect(toSddl(sd)).toBe('O:BAG:SY');
  });

  it.each([
    ['X:BA', /Expected O:, G:, D: or S:/],
    ['O:BAO:SY', /two O: parts/],
    ['D:(A;;GA;;;WD', /Unterminated ACE/],
    ['D:(Q;;GA;;;WD)', /Unknown ACE type "Q"/],
    ['D:(A;ZZ;GA;;;WD)', /Unknown ACE flag "ZZ"/],
    ['D:(A;;QQ;;;WD)', /not an SDDL rights string/],
    ['D:(A;;GA;;;WD;extra)', /seven fields|7 fields|has 7 fields/],
    ['D:(A;;GA;not-a-guid;;WD)', /not a GUID/],
    ['D:(A;;GA;edacfd8f-ffb3-11d1-b41d-00a0c968f939;;WD)', /cannot carry object GUIDs/],
    ['D:X(A;;GA;;;WD)', /Unexpected "X/],
    ['D:(XA;;GA;;;WD;(@User.x==1))', /needs a condition or attribute|fields/],
  ])('rejects %s', (sddl, message) => {
    const error = errorOf(() => parseSddl(sddl, context));
    expect(error.code).toBe('INVALID_SDDL');
    expect(error.hresult).toBe(0x80070057);
    expect(error.message).toMatch(message);
  });

  it('refuses to render what SDDL cannot express, naming the ACE', () => {
    const base = { revision: 1, resourceManagerControl: 0, control: { daclPresent: true } };
    const unknownAce: SecurityDescriptor = {
      ...base,
      dacl: { revision: 2, aces: [{ kind: 'unknown', type: 0x15, flags: {}, body: new Uint8Array(4) }] },
    };
    const callback: SecurityDescriptor = {
      ...base,
      dacl: {
        revision: 2,
        aces: [
          {
            kind: 'accessAllowedCallback',
            flags: {},
            mask: 1,
            sid: 'S-1-1-0',
            applicationData: Uint8Array.from([0x61, 0x72, 0x74, 0x78]),
          },
        ],
      },
    };
    const alarmCallback: SecurityDescriptor = {
      ...base,
      dacl: {
        revision: 2,
        aces: [{ kind: 'systemAlarmCallback', flags: {}, mask: 1, sid: 'S-1-1-0', applicationData: new Uint8Array(0) }],
      },
    };
    for (const [sd, message] of [
      [unknownAce, /DACL ACE #0 has ACE type 0x15/],
      [callback, /conditional expression/],
      [alarmCallback, /systemAlarmCallback ACE, which has no SDDL form/],
    ] as const) {
      const error = errorOf(() => toSddl(sd));
      expect(error.code).toBe('SDDL_NOT_REPRESENTABLE');
      expect(error.message).toMatch(message);
    }
  });

  it('renders an SD read from bytes built independently of the SDDL code', () => {
    // (A;CI;LCRPLORC;;;ED) and (A;CIIO;...;;;CO) as raw bytes from the corpus DACL.
    const dacl = Buffer.from(
      '0400300002000000' +
        '0002140094000200' +
        Buffer.from(encodeSid('S-1-5-9')).toString('hex') +
        '000a1400ff000f00' +
        Buffer.from(encodeSid('S-1-3-0')).toString('hex'),
      'hex',
    );
    const header = Buffer.alloc(20);
    header[0] = 1;
    header.writeUInt16LE(0x8004, 2);
    header.writeUInt32LE(20, 16);
    expect(toSddl(parseSecurityDescriptor(Buffer.concat([header, dacl])))).toBe(
      'D:(A;CI;LCRPLORC;;;ED)(A;CIIO;CCDCLCSWRPWPDTLOSDRCWDWO;;;CO)',
    );
  });
});
