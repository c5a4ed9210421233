/**
 * Bad input against the real DC writes nothing: a missing target directory, an unknown Starter GPO, a wrong
 * password, a DC that does not answer, and a domain without a StarterGPOs folder (hidden for the duration of
 * one test by renaming it on the DC's disk; this package's files run one at a time).
 */
import { mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HRESULT, runBackup, runCommand } from '@coffer/core';
import provider from '../../src/index.js';
import { connectionOptions, testDomain, type Transport } from '../helpers/real-dc.js';

let out: string;

beforeEach(async () => {
  out = await mkdtemp(join(tmpdir(), 'coffer-sg-bad-'));
});

afterEach(async () => {
  await rm(out, { recursive: true, force: true });
});

describe.each<Transport>(['smb', 'local'])('over %s', (transport) => {
  it('a target directory that does not exist fails with ERROR_PATH_NOT_FOUND and is not created', async () => {
    const missing = join(out, 'missing');
    const result = await runBackup(provider, {
      destination: missing,
      options: { ...connectionOptions(transport), all: true },
    });
    expect(result.error).toMatchObject({ code: 'PATH_NOT_FOUND', hresult: HRESULT.ERROR_PATH_NOT_FOUND });
    expect(await readdir(out)).toEqual([]);
  });

  it('an unknown Starter GPO is NOT_FOUND, naming the ones that exist', async () => {
    const result = await runBackup(provider, {
      destination: out,
      options: { ...connectionOptions(transport), starterGpo: ['No Such Starter GPO'] },
    });
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({
      code: 'NOT_FOUND',
      hresult: HRESULT.ERROR_NOT_FOUND,
      object: 'No Such Starter GPO',
    });
    for (const starter of testDomain().seed!.starterGpos) expect(result.error!.message).toContain(starter.displayName);
    expect(await readdir(out)).toEqual([]);
  });

  it('a domain without a StarterGPOs folder: --all succeeds with zero backups, a named one is NOT_FOUND', async () => {
    const dc = testDomain();
    const folder = join(dc.sysvolPath, dc.dnsDomain, 'StarterGPOs');
    const hidden = join(dc.sysvolPath, dc.dnsDomain, 'StarterGPOs.hidden-by-test');
    await rename(folder, hidden);
    try {
      const all = await runBackup(provider, {
        destination: out,
        options: { ...connectionOptions(transport), all: true },
      });
      expect(all.status).toBe('succeeded');
      expect(all.output).toEqual({ backups: [], counts: { starterGpos: 0, files: 0, bytes: 0 } });
      expect(all.messages.find((m) => m.code === 'NO_STARTER_GPOS')?.message).toContain('has no StarterGPOs folder');
      const named = await runBackup(provider, {
        destination: out,
        options: { ...connectionOptions(transport), starterGpo: [dc.seed!.starterGpos[0]!.guid] },
      });
      expect(named.error).toMatchObject({ code: 'NOT_FOUND', hresult: HRESULT.ERROR_NOT_FOUND });
      expect(named.error!.message).toMatch(/has no Starter GPOs/);
      const cab = await runCommand(provider, 'save-cab', {
        options: { ...connectionOptions(transport), starterGpo: 'x', out: join(out, 'x.cab') },
      });
      expect(cab.error).toMatchObject({ code: 'NOT_FOUND' });
    } finally {
      await rename(hidden, folder);
    }
    expect(await readdir(out)).toEqual([]);
  });
});

describe('connection failures', () => {
  it('a wrong password fails with ERROR_LOGON_FAILURE and writes nothing', async () => {
    const options = { ...connectionOptions('smb'), password: 'not-the-password', all: true };
    const result = await runBackup(provider, { destination: out, options });
    expect(result.status).toBe('failed');
    expect(result.error?.hresult).toBe(HRESULT.ERROR_LOGON_FAILURE);
    expect(JSON.stringify(result)).not.toContain('not-the-password');
    expect(await readdir(out)).toEqual([]);
  });

  it('a DC that does not answer fails with ERROR_DS_SERVER_DOWN and writes nothing', async () => {
    // Nothing listens on 127.0.0.1's LDAPS port: the DC is as good as down.
    const options = { ...connectionOptions('smb'), dc: 'localhost', all: true };
    const result = await runBackup(provider, { destination: out, options });
    expect(result.status).toBe('failed');
    expect(result.error?.hresult, JSON.stringify(result.error)).toBe(HRESULT.ERROR_DS_SERVER_DOWN);
    expect(await readdir(out)).toEqual([]);
    const cab = await runCommand(provider, 'save-cab', {
      options: { ...options, all: undefined, starterGpo: 'x', out: join(out, 'x.cab') },
    });
    expect(cab.error?.hresult).toBe(HRESULT.ERROR_DS_SERVER_DOWN);
    expect(await readdir(out)).toEqual([]);
  });

  it('a password from a file or COFFER_PASSWORD works like one given directly', async () => {
    const dc = testDomain();
    const { writeFile } = await import('node:fs/promises');
    const passwordFile = join(tmpdir(), `coffer-sg-pw-${process.pid}`);
    await writeFile(passwordFile, `${dc.adminPassword}\n`, { mode: 0o600 });
    try {
      const { password: _omit, ...withoutPassword } = connectionOptions('smb') as Record<string, unknown> & {
        password: string;
      };
      const result = await runBackup(provider, {
        destination: out,
        options: { ...withoutPassword, passwordFile, starterGpo: [dc.seed!.starterGpos[0]!.guid] },
      });
      expect(result.status, JSON.stringify(result.error)).toBe('succeeded');
    } finally {
      await rm(passwordFile, { force: true });
    }
  });
});
