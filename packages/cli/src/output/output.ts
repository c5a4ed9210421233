import { HRESULT, formatHresult, type SerializedError, type StatusMessage } from '@coffer/core';
import type { CliIo, OutputStream } from '../io.js';
import { createStyle, type Style } from './style.js';

/**
 * Every byte the CLI prints goes through here: stdout for results (JSON lines only in
 * JSON mode), stderr for progress, messages and errors; secret values are redacted.
 */
export class Output {
  readonly json: boolean;
  readonly style: Style;
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly #secrets = new Set<string>();

  constructor(io: Pick<CliIo, 'stdout' | 'stderr'>, options: { json: boolean; color: boolean }) {
    this.json = options.json;
    this.style = createStyle(options.color);
    this.stdout = io.stdout;
    this.stderr = io.stderr;
  }

  /** Values that must never appear in output (passwords read from env or a prompt). */
  addSecrets(values: readonly string[]): void {
    for (const value of values) if (value.length > 0) this.#secrets.add(value);
  }

  /** A line of a human-readable result (never in JSON mode, where stdout holds JSON only). */
  out(text = ''): void {
    if (this.json) return;
    this.stdout.write(`${this.redact(text)}\n`);
  }

  /** A line for the person at the terminal: progress, messages, errors, hints. */
  err(text = ''): void {
    this.stderr.write(`${this.redact(text)}\n`);
  }

  /** One JSON line on stdout (JSON mode only). */
  line(value: Record<string, unknown>): void {
    if (!this.json) return;
    this.stdout.write(`${this.redact(JSON.stringify(value))}\n`);
  }

  redact(text: string): string {
    let result = text;
    for (const secret of this.#secrets) {
      for (const form of new Set([secret, JSON.stringify(secret).slice(1, -1)]))
        result = result.split(form).join('***');
    }
    return result;
  }

  /** Prints an error with its code, HRESULT and what to do next. */
  error(error: SerializedError): void {
    const { red, dim } = this.style;
    this.err(`${red('error:')} ${error.message}`);
    const details = [error.code, error.hresult === undefined ? undefined : describeHresult(error.hresult)].filter(
      Boolean,
    );
    this.err(dim(`  (${details.join(', ')})`));
    if (error.hint) this.err(`  hint: ${error.hint}`);
  }

  message(message: StatusMessage): void {
    this.err(formatMessage(message, this.style));
  }
}

export function formatMessage(message: StatusMessage, style: Style): string {
  const label =
    message.severity === 'error'
      ? style.red('error')
      : message.severity === 'warning'
        ? style.yellow('warning')
        : style.dim('info');
  const object = message.object ? ` [${message.object}]` : '';
  const code = message.code
    ? style.dim(` (${message.code}${message.hresult === undefined ? '' : ` ${formatHresult(message.hresult)}`})`)
    : '';
  return `${label}: ${message.message}${object}${code}`;
}

/** `ERROR_PATH_NOT_FOUND 0x80070003`: the name a Windows administrator would look up. */
export function describeHresult(hresult: number): string {
  const name = hresultName(hresult);
  return name ? `${name} ${formatHresult(hresult)}` : formatHresult(hresult);
}

export function hresultName(hresult: number): string | undefined {
  return Object.entries(HRESULT).find(([, value]) => value >>> 0 === hresult >>> 0)?.[0];
}

/** The serialised error for JSON output, with the HRESULT's symbolic name where known. */
export function jsonError(error: SerializedError): SerializedError & { hresultName?: string } {
  const name = error.hresult === undefined ? undefined : hresultName(error.hresult);
  return name ? { ...error, hresultName: name } : { ...error };
}
