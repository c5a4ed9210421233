#!/usr/bin/env node
/**
 * Writes a synthetic GPMC backup directory of G GPOs × B backups for measuring the readers of a large directory
 * (`coffer list`, `coffer verify`, `coffer prune --dry-run`, the index maintainer) without a DC of that size:
 *
 *   node scripts/bench/synthetic-backup-set.mjs <dir> --gpos 10000 --backups 7
 *
 * Each backup folder is what the readers look at in a Coffer GPO backup, written with gpmc's own writers: its
 * bkupInfo.xml (renderBkupInfoXmlForInst), coffer-gpo-extras.json, a GPT.INI under DomainSysvol/GPO, and core's
 * integrity manifest (coffer-manifest.json) with the real sizes and SHA-256 of those files, so `verify` passes and
 * `prune` sees each backup's object and time. manifest.xml lists every backup (renderManifestXml), as the GPMC index
 * maintainer writes it. Backups are an hour apart per GPO, the newest an hour ago. Needs `npm run build` of gpmc.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatBackupTime, renderBkupInfoXmlForInst, renderManifestXml } from '../../packages/gpmc/dist/index.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { gpos: { type: 'string', default: '1000' }, backups: { type: 'string', default: '7' } },
});
if (positionals.length !== 1) {
  console.error('usage: synthetic-backup-set.mjs <dir> [--gpos N] [--backups B]');
  process.exit(2);
}
const dir = resolve(positionals[0]);
const gpos = Number(values.gpos);
const backups = Number(values.backups);
const domain = 'bench.coffer.test';
const domainGuid = `{${randomUUID().toUpperCase()}}`;
const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');
const now = Date.now();

mkdirSync(dir, { recursive: true });
const insts = [];
for (let g = 0; g < gpos; g += 1) {
  const gpoGuid = `{${randomUUID().toUpperCase()}}`;
  const displayName = `Bench GPO ${String(g).padStart(5, '0')}`;
  for (let b = 0; b < backups; b += 1) {
    const id = `{${randomUUID().toUpperCase()}}`;
    const time = new Date(now - (backups - b) * 3_600_000 - g * 1000);
    const inst = {
      gpoGuid,
      gpoDomain: domain,
      gpoDomainGuid: domainGuid,
      gpoDomainController: 'dc1.bench.coffer.test',
      backupTime: formatBackupTime(time),
      id,
      comment: '',
      gpoDisplayName: displayName,
    };
    insts.push(inst);
    const folder = join(dir, id);
    mkdirSync(join(folder, 'DomainSysvol', 'GPO'), { recursive: true });
    const files = {
      'bkupInfo.xml': renderBkupInfoXmlForInst(inst),
      'coffer-gpo-extras.json': Buffer.from(`${JSON.stringify({ gpoId: gpoGuid, links: [] })}\n`),
      'DomainSysvol/GPO/GPT.INI': Buffer.from(`[General]\r\nVersion=${b + 1}\r\ndisplayName=${displayName}\r\n`),
    };
    for (const [path, bytes] of Object.entries(files)) writeFileSync(join(folder, path), bytes);
    const manifest = {
      format: 'coffer-integrity-manifest',
      version: 1,
      provider: 'gpo',
      id,
      kind: 'gpo',
      createdAt: time.toISOString(),
      directories: ['DomainSysvol', 'DomainSysvol/GPO'],
      files: Object.entries(files).map(([path, bytes]) => ({ path, size: bytes.length, sha256: sha256(bytes) })),
      metadata: { gpoId: gpoGuid, displayName, domain },
    };
    writeFileSync(join(folder, 'coffer-manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  }
}
writeFileSync(join(dir, 'manifest.xml'), renderManifestXml(null, insts));
console.log(`${dir}: ${gpos} GPOs × ${backups} backups = ${insts.length} backup folders`);
