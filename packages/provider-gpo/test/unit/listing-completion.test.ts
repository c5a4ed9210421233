import { describe, expect, it } from 'vitest';
import { ListingCompletion } from '../../src/backup/listing-completion.js';

interface Node {
  name: string;
  children?: Node[];
}
interface Entry {
  path: string;
  isDirectory: boolean;
}

/** Three GPO folders of different depths under one Policies folder (paths relative to it). */
const POLICIES: Node[] = [
  { name: '{A}', children: [{ name: 'GPT.INI' }, { name: 'Machine', children: [] }, { name: 'User', children: [] }] },
  {
    name: '{B}',
    children: [
      { name: 'GPT.INI' },
      {
        name: 'Machine',
        children: [
          {
            name: 'Microsoft',
            children: [{ name: 'Windows NT', children: [{ name: 'SecEdit', children: [{ name: 'GptTmpl.inf' }] }] }],
          },
        ],
      },
      { name: 'User', children: [{ name: 'Registry.pol' }] },
    ],
  },
  {
    name: '{C}',
    children: [
      { name: 'GPT.INI' },
      { name: 'Machine', children: [{ name: 'Scripts', children: [{ name: 'Startup', children: [] }] }] },
    ],
  },
  { name: 'PolicyDefinitions', children: [{ name: 'en-US', children: [{ name: 'a.adml' }] }] },
];

/** smbclient's order: a folder's entries, then the folders it found, first found first listed. */
function breadthFirst(nodes: Node[]): Entry[] {
  const out: Entry[] = [];
  const queue: Array<{ prefix: string; nodes: Node[] }> = [{ prefix: '', nodes }];
  while (queue.length > 0) {
    const { prefix, nodes: level } = queue.shift()!;
    for (const node of level) {
      const path = prefix + node.name;
      out.push({ path, isDirectory: node.children !== undefined });
      if (node.children) queue.push({ prefix: `${path}/`, nodes: node.children });
    }
  }
  return out;
}

/** The local walk's order: each folder's whole subtree before its next sibling. */
function depthFirst(nodes: Node[], prefix = ''): Entry[] {
  return nodes.flatMap((node) => {
    const path = prefix + node.name;
    const self = { path, isDirectory: node.children !== undefined };
    return node.children ? [self, ...depthFirst(node.children, `${path}/`)] : [self];
  });
}

/** Runs a listing through ListingCompletion; returns, per GPO, the entry index at which it was declared complete. */
function completionPoints(entries: Entry[]): Map<string, number> {
  const items = new Map(['{A}', '{B}', '{C}'].map((id) => [id, { id, finished: false }]));
  const completion = new ListingCompletion<{ id: string; finished: boolean }>();
  const completedAt = new Map<string, number>();
  const complete = (done: Array<{ id: string; finished: boolean }>, at: number) => {
    for (const item of done) {
      expect(item.finished, `${item.id} completed twice`).toBe(false);
      item.finished = true;
      completedAt.set(item.id, at);
    }
  };
  entries.forEach((entry, index) => {
    const item = items.get(entry.path.split('/')[0]!);
    complete(completion.next(entry.path, entry.isDirectory, item), index);
    if (item)
      expect(item.finished, `an entry of ${item.id} (${entry.path}) came after it was declared complete`).toBe(false);
  });
  complete(completion.end(), entries.length);
  return completedAt;
}

function lastIndexOf(entries: Entry[], id: string): number {
  return entries.map((entry) => entry.path.split('/')[0]).lastIndexOf(id);
}

describe('ListingCompletion', () => {
  for (const [order, list] of [
    ['breadth first (smbclient tar)', breadthFirst],
    ['depth first (local walk)', (nodes: Node[]) => depthFirst(nodes)],
  ] as const) {
    it(`declares a GPO complete only after its last entry, and before the listing ends, ${order}`, () => {
      const entries = list(POLICIES);
      const points = completionPoints(entries);
      expect([...points.keys()].sort()).toEqual(['{A}', '{B}', '{C}']);
      for (const [id, at] of points) expect(at, id).toBeGreaterThan(lastIndexOf(entries, id));
      // The shallow GPO {A} is known complete while other GPOs are still streaming.
      expect(points.get('{A}')).toBeLessThan(entries.length);
      expect(points.get('{A}')).toBeLessThan(lastIndexOf(entries, '{B}'));
    });
  }

  it('takes nothing from an entry whose parent folder never appeared; the end completes the rest', () => {
    const completion = new ListingCompletion<{ finished: boolean }>();
    const a = { finished: false };
    const b = { finished: false };
    expect(completion.next('{A}/Machine/x.pol', false, a)).toEqual([]);
    expect(completion.next('{B}/GPT.INI', false, b)).toEqual([]);
    expect(completion.end()).toEqual([a, b]);
  });
});
