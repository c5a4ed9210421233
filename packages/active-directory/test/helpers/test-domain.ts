import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, inject } from 'vitest';
import type { TestDomainInfo } from '@coffer/samba-test-domain';
import { corpusDir as locateCorpus } from '@coffer/test-support';
import type { LdapConnectOptions } from '../../src/index.js';

/**
 * Temp folders made by the helpers below, removed when the test file that imported them is done: they hold test
 * domains' passwords and CAs, and were left in the system temp folder by every run (hundreds after a day of runs).
 */
const madeDirs: string[] = [];
afterAll(() => {
  for (const dir of madeDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function madeDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  madeDirs.push(dir);
  return dir;
}

export function testDomain(): TestDomainInfo {
  return inject('testDomain');
}

export function adminBind(domain: TestDomainInfo = testDomain()): LdapConnectOptions {
  return {
    host: domain.dcHostname,
    caFile: domain.caFile,
    bindName: `${domain.adminUser}@${domain.dnsDomain}`,
    password: domain.adminPassword,
  };
}

/** A CA that signed nothing the DC uses: for "untrusted certificate" tests. */
export function unrelatedCaFile(): string {
  const dir = madeDir('coffer-other-ca-');
  const caFile = join(dir, 'other-ca.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      caFile,
      '-subj',
      '/CN=Unrelated test CA',
    ],
    { stdio: 'ignore' },
  );
  return caFile;
}

export function writeTempFile(name: string, content: string, mode = 0o600): string {
  const dir = madeDir('coffer-ad-test-');
  const path = join(dir, name);
  writeFileSync(path, content, { mode });
  return path;
}

/** The GPMC corpus, as @coffer/test-support locates it (COFFER_CORPUS_DIR or its default). */
export const corpusDir = locateCorpus();
