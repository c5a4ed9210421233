import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describeOptions, runCommand } from '@coffer/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import provider from '../src/index.js';
import { createWorld, type TestWorld } from './helpers.js';

let world: TestWorld;
beforeEach(async () => {
  world = await createWorld();
});
afterEach(async () => {
  await world.cleanup();
});

const run = (name: string, options: object) => runCommand(provider, name, { options });

describe('management commands (coffer drm <command>)', () => {
  it('offers the store verbs, each with a JSON-describable schema', () => {
    const names = provider.commands!.map((c) => c.name);
    expect(names).toEqual([
      'create-store',
      'info',
      'create-licensor',
      'export-licensor',
      'import-licensor',
      'issue',
      'import',
      'list',
      'inspect',
      'remove',
      'play',
      'disable',
    ]);
    for (const command of provider.commands!) expect(describeOptions(command.options).type).toBe('object');
  });

  it('create-store, issue, list, play, inspect, disable, remove work end to end', async () => {
    const a = world.machine('A');
    const created = await run('create-store', { ...a, servicePath: world.servicePath });
    expect(created.status).toBe('succeeded');
    expect((await run('create-store', { ...a, servicePath: world.servicePath })).error?.code).toBe('DRM_STORE_EXISTS');
    const issued = await run('issue', { ...a, kid: 'K1', playCount: 2, allowBackupRestore: true, count: 3 });
    expect(issued.status).toBe('succeeded-with-warnings');
    expect(issued.messages.map((m) => m.code)).toEqual(['DRM_BACKUP_RIGHT_FORCED_OFF']);
    const lids = (issued.output!.data as { lid: string }[]).map((i) => i.lid);
    expect(lids).toHaveLength(3);
    const listed = await run('list', { ...a, kid: 'K1' });
    expect((listed.output!.data as { total: number }).total).toBe(3);
    expect(listed.output!.lines!.at(-1)).toBe('3 license(s).');
    const played = await run('play', { ...a, lid: lids[0] });
    expect(played.output!.data).toMatchObject({ plays: 1, playsLeft: 1 });
    const inspected = await run('inspect', { ...a, lid: lids[0] });
    expect(inspected.output!.data).toMatchObject({ backup: 'no-backup-right', state: { plays: 1 } });
    expect((await run('disable', { ...a, lid: lids[1] })).output!.data).toMatchObject({ disabled: true });
    expect((await run('remove', { ...a, lid: [lids[2]] })).output!.data).toMatchObject({ removed: 1 });
    expect((await run('info', a)).output!.data).toMatchObject({ licenses: 2 });
  });

  it('export-licensor and import-licensor move a licensor between stores', async () => {
    const a = world.machine('A');
    const b = world.machine('B');
    await run('create-store', { ...a, servicePath: world.servicePath });
    await run('create-store', { ...b, servicePath: world.servicePath, noLicensor: true });
    expect((await run('issue', b)).error?.code).toBe('DRM_LICENSOR_NOT_FOUND');
    const out = join(world.root, 'licensor.json');
    expect((await run('export-licensor', { ...a, out, includePrivateKey: true })).status).toBe('succeeded');
    expect(JSON.parse(await readFile(out, 'utf8')).format).toBe('coffer-drm-licensor');
    expect((await run('import-licensor', { ...b, file: out })).output!.data).toMatchObject({ canIssue: true });
    expect((await run('issue', b)).status).toBe('succeeded');
  });

  it('rejects bad command options with E_INVALIDARG', async () => {
    const result = await run('issue', { playCount: 0 });
    expect(result.error?.hresult).toBe(0x80070057);
  });
});
