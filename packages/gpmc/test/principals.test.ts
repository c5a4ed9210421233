import { describe, expect, it } from 'vitest';
import {
  buildSecurityGroups,
  daclPrincipalSidsInGpmcOrder,
  daclTrusteeSids,
  orderLikeGpmc,
  parseGpmcHex,
  templatePrincipalsInGpmcOrder,
} from '../src/index.js';
// The names GPMC writes for built-in principals come from the shared SID table.
import { parseSddl, serializeSecurityDescriptor, wellKnownSidName } from '@coffer/active-directory';

const utf16 = (text: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);

describe('principal order', () => {
  it('keeps each principal at its last appearance, latest first', () => {
    expect(orderLikeGpmc(['a', 'b', 'a', 'c', 'b'])).toEqual(['b', 'c', 'a']);
  });

  it('reads privilege rights and restricted groups from GptTmpl.inf', () => {
    const inf = [
      '[Unicode]',
      'Unicode=yes',
      '[Privilege Rights]',
      'SeBackupPrivilege = *S-1-5-32-544,*S-1-5-32-551',
      'SeServiceLogonRight = LocalSvcAccount',
      '[Group Membership]',
      '*S-1-5-32-544__Members = *S-1-5-21-1-2-3-1105',
      '[Version]',
      'signature="$CHICAGO$"',
    ].join('\r\n');
    expect(templatePrincipalsInGpmcOrder(inf)).toEqual([
      { sid: 'S-1-5-21-1-2-3-1105', name: null },
      { sid: 'S-1-5-32-544', name: null },
      { sid: null, name: 'LocalSvcAccount' },
      { sid: 'S-1-5-32-551', name: null },
    ]);
  });
});

describe('security groups', () => {
  const descriptor = parseGpmcHex(
    '01 00 04 9c 00 00 00 00 00 00 00 00 00 00 00 00 14 00 00 00 04 00 ec 00 08 00 00 00 05 02 28 00 00 01 00 00 01 00 00 00 8f fd ac ed b3 ff d1 11 b4 1d 00 a0 c9 68 f9 39 01 01 00 00 00 00 00 05 0b 00 00 00 00 00 24 00 ff 00 0f 00 01 05 00 00 00 00 00 05 15 00 00 00 aa 43 d2 32 7d 6f 6b 91 02 02 a9 9d 00 02 00 00 00 02 24 00 ff 00 0f 00 01 05 00 00 00 00 00 05 15 00 00 00 aa 43 d2 32 7d 6f 6b 91 02 02 a9 9d 00 02 00 00 00 02 24 00 ff 00 0f 00 01 05 00 00 00 00 00 05 15 00 00 00 aa 43 d2 32 7d 6f 6b 91 02 02 a9 9d 07 02 00 00 00 02 14 00 94 00 02 00 01 01 00 00 00 00 00 05 09 00 00 00 00 02 14 00 94 00 02 00 01 01 00 00 00 00 00 05 0b 00 00 00 00 02 14 00 ff 00 0f 00 01 01 00 00 00 00 00 05 12 00 00 00 00 0a 14 00 ff 00 0f 00 01 01 00 00 00 00 00 03 00 00 00 00',
  );
  const domain = 'S-1-5-21-852640682-2439737213-2645099010';

  it('walks every ACE of the DACL, object ACEs included', () => {
    expect(daclTrusteeSids(descriptor)).toEqual([
      'S-1-5-11',
      `${domain}-512`,
      `${domain}-512`,
      `${domain}-519`,
      'S-1-5-9',
      'S-1-5-11',
      'S-1-5-18',
      'S-1-3-0',
    ]);
    expect(() => daclTrusteeSids(descriptor.subarray(0, 40))).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });

  it("lists settings principals first (built-ins by name only), then the DACL's domain principals", () => {
    const groups = buildSecurityGroups({
      gptTmplInf: utf16('[Privilege Rights]\r\nSeDebugPrivilege = *S-1-5-32-544,*S-1-5-21-9-9-9-1000\r\n'),
      securityDescriptor: descriptor,
      resolve: (sid) =>
        sid.endsWith('-512')
          ? {
              samAccountName: 'Domain Admins',
              type: 'GlobalGroup',
              netbiosDomainName: 'IDL',
              dnsDomainName: 'idl.local',
            }
          : sid.endsWith('-519')
            ? {
                samAccountName: 'Enterprise Admins',
                type: 'UniversalGroup',
                netbiosDomainName: 'IDL',
                dnsDomainName: 'idl.local',
              }
            : undefined,
    });
    expect(groups.map((g) => [g.sid, g.samAccountName, g.type, g.upn, g.fromDacl])).toEqual([
      ['S-1-5-21-9-9-9-1000', null, 'Unknown', null, false],
      [null, 'Administrators', 'Unknown', null, false],
      [`${domain}-519`, 'Enterprise Admins', 'UniversalGroup', 'Enterprise Admins@idl.local', true],
      [`${domain}-512`, 'Domain Admins', 'GlobalGroup', 'Domain Admins@idl.local', true],
    ]);
    expect(wellKnownSidName('s-1-5-20')).toBe('NETWORK SERVICE');
  });
});

// Moved with the GPMC descriptor code from @coffer/active-directory (its sidsInDacl duplicated daclTrusteeSids).
describe('DACL trustees of a descriptor from SDDL', () => {
  it('lists DACL trustees in ACE order, ignoring the SACL and owner; FromDACL keeps the domain ones', () => {
    const sd = serializeSecurityDescriptor(
      parseSddl(
        'O:BAD:(A;;GA;;;SY)(A;;GR;;;S-1-5-21-1-2-3-1105)(D;;GA;;;SY)(OA;;CR;edacfd8f-ffb3-11d1-b41d-00a0c968f939;;AU)(A;;GR;;;S-1-5-21-1-2-3-512)S:(AU;SA;GA;;;S-1-5-21-9-9-9-500)',
      ),
    );
    expect(daclTrusteeSids(sd)).toEqual([
      'S-1-5-18',
      'S-1-5-21-1-2-3-1105',
      'S-1-5-18',
      'S-1-5-11',
      'S-1-5-21-1-2-3-512',
    ]);
    expect(daclPrincipalSidsInGpmcOrder(sd).sort()).toEqual(['S-1-5-21-1-2-3-1105', 'S-1-5-21-1-2-3-512']);
  });

  it('is empty without a DACL', () => {
    expect(daclTrusteeSids(serializeSecurityDescriptor(parseSddl('O:BA')))).toEqual([]);
    expect(daclTrusteeSids(serializeSecurityDescriptor(parseSddl('D:NO_ACCESS_CONTROL')))).toEqual([]);
  });
});
