import { describe, expect, test } from 'vitest';
import { parseSmbclientListing } from '../../src/sysvol/gpt-listing.js';

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
