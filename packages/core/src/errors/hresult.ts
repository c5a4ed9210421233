/**
 * HRESULTs Coffer reports where the Windows API defines one. Values are the
 * HRESULT_FROM_WIN32 / COM values from winerror.h, so a Windows administrator can
 * look them up as they would for GPMC or WMDRM.
 */
export const HRESULT = {
  S_OK: 0x00000000,
  E_UNEXPECTED: 0x8000ffff,
  E_NOTIMPL: 0x80004001,
  E_ABORT: 0x80004004,
  E_FAIL: 0x80004005,
  E_ACCESSDENIED: 0x80070005,
  E_INVALIDARG: 0x80070057,
  ERROR_FILE_NOT_FOUND: 0x80070002,
  ERROR_PATH_NOT_FOUND: 0x80070003,
  ERROR_INVALID_DATA: 0x8007000d,
  ERROR_SHARING_VIOLATION: 0x80070020,
  ERROR_LOCK_VIOLATION: 0x80070021,
  ERROR_NOT_SUPPORTED: 0x80070032,
  ERROR_FILE_EXISTS: 0x80070050,
  ERROR_DISK_FULL: 0x80070070,
  ERROR_ALREADY_EXISTS: 0x800700b7,
  ERROR_DIRECTORY: 0x8007010b,
  ERROR_NOT_FOUND: 0x80070490,
  ERROR_CANCELLED: 0x800704c7,
  ERROR_LOGON_FAILURE: 0x8007052e,
  ERROR_FILE_CORRUPT: 0x80070570,
  ERROR_DS_SERVER_DOWN: 0x8007203a,
} as const;

export type HresultName = keyof typeof HRESULT;

/** `0x80070057` style, the way Windows tools print HRESULTs. */
export function formatHresult(hresult: number): string {
  return `0x${(hresult >>> 0).toString(16).toUpperCase().padStart(8, '0')}`;
}
