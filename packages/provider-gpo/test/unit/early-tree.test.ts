import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalSysvolSource, type SysvolSource, type SysvolTreeEntry } from '@coffer/active-directory';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EarlyTree } from '../../src/backup/early-tree.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'early-tree-'));
  // A small Policies folder: two GPOs, one with a 4 KiB file.
  for (const [path, content] of [
    ['Policies/{A}/GPT.INI', '[General]\r\nVersion=1\r\n'],
    ['Policies/{A}/Machine/Registry.pol', 'x'.repeat(4096)],
    ['Policies/{B}/GPT.INI', '[General]\r\nVersion=7\r\n'],
    ['Policies/{B}/User/Scripts/logon.cmd', 'echo hi\r\n'],
  ] as const) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), content);
  }
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** The real local SYSVOL source, counting the entries pulled from its stream and whether the stream was closed. */
function counting(source: SysvolSource): { source: SysvolSource; pulled: () => number; closed: () => boolean } {
  let pulled = 0;
  let closed = false;
  return {
    source: {
      ...source,
      async *readTree(path) {
        try {
          for await (const entry of source.readTree(path)) {
            pulled += 1;
            yield entry;
          }
        } finally {
          closed = true;
        }
      },
    },
    pulled: () => pulled,
    closed: () => closed,
  };
}

async function collect(entries: AsyncIterable<SysvolTreeEntry>): Promise<string[]> {
  const seen: string[] = [];
  for await (const entry of entries) {
    let text = '';
    if (entry.content) for await (const chunk of entry.content) text += Buffer.from(chunk).toString('utf8');
    seen.push(entry.kind === 'file' ? `${entry.path}=${text.length}:${text.slice(0, 12)}` : `${entry.path}/`);
  }
  return seen;
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i += 1) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('EarlyTree', () => {
  it('reads the whole stream ahead before anyone asks, and then hands over every entry and content in order', async () => {
    const local = createLocalSysvolSource({ root });
    const expected = await collect(local.readTree('Policies'));
    const { source, pulled, closed } = counting(local);
    const early = new EarlyTree(source, 'Policies');
    await until(closed);
    // Nobody has asked yet: the stream ran to its end on its own.
    expect(pulled()).toBe(expected.length);
    expect(await collect(early.entries())).toEqual(expected);
  });

  it('stops reading ahead at a file larger than what is left of the allowance, and loses nothing', async () => {
    const local = createLocalSysvolSource({ root });
    const expected = await collect(local.readTree('Policies'));
    const { source, pulled } = counting(local);
    // 100 bytes: the GPT.INI files fit, Registry.pol (4 KiB) does not.
    const early = new EarlyTree(source, 'Policies', 100);
    await until(() => pulled() > 0);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const stoppedAt = pulled();
    expect(stoppedAt).toBeLessThan(expected.length);
    expect(await collect(early.entries())).toEqual(expected);
  });

  it('passes a failure on to whoever reads the entries', async () => {
    const local = createLocalSysvolSource({ root });
    const direct = await collect(local.readTree('Missing')).catch((error: unknown) => error);
    expect(direct).toBeInstanceOf(Error);
    const early = new EarlyTree(local, 'Missing');
    await expect(collect(early.entries())).rejects.toMatchObject({ message: (direct as Error).message });
  });

  it('cancel closes the stream, and the entries cannot be taken afterwards', async () => {
    const { source, closed } = counting(createLocalSysvolSource({ root }));
    const early = new EarlyTree(source, 'Policies', 0);
    await early.cancel();
    expect(closed()).toBe(true);
    await expect(collect(early.entries())).rejects.toThrow('already taken');
  });
});
