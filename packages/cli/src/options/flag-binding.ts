import { Option, type Command } from 'commander';
import { negatedSwitch, type OptionSpec, type ValueKind } from './option-specs.js';

/**
 * Adds a provider's options to a commander command as flags. Values are only converted
 * (numbers, repeated flags into arrays); whether they are acceptable is for the
 * provider's schema to say, through core's validateOptions.
 */
export function addOptionFlags(command: Command, specs: readonly OptionSpec[], group: string): void {
  for (const spec of specs) {
    if (spec.secret) continue;
    if (negatedSwitch(spec)) {
      command.addOption(new Option(`--${spec.flag}`, helpText(spec)).helpGroup(group));
      continue;
    }
    if (spec.kind === 'boolean' && !spec.repeatable) {
      command.addOption(new Option(`--${spec.flag}`, helpText(spec)).helpGroup(group));
      if (spec.defaultValue === true)
        command.addOption(new Option(`--no-${spec.flag}`, `Turn off --${spec.flag}.`).helpGroup(group));
      continue;
    }
    const option = new Option(`--${spec.flag} <${placeholder(spec)}>`, helpText(spec)).helpGroup(group);
    option.argParser(
      spec.repeatable
        ? (raw: string, previous: unknown) => [...(Array.isArray(previous) ? previous : []), convert(spec.kind, raw)]
        : (raw: string) => convert(spec.kind, raw),
    );
    command.addOption(option);
  }
}

/** Reads the flags' values back into an options object keyed by schema property; absent flags stay absent. */
export function collectOptionValues(
  parsed: Record<string, unknown>,
  specs: readonly OptionSpec[],
): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const spec of specs) {
    if (spec.secret) continue;
    const value = parsed[attributeName(spec)];
    // commander keeps `--no-x` as x = false (and x = true when absent).
    if (negatedSwitch(spec)) {
      if (value === false) options[spec.property] = true;
    } else if (value !== undefined) options[spec.property] = value;
  }
  return options;
}

function attributeName(spec: OptionSpec): string {
  return new Option(`--${spec.flag}`).attributeName();
}

function convert(kind: ValueKind, raw: string): unknown {
  switch (kind) {
    case 'number':
    case 'integer': {
      const number = raw.trim() === '' ? Number.NaN : Number(raw);
      // Left as text when it is not a number, so the schema's own message explains the problem.
      return Number.isFinite(number) ? number : raw;
    }
    case 'boolean':
      return raw === 'true' ? true : raw === 'false' ? false : raw;
    case 'json':
      try {
        return JSON.parse(raw) as unknown;
      } catch {
        return raw;
      }
    default:
      return raw;
  }
}

function placeholder(spec: OptionSpec): string {
  if (spec.choices && spec.choices.length <= 4) return spec.choices.join('|');
  if (spec.kind === 'number' || spec.kind === 'integer') return 'number';
  if (spec.kind === 'json') return 'json';
  return spec.flag.endsWith('file') ? 'file' : 'value';
}

export function helpText(spec: OptionSpec): string {
  const notes: string[] = [];
  if (spec.required) notes.push('required');
  if (spec.repeatable) notes.push('repeatable');
  if (spec.choices) notes.push(`one of: ${spec.choices.join(', ')}`);
  if (spec.defaultValue !== undefined && !(spec.kind === 'boolean' && spec.defaultValue === false)) {
    notes.push(`default: ${JSON.stringify(spec.defaultValue)}`);
  }
  const text = spec.description ?? '';
  return notes.length === 0 ? text : `${text}${text ? ' ' : ''}(${notes.join('; ')})`;
}

/** A line per secret for `--help`: where its value comes from, since it has no flag. */
export function secretHelpLines(specs: readonly OptionSpec[]): string[] {
  return specs
    .filter((spec) => spec.secret)
    .map((spec) => {
      const sources = [
        spec.secret?.env ? `the ${spec.secret.env} environment variable` : undefined,
        spec.secret?.fileOption ? `a file named with --${flagOf(specs, spec.secret.fileOption)}` : undefined,
        'a prompt without echo when run on a terminal',
      ].filter(Boolean);
      const what = spec.description ? `${spec.description} ` : '';
      return `  ${spec.property}: ${what}(secret${spec.required ? ', required' : ''}; never a flag) from ${sources.join(', or ')}`;
    });
}

function flagOf(specs: readonly OptionSpec[], property: string): string {
  return specs.find((s) => s.property === property)?.flag ?? property;
}
