import { CofferError } from '@coffer/core';
import { describe, expect, it } from 'vitest';
import { parseSddl, parseSecurityDescriptor, serializeSecurityDescriptor } from '@coffer/active-directory';
import { formatGpmcHex, parseGpmcHex, toGpmcDaclOnlyDescriptor } from '../src/index.js';

const DOMAIN = 'S-1-5-21-1-2-3';

describe('GPMC DACL-only descriptor', () => {
  const full = parseSddl(
    `O:DAG:DAD:PAI(A;CI;LCRPLORC;;;AU)(A;;CCDCLCSWRPWPDTLOSDRCWDWO;;;DA)S:AI(OU;CIIDSA;WPWD;;f30e3bc2-9ff0-11d1-b603-0000f80367c1;WD)`,
    { domainSid: DOMAIN },
  );

  it('drops owner, group and SACL, puts the DACL at 0x14 and clears only SE_SACL_PRESENT', () => {
    const bytes = toGpmcDaclOnlyDescriptor(full);
    expect(formatGpmcHex(bytes.subarray(0, 20))).toBe('01 00 04 9c 00 00 00 00 00 00 00 00 00 00 00 00 14 00 00 00');
    const back = parseSecurityDescriptor(bytes);
    expect(back.owner).toBeUndefined();
    expect(back.group).toBeUndefined();
    expect(back.sacl).toBeUndefined();
    expect(back.dacl).toEqual(full.dacl);
    expect(back.control.saclAutoInherited).toBe(true);
  });

  it('clears SE_OWNER_DEFAULTED and SE_GROUP_DEFAULTED with the owner and group, keeps the other bits', () => {
    // Samba's GPO descriptors carry 0x9817 (both *_DEFAULTED bits); DACL-only that is 0x9804.
    const defaulted = {
      ...full,
      control: { ...full.control, ownerDefaulted: true, groupDefaulted: true, daclDefaulted: true },
    };
    const bytes = toGpmcDaclOnlyDescriptor(defaulted);
    expect(bytes[2]! | (bytes[3]! << 8)).toBe(0x9c0c);
  });

  it('accepts the binary descriptor as input, in any part order', () => {
    const binary = serializeSecurityDescriptor(full);
    expect(formatGpmcHex(toGpmcDaclOnlyDescriptor(binary))).toBe(formatGpmcHex(toGpmcDaclOnlyDescriptor(full)));
  });

  it('keeps a NULL DACL as DACL-present with offset 0', () => {
    const nullDacl = parseSddl('O:SYD:NO_ACCESS_CONTROL');
    expect(formatGpmcHex(toGpmcDaclOnlyDescriptor(nullDacl))).toBe(
      '01 00 04 80 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00',
    );
  });
});

describe('GPMC hex', () => {
  it('formats lower-case two-digit bytes separated by single spaces', () => {
    expect(formatGpmcHex(Uint8Array.from([1, 0, 0x9c, 0xff, 0x0a]))).toBe('01 00 9c ff 0a');
    expect(formatGpmcHex(new Uint8Array(0))).toBe('');
  });

  it('parses its own output, upper case and re-wrapped text', () => {
    expect(Array.from(parseGpmcHex('01 00 9c ff 0a'))).toEqual([1, 0, 0x9c, 0xff, 0x0a]);
    expect(Array.from(parseGpmcHex('\n  01 00\r\n9C FF\t0A \n'))).toEqual([1, 0, 0x9c, 0xff, 0x0a]);
    expect(parseGpmcHex('  ')).toHaveLength(0);
  });

  it.each(['1 00', '010 0', 'zz', '01,00', '0x01'])('rejects %j with GPMC_FILE_MALFORMED', (text) => {
    let caught: unknown;
    try {
      parseGpmcHex(text);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CofferError);
    expect((caught as CofferError).code).toBe('GPMC_FILE_MALFORMED');
    expect((caught as CofferError).hresult).toBe(0x8007000d);
  });
});
