import { CofferError, ErrorCode, describeOptions, optionMetaOf, type OptionsSchema } from '@coffer/core';

/**
 * How one property of a provider's options schema appears on the command line.
 * Conventions: camelCase property → `--kebab-case` flag; booleans are switches;
 * arrays repeat the flag; a property whose JSON Schema says `"secret": true` gets no
 * flag at all (it comes from the `env` variable it names, or a no-echo prompt).
 */
export interface OptionSpec {
  property: string;
  /** The flag without its leading dashes (`password-file`). Secrets have one only for messages; it is never accepted. */
  flag: string;
  kind: ValueKind;
  /** An array property: the flag may be given several times. */
  repeatable: boolean;
  required: boolean;
  description?: string;
  choices?: string[];
  defaultValue?: unknown;
  secret?: SecretSpec;
}

export type ValueKind = 'string' | 'number' | 'integer' | 'boolean' | 'json';

/** The meta keys a secret property carries (core's OptionMeta; zod: `.meta(defineOptionMeta({ secret: true, env: 'COFFER_PASSWORD', fileOption: 'passwordFile' }))`). */
export interface SecretSpec {
  /** Environment variable the value is read from. */
  env?: string;
  /** The option that names a file holding the secret: when it is given, nobody is prompted. */
  fileOption?: string;
}

/** Flags the CLI owns on every command: no provider option may take them. */
export const GLOBAL_FLAGS = ['json', 'provider', 'cwd', 'help', 'version', 'color'] as const;

/**
 * Flags the CLI owns on its operation verbs (`backup --out`, `restore --from`, `list --query`):
 * backup and restore options may not take them either. A provider's own command may
 * (`coffer drm export-licensor --out FILE`), as nothing of the CLI's shares that command.
 */
export const RESERVED_FLAGS = ['out', 'from', 'comment', 'query', ...GLOBAL_FLAGS] as const;

export type FlagContext = 'operation' | 'command';

type JsonSchema = Record<string, unknown>;

/** Turns an options schema into flag specs, or throws PROVIDER_INVALID saying which option cannot be a flag. */
export function optionSpecsFor(schema: OptionsSchema, owner: string, context: FlagContext = 'operation'): OptionSpec[] {
  const json = describeOptions(schema) as JsonSchema;
  const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set(Array.isArray(json.required) ? (json.required as string[]) : []);
  const specs: OptionSpec[] = [];
  const byFlag = new Map<string, string>();
  for (const [property, schemaOfProperty] of Object.entries(properties)) {
    const flag = flagName(property);
    const spec = specFor(property, flag, schemaOfProperty, required.has(property));
    const problem = flagProblem(spec, context);
    if (problem) throw invalidSurface(owner, problem);
    // `--no-x` also occupies `--x`: commander reads it as the negation of x.
    for (const occupied of negatedSwitch(spec) ? [flag, flag.slice(3)] : [flag]) {
      const taken = byFlag.get(occupied);
      if (taken !== undefined)
        throw invalidSurface(owner, `options '${taken}' and '${property}' would both be --${occupied}`);
      byFlag.set(occupied, property);
    }
    specs.push(spec);
  }
  for (const spec of specs) {
    const fileOption = spec.secret?.fileOption;
    if (fileOption !== undefined && !specs.some((s) => s.property === fileOption && !s.secret)) {
      throw invalidSurface(
        owner,
        `secret option '${spec.property}' names fileOption '${fileOption}', which is not one of its options`,
      );
    }
  }
  return specs;
}

/** `passwordFile` → `password-file`, `backupID` → `backup-id`, `ca_file` → `ca-file`. */
export function flagName(property: string): string {
  return property
    .replace(/_/g, '-')
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1-$2')
    .toLowerCase();
}

/** A boolean option named like `noLicensor`: the switch `--no-licensor`, which sets it to true. */
export function negatedSwitch(spec: OptionSpec): boolean {
  return spec.kind === 'boolean' && !spec.repeatable && spec.flag.startsWith('no-');
}

function flagProblem(spec: OptionSpec, context: FlagContext): string | undefined {
  const { flag, property } = spec;
  if (!/^[a-z0-9][a-z0-9-]*$/.test(flag)) return `option '${property}' cannot be written as a flag`;
  const reserved: readonly string[] = context === 'operation' ? RESERVED_FLAGS : GLOBAL_FLAGS;
  const positive = negatedSwitch(spec) ? flag.slice(3) : flag;
  if (reserved.includes(flag) || reserved.includes(positive)) {
    return `option '${property}' would be --${flag}, which the coffer CLI reserves for itself (${reserved.map((f) => `--${f}`).join(', ')})`;
  }
  if (flag.startsWith('no-') && !negatedSwitch(spec))
    return `option '${property}' would be --${flag}, which reads as the negation of --${flag.slice(3)}; only a boolean may be named so`;
  return undefined;
}

function specFor(property: string, flag: string, schema: JsonSchema, required: boolean): OptionSpec {
  const shape = classify(schema);
  const spec: OptionSpec = { property, flag, kind: shape.kind, repeatable: shape.repeatable, required };
  const description = firstString(schema.description, ...branches(schema).map((b) => b.description));
  if (description !== undefined) spec.description = description;
  if (shape.choices) spec.choices = shape.choices;
  if ('default' in schema) spec.defaultValue = schema.default;
  const secret = findSecret(schema);
  if (secret) spec.secret = secret;
  return spec;
}

interface Shape {
  kind: ValueKind;
  repeatable: boolean;
  choices?: string[];
}

function classify(schema: JsonSchema): Shape {
  const alternatives = branches(schema).filter((b) => b.type !== 'null');
  if ((schema.anyOf || schema.oneOf) && alternatives.length > 0) {
    const array = alternatives.find((b) => typeOf(b) === 'array');
    if (array) return classify(array);
    const literals = alternatives.flatMap((b) => enumValues(b) ?? []);
    if (literals.length > 0 && alternatives.every((b) => enumValues(b)))
      return { kind: 'string', repeatable: false, choices: literals };
    if (alternatives.some((b) => typeOf(b) === 'string')) return { kind: 'string', repeatable: false };
    return classify(alternatives[0]!);
  }
  const type = typeOf(schema);
  if (type === 'array') {
    const item =
      schema.items && typeof schema.items === 'object'
        ? classify(schema.items as JsonSchema)
        : { kind: 'string' as const, repeatable: false };
    return {
      kind: item.repeatable ? 'json' : item.kind,
      repeatable: true,
      ...(item.choices ? { choices: item.choices } : {}),
    };
  }
  const choices = enumValues(schema);
  if (type === 'boolean') return { kind: 'boolean', repeatable: false };
  if (type === 'number' || type === 'integer')
    return { kind: type, repeatable: false, ...(choices ? { choices } : {}) };
  if (type === 'string' || (type === undefined && choices))
    return { kind: 'string', repeatable: false, ...(choices ? { choices } : {}) };
  if (type === 'object') return { kind: 'json', repeatable: false };
  return { kind: 'string', repeatable: false };
}

function typeOf(schema: JsonSchema): string | undefined {
  const type = schema.type;
  if (Array.isArray(type)) return type.find((t) => t !== 'null') as string | undefined;
  return typeof type === 'string' ? type : undefined;
}

function enumValues(schema: JsonSchema): string[] | undefined {
  if (Array.isArray(schema.enum)) return schema.enum.filter((v) => v !== null).map(String);
  if ('const' in schema && schema.const !== null) return [String(schema.const)];
  return undefined;
}

function branches(schema: JsonSchema): JsonSchema[] {
  const list = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  return Array.isArray(list) ? list : [];
}

/** The secret's OptionMeta (core's defineOptionMeta keys), on the property or on one branch of an optional one. */
function findSecret(schema: JsonSchema): SecretSpec | undefined {
  const carrier = [schema, ...branches(schema)].map(optionMetaOf).find((meta) => meta.secret === true);
  if (!carrier) return undefined;
  const own = optionMetaOf(schema);
  const secret: SecretSpec = {};
  const env = firstString(carrier.env, own.env);
  const fileOption = firstString(carrier.fileOption, own.fileOption);
  if (env !== undefined) secret.env = env;
  if (fileOption !== undefined) secret.fileOption = fileOption;
  return secret;
}

function firstString(...values: unknown[]): string | undefined {
  return values.find((v): v is string => typeof v === 'string' && v.length > 0);
}

function invalidSurface(owner: string, problem: string): CofferError {
  return new CofferError(
    ErrorCode.ProviderInvalid,
    `Provider '${owner}' cannot be used from the command line: ${problem}.`,
    {
      object: owner,
      hint: 'This is a defect in the provider: report it to its authors (or rename the option).',
    },
  );
}
