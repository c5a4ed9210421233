import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'vitest';
import { loadProvider } from '@coffer/core';
import { runConformanceSuite } from '@coffer/provider-testkit';
import { readFile } from 'node:fs/promises';
import { createScratchGpo, deleteGpoCompletely, gptFolder } from './gpo-fixtures.js';
import { connection } from './helpers.js';

const packageRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));

runConformanceSuite({
  test,
  name: 'provider-gpo against the Samba DC',
  // Through the public loader and the built package, as the CLI loads it.
  provider: async () => (await loadProvider(packageRoot)).provider,
  invalidOptions: [
    {},
    connection({ all: true, gpo: ['x'] }),
    connection({}),
    connection({ all: 'yes' }),
    { ...connection({ all: true }), dc: '' },
  ],
  async createFixture() {
    const root = await mkdtemp(join(tmpdir(), 'coffer-gpo-conformance-'));
    await mkdir(join(root, 'backups'));
    // GPOs of its own: the restore test writes into what it backed up, and the seeded GPOs are shared by every test file.
    const gpos = [
      await createScratchGpo('Conformance One', { 'Machine/registry.pol': 'PReg\x01\x00\x00\x00one' }),
      await createScratchGpo('Conformance Two ✓', { 'User/registry.pol': 'PReg\x01\x00\x00\x00two' }),
    ];
    return {
      destination: join(root, 'backups'),
      options: connection({ gpo: gpos.map((g) => g.guid) }),
      restoreOptions: connection({ all: true }),
      async checkRestored() {
        const ini = await readFile(join(gptFolder(gpos[0]!.guid), 'GPT.INI'), 'latin1');
        if (!/Version=65538\r\n/.test(ini)) throw new Error(`restore did not bump the versions: ${ini}`);
        const settings = await readFile(join(gptFolder(gpos[1]!.guid), 'User', 'registry.pol'), 'latin1');
        if (settings !== 'PReg\x01\x00\x00\x00two') throw new Error('restore changed the settings');
      },
      async cleanup() {
        for (const gpo of gpos) await deleteGpoCompletely(gpo.guid);
        await rm(root, { recursive: true, force: true });
      },
    };
  },
});
