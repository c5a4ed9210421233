import { describe, expect, test } from 'vitest';
import {
  CHANGE_STATE_FORMAT,
  type ChangeState,
  compareListing,
  digestFacts,
  type ListedEntry,
  parseChangeState,
  recordListing,
  renderChangeState,
} from '../../src/index.js';

const readStartedAt = '2026-12-01T12:00:00.000Z';
const start = Date.parse(readStartedAt) / 1000;
/** Written a day before the backup read it: the listing alone settles it. */
const old = start - 86_400;

const listing: ListedEntry[] = [
  { path: 'GPT.INI', kind: 'file', size: 59, mtime: old },
  { path: 'Machine', kind: 'directory', size: 0, mtime: old },
  { path: 'Machine/Registry.pol', kind: 'file', size: 120, mtime: old },
  { path: 'Machine/Scripts', kind: 'directory', size: 0, mtime: old },
];

function stateOf(entries: ListedEntry[], hashes = new Map<string, string>()): ChangeState {
  return {
    format: CHANGE_STATE_FORMAT,
    version: 1,
    objectId: '{31B2F340-016D-11D2-945F-00C04FB984F9}',
    adDigest: digestFacts({ a: 1 }),
    readStartedAt,
    contentRoot: 'DomainSysvol/GPO',
    listing: recordListing(entries, hashes),
  };
}

const manifest = new Map([['DomainSysvol/GPO/Machine/Registry.pol', 'aa']]);
const hashOf = (recorded: { path: string; sha256?: string }) =>
  recorded.sha256 ?? manifest.get(`DomainSysvol/GPO/${recorded.path}`);

describe('compareListing', () => {
  const state = stateOf(listing, new Map([['GPT.INI', 'bb']]));

  test('the same names, sizes and old times are unchanged without reading anything', () => {
    expect(compareListing(state, listing, hashOf)).toEqual({ verdict: 'unchanged' });
  });

  test('a folder time that moved is no change by itself (its entries are compared)', () => {
    const live = listing.map((e) => (e.kind === 'directory' ? { ...e, mtime: start + 50 } : e));
    expect(compareListing(state, live, hashOf)).toEqual({ verdict: 'unchanged' });
  });

  test('an added, removed or renamed entry, or another size, is a change', () => {
    expect(compareListing(state, [...listing, { path: 'User', kind: 'directory', size: 0 }], hashOf)).toMatchObject({
      verdict: 'changed',
      reason: 'User was added',
    });
    expect(compareListing(state, listing.slice(0, 3), hashOf)).toMatchObject({
      verdict: 'changed',
      reason: 'Machine/Scripts was removed',
    });
    const renamed = listing.map((e) =>
      e.path === 'Machine/Registry.pol' ? { ...e, path: 'Machine/registry.pol' } : e,
    );
    expect(compareListing(state, renamed, hashOf).verdict).toBe('changed');
    const grown = listing.map((e) => (e.path === 'Machine/Registry.pol' ? { ...e, size: 121 } : e));
    expect(compareListing(state, grown, hashOf)).toMatchObject({ verdict: 'changed' });
    const nowFile = listing.map((e) => (e.path === 'Machine/Scripts' ? { ...e, kind: 'file' as const } : e));
    expect(compareListing(state, nowFile, hashOf).verdict).toBe('changed');
  });

  test('a file written since (other time, same size) is settled by its hash, from the manifest or the state', () => {
    const touched = listing.map((e) => (e.kind === 'file' ? { ...e, mtime: start + 3600 } : e));
    expect(compareListing(state, touched, hashOf)).toEqual({
      verdict: 'hash',
      files: [
        { path: 'GPT.INI', sha256: 'bb' },
        { path: 'Machine/Registry.pol', sha256: 'aa' },
      ],
    });
  });

  test('a recorded time near the read (within the clock allowance) cannot prove anything: hash', () => {
    const recent = listing.map((e) => (e.path === 'Machine/Registry.pol' ? { ...e, mtime: start - 100 } : e));
    expect(compareListing(stateOf(recent), recent, hashOf)).toEqual({
      verdict: 'hash',
      files: [{ path: 'Machine/Registry.pol', sha256: 'aa' }],
    });
    // With no allowance only the granularity is left: 100 s before the read is settled by the listing.
    expect(compareListing(stateOf(recent), recent, hashOf, 0)).toEqual({ verdict: 'unchanged' });
  });

  test('a file the listing cannot settle and the backup holds no hash of is a change', () => {
    const touched = listing.map((e) => (e.path === 'GPT.INI' ? { ...e, mtime: start + 10 } : e));
    expect(compareListing(stateOf(listing), touched, hashOf)).toMatchObject({ verdict: 'changed' });
  });

  test('a time either side does not know is settled by the hash', () => {
    const untimed = listing.map(({ mtime: _drop, ...e }) => e);
    expect(compareListing(state, untimed, hashOf).verdict).toBe('hash');
  });

  test("names are compared without trailing spaces (smbclient's ls loses them), case kept", () => {
    const spaced = stateOf([...listing, { path: 'Machine/Scripts/run ', kind: 'file', size: 3, mtime: old }]);
    const live = [...listing, { path: 'Machine/Scripts/run', kind: 'file' as const, size: 3, mtime: old }];
    expect(compareListing(spaced, live, hashOf)).toEqual({ verdict: 'unchanged' });
  });
});

describe('change state file', () => {
  test('round-trips and refuses what is not one', () => {
    const state = stateOf(listing);
    expect(parseChangeState(renderChangeState(state), 'x')).toEqual(state);
    expect(() => parseChangeState('{"format":"other"}', 'x')).toThrow(/not a Coffer change state/);
    expect(() => parseChangeState('nope', 'x')).toThrow(/not valid JSON/);
    const bad = { ...state, listing: [{ path: 1 }] };
    expect(() => parseChangeState(JSON.stringify(bad), 'x')).toThrow(/not a Coffer change state/);
  });

  test('the digest ignores key order and keeps array order', () => {
    expect(digestFacts({ a: 1, b: [1, 2] })).toBe(digestFacts({ b: [1, 2], a: 1 }));
    expect(digestFacts({ a: 1, b: [1, 2] })).not.toBe(digestFacts({ a: 1, b: [2, 1] }));
  });
});
