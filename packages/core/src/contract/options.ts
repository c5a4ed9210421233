import { z } from 'zod';
import { invalidArgument } from '../errors/coffer-error.js';
import type { OptionsSchema } from './v1.js';
import type { StandardSchemaV1 } from './standard-schema.js';

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
  return path.map((segment) => String(typeof segment === 'object' && segment !== null ? segment.key : segment)).join('.');
}

/**
 * Describes an options schema as JSON Schema. Zod 4 schemas (from any copy of zod 4)
 * are converted; other Standard Schema libraries may expose `toJSONSchema()` themselves.
 */
export function describeOptions(schema: OptionsSchema): OptionsJsonSchema {
  const candidate = schema as unknown as { _zod?: unknown; toJSONSchema?: () => unknown };
  if (candidate._zod !== undefined) {
    return z.toJSONSchema(schema as unknown as z.ZodType, { io: 'input', unrepresentable: 'any' }) as OptionsJsonSchema;
  }
  if (typeof candidate.toJSONSchema === 'function') return candidate.toJSONSchema() as OptionsJsonSchema;
  return { type: 'object' };
}
