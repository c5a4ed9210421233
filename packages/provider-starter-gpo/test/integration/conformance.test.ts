import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'vitest';
import { loadProvider } from '@coffer/core';
import { runConformanceSuite } from '@coffer/provider-testkit';
import { connectionOptions, folderOnDisk, testDomain, type Transport } from '../helpers/real-dc.js';
import {
  putBackStarterGpos,
  saveStarterGpos,
  starterGposChanged,
  type SavedStarterGpos,
} from '../helpers/starter-gpo-state.js';

// The DC's StarterGPOs as this file found them, saved once (samba-tool reads each ACL).
let baseline: Promise<SavedStarterGpos> | undefined;

const packageRoot = join(import.meta.dirname, '..', '..');

for (const transport of ['smb', 'local'] as Transport[]) {
  runConformanceSuite({
    test,
    name: `starter-gpo conformance over ${transport}`,
    // Through core's loader, so the published entry point (dist) is what is tested.
    provider: async () => (await loadProvider(packageRoot)).provider,
    capabilities: { list: true, restore: true, cancel: true },
    invalidOptions: [
      {},
      { domain: 'x.test', all: true },
      { sysvol: '/tmp', domain: 'x.test' },
      { sysvol: '/tmp', domain: 'x.test', all: true, starterGpo: ['a'] },
      { dc: 'dc1.x.test', domain: 'x.test', all: true },
      { sysvol: '/tmp', domain: 'x.test', all: 'yes' },
      { sysvol: '/tmp', all: true },
    ],
    async createFixture() {
      const root = await mkdtemp(join(tmpdir(), 'coffer-sg-conformance-'));
      const destination = join(root, 'out');
      await mkdir(destination);
      // A restore over the live Starter GPOs raises their versions: the DC is put back afterwards.
      const saved = await (baseline ??= saveStarterGpos());
      return {
        destination,
        options: { ...connectionOptions(transport, testDomain()), all: true },
        restoreOptions: { ...connectionOptions(transport, testDomain()), all: true },
        async checkRestored() {
          for (const folder of saved.folders) {
            const now = await folderOnDisk(join(saved.root, folder.name));
            if (JSON.stringify(now.dirs) !== JSON.stringify(folder.dirs))
              throw new Error(`${folder.name}: folders differ after the restore`);
            for (const [path, bytes] of folder.files) {
              if (path === 'StarterGPO.tmplx') continue; // its versions were raised
              if (!now.files.get(path)?.equals(bytes))
                throw new Error(`${folder.name}/${path} differs after the restore`);
            }
          }
        },
        async cleanup() {
          if (await starterGposChanged(saved)) await putBackStarterGpos(saved);
          await rm(root, { recursive: true, force: true });
        },
      };
    },
  });
}
