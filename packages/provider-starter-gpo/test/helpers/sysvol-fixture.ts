import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const DOMAIN = 'fixture.test';
export const NS = 'http://www.microsoft.com/GroupPolicy/GPOOperations/StarterGPO';

export interface FixtureStarterGpo {
  guid: string;
  displayName: string;
  type: 0 | 1;
  files: Record<string, Buffer | string>;
  emptyDirs?: string[];
}

export function tmplx(guid: string, displayName: string, type: 0 | 1, extra = ''): string {
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    `<StarterGPO xmlns="${NS}" version="1.0">`,
    `  <DisplayName>${displayName.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</DisplayName>`,
    '  <Description>Fixture</Description>',
    '  <Author>Tester</Author>',
    '  <Product>Coffer</Product>',
    '  <CreationTime>2024-01-02T03:04:05</CreationTime>',
    '  <ModifiedTime>2024-01-02T03:04:05</ModifiedTime>',
    `  <ID>${guid}</ID>`,
    `  <Type>${type}</Type>`,
    '  <ComputerVersion>2</ComputerVersion>',
    '  <UserVersion>1</UserVersion>',
    '  <StarterGPOVersion>1.0</StarterGPOVersion>',
    extra,
    '</StarterGPO>',
    '',
  ].join('\r\n');
}

export const KIOSK: FixtureStarterGpo = {
  guid: '{1D2A6E3C-0B41-4F3A-9C5E-7A0B8C9D1E2F}',
  displayName: 'Kiosk ✓ Ünïcødé',
  type: 1,
  files: {
    'StarterGPO.tmplx': tmplx(
      '{1D2A6E3C-0B41-4F3A-9C5E-7A0B8C9D1E2F}',
      'Kiosk ✓ Ünïcødé',
      1,
      '  <FutureElement keep="yes">x</FutureElement>',
    ),
    'Machine/registry.pol': Buffer.from([0x50, 0x52, 0x65, 0x67, 1, 0, 0, 0, 0xff, 0x00, 0x80]),
    'Machine/comment.cmtx': '\ufeff<?xml version="1.0"?><policyComments/>',
    'User/Registry.pol': Buffer.from('PReg\x01\x00\x00\x00', 'latin1'),
    'User/Sub Folder/Dätei mit Leerzeichen ✓.txt': 'unicode file\r\n',
  },
  emptyDirs: ['User/Empty Folder'],
};

export const SYSTEM: FixtureStarterGpo = {
  guid: '{8780588E-EF91-442B-BD5F-2D50DE7ABF76}',
  displayName: 'Windows Baseline',
  type: 0,
  files: {
    'StarterGPO.tmplx': tmplx('{8780588E-EF91-442B-BD5F-2D50DE7ABF76}', '$(string.DisplayName)', 0),
    'en-US/StarterGPO.tmpll': `<?xml version="1.0" encoding="utf-8"?><StarterGPOResources xmlns="${NS}"><resources><stringTable><string id="DisplayName">Windows Baseline</string></stringTable></resources></StarterGPOResources>`,
    'MACHINE/registry.pol': Buffer.alloc(40_000, 7),
  },
};

export async function makeSysvol(
  starterGpos: FixtureStarterGpo[],
  options: { withStarterFolder?: boolean } = {},
): Promise<{ root: string; remove(): Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'coffer-sg-sysvol-'));
  await mkdir(join(root, DOMAIN, 'Policies'), { recursive: true });
  if (options.withStarterFolder !== false) await mkdir(join(root, DOMAIN, 'StarterGPOs'), { recursive: true });
  for (const gpo of starterGpos) {
    const base = join(root, DOMAIN, 'StarterGPOs', gpo.guid);
    for (const [path, content] of Object.entries(gpo.files)) {
      await mkdir(dirname(join(base, path)), { recursive: true });
      await writeFile(join(base, path), content);
    }
    for (const dir of gpo.emptyDirs ?? []) await mkdir(join(base, dir), { recursive: true });
  }
  return { root, remove: () => rm(root, { recursive: true, force: true }) };
}
