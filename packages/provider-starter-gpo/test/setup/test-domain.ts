/**
 * One seeded Samba DC for this package's tests, on a loopback address of its own (127.0.0.23), with extra
 * files added to the seeded custom Starter GPO so names with spaces, Unicode and odd case, nested and
 * empty folders cross both transports.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTestDomainSetup, type ProvidingProject } from '@coffer/samba-test-domain/vitest-global-setup';
import type { TestDomainInfo } from '@coffer/samba-test-domain';

export const EXTRA_STARTER_FILES: Record<string, string> = {
  'Machine/Sub Folder ✓/Ünïcødé Datei – 東京.txt': 'nested unicode file\r\n',
  'User/UPPER Case Name.TXT': 'case kept\n',
};
export const EXTRA_EMPTY_FOLDER = 'User/Empty Folder';

async function addExtraFiles(info: TestDomainInfo): Promise<void> {
  const custom = info.seed?.starterGpos.find(
    (s) =>
      s.typeName === 'Custom' &&
      s.files.some((f) => f.path.startsWith('User/')) &&
      s.files.some((f) => f.path.startsWith('Machine/')),
  );
  if (!custom) throw new Error('The seeded domain has no custom Starter GPO with both sides.');
  for (const [path, content] of Object.entries(EXTRA_STARTER_FILES)) {
    await mkdir(join(custom.sysvolFolder, ...path.split('/').slice(0, -1)), { recursive: true });
    await writeFile(join(custom.sysvolFolder, ...path.split('/')), content);
  }
  await mkdir(join(custom.sysvolFolder, ...EXTRA_EMPTY_FOLDER.split('/')), { recursive: true });
}

export default async function setup(project: ProvidingProject): Promise<() => Promise<void>> {
  let info: TestDomainInfo | undefined;
  const teardown = await createTestDomainSetup({ address: '127.0.0.23', realm: 'STARTERGPO.TEST' })({
    provide(key, value) {
      info = value;
      project.provide(key, value);
    },
  });
  try {
    await addExtraFiles(info!);
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}
