import type { GpoBackupModel } from '../src/index.js';

/** A small, valid model; tests override what they exercise. */
export function sampleModel(overrides: Partial<GpoBackupModel> = {}): GpoBackupModel {
  return {
    backupId: '{11111111-2222-3333-4444-555555555555}',
    backupTime: new Date('2024-03-05T06:07:08.900Z'),
    comment: '',
    gpoId: '{AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE}',
    domain: 'corp.example.test',
    domainGuid: '{0a0b0c0d-1111-2222-3333-444455556666}',
    domainController: 'dc1.corp.example.test',
    displayName: 'Sample GPO',
    flags: 0,
    versionNumber: 0x00030002,
    gptIniVersion: 0x00030002,
    machineExtensionNames: '',
    userExtensionNames: '',
    wmiFilter: null,
    securityDescriptor: Uint8Array.from([
      0x01, 0x00, 0x04, 0x9c, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x14, 0, 0, 0, 0x04, 0x00, 0x08, 0x00, 0, 0, 0, 0,
    ]),
    securityGroups: [],
    filePaths: [],
    gptTree: [],
    ...overrides,
  };
}

export const UNC =
  '\\\\dc1.corp.example.test\\sysvol\\corp.example.test\\Policies\\{AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE}';
