import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'vitest';
import { loadProvider } from '@coffer/core';
import { runConformanceSuite } from '@coffer/provider-testkit';
import { connectionOptions, testDomain, type Transport } from '../helpers/real-dc.js';

const packageRoot = join(import.meta.dirname, '..', '..');

for (const transport of ['smb', 'local'] as Transport[]) {
  runConformanceSuite({
    test,
    name: `starter-gpo conformance over ${transport}`,
    // Through core's loader, so the published entry point (dist) is what is tested.
    provider: async () => (await loadProvider(packageRoot)).provider,
    capabilities: { list: true, restore: false, cancel: true },
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
      return {
        destination,
        options: { ...connectionOptions(transport, testDomain()), all: true },
        cleanup: () => rm(root, { recursive: true, force: true }),
      };
    },
  });
}
