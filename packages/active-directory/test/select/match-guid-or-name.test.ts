import { describe, expect, it } from 'vitest';
import { matchGuidOrName } from '../../src/index.js';

const objects = [
  { id: '{31B2F340-016D-11D2-945F-00C04FB984F9}', displayName: 'Default Domain Policy' },
  { id: '{6AC1786C-016F-11D2-945F-00C04FB984F9}', displayName: 'Räume – 東京 ✓' },
  { id: '{AAAAAAAA-0000-0000-0000-000000000001}', displayName: 'Twin' },
  { id: '{AAAAAAAA-0000-0000-0000-000000000002}', displayName: 'TWIN' },
  { id: '{AAAAAAAA-0000-0000-0000-000000000003}', displayName: '{aaaaaaaa-0000-0000-0000-000000000001}' },
];

describe('matchGuidOrName', () => {
  it('matches a GUID with or without braces, in any case, blanks around it ignored', () => {
    for (const request of [
      '31b2f340-016d-11d2-945f-00c04fb984f9',
      '{31B2F340-016D-11D2-945F-00C04FB984F9}',
      ' {31b2f340-016d-11d2-945f-00c04fb984f9} ',
    ]) {
      expect(matchGuidOrName(objects, request).map((o) => o.displayName)).toEqual(['Default Domain Policy']);
    }
  });

  it('reads a GUID-shaped request as a GUID, never as a display name', () => {
    expect(matchGuidOrName(objects, '{AAAAAAAA-0000-0000-0000-000000000001}').map((o) => o.displayName)).toEqual([
      'Twin',
    ]);
  });

  it('matches display names exactly but for case, Unicode included, and returns every match', () => {
    expect(matchGuidOrName(objects, 'räume – 東京 ✓')).toHaveLength(1);
    expect(matchGuidOrName(objects, 'twin')).toHaveLength(2);
    expect(matchGuidOrName(objects, 'Twin ')).toEqual([]);
    expect(matchGuidOrName(objects, 'Default')).toEqual([]);
  });
});
