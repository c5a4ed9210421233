import { inspect } from 'node:util';

const REDACTED = '[secret]';

/**
 * A value that never shows itself by accident: string conversion, JSON and util.inspect print `[secret]`.
 * Call `reveal()` only where the value is handed to the protocol.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  get length(): number {
    return this.#value.length;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return `Secret(${REDACTED})`;
  }

  [Symbol.toPrimitive](): string {
    return REDACTED;
  }
}

export function isSecret(value: unknown): value is Secret {
  return value instanceof Secret;
}

export function toSecret(value: Secret | string): Secret {
  return value instanceof Secret ? value : new Secret(value);
}
