import { describe, expect, test } from 'vitest';
import { formatGpLink, linkOrderOf, parseGpLink } from '../../src/ad/gplink.js';
import { formatGptIni, parseGptIni } from '../../src/ad/gpt-ini.js';
import { formatWmiQueries, parseGpcWqlFilter, parseWmiQueries } from '../../src/ad/wmi-filter.js';
import { selectGpos } from '../../src/select/select-gpos.js';

describe('gPLink', () => {
  test('parses every link with its options, GPO id and any DN case, and formats back', () => {
    const value =
      '[LDAP://cn={31B2F340-016D-11D2-945F-00C04FB984F9},cn=policies,cn=system,DC=corp,DC=example;0]' +
      '[LDAP://CN={6AC1786C-016F-11D2-945F-00C04fB984F9},CN=Policies,CN=System,DC=corp,DC=example;2]' +
      '[LDAP://cn={0a1b2c3d-1111-2222-3333-444455556666},cn=policies,cn=system,DC=corp,DC=example;3]';
    const links = parseGpLink(value);
    expect(links.map((l) => [l.gpoId, l.enabled, l.enforced])).toEqual([
      ['{31B2F340-016D-11D2-945F-00C04FB984F9}', true, false],
      ['{6AC1786C-016F-11D2-945F-00C04FB984F9}', true, true],
      ['{0A1B2C3D-1111-2222-3333-444455556666}', false, true],
    ]);
    expect(formatGpLink(links)).toBe(value);
    expect(parseGpLink('')).toEqual([]);
    expect(parseGpLink(' ')).toEqual([]);
    expect([0, 1, 2].map((i) => linkOrderOf(i, 3))).toEqual([3, 2, 1]);
  });
});

describe('WMI filters', () => {
  test('gPCWQLFilter parses domain, id and flags; anything else is no filter', () => {
    expect(parseGpcWqlFilter('[corp.example;{A1B2C3D4-0000-1111-2222-333344445555};0]')).toEqual({
      domain: 'corp.example',
      id: '{A1B2C3D4-0000-1111-2222-333344445555}',
      flags: 0,
    });
    expect(parseGpcWqlFilter(undefined)).toBeNull();
    expect(parseGpcWqlFilter('garbage')).toBeNull();
  });

  test('msWMI-Parm2 is split by lengths, so queries may contain semicolons', () => {
    const queries = [
      {
        language: 'WQL',
        namespace: 'root\\CIMv2',
        query: 'SELECT * FROM Win32_OperatingSystem WHERE Version LIKE "10.%"',
      },
      { language: 'WQL', namespace: 'root\\CIMv2', query: "SELECT * FROM Win32_ComputerSystem WHERE Name = 'A;B'" },
    ];
    const parm2 = formatWmiQueries(queries);
    expect(parm2.startsWith('2;3;10;61;WQL;root\\CIMv2;SELECT')).toBe(true);
    expect(parseWmiQueries(parm2)).toEqual(queries);
    expect(() => parseWmiQueries('1;3;10;99;WQL;root\\CIMv2;short;')).toThrow(/length mismatch/);
  });
});

describe('GPT.INI', () => {
  test('reads the packed version, with CRLF or LF and any key case', () => {
    expect(parseGptIni('[General]\r\nVersion=65539\r\ndisplayName=New Group Policy Object\r\n')).toEqual({
      version: 65539,
      displayName: 'New Group Policy Object',
    });
    expect(parseGptIni('[general]\nversion = 7\n').version).toBe(7);
    expect(parseGptIni('').version).toBe(0);
    expect(parseGptIni(formatGptIni({ version: 131074 })).version).toBe(131074);
  });
});

describe('selecting GPOs', () => {
  const gpos = [
    { id: '{31B2F340-016D-11D2-945F-00C04FB984F9}', displayName: 'Default Domain Policy' },
    { id: '{AAAAAAAA-0000-0000-0000-000000000001}', displayName: 'Räume – 東京 ✓' },
    { id: '{AAAAAAAA-0000-0000-0000-000000000002}', displayName: 'Twin' },
    { id: '{AAAAAAAA-0000-0000-0000-000000000003}', displayName: 'twin' },
  ];
  test('by GUID with or without braces, or by display name in any case', () => {
    expect(
      selectGpos(gpos, ['31b2f340-016d-11d2-945f-00c04fb984f9', 'räume – 東京 ✓']).map((g) => g.displayName),
    ).toEqual(['Default Domain Policy', 'Räume – 東京 ✓']);
    expect(
      selectGpos(gpos, ['{AAAAAAAA-0000-0000-0000-000000000002}', 'Default Domain Policy', 'DEFAULT DOMAIN POLICY']),
    ).toHaveLength(2);
  });
  test('unknown and ambiguous names are errors naming them', () => {
    expect(() => selectGpos(gpos, ['Nope'])).toThrow(/No GPO named or with the GUID "Nope"/);
    expect(() => selectGpos(gpos, ['TWIN'])).toThrow(
      /2 GPOs in the domain are named "TWIN": \{AAAAAAAA-0000-0000-0000-000000000002\}, \{AAAAAAAA-0000-0000-0000-000000000003\}/,
    );
  });
});
