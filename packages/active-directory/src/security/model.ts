/**
 * The in-memory model of a Windows security descriptor ([MS-DTYP] 2.4.4 - 2.4.6).
 * SIDs are strings (`S-1-5-11`), GUIDs lower-case strings without braces, masks unsigned numbers.
 */

/** Control bits ([MS-DTYP] 2.4.6), by name. */
export const SE_CONTROL = {
  ownerDefaulted: 0x0001, // SE_OWNER_DEFAULTED
  groupDefaulted: 0x0002, // SE_GROUP_DEFAULTED
  daclPresent: 0x0004, // SE_DACL_PRESENT
  daclDefaulted: 0x0008, // SE_DACL_DEFAULTED
  saclPresent: 0x0010, // SE_SACL_PRESENT
  saclDefaulted: 0x0020, // SE_SACL_DEFAULTED
  daclTrusted: 0x0040, // SE_DACL_TRUSTED
  serverSecurity: 0x0080, // SE_SERVER_SECURITY
  daclAutoInheritRequired: 0x0100, // SE_DACL_AUTO_INHERIT_REQ
  saclAutoInheritRequired: 0x0200, // SE_SACL_AUTO_INHERIT_REQ
  daclAutoInherited: 0x0400, // SE_DACL_AUTO_INHERITED
  saclAutoInherited: 0x0800, // SE_SACL_AUTO_INHERITED
  daclProtected: 0x1000, // SE_DACL_PROTECTED
  saclProtected: 0x2000, // SE_SACL_PROTECTED
  rmControlValid: 0x4000, // SE_RM_CONTROL_VALID
  selfRelative: 0x8000, // SE_SELF_RELATIVE
} as const;

export type SeControlName = keyof typeof SE_CONTROL;

/** The Windows constant name of each control bit, for messages and reports. */
export const SE_CONTROL_WINDOWS_NAMES: Readonly<Record<SeControlName, string>> = {
  ownerDefaulted: 'SE_OWNER_DEFAULTED',
  groupDefaulted: 'SE_GROUP_DEFAULTED',
  daclPresent: 'SE_DACL_PRESENT',
  daclDefaulted: 'SE_DACL_DEFAULTED',
  saclPresent: 'SE_SACL_PRESENT',
  saclDefaulted: 'SE_SACL_DEFAULTED',
  daclTrusted: 'SE_DACL_TRUSTED',
  serverSecurity: 'SE_SERVER_SECURITY',
  daclAutoInheritRequired: 'SE_DACL_AUTO_INHERIT_REQ',
  saclAutoInheritRequired: 'SE_SACL_AUTO_INHERIT_REQ',
  daclAutoInherited: 'SE_DACL_AUTO_INHERITED',
  saclAutoInherited: 'SE_SACL_AUTO_INHERITED',
  daclProtected: 'SE_DACL_PROTECTED',
  saclProtected: 'SE_SACL_PROTECTED',
  rmControlValid: 'SE_RM_CONTROL_VALID',
  selfRelative: 'SE_SELF_RELATIVE',
};

/** Control word as named booleans; a missing name means the bit is clear. Parsing fills in all 16. */
export type SecurityDescriptorControl = { readonly [K in SeControlName]?: boolean };

/** ACE flag bits ([MS-DTYP] 2.4.4.1; 0x20 is winnt.h's CRITICAL_ACE_FLAG). */
export const ACE_FLAG = {
  objectInherit: 0x01, // OBJECT_INHERIT_ACE, SDDL OI
  containerInherit: 0x02, // CONTAINER_INHERIT_ACE, CI
  noPropagateInherit: 0x04, // NO_PROPAGATE_INHERIT_ACE, NP
  inheritOnly: 0x08, // INHERIT_ONLY_ACE, IO
  inherited: 0x10, // INHERITED_ACE, ID
  critical: 0x20, // CRITICAL_ACE_FLAG, CR
  successfulAccess: 0x40, // SUCCESSFUL_ACCESS_ACE_FLAG, SA
  failedAccess: 0x80, // FAILED_ACCESS_ACE_FLAG, FA
} as const;

export type AceFlagName = keyof typeof ACE_FLAG;

/** ACE flags as named booleans; a missing name means the bit is clear. Parsing fills in all 8. */
export type AceFlags = { readonly [K in AceFlagName]?: boolean };

/** AceType byte values ([MS-DTYP] 2.4.4.1). */
export const ACE_TYPE = {
  accessAllowed: 0x00,
  accessDenied: 0x01,
  systemAudit: 0x02,
  systemAlarm: 0x03,
  accessAllowedObject: 0x05,
  accessDeniedObject: 0x06,
  systemAuditObject: 0x07,
  systemAlarmObject: 0x08,
  accessAllowedCallback: 0x09,
  accessDeniedCallback: 0x0a,
  accessAllowedCallbackObject: 0x0b,
  accessDeniedCallbackObject: 0x0c,
  systemAuditCallback: 0x0d,
  systemAlarmCallback: 0x0e,
  systemAuditCallbackObject: 0x0f,
  systemAlarmCallbackObject: 0x10,
  systemMandatoryLabel: 0x11,
  systemResourceAttribute: 0x12,
  systemScopedPolicyId: 0x13,
  systemProcessTrustLabel: 0x14,
} as const;

export type KnownAceKind = keyof typeof ACE_TYPE;

/** ACEs whose body is an access mask and a SID. */
export type SidAceKind =
  | 'accessAllowed'
  | 'accessDenied'
  | 'systemAudit'
  | 'systemAlarm'
  | 'systemMandatoryLabel'
  | 'systemScopedPolicyId'
  | 'systemProcessTrustLabel';

/** ACEs with an access mask, the object-type flags word, optional GUIDs and a SID. */
export type ObjectAceKind = 'accessAllowedObject' | 'accessDeniedObject' | 'systemAuditObject' | 'systemAlarmObject';

/**
 * ACEs with a mask and a SID followed by opaque data: the callback ACEs' ApplicationData (a
 * conditional expression when it starts with `artx`) and the resource-attribute ACE's
 * CLAIM_SECURITY_ATTRIBUTE_RELATIVE_V1.
 */
export type DataAceKind =
  | 'accessAllowedCallback'
  | 'accessDeniedCallback'
  | 'systemAuditCallback'
  | 'systemAlarmCallback'
  | 'systemResourceAttribute';

/** Callback ACEs that also carry the object-type GUIDs. */
export type ObjectDataAceKind =
  | 'accessAllowedCallbackObject'
  | 'accessDeniedCallbackObject'
  | 'systemAuditCallbackObject'
  | 'systemAlarmCallbackObject';

export interface SidAce {
  kind: SidAceKind;
  flags: AceFlags;
  mask: number;
  sid: string;
  /** Bytes after the SID inside AceSize, when a writer padded the ACE (normally absent). */
  trailing?: Uint8Array;
}

export interface ObjectAce {
  kind: ObjectAceKind;
  flags: AceFlags;
  mask: number;
  /** Present iff ACE_OBJECT_TYPE_PRESENT (0x1) is set. */
  objectType?: string;
  /** Present iff ACE_INHERITED_OBJECT_TYPE_PRESENT (0x2) is set. */
  inheritedObjectType?: string;
  sid: string;
  trailing?: Uint8Array;
}

export interface DataAce {
  kind: DataAceKind;
  flags: AceFlags;
  mask: number;
  sid: string;
  /** Everything after the SID up to AceSize, padding included, kept verbatim. */
  applicationData: Uint8Array;
}

export interface ObjectDataAce {
  kind: ObjectDataAceKind;
  flags: AceFlags;
  mask: number;
  objectType?: string;
  inheritedObjectType?: string;
  sid: string;
  applicationData: Uint8Array;
}

/** An ACE type this codec does not know: kept as the bytes after the 4-byte header. */
export interface UnknownAce {
  kind: 'unknown';
  type: number;
  flags: AceFlags;
  body: Uint8Array;
}

export type Ace = SidAce | ObjectAce | DataAce | ObjectDataAce | UnknownAce;

export interface Acl {
  /** AclRevision: 2 (ACL_REVISION) or 4 (ACL_REVISION_DS, required for object ACEs). */
  revision: number;
  aces: Ace[];
  /** Unused bytes between the last ACE and AclSize (normally absent). */
  slack?: Uint8Array;
}

export type SecurityDescriptorPart = 'owner' | 'group' | 'sacl' | 'dacl';

/**
 * Where the parts sat in the buffer a descriptor was parsed from, so serializing gives the same
 * bytes back. Samba writes owner, group, SACL, DACL; without a layout the serializer writes
 * SACL, DACL, owner, group (see WINDOWS_PART_ORDER).
 */
export interface SecurityDescriptorLayout {
  order: SecurityDescriptorPart[];
  /**
   * Bytes not belonging to any part: gaps[i] precedes order[i], gaps[order.length] follows the
   * last part. Absent when the parts are packed right after the 20-byte header.
   */
  gaps?: Uint8Array[];
}

export interface SecurityDescriptor {
  revision: number;
  /** The Sbz1 byte; holds resource-manager control bits when rmControlValid is set. */
  resourceManagerControl: number;
  control: SecurityDescriptorControl;
  owner?: string;
  group?: string;
  /** Undefined with daclPresent set means a NULL DACL (everyone has full access). */
  dacl?: Acl;
  sacl?: Acl;
  layout?: SecurityDescriptorLayout;
}

export function encodeControl(control: SecurityDescriptorControl): number {
  let value = 0;
  for (const name of Object.keys(SE_CONTROL) as SeControlName[]) if (control[name]) value |= SE_CONTROL[name];
  return value;
}

export function decodeControl(value: number): Required<SecurityDescriptorControl> {
  const out = {} as Record<SeControlName, boolean>;
  for (const name of Object.keys(SE_CONTROL) as SeControlName[]) out[name] = (value & SE_CONTROL[name]) !== 0;
  return out;
}

/** Windows names of the set control bits, lowest bit first (`SE_DACL_PRESENT`, ...). */
export function controlFlagNames(control: SecurityDescriptorControl | number): string[] {
  const decoded = typeof control === 'number' ? decodeControl(control) : control;
  return (Object.keys(SE_CONTROL) as SeControlName[])
    .filter((name) => decoded[name])
    .map((name) => SE_CONTROL_WINDOWS_NAMES[name]);
}

export function encodeAceFlags(flags: AceFlags): number {
  let value = 0;
  for (const name of Object.keys(ACE_FLAG) as AceFlagName[]) if (flags[name]) value |= ACE_FLAG[name];
  return value;
}

export function decodeAceFlags(value: number): Required<AceFlags> {
  const out = {} as Record<AceFlagName, boolean>;
  for (const name of Object.keys(ACE_FLAG) as AceFlagName[]) out[name] = (value & ACE_FLAG[name]) !== 0;
  return out;
}

const SHAPES: Record<KnownAceKind, 'sid' | 'object' | 'data' | 'objectData'> = {
  accessAllowed: 'sid',
  accessDenied: 'sid',
  systemAudit: 'sid',
  systemAlarm: 'sid',
  accessAllowedObject: 'object',
  accessDeniedObject: 'object',
  systemAuditObject: 'object',
  systemAlarmObject: 'object',
  accessAllowedCallback: 'data',
  accessDeniedCallback: 'data',
  accessAllowedCallbackObject: 'objectData',
  accessDeniedCallbackObject: 'objectData',
  systemAuditCallback: 'data',
  systemAlarmCallback: 'data',
  systemAuditCallbackObject: 'objectData',
  systemAlarmCallbackObject: 'objectData',
  systemMandatoryLabel: 'sid',
  systemResourceAttribute: 'data',
  systemScopedPolicyId: 'sid',
  systemProcessTrustLabel: 'sid',
};

export type AceShape = (typeof SHAPES)[KnownAceKind];

export function aceShape(kind: KnownAceKind): AceShape {
  return SHAPES[kind];
}

const KIND_BY_TYPE = new Map<number, KnownAceKind>(
  (Object.keys(ACE_TYPE) as KnownAceKind[]).map((kind) => [ACE_TYPE[kind], kind]),
);

export function aceKindOfType(type: number): KnownAceKind | undefined {
  return KIND_BY_TYPE.get(type);
}

/** The AceType byte of any ACE in the model. */
export function aceTypeOf(ace: Ace): number {
  return ace.kind === 'unknown' ? ace.type : ACE_TYPE[ace.kind];
}

/** The trustee SID of an ACE, when its type has one this codec knows. */
export function aceSid(ace: Ace): string | undefined {
  return ace.kind === 'unknown' ? undefined : ace.sid;
}
