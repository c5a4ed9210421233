import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatBackupTime, renderBkupInfoXmlForInst, renderManifestXml, type BackupInst } from '@coffer/gpmc';
import { tempDir } from '@coffer/test-support';
import { describe, expect, it } from 'vitest';
import { startCoffer } from './helpers/run-coffer.js';

const BACKUPS = 1500;

/** A GPMC backup directory of many backups (bkupInfo.xml per folder, one manifest.xml): output far over a pipe's buffer. */
async function manyBackups(): Promise<string> {
  const dir = await tempDir('coffer-list-pipe-');
  const insts: BackupInst[] = [];
  for (let n = 0; n < BACKUPS; n += 1) {
    const inst: BackupInst = {
      gpoGuid: `{${randomUUID().toUpperCase()}}`,
      gpoDomain: 'pipe.coffer.test',
      gpoDomainGuid: '{0A0B0C0D-1111-2222-3333-444455556666}',
      gpoDomainController: 'dc1.pipe.coffer.test',
      backupTime: formatBackupTime(new Date(Date.UTC(2026, 0, 1, 0, 0, n))),
      id: `{${randomUUID().toUpperCase()}}`,
      comment: '',
      gpoDisplayName: `Piped GPO ${n}`,
    };
    insts.push(inst);
    mkdirSync(join(dir, inst.id));
    writeFileSync(join(dir, inst.id, 'bkupInfo.xml'), renderBkupInfoXmlForInst(inst));
  }
  writeFileSync(join(dir, 'manifest.xml'), renderManifestXml(null, insts));
  return dir;
}

/** Runs coffer with its stdout read only after a pause, as `coffer list | less` does: the pipe fills meanwhile. */
async function slowlyRead(args: string[]) {
  const running = startCoffer(args, { timeoutMs: 120_000 });
  running.child.stdout!.pause();
  await new Promise((resolve) => setTimeout(resolve, 1500));
  running.child.stdout!.resume();
  return running.done;
}

describe('coffer list into a pipe read slowly', () => {
  it('prints every row and the whole --json result before it exits', async () => {
    const dir = await manyBackups();
    // Before, the process exited with its output still queued for the pipe: a few hundred rows of 1,500 arrived.
    const text = await slowlyRead(['list', dir]);
    expect(text.exitCode, text.stderr).toBe(0);
    expect(text.stdout.trimEnd().split('\n')).toHaveLength(BACKUPS);
    const json = await slowlyRead(['list', dir, '--json']);
    expect(json.exitCode, json.stderr).toBe(0);
    expect(json.result?.backups as unknown[]).toHaveLength(BACKUPS);
  }, 180_000);
});
