import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  backupInstOf,
  parseBackupXml,
  parseGpReportXml,
  parseManifestXml,
  renderBackupXml,
  renderBkupInfoXml,
  renderGpReportXml,
  renderManifestXml,
  type GpoBackupModel,
  type ReportFacts,
} from '../src/index.js';
import { describeCorpus } from '@coffer/test-support';
import { CORPUS_BACKUPS, corpusModel, emptyFoldersLostByGit, read, type CorpusBackup } from './corpus.js';

/** GPMC writes CRLF; two public sources normalised it to LF, so only those are compared with LF. */
function asCorpusWrites(backup: CorpusBackup, ours: Buffer): Buffer {
  return backup.lfNormalised ? Buffer.from(ours.toString('utf8').replaceAll('\r\n', '\n'), 'utf8') : ours;
}

// Real GPMC output is the reference here: the whole file is the corpus tier.
describeCorpus('the GPMC writers against real GPMC backups', () => {
  describe.each(CORPUS_BACKUPS)('GPMC writer against the real backup $name', (backup) => {
    let model: GpoBackupModel;
    beforeAll(() => {
      model = corpusModel(backup);
    });

    it('the corpus copy keeps the line endings its source is documented with', () => {
      const original = read(backup, 'Backup.xml');
      expect(original.includes(0x0d)).toBe(!backup.lfNormalised);
    });

    it('reproduces Backup.xml byte for byte', () => {
      const ours = asCorpusWrites(backup, renderBackupXml(model));
      const theirs = read(backup, 'Backup.xml');
      expect(ours.toString('utf8')).toBe(theirs.toString('utf8'));
      expect(ours.equals(theirs)).toBe(true);
    });

    it('reproduces bkupInfo.xml byte for byte', () => {
      const ours = asCorpusWrites(backup, renderBkupInfoXml(model));
      expect(ours.equals(read(backup, 'bkupInfo.xml'))).toBe(true);
    });

    it('derives SecurityGroups from GptTmpl.inf and the DACL, in GPMC order', () => {
      const expected = parseBackupXml(read(backup, 'Backup.xml')).securityGroups;
      expect(model.securityGroups).toEqual(expected);
    });

    it('only adds back folders git could not keep (empty ones)', () => {
      for (const folder of emptyFoldersLostByGit(backup)) {
        expect(existsSync(join(backup.folder, 'DomainSysvol', 'GPO', folder.path))).toBe(false);
      }
    });

    it("renders gpreport.xml whose skeleton equals Windows' report, and whole when given the settings", () => {
      const original = read(backup, 'gpreport.xml');
      const text = original.subarray(2).toString('utf16le');
      const report = parseGpReportXml(original);
      const extensionBlocks = (side: 'Computer' | 'User'): string | undefined => {
        const body = new RegExp(
          `\\r\\n  <${side}>\\r\\n[\\s\\S]*?(\\r\\n    <ExtensionData>[\\s\\S]*?</ExtensionData>)?\\r\\n  </${side}>`,
        ).exec(text);
        return body?.[1]?.slice(2);
      };
      const trusteeBlocks = [...text.matchAll(/<TrusteePermissions>[\s\S]*?<\/TrusteePermissions>/g)].map((m) => m[0]);
      const facts: ReportFacts = {
        createdTime: new Date(`${report.createdTime}Z`),
        modifiedTime: new Date(`${report.modifiedTime}Z`),
        readTime: report.readTime,
        sddl: report.sddl,
        ...(report.owner === null ? {} : { owner: report.owner }),
        ...(report.group === null ? {} : { group: report.group }),
        permissions: {
          inheritsFromParent: /<InheritsFromParent>true</.test(text),
          trustees: trusteeBlocks.map((block, i) => {
            const flag = (name: string) => new RegExp(`<${name}>true</${name}>`).test(block);
            const trustee = report.trustees[i]!;
            return {
              trustee: { sid: trustee.sid, name: trustee.name },
              type: trustee.type as 'Allow' | 'Deny',
              inherited: flag('Inherited'),
              applicability: {
                toSelf: flag('ToSelf'),
                toDescendantObjects: flag('ToDescendantObjects'),
                toDescendantContainers: flag('ToDescendantContainers'),
                toDirectDescendantsOnly: flag('ToDirectDescendantsOnly'),
              },
              standard: trustee.standard,
              accessMask: Number(/<AccessMask>(\d+)</.exec(block)![1]),
            };
          }),
        },
        links: report.links,
      };

      const skeleton = renderGpReportXml(model, facts);
      expect(skeleton.subarray(0, 2).equals(Buffer.from([0xff, 0xfe]))).toBe(true);
      const withoutSettings = text.replace(/\r\n {4}<ExtensionData>[\s\S]*?\r\n {4}<\/ExtensionData>/g, '');
      expect(skeleton.subarray(2).toString('utf16le')).toBe(withoutSettings);

      const parsedOurs = parseGpReportXml(skeleton);
      expect({
        ...parsedOurs,
        computer: { ...parsedOurs.computer, extensionNames: [] },
        user: { ...parsedOurs.user, extensionNames: [] },
      }).toEqual({
        ...report,
        computer: { ...report.computer, extensionNames: [] },
        user: { ...report.user, extensionNames: [] },
      });

      const computer = extensionBlocks('Computer');
      const user = extensionBlocks('User');
      const whole = renderGpReportXml(model, {
        ...facts,
        extensionData: { ...(computer === undefined ? {} : { computer }), ...(user === undefined ? {} : { user }) },
      });
      expect(whole.equals(original)).toBe(true);
    });
  });

  describe('manifest.xml over the corpus manifests', () => {
    // The two nsa-win10 folders were published without their manifest.xml.
    const withManifest = CORPUS_BACKUPS.filter((backup) => backup.hasManifest);
    const others = CORPUS_BACKUPS.filter((backup) => !backup.hasManifest);

    it('the corpus has the three manifests its sources list', () => {
      expect(
        CORPUS_BACKUPS.filter((backup) => existsSync(join(backup.dir, 'manifest.xml'))).map((backup) => backup.name),
      ).toEqual(['nsa-emet', 'disa-win10-user', 'gpostudio-mixedcse']);
      expect(withManifest.map((backup) => backup.name)).toEqual(['nsa-emet', 'disa-win10-user', 'gpostudio-mixedcse']);
    });

    it.each(withManifest)('reproduces $name/manifest.xml byte for byte', (backup) => {
      const ours = renderManifestXml(null, [backupInstOf(corpusModel(backup))]);
      expect(ours.equals(readFileSync(join(backup.dir, 'manifest.xml')))).toBe(true);
    });

    it.each(withManifest)('adds other backups to $name and keeps its entry', (backup) => {
      const existing = readFileSync(join(backup.dir, 'manifest.xml'));
      const added = others.map((other) => backupInstOf(corpusModel(other)));
      const updated = renderManifestXml(existing, added);
      const parsed = parseManifestXml(updated);
      expect(parsed.backups.map((inst) => inst.id)).toEqual([backup.backupId, ...added.map((inst) => inst.id)]);
      expect(parsed.backups[0]).toEqual(parseManifestXml(existing).backups[0]);
      // The original bytes stay a prefix (up to </Backups>): nothing of the old entry is rewritten.
      const closing = existing.lastIndexOf('</Backups>');
      expect(updated.subarray(0, closing).equals(existing.subarray(0, closing))).toBe(true);
      expect(updated.toString('utf8').endsWith('</BackupInst></Backups>')).toBe(true);
    });

    it.each(withManifest)('is idempotent for a backup $name already lists', (backup) => {
      const existing = readFileSync(join(backup.dir, 'manifest.xml'));
      const again = renderManifestXml(existing, [backupInstOf(corpusModel(backup))]);
      expect(again.equals(existing)).toBe(true);
    });
  });
});
