import { invalidArgument } from '../errors/coffer-error.js';
import type { OptionsSchema } from './provider.js';
import type { StandardJSONSchemaV1, StandardSchemaV1 } from './standard-schema.js';

/** JSON Schema (draft 2020-12) of a provider's options, for hosts that build flags or forms from it. */
export type OptionsJsonSchema = Record<string, unknown> & {
  properties?: Record<string, Record<string, unknown>>;
  required?: string[];
};

/**
 * Validates options against the provider's schema. Invalid input becomes one
 * E_INVALIDARG error listing every problem with its option path.
 */
export async function validateOptions<T>(
  schema: OptionsSchema<T>,
  input: unknown,
  providerId: string,
  /** Where the accepted options are described, e.g. `coffer help restore gpo`. */
  helpTopic = `backup ${providerId}`,
): Promise<T> {
  const result = await schema['~standard'].validate(input ?? {});
  if (result.issues) {
    const problems = result.issues.map((issue) => `${formatPath(issue.path) || '(options)'}: ${issue.message}`);
    throw invalidArgument(`Invalid options for provider '${providerId}': ${problems.join('; ')}`, {
      object: providerId,
      hint: `Run 'coffer help ${helpTopic}' for the accepted options.`,
    });
  }
  return result.value;
}

function formatPath(path: StandardSchemaV1.Issue['path']): string {
  if (!path) return '';
  return path
    .map((segment) => String(typeof segment === 'object' && segment !== null ? segment.key : segment))
    .join('.');
}

/**
 * Describes an options schema as JSON Schema (draft 2020-12, the input side) through the Standard
 * JSON Schema interface (`~standard.jsonSchema`), which zod 4.2+ implements: core needs no schema
 * library and looks at no library's private fields. A schema from a library without that
 * interface describes as `{ type: 'object' }` (no flags; hosts still validate through Standard Schema).
 * Zod is asked to render types JSON Schema cannot express (a transform, a date) as `{}` rather than throw.
 */
export function describeOptions(schema: OptionsSchema): OptionsJsonSchema {
  const converter = (schema as unknown as Partial<StandardJSONSchemaV1>)['~standard']?.jsonSchema;
  if (typeof converter?.input !== 'function') return { type: 'object' };
  return converter.input({ target: 'draft-2020-12', libraryOptions: { unrepresentable: 'any' } }) as OptionsJsonSchema;
}
