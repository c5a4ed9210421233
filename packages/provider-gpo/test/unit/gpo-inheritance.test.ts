import { describe, expect, test } from 'vitest';
import { inheritedLinks, type LinkContainer } from '../../src/live/gpo-inheritance.js';
import { selectByPatterns } from '../../src/live/list-domain-gpos.js';

const link = (gpoId: string, order: number, options: { enforced?: boolean; enabled?: boolean } = {}) => ({
  gpoId,
  order,
  enabled: options.enabled ?? true,
  enforced: options.enforced ?? false,
});

const domain: LinkContainer = {
  dn: 'DC=corp,DC=example',
  path: 'corp.example',
  blocksInheritance: false,
  links: [link('DDP', 2), link('DOMAIN-ENFORCED', 1, { enforced: true })],
};
const sales: LinkContainer = {
  dn: 'OU=Sales,DC=corp,DC=example',
  path: 'corp.example/Sales',
  blocksInheritance: false,
  links: [link('SALES-2', 2), link('SALES-1', 1), link('SALES-OFF', 3, { enabled: false })],
};
const laptops: LinkContainer = {
  dn: 'OU=Laptops,OU=Sales,DC=corp,DC=example',
  path: 'corp.example/Sales/Laptops',
  blocksInheritance: false,
  links: [link('LAPTOPS', 1), link('LAPTOPS-ENFORCED', 2, { enforced: true })],
};

const ids = (chain: LinkContainer[]) => inheritedLinks(chain).map((l) => `${l.precedence}:${l.gpoId}@${l.from}`);

describe('GPO inheritance (GPMC’s Group Policy Inheritance tab)', () => {
  test('the nearest container wins, link order 1 first within a container; disabled links apply nowhere', () => {
    expect(ids([domain, sales])).toEqual([
      '1:DOMAIN-ENFORCED@corp.example',
      '2:SALES-1@corp.example/Sales',
      '3:SALES-2@corp.example/Sales',
      '4:DDP@corp.example',
    ]);
  });

  test('enforced links come first, the highest container’s before a lower one’s', () => {
    expect(ids([domain, sales, laptops])).toEqual([
      '1:DOMAIN-ENFORCED@corp.example',
      '2:LAPTOPS-ENFORCED@corp.example/Sales/Laptops',
      '3:LAPTOPS@corp.example/Sales/Laptops',
      '4:SALES-1@corp.example/Sales',
      '5:SALES-2@corp.example/Sales',
      '6:DDP@corp.example',
    ]);
  });

  test('blocking inheritance stops the links above, except enforced ones', () => {
    expect(ids([domain, sales, { ...laptops, blocksInheritance: true }])).toEqual([
      '1:DOMAIN-ENFORCED@corp.example',
      '2:LAPTOPS-ENFORCED@corp.example/Sales/Laptops',
      '3:LAPTOPS@corp.example/Sales/Laptops',
    ]);
  });
});

describe('choosing GPOs by pattern', () => {
  const gpos = [
    { id: '{11111111-1111-1111-1111-111111111111}', displayName: 'Default Domain Policy' },
    { id: '{22222222-2222-2222-2222-222222222222}', displayName: 'Default Domain Controllers Policy' },
    { id: '{33333333-3333-3333-3333-333333333333}', displayName: '検証ポリシー 🚀' },
    { id: '{44444444-4444-4444-4444-444444444444}', displayName: '検証ポリシー 🚀' },
  ];

  test('wildcards match display names, case-insensitively, in list order; they may match nothing', () => {
    expect(selectByPatterns(gpos, ['default*']).map((g) => g.displayName)).toEqual([
      'Default Domain Policy',
      'Default Domain Controllers Policy',
    ]);
    expect(selectByPatterns(gpos, ['Default Domain ?olicy']).length).toBe(1);
    expect(selectByPatterns(gpos, ['nothing*'])).toEqual([]);
    // Regex characters in a name are literal.
    expect(selectByPatterns(gpos, ['(.*)'])).toEqual([]);
  });

  test('a GUID or an exact name must match; two GPOs of one name are both listed', () => {
    expect(selectByPatterns(gpos, ['22222222-2222-2222-2222-222222222222'])[0]?.displayName).toBe(
      'Default Domain Controllers Policy',
    );
    expect(selectByPatterns(gpos, ['検証ポリシー 🚀']).length).toBe(2);
    expect(() => selectByPatterns(gpos, ['No Such GPO'])).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });
});
