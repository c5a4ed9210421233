import { concatBytes, copyBytes, readU32, writeU16, writeU32 } from './bytes.js';
import { encodeAcl, parseAcl } from './acl-codec.js';
import { invalidSecurityDescriptor } from './errors.js';
import {
  decodeControl,
  encodeControl,
  SE_CONTROL,
  type SecurityDescriptor,
  type SecurityDescriptorLayout,
  type SecurityDescriptorPart,
} from './model.js';
import { encodeSid, readSid } from './sid.js';
import { CofferError } from '@coffer/core';

export const SECURITY_DESCRIPTOR_HEADER_SIZE = 20;

/**
 * Part order for models without a kept layout: SACL, DACL, owner, group, believed to be what
 * Windows' RtlMakeSelfRelativeSD writes (unverified: no Windows sample with all parts is in the
 * corpus). Samba writes owner, group, SACL, DACL (proven by the live Samba test); parsed
 * descriptors keep whichever order they had.
 */
export const WINDOWS_PART_ORDER: readonly SecurityDescriptorPart[] = ['sacl', 'dacl', 'owner', 'group'];

const OFFSET_FIELD: Record<SecurityDescriptorPart, number> = { owner: 4, group: 8, sacl: 12, dacl: 16 };

interface PartSpan {
  part: SecurityDescriptorPart;
  start: number;
  end: number;
}

/**
 * Binary self-relative SECURITY_DESCRIPTOR ([MS-DTYP] 2.4.6) to the model. Throws
 * INVALID_SECURITY_DESCRIPTOR (ERROR_INVALID_SECURITY_DESCR) on truncated buffers, offsets
 * outside the buffer, ACL/ACE sizes that overflow, and malformed SIDs.
 */
export function parseSecurityDescriptor(input: Uint8Array): SecurityDescriptor {
  const buf = input;
  if (buf.length < SECURITY_DESCRIPTOR_HEADER_SIZE) {
    throw invalidSecurityDescriptor(
      `A self-relative security descriptor needs a 20-byte header; got ${buf.length} bytes.`,
    );
  }
  const revision = buf[0]!;
  if (revision !== 1)
    throw invalidSecurityDescriptor(`Security descriptor revision is ${revision}; only revision 1 exists.`);
  const controlValue = buf[2]! | (buf[3]! << 8);
  if ((controlValue & SE_CONTROL.selfRelative) === 0) {
    throw invalidSecurityDescriptor(
      'The SE_SELF_RELATIVE control bit is clear: absolute-format descriptors hold pointers and cannot be read from bytes.',
    );
  }

  const spans: PartSpan[] = [];
  const sd: SecurityDescriptor = { revision, resourceManagerControl: buf[1]!, control: decodeControl(controlValue) };

  for (const part of ['owner', 'group', 'sacl', 'dacl'] as const) {
    const offset = readU32(buf, OFFSET_FIELD[part]);
    if (offset === 0) continue;
    const name = part === 'owner' || part === 'group' ? `${part} SID` : part.toUpperCase();
    if (offset < SECURITY_DESCRIPTOR_HEADER_SIZE || offset >= buf.length) {
      throw invalidSecurityDescriptor(
        `The ${name} offset 0x${offset.toString(16)} lies outside the descriptor (header 20 bytes, total ${buf.length}).`,
        name,
      );
    }
    if (part === 'owner' || part === 'group') {
      let read;
      try {
        read = readSid(buf, offset, buf.length, name);
      } catch (error) {
        if (error instanceof CofferError) throw invalidSecurityDescriptor(`${name}: ${error.message}`, name);
        throw error;
      }
      sd[part] = read.sid;
      spans.push({ part, start: offset, end: offset + read.byteLength });
    } else {
      const acl = parseAcl(buf, offset, buf.length, name);
      sd[part] = acl;
      spans.push({ part, start: offset, end: offset + (buf[offset + 2]! | (buf[offset + 3]! << 8)) });
    }
  }

  const layout = layoutOf(buf, spans);
  if (layout) sd.layout = layout;
  return sd;
}

/** Order and filler bytes of the parts; undefined when parts overlap (then only the canonical layout can be written). */
function layoutOf(buf: Uint8Array, spans: PartSpan[]): SecurityDescriptorLayout | undefined {
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  const gaps: Uint8Array[] = [];
  let cursor = SECURITY_DESCRIPTOR_HEADER_SIZE;
  for (const span of sorted) {
    if (span.start < cursor) return undefined;
    gaps.push(copyBytes(buf, cursor, span.start));
    cursor = span.end;
  }
  gaps.push(copyBytes(buf, cursor, buf.length));
  const layout: SecurityDescriptorLayout = { order: sorted.map((span) => span.part) };
  if (gaps.some((gap) => gap.length > 0)) layout.gaps = gaps;
  return layout;
}

/**
 * The model back to a self-relative descriptor. With the layout kept from parsing, the bytes are
 * identical to the parsed ones; parts added since are appended in Windows order. SE_SELF_RELATIVE
 * is always set, because the output is self-relative.
 */
export function serializeSecurityDescriptor(sd: SecurityDescriptor): Uint8Array {
  const blobs: Partial<Record<SecurityDescriptorPart, Uint8Array>> = {};
  if (sd.owner !== undefined) blobs.owner = encodeSid(sd.owner);
  if (sd.group !== undefined) blobs.group = encodeSid(sd.group);
  if (sd.sacl !== undefined) blobs.sacl = encodeAcl(sd.sacl);
  if (sd.dacl !== undefined) blobs.dacl = encodeAcl(sd.dacl);

  const present = (part: SecurityDescriptorPart): boolean => blobs[part] !== undefined;
  const kept = (sd.layout?.order ?? []).filter(present);
  const order = [...kept, ...WINDOWS_PART_ORDER.filter((part) => present(part) && !kept.includes(part))];
  const sameParts = sd.layout !== undefined && kept.length === sd.layout.order.length && order.length === kept.length;
  const gaps = sameParts ? sd.layout?.gaps : undefined;

  const header = new Uint8Array(SECURITY_DESCRIPTOR_HEADER_SIZE);
  header[0] = sd.revision;
  header[1] = sd.resourceManagerControl & 0xff;
  writeU16(header, 2, encodeControl(sd.control) | SE_CONTROL.selfRelative);

  const chunks: Uint8Array[] = [header];
  let offset = SECURITY_DESCRIPTOR_HEADER_SIZE;
  order.forEach((part, i) => {
    const gap = gaps?.[i];
    if (gap && gap.length > 0) {
      chunks.push(gap);
      offset += gap.length;
    }
    writeU32(header, OFFSET_FIELD[part], offset);
    chunks.push(blobs[part]!);
    offset += blobs[part]!.length;
  });
  const tail = gaps?.[order.length];
  if (tail && tail.length > 0) chunks.push(tail);
  return concatBytes(chunks);
}

/** A copy of the model without its kept layout, so it serializes in the canonical Windows layout. */
export function withCanonicalLayout(sd: SecurityDescriptor): SecurityDescriptor {
  const { layout: _layout, ...rest } = sd;
  return rest;
}
