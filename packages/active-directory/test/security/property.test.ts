import { CofferError } from '@coffer/core';
import { describe, expect, it } from 'vitest';
import {
  type Ace,
  type Acl,
  ACE_TYPE,
  aceShape,
  decodeAceFlags,
  decodeControl,
  type KnownAceKind,
  parseSddl,
  parseSecurityDescriptor,
  type SecurityDescriptor,
  type SecurityDescriptorPart,
  serializeSecurityDescriptor,
  toSddl,
} from '../../src/security/index.js';

/** Small seeded PRNG (mulberry32) so a failing case can be replayed from its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Gen {
  constructor(readonly next: () => number) {}
  int(max: number): number {
    return Math.floor(this.next() * max);
  }
  u32(): number {
    return (this.int(0x10000) * 0x10000 + this.int(0x10000)) >>> 0;
  }
  bool(p = 0.5): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  bytes(length: number): Uint8Array {
    return Uint8Array.from({ length }, () => this.int(256));
  }
  sid(): string {
    const authority = this.bool(0.9) ? this.pick([0, 1, 2, 3, 5, 15, 16, 18]) : this.int(2 ** 47);
    const count = this.int(16);
    const subs = Array.from({ length: count }, () => (this.bool(0.3) ? this.int(600) : this.u32()));
    const authorityText = authority >= 2 ** 32 ? `0x${authority.toString(16).padStart(12, '0')}` : String(authority);
    return ['S', '1', authorityText, ...subs.map(String)].join('-');
  }
  guid(): string {
    const h = Array.from(this.bytes(16), (b) => b.toString(16).padStart(2, '0')).join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }
}

const KINDS = Object.keys(ACE_TYPE) as KnownAceKind[];
const UNKNOWN_TYPES = [0x04, 0x15, 0x16, 0x7f, 0xff];

function randomAce(g: Gen): Ace {
  const flags = decodeAceFlags(g.int(256));
  if (g.bool(0.08)) return { kind: 'unknown', type: g.pick(UNKNOWN_TYPES), flags, body: g.bytes(g.int(5) * 4) };
  const kind = g.pick(KINDS);
  const mask = g.u32();
  const sid = g.sid();
  const guids = {
    ...(g.bool() ? { objectType: g.guid() } : {}),
    ...(g.bool() ? { inheritedObjectType: g.guid() } : {}),
  };
  const trailing = g.bool(0.1) ? { trailing: g.bytes(1 + g.int(8)) } : {};
  switch (aceShape(kind)) {
    case 'sid':
      return { kind, flags, mask, sid, ...trailing } as Ace;
    case 'object':
      return { kind, flags, mask, ...guids, sid, ...trailing } as Ace;
    case 'data':
      return { kind, flags, mask, sid, applicationData: g.bytes(g.int(24)) } as Ace;
    case 'objectData':
      return { kind, flags, mask, ...guids, sid, applicationData: g.bytes(g.int(24)) } as Ace;
  }
}

function randomAcl(g: Gen): Acl {
  const acl: Acl = { revision: g.pick([2, 4]), aces: Array.from({ length: g.int(12) }, () => randomAce(g)) };
  if (g.bool(0.1)) acl.slack = g.bytes(1 + g.int(8));
  return acl;
}

function shuffle<T>(g: Gen, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = g.int(i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

function randomDescriptor(g: Gen): SecurityDescriptor {
  const sd: SecurityDescriptor = {
    revision: 1,
    resourceManagerControl: g.bool(0.2) ? g.int(256) : 0,
    control: decodeControl(g.int(0x10000) | 0x8000),
  };
  if (g.bool(0.7)) sd.owner = g.sid();
  if (g.bool(0.7)) sd.group = g.sid();
  if (g.bool(0.5)) sd.sacl = randomAcl(g);
  if (g.bool(0.8)) sd.dacl = randomAcl(g);
  const parts = (['owner', 'group', 'sacl', 'dacl'] as SecurityDescriptorPart[]).filter((p) => sd[p] !== undefined);
  sd.layout = { order: shuffle(g, parts) };
  if (g.bool(0.2)) {
    const gaps = Array.from({ length: parts.length + 1 }, () => g.bytes(g.bool() ? g.int(3) * 4 : 0));
    if (gaps.some((gap) => gap.length > 0)) sd.layout.gaps = gaps;
  }
  return sd;
}

function expectInvalidOrParsed(bytes: Uint8Array): void {
  try {
    parseSecurityDescriptor(bytes);
  } catch (error) {
    expect(error).toBeInstanceOf(CofferError);
    expect((error as CofferError).code).toBe('INVALID_SECURITY_DESCRIPTOR');
  }
}

const RUNS = 400;

describe('random descriptors (seeded)', () => {
  it(`model -> bytes -> model is the identity, and bytes -> model -> bytes is too (${RUNS} cases)`, () => {
    for (let seed = 1; seed <= RUNS; seed++) {
      const sd = randomDescriptor(new Gen(rng(seed)));
      const bytes = serializeSecurityDescriptor(sd);
      const parsed = parseSecurityDescriptor(bytes);
      expect(parsed, `seed ${seed}`).toEqual(sd);
      expect(Buffer.from(serializeSecurityDescriptor(parsed)).equals(Buffer.from(bytes)), `seed ${seed}`).toBe(true);
    }
  });

  it('every truncation of a valid descriptor either parses or fails with INVALID_SECURITY_DESCRIPTOR', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const bytes = serializeSecurityDescriptor(randomDescriptor(new Gen(rng(seed))));
      for (let length = 0; length < bytes.length; length++) expectInvalidOrParsed(bytes.subarray(0, length));
    }
  });

  it('random byte corruption never escapes as anything but INVALID_SECURITY_DESCRIPTOR', () => {
    for (let seed = 1; seed <= RUNS; seed++) {
      const g = new Gen(rng(seed * 7919));
      const bytes = Uint8Array.from(serializeSecurityDescriptor(randomDescriptor(g)));
      for (let hits = 1 + g.int(4); hits > 0; hits--) bytes[g.int(bytes.length)] = g.int(256);
      expectInvalidOrParsed(bytes);
    }
  });

  it('SDDL-expressible random DACLs survive toSddl -> parseSddl -> toSddl', () => {
    const sddlKinds: KnownAceKind[] = [
      'accessAllowed',
      'accessDenied',
      'accessAllowedObject',
      'accessDeniedObject',
      'systemMandatoryLabel',
    ];
    for (let seed = 1; seed <= RUNS; seed++) {
      const g = new Gen(rng(seed * 31));
      const aces: Ace[] = Array.from({ length: g.int(10) }, () => {
        const kind = g.pick(sddlKinds);
        const base = { kind, flags: decodeAceFlags(g.int(256)), mask: g.u32(), sid: g.sid() };
        return (
          aceShape(kind) === 'object'
            ? {
                ...base,
                ...(g.bool() ? { objectType: g.guid() } : {}),
                ...(g.bool() ? { inheritedObjectType: g.guid() } : {}),
              }
            : base
        ) as Ace;
      });
      const sd: SecurityDescriptor = {
        revision: 1,
        resourceManagerControl: 0,
        control: { selfRelative: true, daclPresent: true, daclProtected: g.bool() },
        dacl: { revision: 4, aces },
      };
      const text = toSddl(sd);
      expect(toSddl(parseSddl(text)), `seed ${seed}: ${text}`).toBe(text);
    }
  });
});
