import {
  CofferError,
  HRESULT,
  parseXmlDocument as parseSafely,
  xmlChild,
  xmlChildText,
  type XmlElement,
} from '@coffer/core';

export type { XmlElement };
export { decodeXmlBytes } from '@coffer/core';

/** Error code for GPMC files this package cannot read. */
export const MALFORMED_GPMC_FILE = 'GPMC_FILE_MALFORMED';

const HINT = 'The file is damaged or is not a GPMC backup file; take the backup again.';

/**
 * Parses XML into an {@link XmlElement} tree with core's safe reader (DOCTYPE refused as XML_DOCTYPE_REFUSED,
 * size bounded); throws `GPMC_FILE_MALFORMED` on broken XML.
 */
export function parseXmlDocument(input: Uint8Array | string, what: string): XmlElement {
  return parseSafely(input, what, { malformedCode: MALFORMED_GPMC_FILE, hint: HINT });
}

/** First child with that local name. */
export const child = xmlChild;

/** Text of the first child with that name, `''` when absent. */
export const childText = xmlChildText;

export function malformed(what: string, message: string): CofferError {
  return new CofferError(MALFORMED_GPMC_FILE, `${what}: ${message}`, {
    hresult: HRESULT.ERROR_INVALID_DATA,
    object: what,
    hint: HINT,
  });
}
