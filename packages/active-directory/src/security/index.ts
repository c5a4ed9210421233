export * from './model.js';
export { SECURITY_HRESULT, SecurityErrorCode, type SecurityErrorCodeValue } from './errors.js';
export {
  parseSid,
  readSid,
  formatSid,
  parseSidString,
  normalizeSid,
  isSidString,
  encodeSid,
  sidByteLength,
  SID_MAX_SUB_AUTHORITIES,
  type SidParts,
  type SidRead,
} from './sid.js';
export { parseGuid, encodeGuid, normalizeGuid, isGuid, toBracedGuid, parseBracedGuid } from './guid.js';
export {
  AccessMask,
  SDDL_RIGHT_BITS,
  SDDL_RIGHT_COMPOSITES,
  SDDL_LABEL_RIGHT_BITS,
  formatSddlRights,
  parseSddlRights,
} from './access-mask.js';
export { parseAcl, encodeAcl } from './acl-codec.js';
export {
  parseSecurityDescriptor,
  serializeSecurityDescriptor,
  withCanonicalLayout,
  SECURITY_DESCRIPTOR_HEADER_SIZE,
  WINDOWS_PART_ORDER,
} from './security-descriptor.js';
export {
  WELL_KNOWN_SIDS,
  WELL_KNOWN_DOMAIN_RIDS,
  lookupWellKnownSid,
  lookupWellKnownDomainRid,
  isWellKnownSid,
  isDomainSid,
  domainSidOf,
  ridOf,
  wellKnownSidName,
  type WellKnownSid,
  type WellKnownDomainRid,
} from './well-known-sids.js';
export { formatSddlSid, parseSddlSid, SDDL_SID_ALIASES, type SddlContext } from './sddl-aliases.js';
export { toSddl, parseSddl, splitSddl, type SddlOptions } from './sddl.js';
