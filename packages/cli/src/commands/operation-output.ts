import {
  ErrorCode,
  invalidArgument,
  serializeError,
  type OperationResult,
  type SerializedError,
  type StatusMessage,
} from '@coffer/core';
import type { CliContext } from '../cli-context.js';
import type { OptionSpec } from '../options/option-specs.js';
import { ExitCode, exitCodeFor } from '../output/exit-codes.js';
import type { OperationReporter } from '../output/operation-reporter.js';
import { jsonError } from '../output/output.js';

export interface FinishOptions<T> {
  result: OperationResult<T>;
  reporter: OperationReporter;
  /** The flags of the options that were validated, to name them in E_INVALIDARG messages. */
  specs?: readonly OptionSpec[];
  /** `coffer help …` words for this command, for the hint of a usage error. */
  helpCommand: string;
  /** Fields of the JSON result line besides the common ones. */
  json: (result: OperationResult<T>) => Record<string, unknown>;
  /** Prints a successful (or partly successful) result for a person. */
  human: (output: T) => void;
}

/** Ends an operation the same way for every verb: result line or summary, error with hint, exit code. */
export function finishOperation<T>(context: CliContext, options: FinishOptions<T>): void {
  const { result } = options;
  const error = result.error ? forTheCommandLine(result.error, options.specs ?? [], options.helpCommand) : undefined;
  options.reporter.stop((message) => isSameError(message, result.error));
  const exitCode = exitCodeFor(result.status, result.error);
  context.exitCode = exitCode;
  const { output } = context;
  if (output.json) {
    output.line({
      type: 'result',
      operation: result.operation,
      provider: result.providerId,
      status: result.status,
      exitCode,
      ...options.json(result),
      messages: result.messages,
      ...(error ? { error: jsonError(error) } : {}),
      startedAt: result.startedAt,
      finishedAt: result.finishedAt,
      durationMs: result.durationMs,
    });
    if (result.status === 'cancelled') output.err('cancelled');
    return;
  }
  if (result.output !== undefined) options.human(result.output);
  if (result.status === 'cancelled') output.err(output.style.yellow('cancelled'));
  else if (error) output.error(error);
  else if (result.status === 'succeeded-with-warnings') {
    const count = result.messages.filter((m) => m.severity !== 'info').length;
    output.err(output.style.yellow(`Completed with ${count} warning${count === 1 ? '' : 's'}.`));
  }
}

function isSameError(message: StatusMessage, error: SerializedError | undefined): boolean {
  return error !== undefined && message.code === error.code && message.message === error.message;
}

/**
 * Core words an invalid-options error by schema property (`dc: Required`); on the
 * command line the user typed flags, so name those, and point at the right help page.
 */
export function forTheCommandLine(
  error: SerializedError,
  specs: readonly OptionSpec[],
  helpCommand: string,
): SerializedError {
  if (error.code !== ErrorCode.InvalidArgument) return error;
  const hint = `Run 'coffer help ${helpCommand}' for the accepted options.`;
  const marker = error.message.indexOf("': ");
  if (!error.message.startsWith('Invalid options for ') || marker === -1)
    return { ...error, hint: error.hint && !error.hint.startsWith("Run 'coffer help") ? error.hint : hint };
  const head = error.message.slice(0, marker + 3);
  const problems = error.message
    .slice(marker + 3)
    .split('; ')
    .map((problem) => {
      const colon = problem.indexOf(': ');
      if (colon === -1) return problem;
      const path = problem.slice(0, colon);
      const spec = specs.find((s) => s.property === path.split('.')[0]);
      if (!spec) return problem;
      const rest = path.includes('.') ? path.slice(path.indexOf('.')) : '';
      return `${nameOnCommandLine(spec, specs)}${rest}: ${problem.slice(colon + 2)}`;
    });
  return { ...error, message: `${head}${problems.join('; ')}`, hint };
}

function nameOnCommandLine(spec: OptionSpec, specs: readonly OptionSpec[]): string {
  if (!spec.secret) return `--${spec.flag}`;
  const file = spec.secret.fileOption ? specs.find((s) => s.property === spec.secret?.fileOption) : undefined;
  const sources = [spec.secret.env, file ? `--${file.flag}` : undefined, 'the prompt'].filter(Boolean);
  return `${spec.property} (secret, from ${sources.join(' or ')})`;
}

/** A usage error found by the CLI itself (unknown provider, bad config): exit 2, printed or as a JSON result. */
export function usageError(context: CliContext, message: string, hint: string, operation?: string): void {
  failWith(context, serializeError(invalidArgument(message, { hint })), ExitCode.Usage, operation);
}

export function failWith(context: CliContext, error: SerializedError, exitCode: number, operation?: string): void {
  context.exitCode = exitCode;
  if (context.output.json) {
    context.output.line({
      type: 'result',
      ...(operation ? { operation } : {}),
      status: exitCode === ExitCode.Cancelled ? 'cancelled' : 'failed',
      exitCode,
      error: jsonError(error),
    });
  } else if (exitCode === ExitCode.Cancelled) {
    context.output.err(context.output.style.yellow('cancelled'));
  } else {
    context.output.error(error);
  }
}
