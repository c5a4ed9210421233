import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { parseListFilters } from '../src/commands/list-filters.js';
import { MonotoneCount, phaseLabel } from '../src/output/operation-reporter.js';
import { fitEnd, formatTable } from '../src/output/table.js';
import type { ProviderRegistry } from '../src/providers/provider-registry.js';

describe('formatTable', () => {
  it('pads by display width: CJK, emoji and combining marks line up with ASCII', () => {
    const rows = [
      ['検証ポリシー 🚀', 'gpo', 'x'],
      ['Default Domain Policy', 'gpo', 'y'],
      ['Cafe\u0301 👩‍💻', 'gpo', 'z'],
    ];
    const lines = formatTable(['NAME', 'PROVIDER', 'ID'], rows);
    const header = lines[0]!;
    // The header is ASCII, so its offsets are display columns.
    const providerColumn = header.indexOf('PROVIDER');
    const idColumn = header.lastIndexOf('ID');
    for (const line of lines.slice(1)) {
      // The display width of what comes before each cell is the header's column (UTF-16 offsets would differ).
      expect(stringWidth(line.slice(0, line.indexOf('gpo'))), line).toBe(providerColumn);
      expect(stringWidth(line.slice(0, line.length - 1)), line).toBe(idColumn);
    }
    // The old padEnd by string length would not line these up: the CJK row is shorter in UTF-16 units than in columns.
    expect('検証ポリシー 🚀'.length).not.toBe(stringWidth('検証ポリシー 🚀'));
  });

  it('measures every cell as string-width does, plain ASCII by its length and the rest by string-width', () => {
    const cells = [
      '',
      'Default Domain Policy',
      ' ~!@#$%^&*()_+{}|:"<>?`-=[]\\;\',./ ',
      '\u001b[1mbold\u001b[22m', // ANSI codes take no columns
      'tab\there', // a control character: not plain ASCII, so string-width decides
      '\u007f',
      'Café',
      '検証',
    ];
    for (const cell of cells) {
      // Padded against a 40-column ASCII cell: the marker after it lands on column 42 only if the cell's width was
      // measured as string-width measures it.
      const [, line] = formatTable(
        ['', 'X'],
        [
          [cell, 'M'],
          ['x'.repeat(40), 'M'],
        ],
      );
      expect(stringWidth(line!.slice(0, line!.lastIndexOf('M'))), JSON.stringify(cell)).toBe(42);
    }
  });

  it('keeps a long item to its room in display columns, cutting only between graphemes', () => {
    const fitted = fitEnd('検証/ポリシー/👩‍💻/file.txt', 12);
    expect(stringWidth(fitted)).toBeLessThanOrEqual(12);
    expect(fitted.startsWith('…')).toBe(true);
    expect(fitted.endsWith('file.txt')).toBe(true);
    expect(fitEnd('short', 12)).toBe('short');
  });
});

describe('progress for people', () => {
  it('never shows completed going back or the total shrinking, across the operations of one command', () => {
    const count = new MonotoneCount();
    const shown = [
      count.view({ phase: 'a', completed: 1, total: 14 }),
      count.view({ phase: 'a', completed: 18, total: 25 }),
      count.view({ phase: 'b', completed: 10, total: 12 }), // a report that went back
      count.view({ phase: 'b', completed: 39, total: 40 }),
    ];
    count.nextOperation();
    shown.push(count.view({ phase: 'c', completed: 0, total: 0 }), count.view({ phase: 'c', completed: 2, total: 3 }));
    for (let i = 1; i < shown.length; i++) {
      expect(shown[i]!.completed).toBeGreaterThanOrEqual(shown[i - 1]!.completed);
      expect(shown[i]!.total).toBeGreaterThanOrEqual(shown[i - 1]!.total);
      expect(shown[i]!.completed).toBeLessThanOrEqual(shown[i]!.total);
    }
    expect(shown.at(-1)).toEqual({ completed: 41, total: 43 });
  });

  it('names a phase by its label, else by its id with a capital', () => {
    expect(phaseLabel({ phase: 'BACKUPRESTORE_BEGIN', label: 'Copying licenses' })).toBe('Copying licenses');
    expect(phaseLabel({ phase: 'copying SYSVOL' })).toBe('Copying SYSVOL');
  });
});

describe('list filters', () => {
  const registry: ProviderRegistry = {
    available: [],
    failed: [],
    missing: [],
    find: () => undefined,
    findUnavailableBuiltin: () => undefined,
  };
  const now = Date.parse('2026-12-04T12:00:00Z');
  const parse = (flags: Parameters<typeof parseListFilters>[0]) => parseListFilters(flags, registry, now);

  it('reads times ago, ISO dates (a whole local day) and ISO times', () => {
    expect(parse({ since: '7d' }).since).toBe(now - 7 * 86_400_000);
    expect(parse({ since: '12h' }).since).toBe(now - 12 * 3_600_000);
    expect(parse({ since: '30m' }).since).toBe(now - 30 * 60_000);
    expect(parse({ since: '2w' }).since).toBe(now - 14 * 86_400_000);
    expect(parse({ since: '2026-12-01' }).since).toBe(new Date(2026, 11, 1).getTime());
    expect(parse({ until: '2026-12-01' }).until).toBe(new Date(2026, 11, 1, 23, 59, 59, 999).getTime());
    expect(parse({ since: '2026-12-01T08:30:00Z' }).since).toBe(Date.parse('2026-12-01T08:30:00Z'));
    expect(parse({ since: '2026-12-01T08:30+0200' }).since).toBe(Date.parse('2026-12-01T06:30:00Z'));
  });

  it.each(['yesterday', '7', '-7d', '7 days', '2026-02-31', '2026-13-01', '2026-12-01T25:00Z', ''])(
    'refuses --since %j as a usage error (E_INVALIDARG)',
    (value) => {
      expect(() => parse({ since: value })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    },
  );

  it('refuses --since after --until, an empty --name and an unknown --type', () => {
    expect(() => parse({ since: '2026-12-02', until: '2026-12-01' })).toThrow(/after --until/);
    expect(() => parse({ name: [' '] })).toThrow(/--name needs/);
    expect(() => parse({ type: ['nope'] })).toThrow(/--type nope: there is no such provider/);
  });
});
