import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'vitest';
import { loadProvider } from '@coffer/core';
import { runConformanceSuite } from '@coffer/provider-testkit';
import { connection, domain } from './helpers.js';

const packageRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));

runConformanceSuite({
  test,
  name: 'provider-gpo against the Samba DC',
  // Through the public loader and the built package, as the CLI loads it.
  provider: async () => (await loadProvider(packageRoot)).provider,
  invalidOptions: [{}, connection({ all: true, gpo: ['x'] }), connection({}), connection({ all: 'yes' }), { ...connection({ all: true }), dc: '' }],
  async createFixture() {
    const root = await mkdtemp(join(tmpdir(), 'coffer-gpo-conformance-'));
    await mkdir(join(root, 'backups'));
    return {
      destination: join(root, 'backups'),
      options: connection({ gpo: domain.seed!.gpos.slice(0, 3).map((g) => g.guid) }),
      cleanup: () => rm(root, { recursive: true, force: true }),
    };
  },
});
