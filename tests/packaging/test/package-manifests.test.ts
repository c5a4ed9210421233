import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PACKAGES } from './support/packages.js';

// What each tarball holds, checked statically: the manifest fields a published package needs, and every module
// the published code imports (JS and .d.ts) declared as a dependency or peer dependency, never left to devDependencies.
interface Manifest {
  name: string;
  license?: string;
  engines?: { node?: string };
  files?: string[];
  repository?: { type?: string; url?: string; directory?: string };
  exports?: Record<string, unknown>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  bin?: Record<string, string>;
}

/** Bare specifiers a bundled file imports: `from "x"`, `import "x"`, `import("x")`, `require("x")`, `createRequire(…)("x")`. */
export function importedPackages(source: string): Set<string> {
  const names = new Set<string>();
  const pattern = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*|\)\s*\(\s*)["']([@a-z0-9][\w.@/-]*)["']/g;
  for (const [, specifier] of source.matchAll(pattern)) {
    if (specifier!.startsWith('node:') || specifier!.startsWith('.')) continue;
    const name = specifier!.startsWith('@') ? specifier!.split('/').slice(0, 2).join('/') : specifier!.split('/')[0]!;
    if (builtinModules.includes(name)) continue;
    names.add(name);
  }
  return names;
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else out.push(path);
  }
  return out;
}

describe('published tarballs', () => {
  const tarballs = inject('tarballs');
  let root: string;
  const unpacked = new Map<string, string>();

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'coffer-unpacked-'));
    for (const pkg of PACKAGES) {
      const dir = join(root, pkg.name.replace('/', '+'));
      await promisify(execFile)('mkdir', ['-p', dir]);
      await promisify(execFile)('tar', ['xzf', tarballs[pkg.name]!, '-C', dir]);
      unpacked.set(pkg.name, join(dir, 'package'));
    }
  });
  afterAll(async () => root && rm(root, { recursive: true, force: true }));

  it('the import scanner finds what bundled code imports', () => {
    const found = importedPackages(
      `import { a } from "zod";\nimport x from '@scope/pkg/sub';\nconst m = await import("ldapts");\ncreateRequire(import.meta.url)("fast-xml-parser");\nimport "node:fs"; import "fs";\nconst help = 'from ", " text';`,
    );
    expect([...found].sort()).toEqual(['@scope/pkg', 'fast-xml-parser', 'ldapts', 'zod']);
  });

  describe.each(PACKAGES.map((p) => [p.name, p] as const))('%s', (name, pkg) => {
    let manifest: Manifest;
    beforeAll(async () => {
      manifest = JSON.parse(await readFile(join(unpacked.get(name)!, 'package.json'), 'utf8')) as Manifest;
    });

    it('ships dist, README.md and LICENSE, and no sources or tests', async () => {
      const files = (await filesUnder(unpacked.get(name)!)).map((f) => f.slice(unpacked.get(name)!.length + 1));
      expect(files).toContain('README.md');
      expect(files).toContain('LICENSE');
      expect(files).toContain('dist/index.js');
      expect(files).toContain('dist/index.d.ts');
      expect(files.filter((f) => /^(src|test)\//.test(f) || f.endsWith('.test.js'))).toEqual([]);
    });

    it('has license, engines, files, repository (published ones) and typed exports', () => {
      expect(manifest.license).toBe('MIT');
      expect(manifest.engines?.node).toBe('>=20.19');
      expect(manifest.files).toEqual(expect.arrayContaining(['dist', 'README.md', 'LICENSE']));
      if (pkg.published) expect(manifest.repository).toMatchObject({ type: 'git', directory: pkg.dir });
      expect(manifest.exports?.['.']).toEqual({ types: './dist/index.d.ts', default: './dist/index.js' });
      expect(manifest.exports?.['./package.json']).toBe('./package.json');
    });

    it('declares every module its published code imports, with registry ranges only', async () => {
      const declared = { ...manifest.dependencies, ...manifest.peerDependencies };
      for (const [dep, range] of Object.entries(declared))
        expect(range, `${dep}: ${range}`).toMatch(/^[~^]?\d+\.\d+\.\d+$/);
      const missing: string[] = [];
      for (const file of await filesUnder(join(unpacked.get(name)!, 'dist'))) {
        if (!/\.(js|d\.ts)$/.test(file)) continue;
        for (const imported of importedPackages(await readFile(file, 'utf8'))) {
          if (imported !== name && !(imported in declared))
            missing.push(`${imported} (${file.slice(unpacked.get(name)!.length + 1)})`);
        }
      }
      expect(missing).toEqual([]);
    });

    it('takes @coffer/core as a peer dependency ^1.0.0 (a host, the CLI, depends on it)', () => {
      if (name === '@coffer/core') return expect(manifest.peerDependencies ?? {}).toEqual({});
      if (name === '@coffer/cli') return expect(manifest.dependencies?.['@coffer/core']).toBe('^1.0.0');
      expect(manifest.peerDependencies?.['@coffer/core']).toBe('^1.0.0');
      expect(manifest.dependencies?.['@coffer/core']).toBeUndefined();
    });
  });
});
