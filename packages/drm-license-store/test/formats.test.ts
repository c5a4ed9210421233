import { describe, expect, it } from 'vitest';
import { decodeFacts, encodeFacts, type LicenseFacts } from '../src/license/license-facts.js';
import {
  buildDataXml,
  buildLicenseXml,
  formatWmdrmDate,
  parseLicenseXml,
  parseWmdrmDate,
  type LicenseData,
} from '../src/license/license-xml.js';
import { decodeLicenseRecord, encodeLicenseRecord, LicenseLineView } from '../src/store/license-record.js';
import { escapeField, unescapeField } from '../src/store/field-escaping.js';

const data: LicenseData = {
  lid: '{11111111-2222-3333-4444-555555555555}',
  kid: 'q83vEjRWeJA=',
  issuedAt: Date.UTC(2024, 0, 31, 23, 59, 58),
  priority: 7,
  persistent: true,
  meta: { TITLE: 'Tabs\tand\nnewlines & <brackets> "quoted"', ARTIST: 'X' },
  enablingBits: { algorithm: 'AES-256-GCM', bindingId: 'abc', value: 'AAAA' },
  actions: [
    {
      type: 'Play',
      condition: {
        beginsAt: Date.UTC(2024, 0, 1),
        expiresAt: Date.UTC(2025, 0, 1),
        count: 3,
        expireAfterFirstUseHours: 48,
      },
    },
    { type: 'Backup', condition: {} },
  ],
};

describe('license XML', () => {
  it('round-trips every field, and the signature covers DATA byte for byte', () => {
    const dataXml = buildDataXml(data);
    const xml = buildLicenseXml(dataXml, 'c2ln', [{ type: 'licensor', keyId: 'k1', publicKey: 'pub' }]);
    const parsed = parseLicenseXml(xml);
    expect(parsed.dataXml).toBe(dataXml);
    const { dataXml: _d, signature, certificates, ...rest } = parsed;
    expect(rest).toEqual(data);
    expect(signature).toEqual({ algorithm: 'Ed25519', value: 'c2ln' });
    expect(certificates).toEqual([{ type: 'licensor', keyId: 'k1', publicKey: 'pub' }]);
  });

  it('writes WMDRM dates and refuses malformed licenses', () => {
    expect(formatWmdrmDate(Date.UTC(2005, 11, 31, 1, 2, 3))).toBe('20051231 01:02:03Z');
    expect(parseWmdrmDate('20051231 01:02:03Z')).toBe(Date.UTC(2005, 11, 31, 1, 2, 3));
    expect(() => parseLicenseXml('<LICENSE><LICENSORINFO>')).toThrow(/well-formed/);
    expect(() =>
      parseLicenseXml(
        buildLicenseXml(buildDataXml(data).replace('type="Backup"', 'type="Burn"'), 's', [
          { type: 'licensor', keyId: 'k', publicKey: 'p' },
        ]),
      ),
    ).toThrow(/unknown right/);
  });
});

describe('store records', () => {
  const facts: LicenseFacts = {
    persistent: true,
    rights: ['Play', 'Copy'],
    counts: { Copy: 2 },
    signature: 'untrusted',
    beginsAt: 5,
    expiresAt: null,
    afterFirstUseHours: 12,
  };

  it('facts round-trip', () => {
    expect(decodeFacts(encodeFacts(facts))).toEqual(facts);
  });

  it('a record is one line whatever its XML holds, and the line view reads the manifest fields', () => {
    const record = { lid: 'L\t1', kid: 'K\\1', priority: 3, sha256: 'ab'.repeat(32), facts, xml: '<X>\n\t\r\\</X>' };
    const line = encodeLicenseRecord(record);
    expect(line.indexOf('\n')).toBe(line.length - 1);
    const bytes = Buffer.from(line.slice(0, -1));
    expect(decodeLicenseRecord(bytes)).toEqual(record);
    const view = new LicenseLineView();
    view.load(bytes);
    expect([view.lid, view.kid, view.factsText]).toEqual(['L\t1', 'K\\1', encodeFacts(facts)]);
    expect(view.manifestFields.toString()).toBe(
      `${escapeField('L\t1')}\t${escapeField('K\\1')}\t3\t${'ab'.repeat(32)}`,
    );
    expect(unescapeField(escapeField('a\\t\tb'))).toBe('a\\t\tb');
  });
});

it('a license with a DOCTYPE (entity expansion, external entity) is refused before any parser sees it', () => {
  for (const doctype of [
    '<!DOCTYPE L [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>',
    '<!DOCTYPE L [<!ENTITY x SYSTEM "file:///etc/shadow">]>',
  ]) {
    expect(() =>
      parseLicenseXml(`${doctype}<LICENSE><LICENSORINFO><DATA>&b;&x;</DATA></LICENSORINFO></LICENSE>`),
    ).toThrow(expect.objectContaining({ code: 'XML_DOCTYPE_REFUSED' }));
  }
});
