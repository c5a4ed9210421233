import { aceSid, parseSecurityDescriptor } from '@coffer/active-directory/security';
import { invalidArgument } from '@coffer/core';
import { orderLikeGpmc } from './gpmc-order.js';
import { isDomainPrincipal } from './domain-principal.js';

/**
 * The trustee SID of every ACE of a self-relative security descriptor's DACL, in ACE order and with
 * repeats (GPMC's principal order depends on them), decoded by @coffer/active-directory's codec.
 */
export function daclTrusteeSids(descriptor: Uint8Array): string[] {
  let parsed: ReturnType<typeof parseSecurityDescriptor>;
  try {
    parsed = parseSecurityDescriptor(descriptor);
  } catch (error) {
    throw invalidArgument(`The security descriptor is malformed: ${(error as Error).message}`, {
      object: 'SecurityDescriptor',
      cause: error,
    });
  }
  return (parsed.dacl?.aces ?? []).flatMap((ace) => {
    const sid = aceSid(ace);
    return sid === undefined ? [] : [sid];
  });
}

/** The domain SIDs of a DACL in the order GPMC lists them as `FromDACL` principals. */
export function daclPrincipalSidsInGpmcOrder(descriptor: Uint8Array): string[] {
  return orderLikeGpmc(daclTrusteeSids(descriptor).filter(isDomainPrincipal));
}
