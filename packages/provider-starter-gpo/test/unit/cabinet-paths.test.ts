/** Where GPMC's flattened cabinet names put each file of a Starter GPO (the cabinet format itself is tested in @coffer/gpmc). */
import { describe, expect, it } from 'vitest';
import { layOutStarterGpoCabinet, starterGpoPathOf } from '../../src/cab/cabinet-paths.js';

const when = new Date(Date.UTC(2024, 4, 6, 7, 8, 10));

describe('Starter GPO paths in a cabinet', () => {
  it("un-flattens GPMC's names", () => {
    expect(starterGpoPathOf('StarterGPO.tmplx')).toBe('StarterGPO.tmplx');
    expect(starterGpoPathOf('Machine_Registry.pol')).toBe('Machine/registry.pol');
    expect(starterGpoPathOf('USER_Comment.cmtx')).toBe('User/comment.cmtx');
    expect(starterGpoPathOf('Machine_Scripts_a.cmd')).toBe('Machine/Scripts_a.cmd');
    expect(starterGpoPathOf('de-DE_StarterGPO.tmpll')).toBe('de-DE/StarterGPO.tmpll');
    expect(starterGpoPathOf('Report.html')).toBeNull();
    expect(starterGpoPathOf('Machine\\registry.pol')).toBe('Machine/registry.pol');
    expect(starterGpoPathOf('notes.txt')).toBe('notes.txt');
  });

  it('refuses names that would escape the folder or collide', () => {
    const entry = (name: string) => ({ name, data: Buffer.from(name), modified: when, attributes: 0 });
    expect(() => layOutStarterGpoCabinet([entry('..\\..\\evil.txt')], 'e.cab')).toThrow(
      expect.objectContaining({ code: 'CAB_INVALID' }),
    );
    expect(() => layOutStarterGpoCabinet([entry('C:\\evil.txt')], 'e.cab')).toThrow(
      expect.objectContaining({ code: 'CAB_INVALID' }),
    );
    expect(() =>
      layOutStarterGpoCabinet([entry('Machine_Registry.pol'), entry('Machine\\REGISTRY.POL')], 'c.cab'),
    ).toThrow(expect.objectContaining({ code: 'CAB_INVALID' }));
  });
});
