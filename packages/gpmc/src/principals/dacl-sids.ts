import { invalidArgument } from '@coffer/core';
import { orderLikeGpmc } from './gpmc-order.js';
import { isDomainSid } from './well-known-sids.js';

const SE_DACL_PRESENT = 0x0004;
const OBJECT_ACE_TYPES = new Set([0x05, 0x06, 0x07, 0x08, 0x0b, 0x0c, 0x0f, 0x10]);
const ACE_OBJECT_TYPE_PRESENT = 0x1;
const ACE_INHERITED_OBJECT_TYPE_PRESENT = 0x2;

/** Reads a binary SID at `offset` as `S-1-…` text. */
export function readSid(bytes: Uint8Array, offset: number): string {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const revision = view.getUint8(offset);
  const count = view.getUint8(offset + 1);
  let authority = 0;
  for (let i = 0; i < 6; i++) authority = authority * 256 + view.getUint8(offset + 2 + i);
  const parts = [`S-${revision}-${authority}`];
  for (let i = 0; i < count; i++) parts.push(String(view.getUint32(offset + 8 + i * 4, true)));
  return parts.join('-');
}

/**
 * The trustee SID of every ACE of a self-relative security descriptor's DACL, in ACE order. Only what
 * ordering `FromDACL` principals needs; the full codec lives with the AD code.
 */
export function daclTrusteeSids(descriptor: Uint8Array): string[] {
  const fail = (why: string) => invalidArgument(`The security descriptor is malformed: ${why}.`, { object: 'SecurityDescriptor' });
  if (descriptor.length < 20) throw fail('shorter than its 20-byte header');
  const view = new DataView(descriptor.buffer, descriptor.byteOffset, descriptor.byteLength);
  const control = view.getUint16(2, true);
  const daclOffset = view.getUint32(16, true);
  if ((control & SE_DACL_PRESENT) === 0 || daclOffset === 0) return [];
  if (daclOffset + 8 > descriptor.length) throw fail('the DACL lies outside it');
  const aceCount = view.getUint16(daclOffset + 4, true);
  const sids: string[] = [];
  let offset = daclOffset + 8;
  for (let i = 0; i < aceCount; i++) {
    if (offset + 8 > descriptor.length) throw fail(`ACE ${i} lies outside it`);
    const type = view.getUint8(offset);
    const size = view.getUint16(offset + 2, true);
    if (size < 8 || offset + size > descriptor.length) throw fail(`ACE ${i} has a bad size`);
    let sidOffset = offset + 8;
    if (OBJECT_ACE_TYPES.has(type)) {
      const flags = view.getUint32(offset + 8, true);
      sidOffset = offset + 12;
      if (flags & ACE_OBJECT_TYPE_PRESENT) sidOffset += 16;
      if (flags & ACE_INHERITED_OBJECT_TYPE_PRESENT) sidOffset += 16;
    }
    sids.push(readSid(descriptor, sidOffset));
    offset += size;
  }
  return sids;
}

/** The domain SIDs of a DACL in the order GPMC lists them as `FromDACL` principals. */
export function daclPrincipalSidsInGpmcOrder(descriptor: Uint8Array): string[] {
  return orderLikeGpmc(daclTrusteeSids(descriptor).filter(isDomainSid));
}
