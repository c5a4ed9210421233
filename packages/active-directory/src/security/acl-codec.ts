import { concatBytes, copyBytes, readU16, readU32, writeU16, writeU32 } from './bytes.js';
import { invalidSecurityDescriptor } from './errors.js';
import { encodeGuid, parseGuid } from './guid.js';
import {
  type Ace,
  type Acl,
  aceKindOfType,
  aceShape,
  aceTypeOf,
  decodeAceFlags,
  encodeAceFlags,
  type DataAceKind,
  type ObjectAceKind,
  type ObjectDataAceKind,
  type SidAceKind,
} from './model.js';
import { encodeSid, readSid } from './sid.js';
import { CofferError } from '@coffer/core';

const ACL_HEADER_SIZE = 8;
const ACE_HEADER_SIZE = 4;
const ACE_OBJECT_TYPE_PRESENT = 0x1;
const ACE_INHERITED_OBJECT_TYPE_PRESENT = 0x2;

/** A SID error inside a descriptor is a descriptor error: one code for callers to handle. */
function sidAt(buf: Uint8Array, offset: number, end: number, where: string): { sid: string; byteLength: number } {
  try {
    return readSid(buf, offset, end, where);
  } catch (error) {
    if (error instanceof CofferError) throw invalidSecurityDescriptor(`${where}: ${error.message}`, where);
    throw error;
  }
}

function parseAce(buf: Uint8Array, start: number, end: number, where: string): Ace {
  const type = buf[start]!;
  const flags = decodeAceFlags(buf[start + 1]!);
  const kind = aceKindOfType(type);
  if (kind === undefined) return { kind: 'unknown', type, flags, body: copyBytes(buf, start + ACE_HEADER_SIZE, end) };

  const shape = aceShape(kind);
  let at = start + ACE_HEADER_SIZE;
  if (at + 4 > end)
    throw invalidSecurityDescriptor(`${where} (type 0x${type.toString(16)}) is too small for its access mask.`, where);
  const mask = readU32(buf, at);
  at += 4;

  let objectType: string | undefined;
  let inheritedObjectType: string | undefined;
  if (shape === 'object' || shape === 'objectData') {
    if (at + 4 > end) throw invalidSecurityDescriptor(`${where} is too small for its object-type flags.`, where);
    const objectFlags = readU32(buf, at);
    at += 4;
    if ((objectFlags & ~(ACE_OBJECT_TYPE_PRESENT | ACE_INHERITED_OBJECT_TYPE_PRESENT)) !== 0) {
      throw invalidSecurityDescriptor(`${where} has unknown object-type flags 0x${objectFlags.toString(16)}.`, where);
    }
    if (objectFlags & ACE_OBJECT_TYPE_PRESENT) {
      if (at + 16 > end) throw invalidSecurityDescriptor(`${where} is too small for its ObjectType GUID.`, where);
      objectType = parseGuid(buf, at);
      at += 16;
    }
    if (objectFlags & ACE_INHERITED_OBJECT_TYPE_PRESENT) {
      if (at + 16 > end)
        throw invalidSecurityDescriptor(`${where} is too small for its InheritedObjectType GUID.`, where);
      inheritedObjectType = parseGuid(buf, at);
      at += 16;
    }
  }

  const { sid, byteLength } = sidAt(buf, at, end, `${where} SID`);
  at += byteLength;
  const rest = copyBytes(buf, at, end);
  const guids = {
    ...(objectType === undefined ? {} : { objectType }),
    ...(inheritedObjectType === undefined ? {} : { inheritedObjectType }),
  };
  switch (shape) {
    case 'sid':
      return { kind: kind as SidAceKind, flags, mask, sid, ...(rest.length > 0 ? { trailing: rest } : {}) };
    case 'object':
      return {
        kind: kind as ObjectAceKind,
        flags,
        mask,
        ...guids,
        sid,
        ...(rest.length > 0 ? { trailing: rest } : {}),
      };
    case 'data':
      return { kind: kind as DataAceKind, flags, mask, sid, applicationData: rest };
    case 'objectData':
      return { kind: kind as ObjectDataAceKind, flags, mask, ...guids, sid, applicationData: rest };
  }
}

/** Parses the ACL at `offset`; it must end at or before `limit`. */
export function parseAcl(buf: Uint8Array, offset: number, limit: number, name: string): Acl {
  if (offset + ACL_HEADER_SIZE > limit) {
    throw invalidSecurityDescriptor(
      `The ${name} at offset ${offset} needs an 8-byte header, but only ${Math.max(0, limit - offset)} bytes remain.`,
      name,
    );
  }
  const revision = buf[offset]!;
  const sbz1 = buf[offset + 1]!;
  const aclSize = readU16(buf, offset + 2);
  const aceCount = readU16(buf, offset + 4);
  const sbz2 = readU16(buf, offset + 6);
  if (revision < 2 || revision > 4)
    throw invalidSecurityDescriptor(`The ${name} has revision ${revision}; Windows knows revisions 2 to 4.`, name);
  if (sbz1 !== 0 || sbz2 !== 0)
    throw invalidSecurityDescriptor(`The ${name} has non-zero reserved fields (Sbz1 ${sbz1}, Sbz2 ${sbz2}).`, name);
  if (aclSize < ACL_HEADER_SIZE)
    throw invalidSecurityDescriptor(`The ${name} declares AclSize ${aclSize}, smaller than its own header.`, name);
  const end = offset + aclSize;
  if (end > limit) {
    throw invalidSecurityDescriptor(
      `The ${name} at offset ${offset} declares AclSize ${aclSize}, which runs ${end - limit} bytes past the end of the descriptor.`,
      name,
    );
  }

  const aces: Ace[] = [];
  let at = offset + ACL_HEADER_SIZE;
  for (let i = 0; i < aceCount; i++) {
    const where = `${name} ACE #${i}`;
    if (at + ACE_HEADER_SIZE > end) {
      throw invalidSecurityDescriptor(
        `The ${name} declares ${aceCount} ACEs but ${where} would start past its AclSize (${aclSize}).`,
        where,
      );
    }
    const aceSize = readU16(buf, at + 2);
    if (aceSize < ACE_HEADER_SIZE)
      throw invalidSecurityDescriptor(`${where} declares AceSize ${aceSize}, smaller than its header.`, where);
    if (at + aceSize > end) {
      throw invalidSecurityDescriptor(
        `${where} declares AceSize ${aceSize}, overflowing the ${name} by ${at + aceSize - end} bytes.`,
        where,
      );
    }
    aces.push(parseAce(buf, at, at + aceSize, where));
    at += aceSize;
  }
  const acl: Acl = { revision, aces };
  if (at < end) acl.slack = copyBytes(buf, at, end);
  return acl;
}

function encodeAce(ace: Ace): Uint8Array {
  const header = new Uint8Array(ACE_HEADER_SIZE + 4);
  header[0] = aceTypeOf(ace);
  header[1] = encodeAceFlags(ace.flags);
  if (ace.kind === 'unknown') return finishAce(header.subarray(0, ACE_HEADER_SIZE), [ace.body]);

  writeU32(header, ACE_HEADER_SIZE, ace.mask >>> 0);
  const parts: Uint8Array[] = [];
  const shape = aceShape(ace.kind);
  if (shape === 'object' || shape === 'objectData') {
    const withGuids = ace as { objectType?: string; inheritedObjectType?: string };
    const objectFlags = new Uint8Array(4);
    writeU32(
      objectFlags,
      0,
      (withGuids.objectType !== undefined ? ACE_OBJECT_TYPE_PRESENT : 0) |
        (withGuids.inheritedObjectType !== undefined ? ACE_INHERITED_OBJECT_TYPE_PRESENT : 0),
    );
    parts.push(objectFlags);
    if (withGuids.objectType !== undefined) parts.push(encodeGuid(withGuids.objectType));
    if (withGuids.inheritedObjectType !== undefined) parts.push(encodeGuid(withGuids.inheritedObjectType));
  }
  parts.push(encodeSid(ace.sid));
  if ('applicationData' in ace) parts.push(ace.applicationData);
  else if (ace.trailing) parts.push(ace.trailing);
  return finishAce(header, parts);
}

function finishAce(header: Uint8Array, parts: Uint8Array[]): Uint8Array {
  const bytes = concatBytes([header, ...parts]);
  if (bytes.length > 0xffff)
    throw invalidSecurityDescriptor(`An ACE of ${bytes.length} bytes exceeds the 65535-byte AceSize limit.`, 'ACE');
  writeU16(bytes, 2, bytes.length);
  return bytes;
}

export function encodeAcl(acl: Acl): Uint8Array {
  const aces = acl.aces.map(encodeAce);
  const header = new Uint8Array(ACL_HEADER_SIZE);
  const bytes = concatBytes([header, ...aces, ...(acl.slack ? [acl.slack] : [])]);
  if (bytes.length > 0xffff)
    throw invalidSecurityDescriptor(`An ACL of ${bytes.length} bytes exceeds the 65535-byte AclSize limit.`, 'ACL');
  if (acl.aces.length > 0xffff) throw invalidSecurityDescriptor(`An ACL cannot hold ${acl.aces.length} ACEs.`, 'ACL');
  bytes[0] = acl.revision;
  writeU16(bytes, 2, bytes.length);
  writeU16(bytes, 4, acl.aces.length);
  return bytes;
}
