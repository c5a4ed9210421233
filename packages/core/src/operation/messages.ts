/** Like IGPMStatusMessage: what happened, to which object, how bad, with a code. */
export type Severity = 'info' | 'warning' | 'error';

export interface StatusMessage {
  severity: Severity;
  code: string;
  message: string;
  /** The object concerned: a GPO (name and GUID), a file, a license KID. */
  object?: string;
  hresult?: number;
}

export type MessageListener = (message: StatusMessage) => void;
