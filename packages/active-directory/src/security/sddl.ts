import { formatSddlRights, parseSddlRights } from './access-mask.js';
import { invalidSddl, sddlNotRepresentable } from './errors.js';
import { normalizeGuid } from './guid.js';
import {
  ACE_FLAG,
  type Ace,
  type AceFlagName,
  type AceFlags,
  type Acl,
  aceShape,
  decodeAceFlags,
  type KnownAceKind,
  type SecurityDescriptor,
  type SecurityDescriptorControl,
} from './model.js';
import { formatSddlSid, parseSddlSid, type SddlContext } from './sddl-aliases.js';

/** SDDL ACE-type strings (sddl.h). Kinds missing here have no SDDL form. */
const ACE_TYPE_STRINGS: Partial<Record<KnownAceKind, string>> = {
  accessAllowed: 'A',
  accessDenied: 'D',
  systemAudit: 'AU',
  systemAlarm: 'AL',
  accessAllowedObject: 'OA',
  accessDeniedObject: 'OD',
  systemAuditObject: 'OU',
  systemAlarmObject: 'OL',
  systemMandatoryLabel: 'ML',
  systemProcessTrustLabel: 'TL',
  systemScopedPolicyId: 'SP',
  accessAllowedCallback: 'XA',
  accessDeniedCallback: 'XD',
  systemAuditCallback: 'XU',
  accessAllowedCallbackObject: 'ZA',
  systemResourceAttribute: 'RA',
};
const KIND_BY_STRING = new Map(Object.entries(ACE_TYPE_STRINGS).map(([kind, text]) => [text, kind as KnownAceKind]));

/** ACE flag letters in bit order, the order Windows prints them (`CIIOIDSA`). */
const ACE_FLAG_STRINGS: readonly (readonly [AceFlagName, string])[] = [
  ['objectInherit', 'OI'],
  ['containerInherit', 'CI'],
  ['noPropagateInherit', 'NP'],
  ['inheritOnly', 'IO'],
  ['inherited', 'ID'],
  ['critical', 'CR'],
  ['successfulAccess', 'SA'],
  ['failedAccess', 'FA'],
];

export type SddlOptions = SddlContext;

function formatAclFlags(control: SecurityDescriptorControl, which: 'dacl' | 'sacl'): string {
  const protectedBit = which === 'dacl' ? control.daclProtected : control.saclProtected;
  const request = which === 'dacl' ? control.daclAutoInheritRequired : control.saclAutoInheritRequired;
  const inherited = which === 'dacl' ? control.daclAutoInherited : control.saclAutoInherited;
  return (protectedBit ? 'P' : '') + (request ? 'AR' : '') + (inherited ? 'AI' : '');
}

function formatAceFlags(flags: AceFlags): string {
  return ACE_FLAG_STRINGS.filter(([name]) => flags[name])
    .map(([, text]) => text)
    .join('');
}

function formatAce(ace: Ace, context: SddlContext, where: string): string {
  if (ace.kind === 'unknown') {
    throw sddlNotRepresentable(`${where} has ACE type 0x${ace.type.toString(16)}, which SDDL cannot express.`, where);
  }
  const typeString = ACE_TYPE_STRINGS[ace.kind];
  if (typeString === undefined)
    throw sddlNotRepresentable(`${where} is a ${ace.kind} ACE, which has no SDDL form.`, where);
  const shape = aceShape(ace.kind);
  if (shape === 'data' || shape === 'objectData') {
    // Conditional expressions ([MS-DTYP] 2.4.4.17) and claim attributes are not rendered yet.
    throw sddlNotRepresentable(
      `${where} is a ${ace.kind} ACE; rendering its ${ace.kind === 'systemResourceAttribute' ? 'resource attribute' : 'conditional expression'} as SDDL is not supported.`,
      where,
    );
  }
  if ('trailing' in ace && ace.trailing && ace.trailing.length > 0) {
    throw sddlNotRepresentable(
      `${where} carries ${ace.trailing.length} bytes after its SID, which SDDL cannot express.`,
      where,
    );
  }
  const rights = formatSddlRights(ace.mask, ace.kind === 'systemMandatoryLabel');
  const objectType = 'objectType' in ace && ace.objectType ? ace.objectType : '';
  const inheritedObjectType = 'inheritedObjectType' in ace && ace.inheritedObjectType ? ace.inheritedObjectType : '';
  return `(${typeString};${formatAceFlags(ace.flags)};${rights};${objectType};${inheritedObjectType};${formatSddlSid(ace.sid, context)})`;
}

function formatAcl(acl: Acl, context: SddlContext, name: string): string {
  if (acl.slack?.some((byte) => byte !== 0)) {
    throw sddlNotRepresentable(`The ${name} holds non-zero bytes after its last ACE, which SDDL cannot express.`, name);
  }
  return acl.aces.map((ace, i) => formatAce(ace, context, `${name} ACE #${i}`)).join('');
}

/**
 * The SDDL string Windows' ConvertSecurityDescriptorToStringSecurityDescriptor prints for all four
 * parts: `O:` `G:` `D:` `S:` in that order, each only when present. Pass the domain SIDs to get
 * domain aliases (DA, EA, ...); without them those SIDs print in full, as Windows does off-domain.
 */
export function toSddl(sd: SecurityDescriptor, options: SddlOptions = {}): string {
  let out = '';
  if (sd.owner !== undefined) out += `O:${formatSddlSid(sd.owner, options)}`;
  if (sd.group !== undefined) out += `G:${formatSddlSid(sd.group, options)}`;
  if (sd.control.daclPresent || sd.dacl) {
    out += `D:${formatAclFlags(sd.control, 'dacl')}${sd.dacl ? formatAcl(sd.dacl, options, 'DACL') : 'NO_ACCESS_CONTROL'}`;
  }
  if (sd.control.saclPresent || sd.sacl) {
    out += `S:${formatAclFlags(sd.control, 'sacl')}${sd.sacl ? formatAcl(sd.sacl, options, 'SACL') : 'NO_ACCESS_CONTROL'}`;
  }
  return out;
}

/** Splits an SDDL string into its `O:`, `G:`, `D:`, `S:` parts. */
export function splitSddl(sddl: string): { owner?: string; group?: string; dacl?: string; sacl?: string } {
  const out: { owner?: string; group?: string; dacl?: string; sacl?: string } = {};
  const names = { O: 'owner', G: 'group', D: 'dacl', S: 'sacl' } as const;
  let i = 0;
  const text = sddl.trim();
  while (i < text.length) {
    const tag = text[i];
    if ((tag !== 'O' && tag !== 'G' && tag !== 'D' && tag !== 'S') || text[i + 1] !== ':') {
      throw invalidSddl(`Expected O:, G:, D: or S: at position ${i} of the SDDL string.`, sddl);
    }
    const key = names[tag];
    if (out[key] !== undefined) throw invalidSddl(`The SDDL string has two ${tag}: parts.`, sddl);
    let end = i + 2;
    let depth = 0;
    while (end < text.length) {
      const c = text[end]!;
      if (c === '(') depth++;
      else if (c === ')') depth--;
      else if (depth === 0 && /[OGDS]/.test(c) && text[end + 1] === ':') break;
      end++;
    }
    out[key] = text.slice(i + 2, end);
    i = end;
  }
  return out;
}

function parseAceFlagString(text: string, where: string): AceFlags {
  const lookup = new Map(ACE_FLAG_STRINGS.map(([name, letters]) => [letters, name]));
  let value = 0;
  if (text.length % 2 !== 0) throw invalidSddl(`ACE flags "${text}" are not a sequence of two-letter codes.`, where);
  for (let i = 0; i < text.length; i += 2) {
    const name = lookup.get(text.slice(i, i + 2));
    if (!name) throw invalidSddl(`Unknown ACE flag "${text.slice(i, i + 2)}".`, where);
    value |= ACE_FLAG[name];
  }
  return decodeAceFlags(value);
}

function parseGuidField(text: string, where: string): string | undefined {
  if (text === '') return undefined;
  try {
    return normalizeGuid(text);
  } catch {
    throw invalidSddl(`"${text}" is not a GUID.`, where);
  }
}

function parseAceString(body: string, context: SddlContext, where: string): Ace {
  const fields = body.split(';');
  if (fields.length !== 6) {
    throw invalidSddl(
      `ACE "(${body})" has ${fields.length} fields; only six-field ACEs (no conditions or attributes) are supported.`,
      where,
    );
  }
  const [typeText, flagText, rightsText, objectText, inheritedText, sidText] = fields as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const kind = KIND_BY_STRING.get(typeText);
  if (kind === undefined) throw invalidSddl(`Unknown ACE type "${typeText}".`, where);
  const shape = aceShape(kind);
  if (shape === 'data' || shape === 'objectData') {
    throw invalidSddl(
      `ACE type ${typeText} needs a condition or attribute, which this parser does not support yet.`,
      where,
    );
  }
  const flags = parseAceFlagString(flagText, where);
  const mask = parseSddlRights(rightsText);
  if (mask === undefined) throw invalidSddl(`"${rightsText}" is not an SDDL rights string.`, where);
  const sid = parseSddlSid(sidText, context, where);
  const objectType = parseGuidField(objectText, where);
  const inheritedObjectType = parseGuidField(inheritedText, where);
  if (shape === 'object') {
    return {
      kind: kind as Extract<Ace, { kind: 'accessAllowedObject' }>['kind'],
      flags,
      mask,
      ...(objectType ? { objectType } : {}),
      ...(inheritedObjectType ? { inheritedObjectType } : {}),
      sid,
    } as Ace;
  }
  if (objectType || inheritedObjectType) throw invalidSddl(`ACE type ${typeText} cannot carry object GUIDs.`, where);
  return { kind, flags, mask, sid } as Ace;
}

interface ParsedAclString {
  protected: boolean;
  autoInheritRequired: boolean;
  autoInherited: boolean;
  acl?: Acl;
}

function parseAclString(text: string, context: SddlContext, name: string): ParsedAclString {
  let i = 0;
  const flags = { protected: false, autoInheritRequired: false, autoInherited: false };
  while (i < text.length && text[i] !== '(') {
    if (text.startsWith('NO_ACCESS_CONTROL', i)) {
      if (i + 'NO_ACCESS_CONTROL'.length !== text.length)
        throw invalidSddl(`NO_ACCESS_CONTROL must end the ${name}.`, name);
      return flags;
    }
    if (text.startsWith('AR', i)) {
      flags.autoInheritRequired = true;
      i += 2;
    } else if (text.startsWith('AI', i)) {
      flags.autoInherited = true;
      i += 2;
    } else if (text[i] === 'P') {
      flags.protected = true;
      i += 1;
    } else {
      throw invalidSddl(`Unexpected "${text.slice(i)}" in the ${name} flags.`, name);
    }
  }
  const aces: Ace[] = [];
  while (i < text.length) {
    if (text[i] !== '(') throw invalidSddl(`Expected "(" at "${text.slice(i)}" in the ${name}.`, name);
    const close = text.indexOf(')', i);
    if (close < 0) throw invalidSddl(`Unterminated ACE in the ${name}.`, name);
    aces.push(parseAceString(text.slice(i + 1, close), context, `${name} ACE #${aces.length}`));
    i = close + 1;
  }
  // Object ACEs need ACL_REVISION_DS (4), which is what Windows writes for directory objects.
  const needsDs = aces.some(
    (ace) => ace.kind !== 'unknown' && (aceShape(ace.kind) === 'object' || aceShape(ace.kind) === 'objectData'),
  );
  return { ...flags, acl: { revision: needsDs ? 4 : 2, aces } };
}

/**
 * SDDL to the model ([MS-DTYP] 2.5.1), the inverse of toSddl for six-field ACEs. The result has
 * SE_SELF_RELATIVE and the presence bits set; aliases such as DA need `domainSid`, EA `rootDomainSid`.
 */
export function parseSddl(sddl: string, options: SddlOptions = {}): SecurityDescriptor {
  const parts = splitSddl(sddl);
  const control: Record<string, boolean> = { selfRelative: true };
  const sd: SecurityDescriptor = { revision: 1, resourceManagerControl: 0, control };
  if (parts.owner !== undefined) sd.owner = parseSddlSid(parts.owner, options, 'owner');
  if (parts.group !== undefined) sd.group = parseSddlSid(parts.group, options, 'group');
  if (parts.dacl !== undefined) {
    const dacl = parseAclString(parts.dacl, options, 'DACL');
    control.daclPresent = true;
    if (dacl.protected) control.daclProtected = true;
    if (dacl.autoInheritRequired) control.daclAutoInheritRequired = true;
    if (dacl.autoInherited) control.daclAutoInherited = true;
    if (dacl.acl) sd.dacl = dacl.acl;
  }
  if (parts.sacl !== undefined) {
    const sacl = parseAclString(parts.sacl, options, 'SACL');
    control.saclPresent = true;
    if (sacl.protected) control.saclProtected = true;
    if (sacl.autoInheritRequired) control.saclAutoInheritRequired = true;
    if (sacl.autoInherited) control.saclAutoInherited = true;
    if (sacl.acl) sd.sacl = sacl.acl;
  }
  return sd;
}
