import { describe, expect, it } from 'vitest';
import {
  backupInstOf,
  backupVersionNumbers,
  cdata,
  formatBackupTime,
  joinGpoVersion,
  parseBackupXml,
  parseBkupInfoXml,
  parseGpReportXml,
  parseManifestXml,
  renderBackupXml,
  renderBkupInfoXml,
  renderGpReportXml,
  renderManifestXml,
  splitGpoVersion,
  unpackBackupSideVersion,
  type BackupInst,
} from '../src/index.js';
import { sampleModel } from './fixtures.js';

describe('versions', () => {
  it('packs Backup.xml sides as (SYSVOL << 16) | AD, taking each side from both packed numbers', () => {
    // AD: user 3, machine 2; GPT.INI: user 5, machine 7.
    expect(
      backupVersionNumbers(joinGpoVersion({ user: 3, machine: 2 }), joinGpoVersion({ user: 5, machine: 7 })),
    ).toEqual({
      user: (5 << 16) | 3,
      machine: (7 << 16) | 2,
    });
    expect(splitGpoVersion(0xffff0001)).toEqual({ user: 0xffff, machine: 1 });
    expect(unpackBackupSideVersion(458759)).toEqual({ sysvol: 7, ad: 7 });
  });
});

describe('CDATA', () => {
  it('splits a section around ]]> so readers get the text back', () => {
    expect(cdata('a]]>b')).toBe('<![CDATA[a]]]]><![CDATA[>b]]>');
    const model = sampleModel({ displayName: 'x]]>y]]>', comment: 'c]]>' });
    expect(parseBackupXml(renderBackupXml(model)).core.displayName).toBe('x]]>y]]>');
    const inst = parseBkupInfoXml(renderBkupInfoXml(model));
    expect(inst.gpoDisplayName).toBe('x]]>y]]>');
    expect(inst.comment).toBe('c]]>');
  });
});

describe('Backup.xml', () => {
  it("round-trips the core settings and keeps GPMC's line layout", () => {
    const model = sampleModel({
      flags: 3,
      machineExtensionNames: '[{35378EAC-683F-11D2-A89A-00C04FBBCFA2}{D02B1F72-3407-48AE-BA88-E8213C6761F1}]',
      wmiFilter: { domain: 'corp.example.test', id: '{12345678-90AB-CDEF-1234-567890ABCDEF}', name: 'Win11 & later' },
      filePaths: ['\\\\files\\home'],
      securityGroups: [
        {
          sid: null,
          samAccountName: 'Administrators',
          type: 'Unknown',
          netbiosDomainName: null,
          dnsDomainName: null,
          upn: null,
          fromDacl: false,
        },
        {
          sid: 'S-1-5-21-1-2-3-512',
          samAccountName: 'Domain Admins',
          type: 'GlobalGroup',
          netbiosDomainName: 'CORP',
          dnsDomainName: 'corp.example.test',
          upn: 'Domain Admins@corp.example.test',
          fromDacl: true,
        },
      ],
    });
    const bytes = renderBackupXml(model);
    const text = bytes.toString('utf8');
    expect(text.startsWith('<?xml version="1.0" encoding="utf-8"?><!-- Copyright')).toBe(true);
    expect(text.endsWith('</GroupPolicyObject>\r\n</GroupPolicyBackupScheme>')).toBe(true);
    expect(text.split('\r\n')).toHaveLength(2 + 5 + 9 + 2);
    expect(text).not.toMatch(/[^\r]\n/);
    expect(text).toContain(
      '<WMIFilter><![CDATA[MSFT_SomFilter.ID="{12345678-90AB-CDEF-1234-567890ABCDEF}",Domain="corp.example.test"]]></WMIFilter><WMIFilterName><![CDATA[Win11 & later]]></WMIFilterName>',
    );
    expect(text).toContain('<FilePaths><Path><![CDATA[\\\\files\\home]]></Path></FilePaths>');
    expect(text).toContain(
      '<Group><Sid/><SamAccountName><![CDATA[Administrators]]></SamAccountName><Type><![CDATA[Unknown]]></Type><NetBIOSDomainName/><DnsDomainName/><UPN/></Group><Group bkp:Source="FromDACL">',
    );
    expect(text).toContain('<UserExtensionGuids/>');
    expect(text).toContain(
      '<GroupPolicyExtension bkp:ID="{F15C46CD-82A0-4C2D-A210-5D0D3182A418}" bkp:DescName="Unknown Extension"/></GroupPolicyObject>',
    );

    const parsed = parseBackupXml(bytes);
    expect(parsed.version).toBe('2.0');
    expect(parsed.securityGroups).toEqual(model.securityGroups);
    expect(parsed.filePaths).toEqual(model.filePaths);
    expect(parsed.core).toMatchObject({
      id: model.gpoId,
      domain: model.domain,
      displayName: model.displayName,
      options: 3,
      userVersionNumber: (3 << 16) | 3,
      machineVersionNumber: (2 << 16) | 2,
      machineExtensionNames: model.machineExtensionNames,
      userExtensionNames: '',
      wmiFilterLink: model.wmiFilter,
    });
    expect(new Uint8Array(parsed.core.securityDescriptor)).toEqual(model.securityDescriptor);
  });

  it('writes empty SecurityGroups self-closing and refuses impossible flags', () => {
    expect(renderBackupXml(sampleModel()).toString()).toContain('<GroupPolicyObject><SecurityGroups/><FilePaths/>');
    expect(() => renderBackupXml(sampleModel({ flags: 4 }))).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });
});

describe('bkupInfo.xml', () => {
  it('is one line in the manifest namespace ending in CRLF, every value in CDATA', () => {
    const text = renderBkupInfoXml(sampleModel()).toString('utf8');
    expect(text).toBe(
      '<BackupInst xmlns="http://www.microsoft.com/GroupPolicy/GPOOperations/Manifest">' +
        '<GPOGuid><![CDATA[{AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE}]]></GPOGuid><GPODomain><![CDATA[corp.example.test]]></GPODomain>' +
        '<GPODomainGuid><![CDATA[{0a0b0c0d-1111-2222-3333-444455556666}]]></GPODomainGuid><GPODomainController><![CDATA[dc1.corp.example.test]]></GPODomainController>' +
        '<BackupTime><![CDATA[2024-03-05T06:07:08]]></BackupTime><ID><![CDATA[{11111111-2222-3333-4444-555555555555}]]></ID>' +
        '<Comment><![CDATA[]]></Comment><GPODisplayName><![CDATA[Sample GPO]]></GPODisplayName></BackupInst>\r\n',
    );
    expect(formatBackupTime(new Date('2024-12-31T23:59:59.999Z'))).toBe('2024-12-31T23:59:59');
  });
});

describe('manifest.xml', () => {
  const first = backupInstOf(sampleModel());
  const second: BackupInst = { ...first, id: '{99999999-2222-3333-4444-555555555555}', gpoDisplayName: 'Second' };

  it("starts a new manifest as GPMC's single line and skips an ID given twice", () => {
    const text = renderManifestXml(null, [first, { ...first, id: first.id.toLowerCase() }]).toString('utf8');
    expect(
      text.startsWith(
        '<Backups xmlns="http://www.microsoft.com/GroupPolicy/GPOOperations/Manifest" xmlns:mfst="http://www.microsoft.com/GroupPolicy/GPOOperations/Manifest" mfst:version="1.0"><BackupInst><GPOGuid>',
      ),
    ).toBe(true);
    expect(text.endsWith('</BackupInst></Backups>')).toBe(true);
    expect(parseManifestXml(text).backups).toHaveLength(1);
  });

  it('adds to a CRLF-formatted manifest without touching its other bytes', () => {
    const existing = Buffer.from(
      `<?xml version="1.0"?>\r\n<Backups xmlns="http://www.microsoft.com/GroupPolicy/GPOOperations/Manifest" xmlns:mfst="http://www.microsoft.com/GroupPolicy/GPOOperations/Manifest" mfst:version="1.0">\r\n  <BackupInst><GPOGuid><![CDATA[{AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE}]]></GPOGuid><ID><![CDATA[${first.id}]]></ID><Future>kept</Future></BackupInst>\r\n</Backups>\r\n`,
    );
    const updated = renderManifestXml(existing, [second]).toString('utf8');
    const parsed = parseManifestXml(updated);
    expect(parsed.backups.map((inst) => inst.id)).toEqual([first.id, second.id]);
    expect(parsed.backups[0]!.extraElements).toEqual([{ name: 'Future', text: 'kept' }]);
    expect(updated.endsWith('</BackupInst></Backups>\r\n')).toBe(true);
    expect(updated.startsWith(existing.toString('utf8').slice(0, existing.indexOf('</Backups>')))).toBe(true);
    expect(renderManifestXml(Buffer.from(updated), [first, second]).toString('utf8')).toBe(updated);
  });

  it('opens a self-closing <Backups/> and rejects a file that is not a manifest', () => {
    const updated = renderManifestXml(
      Buffer.from('<Backups xmlns="http://www.microsoft.com/GroupPolicy/GPOOperations/Manifest"/>'),
      [first],
    );
    expect(parseManifestXml(updated).backups.map((inst) => inst.id)).toEqual([first.id]);
    expect(() => renderManifestXml(Buffer.from('<Other/>'), [first])).toThrow(
      expect.objectContaining({ code: 'GPMC_FILE_MALFORMED' }),
    );
    expect(() => renderManifestXml(Buffer.from('<Backups><BackupInst>'), [first])).toThrow(
      expect.objectContaining({ code: 'GPMC_FILE_MALFORMED' }),
    );
  });

  it('adds before the root end tag, not into a comment after it, keeping every other byte (even invalid UTF-8)', () => {
    const head = Buffer.from(`<Backups xmlns="${'http://www.microsoft.com/GroupPolicy/GPOOperations/Manifest'}">`);
    const listed = Buffer.from(`<BackupInst><ID><![CDATA[${first.id}]]></ID><Comment><![CDATA[`);
    // 0xC3 alone is not UTF-8: a reader decodes it as U+FFFD, and the old maintainer wrote that back instead.
    const odd = Buffer.from([0xc3, 0x28]);
    const rest = Buffer.from(']]></Comment></BackupInst></Backups>\r\n<!-- </Backups> -->\r\n');
    const existing = Buffer.concat([head, listed, odd, rest]);
    const updated = renderManifestXml(existing, [second]);
    const close = existing.indexOf('</Backups>');
    expect(updated.subarray(0, close).equals(existing.subarray(0, close))).toBe(true);
    expect(updated.subarray(updated.length - (existing.length - close)).equals(existing.subarray(close))).toBe(true);
    expect(parseManifestXml(updated).backups.map((inst) => inst.id)).toEqual([first.id, second.id]);
  });

  it('adds to a UTF-16 manifest in UTF-16, and refuses a DOCTYPE or an index over its bound', () => {
    const text = `<Backups><BackupInst><ID><![CDATA[${first.id}]]></ID></BackupInst></Backups>`;
    const existing = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const updated = renderManifestXml(existing, [second]);
    expect(updated.subarray(0, 2).equals(Buffer.from([0xff, 0xfe]))).toBe(true);
    expect(parseManifestXml(updated).backups.map((inst) => inst.id)).toEqual([first.id, second.id]);
    expect(() => renderManifestXml(Buffer.from(`<!DOCTYPE x [<!ENTITY e "e">]>${text}`), [second])).toThrow(
      expect.objectContaining({ code: 'XML_DOCTYPE_REFUSED' }),
    );
    expect(() =>
      renderManifestXml(Buffer.from(text.replace('</Backups>', `<X>${'y'.repeat(17 * 1024 * 1024)}</X></Backups>`)), [
        second,
      ]),
    ).toThrow(expect.objectContaining({ code: 'BACKUP_FILE_TOO_LARGE' }));
  });
});

describe('gpreport.xml', () => {
  it('renders identity, versions per side, enabled state, WMI filter and links, in UTF-16LE with BOM', () => {
    const model = sampleModel({
      flags: 2,
      displayName: 'R&D <lab>',
      versionNumber: joinGpoVersion({ user: 4, machine: 9 }),
      gptIniVersion: joinGpoVersion({ user: 4, machine: 8 }),
      wmiFilter: { domain: 'corp.example.test', id: '{12345678-90AB-CDEF-1234-567890ABCDEF}', name: 'Laptops' },
    });
    const bytes = renderGpReportXml(model, {
      createdTime: new Date('2024-01-02T03:04:05Z'),
      modifiedTime: new Date('2024-02-03T04:05:06Z'),
      readTime: new Date('2024-03-05T06:07:08.123Z'),
      sddl: 'O:DAG:DAD:PAI(A;;RC;;;AU)',
      wmiFilterDescription: 'Portable machines',
      links: [
        { somName: 'corp', somPath: 'corp.example.test', enabled: true, noOverride: false },
        { somName: 'Labs', somPath: 'corp.example.test/Labs', enabled: false, noOverride: true },
      ],
    });
    expect([...bytes.subarray(0, 2)]).toEqual([0xff, 0xfe]);
    const text = bytes.subarray(2).toString('utf16le');
    expect(text).toContain('<ReadTime>2024-03-05T06:07:08.1230000Z</ReadTime>');
    expect(text).toContain('<Name>R&amp;D &lt;lab&gt;</Name>');
    expect(text).toContain(
      '<FilterDataAvailable>true</FilterDataAvailable>\r\n  <FilterName>Laptops</FilterName>\r\n  <FilterDescription>Portable machines</FilterDescription>\r\n  <Computer>',
    );
    expect(text.endsWith('  </LinksTo>\r\n</GPO>')).toBe(true);
    const parsed = parseGpReportXml(bytes);
    expect(parsed).toMatchObject({
      gpoId: model.gpoId,
      domain: model.domain,
      name: 'R&D <lab>',
      createdTime: '2024-01-02T03:04:05',
      sddl: 'O:DAG:DAD:PAI(A;;RC;;;AU)',
      filterName: 'Laptops',
      computer: { versionDirectory: 9, versionSysvol: 8, enabled: false },
      user: { versionDirectory: 4, versionSysvol: 4, enabled: true },
      links: [
        { somName: 'corp', somPath: 'corp.example.test', enabled: true, noOverride: false },
        { somName: 'Labs', somPath: 'corp.example.test/Labs', enabled: false, noOverride: true },
      ],
    });
  });
});
