import { CofferError } from '@coffer/core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeCorpus } from '@coffer/test-support';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  domainSidOf,
  encodeAcl,
  lookupWellKnownDomainRid,
  parseSddl,
  parseSecurityDescriptor,
  serializeSecurityDescriptor,
  splitSddl,
  toSddl,
  withCanonicalLayout,
} from '@coffer/active-directory';
import { corpusDir } from '@coffer/test-support';
import {
  daclPrincipalSidsInGpmcOrder,
  daclTrusteeSids,
  formatGpmcHex,
  parseGpmcHex,
  toGpmcDaclOnlyDescriptor,
} from '../src/index.js';
import { loadCorpusBackups, type CorpusBackup } from './descriptor-corpus-backups.js';

/** The gpo-studio backup's descriptor was replaced upstream (SOURCES.md); it is tested separately. */
const SANITISED_SET = 'gpostudio-mixedcse';

/**
 * Whether the machine that wrote each gpreport.xml knew the forest root domain: only then does
 * Windows print Enterprise Admins (-519) as EA. The reports themselves are the evidence: nsa-emet
 * prints EA, the others print the -519 SID in full next to DA from the very same domain.
 */
const REPORT_KNEW_FOREST_ROOT: Record<string, boolean> = {
  'nsa-emet': true,
  'nsa-win10-computer': false,
  'nsa-win10-user': false,
  'disa-win10-user': false,
};

function domainOf(descriptor: Uint8Array): string {
  const domainAdmins = daclTrusteeSids(descriptor).find((sid) => lookupWellKnownDomainRid(sid)?.rid === 512);
  if (!domainAdmins) throw new Error('no Domain Admins ACE in the corpus DACL');
  return domainSidOf(domainAdmins)!;
}

// Real GPMC output is the reference: the corpus tier. The corpus is read in beforeAll, never while collecting.
describeCorpus('GPMC Backup.xml security descriptors', () => {
  let backups: CorpusBackup[] = [];
  let realBackups: CorpusBackup[] = [];
  beforeAll(() => {
    backups = loadCorpusBackups();
    realBackups = backups.filter((b) => b.set !== SANITISED_SET);
  });

  it('finds every corpus backup, the sanitised one included', () => {
    expect(backups.map((b) => b.set).sort()).toEqual([
      'disa-win10-user',
      'gpostudio-mixedcse',
      'nsa-emet',
      'nsa-win10-computer',
      'nsa-win10-user',
    ]);
    expect(Object.keys(REPORT_KNEW_FOREST_ROOT).sort()).toEqual(realBackups.map((b) => b.set).sort());
  });

  describe.each(Object.keys(REPORT_KNEW_FOREST_ROOT))('%s', (set) => {
    let backup: CorpusBackup;
    let bytes: Uint8Array;
    let sd: ReturnType<typeof parseSecurityDescriptor>;
    let domainSid: string;
    let context: { domainSid: string; rootDomainSid?: string };
    beforeAll(() => {
      backup = backups.find((b) => b.set === set)!;
      bytes = parseGpmcHex(backup.descriptorHex);
      sd = parseSecurityDescriptor(bytes);
      domainSid = domainOf(bytes);
      context = REPORT_KNEW_FOREST_ROOT[set] ? { domainSid, rootDomainSid: domainSid } : { domainSid };
    });

    it('re-serializes byte for byte, and formats to the same hex text', () => {
      expect(Buffer.from(serializeSecurityDescriptor(sd)).equals(Buffer.from(bytes))).toBe(true);
      expect(formatGpmcHex(serializeSecurityDescriptor(sd))).toBe(backup.descriptorHex);
    });

    it('has the DACL-only shape GPMC writes', () => {
      expect(backup.descriptorHex.startsWith('01 00 04 9c 00 00 00 00 00 00 00 00 00 00 00 00 14 00 00 00')).toBe(true);
      expect(sd.owner).toBeUndefined();
      expect(sd.group).toBeUndefined();
      expect(sd.sacl).toBeUndefined();
      expect(sd.control).toMatchObject({
        selfRelative: true,
        daclPresent: true,
        daclProtected: true,
        daclAutoInherited: true,
        saclPresent: false,
        saclAutoInherited: true,
      });
      expect(formatGpmcHex(toGpmcDaclOnlyDescriptor(bytes))).toBe(backup.descriptorHex);
    });

    it("renders the DACL exactly as the same backup's gpreport.xml SDDL", () => {
      const report = splitSddl(backup.reportSddl);
      expect(toSddl(sd, context)).toBe(`D:${report.dacl}`);
    });

    it('only aliases Enterprise Admins when the forest root is known, as the reports show', () => {
      const other = REPORT_KNEW_FOREST_ROOT[set] ? { domainSid } : { domainSid, rootDomainSid: domainSid };
      const rendered = toSddl(sd, other);
      expect(rendered).not.toBe(toSddl(sd, context));
      expect(rendered.replace(`${domainSid}-519`, 'EA')).toBe(toSddl(sd, { domainSid, rootDomainSid: domainSid }));
    });

    it("parses the report's full SDDL back to the very DACL bytes of Backup.xml", () => {
      const fromReport = parseSddl(backup.reportSddl, context);
      const daclOffset = bytes[16]! | (bytes[17]! << 8);
      expect(Buffer.from(encodeAcl(fromReport.dacl!)).equals(Buffer.from(bytes.subarray(daclOffset)))).toBe(true);
      expect(toSddl(fromReport, context)).toBe(backup.reportSddl);
    });

    it("turns the report's full descriptor (owner, group, SACL) into GPMC's exact DACL-only bytes", () => {
      const full = parseSddl(backup.reportSddl, context);
      expect(full.owner).toBe(`${domainSid}-512`);
      expect(full.sacl?.aces).toHaveLength(3);
      const binary = serializeSecurityDescriptor(full);
      expect(formatGpmcHex(toGpmcDaclOnlyDescriptor(binary))).toBe(backup.descriptorHex);
      expect(formatGpmcHex(toGpmcDaclOnlyDescriptor(withCanonicalLayout(parseSecurityDescriptor(binary))))).toBe(
        backup.descriptorHex,
      );
    });

    it('lists the DACL principals GPMC records as FromDACL groups', () => {
      expect([...new Set(daclTrusteeSids(bytes))]).toEqual([
        'S-1-5-11',
        `${domainSid}-512`,
        `${domainSid}-519`,
        'S-1-5-9',
        'S-1-5-18',
        'S-1-3-0',
      ]);
      // GPMC's own list, in GPMC's order (EA first, though DA comes first in the DACL).
      expect(daclPrincipalSidsInGpmcOrder(bytes)).toEqual(backup.fromDaclSids);
    });
  });

  describe('gpostudio-mixedcse (descriptor sanitised upstream)', () => {
    let backup: CorpusBackup;
    beforeAll(() => {
      backup = backups.find((b) => b.set === SANITISED_SET)!;
    });

    it('is documented as sanitised in SOURCES.md', () => {
      const sources = readFileSync(join(corpusDir(), 'SOURCES.md'), 'utf8');
      expect(sources).toMatch(/gpostudio-mixedcse[^\n]*security descriptor were sanitised upstream/);
    });

    it('has an 8-byte stub instead of a descriptor, which is rejected with a clear error', () => {
      expect(backup.descriptorHex).toBe('01 00 04 80 00 00 00 00');
      const bytes = parseGpmcHex(backup.descriptorHex);
      let caught: unknown;
      try {
        parseSecurityDescriptor(bytes);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(CofferError);
      expect((caught as CofferError).code).toBe('INVALID_SECURITY_DESCRIPTOR');
      expect((caught as CofferError).hresult).toBe(0x8007053a);
      expect((caught as CofferError).message).toMatch(/20-byte header; got 8 bytes/);
    });

    it("still has a report SDDL that parses and renders back (its SIDs' zero padding aside)", () => {
      const domainSid = 'S-1-5-21-0-0-0';
      const sd = parseSddl(backup.reportSddl, { domainSid });
      expect(toSddl(sd, { domainSid })).toBe(
        backup.reportSddl.replace(/S-1-5-21-0000000000-0000000000-0000000000-/g, 'S-1-5-21-0-0-0-'),
      );
      // Same DACL shape as the real backups: GPMC's default GPO permissions.
      const reference = realBackups.find((b) => b.set === 'nsa-win10-user')!;
      const referenceDomain = domainOf(parseGpmcHex(reference.descriptorHex));
      expect(splitSddl(toSddl(sd, { domainSid })).dacl!.replaceAll(domainSid, 'DOMAIN')).toBe(
        splitSddl(reference.reportSddl).dacl!.replaceAll(referenceDomain, 'DOMAIN'),
      );
    });
  });
});
