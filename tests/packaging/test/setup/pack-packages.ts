import { execFile } from 'node:child_process';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type {} from 'vitest';
import { PACKAGES, repoRoot } from '../support/packages.js';
import { cleanEnv } from '../support/run.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Package name → absolute path of its `npm pack` tarball. */
    tarballs: Record<string, string>;
  }
}

interface ProvidingProject {
  provide(key: 'tarballs', value: Record<string, string>): void;
}

/** Packs every package once for the whole run (`npm pack`, exactly what `npm publish` would upload). */
export default async function packPackages(project: ProvidingProject): Promise<() => Promise<void>> {
  for (const pkg of PACKAGES) {
    await access(join(repoRoot, pkg.dir, 'dist', 'index.js')).catch(() => {
      throw new Error(`${pkg.name} is not built (${pkg.dir}/dist/index.js is missing): run npm run build first.`);
    });
  }
  const destination = await mkdtemp(join(tmpdir(), 'coffer-packed-'));
  const args = ['pack', '--json', '--pack-destination', destination, ...PACKAGES.flatMap((p) => ['-w', p.dir])];
  const { stdout } = await promisify(execFile)('npm', args, {
    cwd: repoRoot,
    env: cleanEnv(),
    maxBuffer: 64 * 1024 * 1024,
  });
  const packed = JSON.parse(stdout) as Array<{ name: string; filename: string }>;
  const tarballs: Record<string, string> = {};
  for (const entry of packed) tarballs[entry.name] = join(destination, entry.filename);
  for (const pkg of PACKAGES) {
    if (!tarballs[pkg.name]) throw new Error(`npm pack produced no tarball for ${pkg.name}`);
  }
  project.provide('tarballs', tarballs);
  return () => rm(destination, { recursive: true, force: true });
}
