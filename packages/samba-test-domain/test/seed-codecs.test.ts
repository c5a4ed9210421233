import { describe, expect, it } from 'vitest';
import { parseLdif, renderLdif } from '../src/seed/ldif.js';
import { encodeRegistryPol, REG_DWORD, REG_SZ } from '../src/seed/content/registry-pol.js';
import { encodeWmiParm2, gpLinkEntry, securityFilteredSddl } from '../src/seed/seed-plan.js';
import { conflictingHostsLines } from '../src/system/hosts-file.js';
import { renderStarterGpoTmplx } from '../src/seed/starter-gpo-files.js';

describe('seed codecs', () => {
  it('LDIF: Unicode and ]]> values go base64 and parse back', () => {
    const text = renderLdif([
      {
        dn: 'CN={A},CN=Policies,DC=x',
        attributes: [
          ['displayName', 'Räume – 東京 ✓'],
          ['description', 'a ]]> b'],
          ['flags', '3'],
        ],
      },
    ]);
    expect(text).toContain('displayName:: ');
    expect(text).toContain('flags: 3');
    const [record] = parseLdif(`# record 1\n${text.replace('description: a ]]> b', 'description: a ]]>\n  b')}`);
    expect(record?.attributes.get('displayname')).toEqual(['Räume – 東京 ✓']);
    expect(record?.attributes.get('description')).toEqual(['a ]]> b']);
  });

  it('registry.pol: PReg header and UTF-16LE [key;value;type;size;data]', () => {
    const pol = encodeRegistryPol([{ key: 'K', valueName: 'V', type: REG_DWORD, data: 258 }]);
    expect(pol.subarray(0, 8)).toEqual(Buffer.from([0x50, 0x52, 0x65, 0x67, 1, 0, 0, 0]));
    const expected = Buffer.concat([
      Buffer.from('[K\0;V\0;', 'utf16le'),
      Buffer.from([4, 0, 0, 0]),
      Buffer.from(';', 'utf16le'),
      Buffer.from([4, 0, 0, 0]),
      Buffer.from(';', 'utf16le'),
      Buffer.from([2, 1, 0, 0]),
      Buffer.from(']', 'utf16le'),
    ]);
    expect(pol.subarray(8)).toEqual(expected);
    const sz = encodeRegistryPol([{ key: 'K', valueName: 'V', type: REG_SZ, data: 'ü' }]);
    expect(sz.includes(Buffer.from('ü\0', 'utf16le'))).toBe(true);
  });

  it('msWMI-Parm2 and gPLink entries have the documented shapes', () => {
    expect(encodeWmiParm2([{ namespace: 'root\\CIMv2', query: 'SELECT * FROM A' }])).toBe(
      '1;3;10;15;WQL;root\\CIMv2;SELECT * FROM A;',
    );
    expect(gpLinkEntry('{G}', 'DC=x,DC=y', 2)).toBe('[LDAP://cn={G},cn=policies,cn=system,DC=x,DC=y;2]');
  });

  it('security filtering SDDL drops Authenticated Users apply, grants and denies', () => {
    const sddl = securityFilteredSddl('S-1-5-21-1-2-3-1100', 'S-1-5-21-1-2-3-1101');
    expect(sddl).not.toMatch(/\(OA;CI;CR;edacfd8f-ffb3-11d1-b41d-00a0c968f939;;AU\)/);
    expect(sddl).toContain('(OA;CI;CR;edacfd8f-ffb3-11d1-b41d-00a0c968f939;;S-1-5-21-1-2-3-1100)');
    expect(sddl.indexOf('(OD;CI;CR;edacfd8f-ffb3-11d1-b41d-00a0c968f939;;S-1-5-21-1-2-3-1101)')).toBe(
      sddl.indexOf('D:P') + 3,
    );
  });

  it('hosts lines of another DC with the same name are conflicts, ours are not', () => {
    const content = '127.0.0.1 localhost\n127.0.0.20 dc1.coffer.test # coffer-samba-test-domain /tmp/a\n';
    expect(conflictingHostsLines(content, ['dc1.coffer.test'], '/tmp/b')).toHaveLength(1);
    expect(conflictingHostsLines(content, ['dc1.coffer.test'], '/tmp/a')).toHaveLength(0);
    expect(conflictingHostsLines(content, ['dc1.other.test'], '/tmp/b')).toHaveLength(0);
  });

  it('StarterGPO.tmplx escapes its values', () => {
    const xml = renderStarterGpoTmplx({
      guid: '{G}',
      displayName: 'A & <B> ]]>',
      description: '',
      author: '',
      product: '',
      type: 1,
      computerVersion: 1,
      userVersion: 2,
      starterGpoVersion: '1.0',
      creationTime: 't',
      modifiedTime: 't',
    });
    expect(xml).toContain('<DisplayName>A &amp; &lt;B&gt; ]]&gt;</DisplayName>');
    expect(xml).toContain('<Type>1</Type>');
  });
});
