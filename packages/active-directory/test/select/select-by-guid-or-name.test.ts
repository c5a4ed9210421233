import { describe, expect, it } from 'vitest';
import { selectByGuidOrName } from '../../src/index.js';

const objects = [
  { id: '{31B2F340-016D-11D2-945F-00C04FB984F9}', displayName: 'Default Domain Policy' },
  { id: '{AAAAAAAA-0000-0000-0000-000000000001}', displayName: 'Twin' },
  { id: '{AAAAAAAA-0000-0000-0000-000000000002}', displayName: 'TWIN' },
];
const words = { noun: 'Starter GPO', scope: 'corp.example', hint: 'List them first.' };

describe('selectByGuidOrName', () => {
  it('chooses each object once, in the order first asked for, by GUID (braces optional) or name (any case)', () => {
    const chosen = selectByGuidOrName(
      objects,
      ['aaaaaaaa-0000-0000-0000-000000000001', ' default domain policy ', '{AAAAAAAA-0000-0000-0000-000000000001}'],
      words,
    );
    expect(chosen.map((o) => o.displayName)).toEqual(['Twin', 'Default Domain Policy']);
  });

  it("says NOT_FOUND in the caller's words, listing what exists when asked to", () => {
    expect(() => selectByGuidOrName(objects, ['Nope'], words)).toThrow(
      expect.objectContaining({ code: 'NOT_FOUND', hresult: 0x80070490, hint: 'List them first.' }),
    );
    expect(() => selectByGuidOrName(objects, ['Nope'], { ...words, listKnown: true })).toThrow(
      /No Starter GPO named or with the GUID "Nope" exists in corp\.example \(it has: "Default Domain Policy", "Twin", "TWIN"\)\./,
    );
    expect(() => selectByGuidOrName([], ['Nope'], { ...words, listKnown: true })).toThrow(/\(it has none\)/);
  });

  it('refuses a name several objects share (AMBIGUOUS), naming their GUIDs', () => {
    expect(() => selectByGuidOrName(objects, ['twin'], { ...words, noun: 'GPO', scope: 'the domain' })).toThrow(
      expect.objectContaining({
        code: 'AMBIGUOUS',
        message: expect.stringMatching(
          /^2 GPOs in the domain are named "twin": \{AAAAAAAA-0000-0000-0000-000000000001\}, \{AAAAAAAA-0000-0000-0000-000000000002\}\.$/,
        ),
      }),
    );
  });
});
