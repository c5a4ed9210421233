import { readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it, vi } from 'vitest';

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

it('the README programmatic example runs as written', async () => {
  const readme = await readFile(join(packageRoot, 'README.md'), 'utf8');
  const snippet = /## Programmatic use\n\n```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(snippet).toBeDefined();
  // Run it against this package's sources rather than a possibly stale dist.
  const source = snippet!.replace("from '@coffer/provider-drm-licenses'", "from '../src/index.js'");
  const file = join(packageRoot, 'test', `.readme-example-${process.pid}.ts`);
  await writeFile(file, source);
  const logged: unknown[][] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void logged.push(args));
  try {
    await import(file);
  } finally {
    log.mockRestore();
    await rm(file, { force: true });
  }
  const codes = logged.map((args) => args[0]);
  expect(codes.slice(0, 3)).toEqual(['BACKUPRESTORE_BEGIN', 'RESTRICTED_LICENSE', 'BACKUPRESTORE_END']);
  expect(logged[3]).toEqual(['succeeded-with-warnings', expect.objectContaining({ licenses: 1, restricted: 1 })]);
  expect(logged[4]).toEqual([
    'succeeded',
    expect.objectContaining({ licenses: 1, restored: 1, refused: 0, rebound: 1 }),
  ]);
  expect(logged[5]![0]).toMatchObject({ plays: 1, playsLeft: null });
});
