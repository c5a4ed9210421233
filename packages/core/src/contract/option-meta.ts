/**
 * What a host needs to know about an option beyond its type, declared once by the provider on
 * the schema property (zod: `z.string().meta(defineOptionMeta({ secret: true, env: 'COFFER_PASSWORD',
 * fileOption: 'passwordFile' }))`). It reaches hosts through the schema's JSON Schema (see
 * describeOptions), so the CLI, shared option sets (active-directory's connection options) and
 * third-party providers all read the same keys.
 */
export interface OptionMeta {
  /** Never accepted on a command line or printed: read from `env`, the `fileOption` file, or a no-echo prompt. */
  secret?: boolean;
  /** Environment variable the value is read from. */
  env?: string;
  /** For a secret: the option naming a file that holds it (when given, nobody is prompted). */
  fileOption?: string;
  /** Example values, for help. */
  examples?: unknown[];
}

/** Checks option metadata against {@link OptionMeta}; returns it unchanged for the schema library's `meta()`. */
export function defineOptionMeta<T extends OptionMeta>(meta: T): T {
  return meta;
}

/** The {@link OptionMeta} keys of one property of a described schema. */
export function optionMetaOf(property: Record<string, unknown>): OptionMeta {
  const meta: OptionMeta = {};
  if (property.secret === true) meta.secret = true;
  if (typeof property.env === 'string') meta.env = property.env;
  if (typeof property.fileOption === 'string') meta.fileOption = property.fileOption;
  if (Array.isArray(property.examples)) meta.examples = property.examples;
  return meta;
}
