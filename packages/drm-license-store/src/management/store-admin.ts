import { createHash } from 'node:crypto';
import { CofferError, HRESULT, invalidArgument } from '@coffer/core';
import { DrmLocalCode } from '../errors/drm-codes.js';
import { admitLicense, signatureVerdict, type TrustedKey } from '../license/admission.js';
import { unwrapContentKey } from '../license/enabling-bits.js';
import { RESTRICTION_TEXT, backupRestriction, playRestriction } from '../license/eligibility.js';
import { FRESH_STATE, FactsCache, type LicenseFacts, type LicenseState, type Right } from '../license/license-facts.js';
import { parseLicenseXml } from '../license/license-xml.js';
import { issueLicense, type IssueLicenseSpec } from '../license/issue-license.js';
import {
  createLicensorKey,
  isPrivateLicensor,
  parseLicensorFile,
  serializeLicensorFile,
  type LicensorKey,
} from '../license/licensor.js';
import { ed25519PrivateKey } from '../crypto/primitives.js';
import { LicenseService } from '../service/license-service.js';
import { decodeLicenseRecord, type LicenseRecordHead } from '../store/license-record.js';
import { LicenseStore } from '../store/license-store.js';
import { resolveServicePath, resolveStorePath } from '../store/store-location.js';
import { unescapeField } from '../store/field-escaping.js';

/** Which store, and which machine it is on (both default from the environment). */
export interface StoreLocation {
  store?: string;
  machineId?: string;
}

export interface StoreSummary {
  path: string;
  storeId: string;
  machine: string;
  bindingId: string;
  licenses: number;
  licensors: { id: string; name: string; canIssue: boolean }[];
  trustedKeys: TrustedKey[];
  service: { serviceId: string; keyId: string } | null;
  createdAt: string;
  updatedAt: string;
}

export interface LicenseSummary {
  lid: string;
  kid: string;
  priority: number;
  title?: string;
  rights: Right[];
  counts: Partial<Record<Right, number>>;
  persistent: boolean;
  signature: LicenseFacts['signature'];
  beginsAt: string | null;
  expiresAt: string | null;
  expireAfterFirstUseHours: number | null;
  state: { plays: number; firstUse: string | null; disabled: boolean };
  /** 'eligible', or why the license may not be backed up. */
  backup: string;
  /** 'playable', or why it cannot be played now. */
  play: string;
}

export async function withStore<T>(location: StoreLocation, body: (store: LicenseStore) => Promise<T>): Promise<T> {
  const store = await LicenseStore.open({
    path: resolveStorePath(location.store),
    ...(location.machineId === undefined ? {} : { machineId: location.machineId }),
  });
  try {
    return await body(store);
  } finally {
    await store.close();
  }
}

/**
 * Creates a store bound to this machine, provisioned with the license restore service
 * (created at its folder the first time) and, unless told otherwise, a first licensor.
 */
export async function createStore(
  options: StoreLocation & { servicePath?: string; licensorName?: string; withLicensor?: boolean },
): Promise<StoreSummary> {
  const service = await LicenseService.openOrCreate(resolveServicePath(options.servicePath));
  const store = await LicenseStore.create({
    path: resolveStorePath(options.store),
    ...(options.machineId === undefined ? {} : { machineId: options.machineId }),
    service: service.publicInfo,
  });
  try {
    if (options.withLicensor ?? true)
      await store.addLicensor(createLicensorKey(options.licensorName ?? 'Local licensor'));
    return summarize(store);
  } finally {
    await store.close();
  }
}

export async function describeStore(location: StoreLocation): Promise<StoreSummary> {
  return withStore(location, async (store) => summarize(store));
}

export async function createLicensor(
  options: StoreLocation & { name?: string },
): Promise<{ id: string; name: string }> {
  return withStore(options, async (store) => {
    const licensor = createLicensorKey(options.name ?? 'Local licensor');
    await store.addLicensor(licensor);
    return { id: licensor.id, name: licensor.name };
  });
}

/** A licensor key file: with the private key (to issue elsewhere) or public only (to be trusted elsewhere). */
export async function exportLicensor(
  options: StoreLocation & { licensorId?: string; includePrivateKey?: boolean },
): Promise<string> {
  return withStore(options, async (store) =>
    serializeLicensorFile(pickLicensor(store, options.licensorId), options.includePrivateKey ?? false),
  );
}

export async function importLicensor(
  options: StoreLocation & { text: string; where?: string },
): Promise<{ id: string; name: string; canIssue: boolean }> {
  const key = parseLicensorFile(options.text, options.where ?? 'licensor key file');
  return withStore(options, async (store) => {
    if (isPrivateLicensor(key)) await store.addLicensor(key);
    else await store.trust({ keyId: key.id, publicKey: key.publicKey, kind: 'licensor', name: key.name });
    return { id: key.id, name: key.name, canIssue: isPrivateLicensor(key) };
  });
}

export interface IssuedSummary {
  lid: string;
  kid: string;
  priority: number;
  rights: Right[];
  notes: string[];
}

/** Issues signed licenses bound to this store, appended as one batch. */
export async function issueLicenses(
  options: StoreLocation & { licenses: IssueLicenseSpec[]; licensorId?: string },
): Promise<IssuedSummary[]> {
  return withStore(options, async (store) => {
    const licensor = pickLicensor(store, options.licensorId);
    const named = options.licenses.map((l) => l.lid).filter((lid): lid is string => lid !== undefined);
    if (named.length > 0) await assertNewLids(store, named);
    const signingKey = ed25519PrivateKey(licensor.signing);
    const now = Date.now();
    const issued = options.licenses.map((spec) =>
      issueLicense(spec, { licensor, bindingKey: store.bindingKey, bindingId: store.bindingId, now }, signingKey),
    );
    await store.appendLicenses(issued.map((i) => i.record));
    return issued.map((i) => ({
      lid: i.record.lid,
      kid: i.record.kid,
      priority: i.record.priority,
      rights: i.record.facts.rights,
      notes: i.notes,
    }));
  });
}

/** Imports license XML documents bound to this store (e.g. saved from `inspect`). Their signatures are judged, not required. */
export async function importLicenses(options: StoreLocation & { xml: string[] }): Promise<LicenseSummary[]> {
  return withStore(options, async (store) => {
    const admitted = options.xml.map((xml, index) => {
      try {
        return admitLicense(xml, store.trustedKeys);
      } catch (error) {
        throw invalidArgument(`License #${index + 1} is not a license: ${(error as Error).message}`);
      }
    });
    for (const { license } of admitted) {
      if (
        license.enablingBits.bindingId !== store.bindingId ||
        !unwrapContentKey(store.bindingKey, license.enablingBits, license.lid, license.kid)
      ) {
        throw new CofferError('DRM_LICENSE_NOT_BOUND', `License ${license.lid} is bound to another machine or store.`, {
          hresult: HRESULT.E_INVALIDARG,
          object: license.lid,
          hint: 'Licenses move between machines only through backup and restore (with the individualize flag).',
        });
      }
    }
    await assertNewLids(
      store,
      admitted.map((a) => a.license.lid),
    );
    await store.appendLicenses(admitted.map((a) => a.record));
    const now = Date.now();
    return admitted.map((a) =>
      summaryOf(a.record.lid, a.record.kid, a.record.priority, a.record.facts, FRESH_STATE, now, a.license.meta.TITLE),
    );
  });
}

/** Licenses sorted by KID, then priority (highest first). `limit` bounds what is returned, not what is counted. */
export async function listLicenses(
  options: StoreLocation & { kid?: string; limit?: number },
): Promise<{ total: number; licenses: LicenseSummary[] }> {
  return withStore(options, async (store) => {
    const states = await store.loadStates();
    const facts = new FactsCache();
    const now = Date.now();
    const limit = options.limit ?? 1000;
    let total = 0;
    const rows: LicenseSummary[] = [];
    await store.scanLicenses((line, head) => {
      if (options.kid !== undefined && head.kid !== options.kid) return;
      total += 1;
      if (rows.length < limit)
        rows.push(
          summaryOf(
            head.lid,
            head.kid,
            head.priority,
            facts.get(head.factsText),
            states.get(head.lid) ?? FRESH_STATE,
            now,
            titleOf(line, head),
          ),
        );
    });
    rows.sort((a, b) => (a.kid < b.kid ? -1 : a.kid > b.kid ? 1 : b.priority - a.priority || (a.lid < b.lid ? -1 : 1)));
    return { total, licenses: rows };
  });
}

export interface LicenseInspection extends LicenseSummary {
  issuedAt: string;
  meta: Record<string, string>;
  /** Re-checked now against the store's trusted keys. */
  signatureNow: LicenseFacts['signature'];
  signedBy: { type: string; keyId: string }[];
  /** Whether this store's machine key unwraps the content key. */
  boundHere: boolean;
  sha256: string;
  xml: string;
}

export async function inspectLicense(options: StoreLocation & { lid: string }): Promise<LicenseInspection> {
  return withStore(options, async (store) => {
    const found = await findRecord(store, options.lid);
    const states = await store.loadStates();
    const record = found.record;
    const license = parseLicenseXml(record.xml);
    return {
      ...summaryOf(
        record.lid,
        record.kid,
        record.priority,
        record.facts,
        states.get(record.lid) ?? FRESH_STATE,
        Date.now(),
        license.meta.TITLE,
      ),
      issuedAt: new Date(license.issuedAt).toISOString(),
      meta: license.meta,
      signatureNow: signatureVerdict(license, store.trustedKeys),
      signedBy: license.certificates.map((c) => ({ type: c.type, keyId: c.keyId })),
      boundHere: unwrapContentKey(store.bindingKey, license.enablingBits, license.lid, license.kid) !== undefined,
      sha256: record.sha256,
      xml: record.xml,
    };
  });
}

/** Removes licenses by LID and/or KID (all licenses of that content). Writes a new log generation. */
export async function removeLicenses(
  options: StoreLocation & { lids?: string[]; kid?: string },
): Promise<{ removed: number; lids: string[] }> {
  if ((options.lids?.length ?? 0) === 0 && options.kid === undefined)
    throw invalidArgument('Name the licenses to remove: lid and/or kid.');
  const lids = new Set(options.lids ?? []);
  return withStore(options, async (store) => {
    const removed: string[] = [];
    const result = await store.rewriteLicenses((head) => {
      const drop = lids.has(head.lid) || (options.kid !== undefined && head.kid === options.kid);
      if (drop) removed.push(head.lid);
      return !drop;
    });
    if (result.dropped === 0) throw licenseNotFound(options.kid ?? [...lids].join(', '));
    const states = await store.loadStates();
    let changed = false;
    for (const lid of removed) changed = states.delete(lid) || changed;
    if (changed) await store.rewriteStates(states);
    return { removed: result.dropped, lids: removed };
  });
}

export interface PlayResult {
  lid: string;
  kid: string;
  priority: number;
  plays: number;
  playsLeft: number | null;
  firstUse: string;
  /** A fingerprint of the unwrapped content key (the key itself never leaves). */
  contentKeyFingerprint: string;
}

/**
 * Plays content once: picks the highest-priority license of the KID (or the given LID)
 * that can play now, proves the content key unwraps with this machine's key, and records
 * the play (count, first use) in the state log.
 */
export async function playLicense(
  options: StoreLocation & { kid?: string; lid?: string; now?: number },
): Promise<PlayResult> {
  if (options.kid === undefined && options.lid === undefined) throw invalidArgument('Name what to play: kid or lid.');
  const now = options.now ?? Date.now();
  return withStore(options, async (store) => {
    const states = await store.loadStates();
    const facts = new FactsCache();
    const candidates: { head: LicenseRecordHead; line: Buffer }[] = [];
    await store.scanLicenses((line, head) => {
      if (
        (options.lid !== undefined && head.lid === options.lid) ||
        (options.lid === undefined && head.kid === options.kid)
      )
        candidates.push({ head, line });
    });
    if (candidates.length === 0) throw licenseNotFound(options.lid ?? options.kid!);
    candidates.sort((a, b) => b.head.priority - a.head.priority);
    const reasons: string[] = [];
    for (const { head, line } of candidates) {
      const state = states.get(head.lid) ?? FRESH_STATE;
      const restriction = playRestriction(facts.get(head.factsText), state, now);
      if (restriction) {
        reasons.push(`${head.lid}: ${RESTRICTION_TEXT[restriction]}`);
        continue;
      }
      const license = parseLicenseXml(decodeLicenseRecord(line).xml);
      const contentKey = unwrapContentKey(store.bindingKey, license.enablingBits, license.lid, license.kid);
      if (!contentKey) {
        reasons.push(`${head.lid}: its content key does not unwrap with this machine's key`);
        continue;
      }
      const next: LicenseState = { plays: state.plays + 1, firstUse: state.firstUse ?? now, disabled: false };
      await store.appendStates([[head.lid, next]]);
      states.set(head.lid, next);
      if (store.stateNeedsCompaction(states.size)) await store.rewriteStates(states);
      const count = facts.get(head.factsText).counts.Play;
      return {
        lid: head.lid,
        kid: head.kid,
        priority: head.priority,
        plays: next.plays,
        playsLeft: count === undefined ? null : count - next.plays,
        firstUse: new Date(next.firstUse!).toISOString(),
        contentKeyFingerprint: createHash('sha256').update(contentKey).digest('hex').slice(0, 16),
      };
    }
    throw new CofferError(
      DrmLocalCode.LicenseNotUsable,
      `No license for ${options.lid ?? `KID ${options.kid}`} can play now: ${reasons.join('; ')}.`,
      {
        hresult: HRESULT.ERROR_NOT_SUPPORTED,
        object: options.lid ?? options.kid!,
        hint: 'Acquire a new license, or restore one from a backup.',
      },
    );
  });
}

export async function setLicenseDisabled(
  options: StoreLocation & { lid: string; disabled: boolean },
): Promise<LicenseState> {
  return withStore(options, async (store) => {
    await findRecord(store, options.lid);
    const states = await store.loadStates();
    const next = { ...(states.get(options.lid) ?? FRESH_STATE), disabled: options.disabled };
    await store.appendStates([[options.lid, next]]);
    return next;
  });
}

// ---- helpers -------------------------------------------------------------------------

function pickLicensor(store: LicenseStore, id: string | undefined): LicensorKey {
  const licensor = id === undefined ? store.licensors.at(-1) : store.licensors.find((l) => l.id === id);
  if (!licensor) {
    throw new CofferError(
      DrmLocalCode.LicensorNotFound,
      id === undefined ? 'This store has no licensor key.' : `This store has no licensor ${id}.`,
      {
        hresult: HRESULT.ERROR_NOT_FOUND,
        object: store.path,
        hint: "Create one with 'coffer drm create-licensor' or import one with 'coffer drm import-licensor'.",
      },
    );
  }
  return licensor;
}

async function findRecord(store: LicenseStore, lid: string) {
  let found: ReturnType<typeof decodeLicenseRecord> | undefined;
  await store.scanLicenses((line, head) => {
    if (head.lid === lid) found = decodeLicenseRecord(line);
  });
  if (!found) throw licenseNotFound(lid);
  return { record: found };
}

async function assertNewLids(store: LicenseStore, lids: string[]): Promise<void> {
  const wanted = new Set(lids);
  if (wanted.size !== lids.length) throw invalidArgument('The same LID is given twice.');
  const clash: string[] = [];
  await store.scanLicenses((_line, head) => {
    if (wanted.has(head.lid)) clash.push(head.lid);
  });
  if (clash.length > 0) {
    throw new CofferError(HRESULT_ALREADY_EXISTS_CODE, `The store already holds license(s) ${clash.join(', ')}.`, {
      hresult: HRESULT.ERROR_ALREADY_EXISTS,
      object: clash[0]!,
      hint: 'A LID is unique; remove the old license first or issue with a new LID.',
    });
  }
}

const HRESULT_ALREADY_EXISTS_CODE = 'DRM_LICENSE_EXISTS';

function licenseNotFound(what: string): CofferError {
  return new CofferError(DrmLocalCode.LicenseNotFound, `No license matches ${what}.`, {
    hresult: HRESULT.ERROR_NOT_FOUND,
    object: what,
    hint: "List the store with 'coffer drm list'.",
  });
}

function summaryOf(
  lid: string,
  kid: string,
  priority: number,
  facts: LicenseFacts,
  state: LicenseState,
  now: number,
  title: string | undefined,
): LicenseSummary {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  const backup = backupRestriction(facts, state, now);
  const play = playRestriction(facts, state, now);
  return {
    lid,
    kid,
    priority,
    ...(title === undefined ? {} : { title }),
    rights: facts.rights,
    counts: facts.counts,
    persistent: facts.persistent,
    signature: facts.signature,
    beginsAt: iso(facts.beginsAt),
    expiresAt: iso(facts.expiresAt),
    expireAfterFirstUseHours: facts.afterFirstUseHours,
    state: { plays: state.plays, firstUse: iso(state.firstUse), disabled: state.disabled },
    backup: backup === undefined ? 'eligible' : backup,
    play: play === undefined ? 'playable' : play,
  };
}

/** The TITLE meta value, read straight from the record line (list must not parse 100,000 XML documents). */
function titleOf(line: Buffer, head: LicenseRecordHead): string | undefined {
  const xml = line.toString('utf8', head.xmlOffset);
  const start = xml.indexOf('<TITLE>');
  if (start < 0) return undefined;
  const end = xml.indexOf('</TITLE>', start);
  if (end < 0) return undefined;
  return unescapeField(xml.slice(start + 7, end)).replace(
    /&lt;|&gt;|&quot;|&amp;/g,
    (e) => ({ '&lt;': '<', '&gt;': '>', '&quot;': '"', '&amp;': '&' })[e]!,
  );
}

function summarize(store: LicenseStore): StoreSummary {
  const header = store.header;
  return {
    path: store.path,
    storeId: header.storeId,
    machine: header.machine,
    bindingId: header.bindingId,
    licenses: header.licenses.records,
    licensors: store.licensors.map((l) => ({ id: l.id, name: l.name, canIssue: true })),
    trustedKeys: [...header.trustedKeys],
    service: header.service ? { serviceId: header.service.serviceId, keyId: header.service.keyId } : null,
    createdAt: header.createdAt,
    updatedAt: header.updatedAt,
  };
}
