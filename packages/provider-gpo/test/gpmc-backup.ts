/**
 * A GPMC-layout backup written by this project's own writers (@coffer/gpmc), for tests that need "a GPMC
 * backup" as input, not a comparison with Windows' output: they run in any clone, corpus or not.
 */
import { dirname, join } from 'node:path';
import fse from 'fs-extra';
import {
  backupInstOf,
  renderBackupXml,
  renderBkupInfoXml,
  renderManifestXml,
  type GpoBackupModel,
  type GptEntry,
} from '@coffer/gpmc';

/** GPMC's DACL-only descriptor with an empty DACL: enough for Backup.xml, no principals to migrate. */
const EMPTY_DACL_DESCRIPTOR = Uint8Array.from([
  0x01, 0x00, 0x04, 0x9c, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x14, 0, 0, 0, 0x04, 0x00, 0x08, 0x00, 0, 0, 0, 0,
]);

/** A small, valid model of a GPO in another domain; tests override what they exercise. */
export function gpmcModel(overrides: Partial<GpoBackupModel> = {}): GpoBackupModel {
  return {
    backupId: '{11111111-2222-3333-4444-555555555555}',
    backupTime: new Date('2024-03-05T06:07:08.900Z'),
    comment: '',
    gpoId: '{AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE}',
    domain: 'elsewhere.example.test',
    domainGuid: '{0a0b0c0d-1111-2222-3333-444455556666}',
    domainController: 'dc1.elsewhere.example.test',
    displayName: 'Written By Coffer',
    flags: 0,
    versionNumber: 0x00030002,
    gptIniVersion: 0x00030002,
    machineExtensionNames: '[{35378EAC-683F-11D2-A89A-00C04FBBCFA2}{D02B1F72-3407-48AE-BA88-E8213C6761F1}]',
    userExtensionNames: '',
    wmiFilter: null,
    securityDescriptor: EMPTY_DACL_DESCRIPTOR,
    securityGroups: [],
    filePaths: [],
    gptTree: [],
    ...overrides,
  };
}

/**
 * Writes one backup folder (Backup.xml, bkupInfo.xml, DomainSysvol/GPO with `files`) into `directory` and
 * adds it to the directory's manifest.xml. The GPT tree of the model is derived from `files`, so Backup.xml's
 * inventory lists exactly what is on disk. Returns the backup folder.
 */
export async function writeGpmcBackup(
  directory: string,
  model: GpoBackupModel,
  files: Record<string, string | Uint8Array>,
): Promise<string> {
  const folders = new Set<string>();
  for (const path of Object.keys(files))
    for (let dir = dirname(path); dir !== '.'; dir = dirname(dir)) folders.add(dir);
  const gptTree: GptEntry[] = [
    ...[...folders].sort().map((path): GptEntry => ({ path, kind: 'dir' })),
    ...Object.entries(files).map(
      ([path, content]): GptEntry => ({ path, kind: 'file', size: Buffer.byteLength(content) }),
    ),
  ];
  const full = { ...model, gptTree };
  const folder = join(directory, model.backupId);
  for (const [path, content] of Object.entries(files))
    await fse.outputFile(join(folder, 'DomainSysvol', 'GPO', ...path.split('/')), content);
  await fse.outputFile(join(folder, 'Backup.xml'), renderBackupXml(full));
  await fse.outputFile(join(folder, 'bkupInfo.xml'), renderBkupInfoXml(full));
  const manifestPath = join(directory, 'manifest.xml');
  const existing = (await fse.pathExists(manifestPath)) ? await fse.readFile(manifestPath) : null;
  await fse.outputFile(manifestPath, renderManifestXml(existing, [backupInstOf(full)]));
  return folder;
}

/**
 * A GPMC-layout backup from another domain, written by @coffer/gpmc, holding Group Policy Preferences with a
 * foreign domain principal (…-4674) and a UNC path: what the migration table tests map.
 * Written into `dir`, which is returned (a backup directory holding that one backup).
 */
export async function writeForeignBackup(dir: string): Promise<string> {
  const model = gpmcModel({
    displayName: 'Mixed Preferences',
    machineExtensionNames:
      '[{00000000-0000-0000-0000-000000000000}{79F92669-4224-476C-9C5C-6EFB4D87DF4A}][{17D89FEC-5C44-4972-B12D-241CAEF74509}{79F92669-4224-476C-9C5C-6EFB4D87DF4A}]',
    userExtensionNames:
      '[{00000000-0000-0000-0000-000000000000}{2EA1A81B-48E5-45E9-8BB7-A6E3AC170006}][{5794DAFD-BE60-433F-88A2-1A31939AC01F}{2EA1A81B-48E5-45E9-8BB7-A6E3AC170006}]',
  });
  await writeGpmcBackup(dir, model, {
    'Machine/Preferences/Groups/Groups.xml':
      '<?xml version="1.0" encoding="utf-8"?>\r\n<Groups clsid="{3125E937-EB16-4b4c-9934-544FC6D24D26}"><Group clsid="{6D4A79E4-529C-4481-ABD0-F5BD7EA93BA7}" name="Administrators (built-in)" image="2" changed="2026-07-26 17:54:01" uid="{D07D1705-AA3C-4713-B20C-B42BBC698DE9}"><Properties action="U" newName="" description="" deleteAllUsers="0" deleteAllGroups="0" removeAccounts="0" groupSid="S-1-5-32-544" groupName="Administrators (built-in)"><Members><Member name="HRAENET\\lab-admins" action="ADD" sid="S-1-5-21-0000000000-0000000000-0000000000-4674"/></Members></Properties></Group>\r\n</Groups>\r\n',
    'User/Preferences/Drives/Drives.xml':
      '<?xml version="1.0" encoding="utf-8"?>\r\n<Drives clsid="{8FDDCC1A-0C3C-43cd-A6B4-71A6DF20DA8C}"><Drive clsid="{935D1B74-9CB8-4e3c-9914-7DD559B7A417}" name="X:" status="X:" image="1" changed="2026-07-26 17:53:23" uid="{6594460C-136A-4AA4-964A-0596C220DF63}"><Properties action="R" thisDrive="NOCHANGE" allDrives="NOCHANGE" userName="" path="\\\\filesrv\\replace-mixed" label="Ünïcödé &lt;&quot;&amp;&gt; label" persistent="1" useLetter="1" letter="X"/></Drive>\r\n</Drives>\r\n',
  });
  return dir;
}
