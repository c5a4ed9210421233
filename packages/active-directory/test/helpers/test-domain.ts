import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import type { TestDomainInfo } from '@coffer/samba-test-domain';
import { corpusDir as locateCorpus } from '@coffer/test-support';
import type { LdapConnectOptions } from '../../src/index.js';

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
  const dir = mkdtempSync(join(tmpdir(), 'coffer-other-ca-'));
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
  const dir = mkdtempSync(join(tmpdir(), 'coffer-ad-test-'));
  const path = join(dir, name);
  writeFileSync(path, content, { mode });
  return path;
}

/** The GPMC corpus, as @coffer/test-support locates it (COFFER_CORPUS_DIR or its default). */
export const corpusDir = locateCorpus();
