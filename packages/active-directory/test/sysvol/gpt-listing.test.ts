import { describe, expect, test } from 'vitest';
import { parseSmbclientListing, parseSmbclientListings } from '../../src/sysvol/gpt-listing.js';
import { patternGroups } from '../../src/sysvol/smbclient-sysvol.js';

// What smbclient 4.17 prints for `recurse ON; ls "corp.example/Policies/{GUID}/*"` under TZ=UTC (the free-space
// summary lines included), with a name holding spaces, digits and capitals and a name longer than the column.
const output = [
  '  .                                   D        0  Fri Dec  4 23:26:25 2026',
  '  ..                                  D        0  Fri Dec  4 23:26:25 2026',
  '  Machine                             D        0  Fri Dec  4 23:26:25 2026',
  '  GPT.INI                             N       64  Fri Dec  4 23:26:25 2026',
  '',
  '\t\t40972080 blocks of size 1024. 20176048 blocks available',
  '\\corp.example\\Policies\\{D3A47EDC-5728-4BC6-A9A1-9B348326C500}\\Machine',
  '  .                                   D        0  Fri Dec  4 23:26:25 2026',
  '  ..                                  D        0  Fri Dec  4 23:26:25 2026',
  '  Registry.pol                        A     1234  Thu Jan  1 00:00:01 1970',
  '  Run Me 2 A 12.cmd                   A       12  Sun Mar 29 01:30:00 2026',
  '  a-name-that-is-longer-than-the-thirty-column-pad.txt      A   987654  Mon Nov 30 23:59:59 2026',
  '',
  '\\corp.example\\Policies\\{D3A47EDC-5728-4BC6-A9A1-9B348326C500}\\Machine\\Empty',
  '  .                                   D        0  Fri Dec  4 23:26:25 2026',
  '  ..                                  D        0  Fri Dec  4 23:26:25 2026',
  '\\corp.example\\Policies\\{OTHER}',
  '  Stray                               A        1  Fri Dec  4 23:26:25 2026',
].join('\n');

describe('parseSmbclientListing', () => {
  test('entries below the root, with kind, size and UTC seconds; . and .., summaries and other folders left out', () => {
    const root = 'corp.example/Policies/{d3a47edc-5728-4bc6-a9a1-9b348326c500}';
    expect(parseSmbclientListing(output, root)).toEqual([
      { path: 'Machine', kind: 'directory', size: 0, mtime: Date.UTC(2026, 11, 4, 23, 26, 25) / 1000 },
      { path: 'GPT.INI', kind: 'file', size: 64, mtime: Date.UTC(2026, 11, 4, 23, 26, 25) / 1000 },
      { path: 'Machine/Registry.pol', kind: 'file', size: 1234, mtime: 1 },
      { path: 'Machine/Run Me 2 A 12.cmd', kind: 'file', size: 12, mtime: Date.UTC(2026, 2, 29, 1, 30, 0) / 1000 },
      {
        path: 'Machine/a-name-that-is-longer-than-the-thirty-column-pad.txt',
        kind: 'file',
        size: 987654,
        mtime: Date.UTC(2026, 10, 30, 23, 59, 59) / 1000,
      },
    ]);
  });

  test('an empty listing is no entries', () => {
    expect(parseSmbclientListing('', 'x')).toEqual([]);
  });
});

// What smbclient 4.17 prints for `recurse ON; ls "corp.example/Policies/{0*"; ls "…/{Z*"; ls "…/{1*"` (UTC): each
// command starts with the root's entries its pattern matches, without a header, and ends with the free-space
// summary, or, when nothing matches, with the status line alone.
const sessionOutput = [
  '  {0A000000-0000-0000-0000-000000000000}      D        0  Sat Dec  5 01:34:04 2026',
  '',
  '\\corp.example\\Policies\\{0A000000-0000-0000-0000-000000000000}',
  '  .                                   D        0  Sat Dec  5 01:34:04 2026',
  '  ..                                  D        0  Sat Dec  5 01:34:04 2026',
  '  GPT.INI                             N       59  Sat Dec  5 01:34:04 2026',
  '  Machine                             D        0  Sat Dec  5 01:34:04 2026',
  '',
  '\\corp.example\\Policies\\{0A000000-0000-0000-0000-000000000000}\\Machine',
  '  .                                   D        0  Sat Dec  5 01:34:04 2026',
  '  ..                                  D        0  Sat Dec  5 01:34:04 2026',
  '  registry.pol                        N      362  Sat Dec  5 01:34:04 2026',
  '',
  '\t\t264212084 blocks of size 1024. 81434136 blocks available',
  'NT_STATUS_NO_SUCH_FILE listing \\corp.example\\Policies\\{Z*',
  '  {1B000000-0000-0000-0000-000000000000}      D        0  Sat Dec  5 01:34:05 2026',
  '  top.txt                             A        3  Sat Dec  5 01:34:05 2026',
  '',
  '\\corp.example\\Policies\\{1B000000-0000-0000-0000-000000000000}',
  '  .                                   D        0  Sat Dec  5 01:34:05 2026',
  '  ..                                  D        0  Sat Dec  5 01:34:05 2026',
  '',
  '\t\t264212084 blocks of size 1024. 81434072 blocks available',
].join('\n');

describe('parseSmbclientListings', () => {
  const root = 'corp.example/Policies';
  const t = (s: number) => Date.UTC(2026, 11, 5, 1, 34, s) / 1000;

  test('one list per ls command; each starts again at the root, a pattern that matched nothing lists nothing', () => {
    expect(parseSmbclientListings(sessionOutput, root, 3)).toEqual([
      [
        { path: '{0A000000-0000-0000-0000-000000000000}', kind: 'directory', size: 0, mtime: t(4) },
        { path: '{0A000000-0000-0000-0000-000000000000}/GPT.INI', kind: 'file', size: 59, mtime: t(4) },
        { path: '{0A000000-0000-0000-0000-000000000000}/Machine', kind: 'directory', size: 0, mtime: t(4) },
        { path: '{0A000000-0000-0000-0000-000000000000}/Machine/registry.pol', kind: 'file', size: 362, mtime: t(4) },
      ],
      [],
      [
        { path: '{1B000000-0000-0000-0000-000000000000}', kind: 'directory', size: 0, mtime: t(5) },
        { path: 'top.txt', kind: 'file', size: 3, mtime: t(5) },
      ],
    ]);
  });

  test('output that does not end each command, or says more after the last, is not taken apart', () => {
    expect(parseSmbclientListings(sessionOutput, root, 2)).toBeNull();
    expect(parseSmbclientListings(sessionOutput, root, 4)).toBeNull();
    expect(
      parseSmbclientListings(`${sessionOutput}\n  extra.txt   A   1  Sat Dec  5 01:34:05 2026`, root, 3),
    ).toBeNull();
  });
});

describe('patternGroups', () => {
  const guid = (first: string, n: number) => `{${first}${String(n).padStart(7, '0')}-0000-0000-0000-000000000000}`;

  test('GPO folders split by `{` and their first hex digit, each prefix in one session, names dealt out evenly', () => {
    const names = [...'0123456789ABCDEF'].flatMap((digit, i) =>
      Array.from({ length: i + 1 }, (_, n) => guid(digit, n)),
    );
    const groups = patternGroups(names, 2)!;
    expect(groups).toHaveLength(2);
    const prefixes = groups.flat();
    expect(prefixes.sort()).toEqual([...'0123456789abcdef'].map((digit) => `{${digit}`).sort());
    const counts = groups.map((group) => names.filter((name) => group.includes(name.slice(0, 2).toLowerCase())).length);
    expect(counts[0]! + counts[1]!).toBe(names.length);
    expect(Math.abs(counts[0]! - counts[1]!)).toBeLessThanOrEqual(16);
  });

  test('prefixes are case-insensitive, as SMB matches patterns: two spellings share one prefix and one session', () => {
    const names = ['ab1', 'AB2', 'cd', 'ef', 'gh', 'ij', 'kl', 'mn', 'op'];
    const groups = patternGroups(names, 2)!;
    expect(groups.flat().filter((prefix) => prefix === 'a' || prefix === 'ab')).toHaveLength(1);
  });

  test('no split (one session lists all) for too few names, wildcards, command characters or names too short', () => {
    const many = Array.from({ length: 16 }, (_, n) => guid('0123456789ABCDEF'[n]!, n));
    expect(patternGroups(many.slice(0, 7), 2)).toBeNull();
    expect(patternGroups(many, 1)).toBeNull();
    for (const odd of ['a*b', 'a?b', 'a<b', 'a>b', 'a"b', 'a;b', '\ud83d\ude00x'])
      expect(patternGroups([...many, odd], 2), odd).toBeNull();
    // One-character names cannot take a two-character prefix, which `{…}` folders need to make eight groups.
    expect(patternGroups([...many, 'x'], 2)).toBeNull();
  });
});
