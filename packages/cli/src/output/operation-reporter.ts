import cliProgress from 'cli-progress';
import type { ProgressReport, StatusMessage } from '@coffer/core';
import { formatMessage, type Output } from './output.js';
import { fitEnd } from './table.js';

/** Shows an operation while it runs: a progress bar on a terminal, quiet lines otherwise, JSON lines with --json. */
export interface OperationReporter {
  progress(report: ProgressReport): void;
  message(message: StatusMessage): void;
  /**
   * Removes the bar; call before printing the result. `isFinalError` drops the last
   * message when it only repeats the error the result is about to print with its hint.
   */
  stop(isFinalError?: (message: StatusMessage) => boolean): void;
  /**
   * Another operation's reports follow (`coffer list` asks each provider in turn, each counting from 0): a person
   * sees one count that goes on from where the last one ended; --json keeps each operation's own numbers.
   */
  nextOperation(): void;
}

/** The phase in words: the provider's label, else its id with a capital (`copying SYSVOL` → `Copying SYSVOL`). */
export function phaseLabel(report: Pick<ProgressReport, 'phase' | 'label'>): string {
  const text = report.label ?? report.phase;
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * What a person is shown: completed never goes back and the total never shrinks, whatever the reports say (a provider
 * that raises its total makes the bar longer, never the count smaller), across the operations of one command too.
 */
export class MonotoneCount {
  #base = { completed: 0, total: 0 };
  #last = { completed: 0, total: 0 };
  #shown = { completed: 0, total: 0 };

  view(report: ProgressReport): { completed: number; total: number } {
    this.#last = { completed: report.completed, total: Math.max(report.total, report.completed) };
    const completed = Math.max(this.#shown.completed, this.#base.completed + this.#last.completed);
    const total = Math.max(this.#shown.total, this.#base.total + this.#last.total, completed);
    this.#shown = { completed, total };
    return { ...this.#shown };
  }

  nextOperation(): void {
    this.#base = { completed: this.#shown.completed, total: this.#shown.total };
    this.#last = { completed: 0, total: 0 };
  }
}

export function createReporter(output: Output): OperationReporter {
  if (output.json) return new JsonReporter(output);
  return new HoldLastMessage(output.stderr.isTTY ? new ProgressBarReporter(output) : new LineReporter(output));
}

/** Holds each message back until the next event, so the operation's closing error is printed once, with its hint. */
class HoldLastMessage implements OperationReporter {
  #held: StatusMessage | undefined;

  constructor(private readonly inner: OperationReporter) {}

  progress(report: ProgressReport): void {
    this.#release();
    this.inner.progress(report);
  }

  message(message: StatusMessage): void {
    this.#release();
    this.#held = message;
  }

  stop(isFinalError?: (message: StatusMessage) => boolean): void {
    if (this.#held && isFinalError?.(this.#held)) this.#held = undefined;
    this.#release();
    this.inner.stop();
  }

  nextOperation(): void {
    this.inner.nextOperation();
  }

  #release(): void {
    if (this.#held) this.inner.message(this.#held);
    this.#held = undefined;
  }
}

class JsonReporter implements OperationReporter {
  constructor(private readonly output: Output) {}

  progress(report: ProgressReport): void {
    this.output.line({ type: 'progress', ...report });
  }

  message(message: StatusMessage): void {
    this.output.line({ type: 'message', ...message });
  }

  stop(): void {}

  nextOperation(): void {}
}

/** Off a terminal: one line per phase change and per message, so logs stay readable; no count while nothing is announced. */
class LineReporter implements OperationReporter {
  #phase: string | undefined;
  readonly #count = new MonotoneCount();

  constructor(private readonly output: Output) {}

  progress(report: ProgressReport): void {
    const { completed, total } = this.#count.view(report);
    const label = phaseLabel(report);
    if (label === this.#phase) return;
    this.#phase = label;
    this.output.err(total > 0 ? `${label}… (${completed}/${total})` : `${label}…`);
  }

  message(message: StatusMessage): void {
    this.output.message(message);
  }

  stop(): void {}

  nextOperation(): void {
    this.#count.nextOperation();
  }
}

class ProgressBarReporter implements OperationReporter {
  readonly #bars: cliProgress.MultiBar;
  #bar: cliProgress.SingleBar | undefined;
  readonly #count = new MonotoneCount();

  constructor(private readonly output: Output) {
    const { cyan } = output.style;
    this.#bars = new cliProgress.MultiBar(
      {
        stream: output.stderr as unknown as NodeJS.WritableStream,
        // Until a total is announced there is nothing to measure: the phase and item alone, no empty bar and no 0/0.
        format: (options, params, payload: { phase: string; item: string }) =>
          params.total > 0
            ? `${payload.phase} ${cyan(cliProgress.Format.BarFormat(params.progress, options))} ${params.value}/${params.total} ${payload.item}`
            : `${payload.phase}… ${payload.item}`,
        barsize: 24,
        hideCursor: true,
        clearOnComplete: true,
        autopadding: true,
        emptyOnZero: true,
        forceRedraw: false,
      },
      cliProgress.Presets.shades_classic,
    );
  }

  progress(report: ProgressReport): void {
    const { completed, total } = this.#count.view(report);
    const payload = { phase: phaseLabel(report), item: this.#fit(this.output.redact(report.item ?? '')) };
    if (!this.#bar) {
      this.#bar = this.#bars.create(total, completed, payload);
      return;
    }
    this.#bar.setTotal(total);
    this.#bar.update(completed, payload);
  }

  nextOperation(): void {
    this.#count.nextOperation();
  }

  message(message: StatusMessage): void {
    if (!this.#bar) this.output.message(message);
    else this.#bars.log(`${this.output.redact(formatMessage(message, this.output.style))}\n`);
  }

  stop(): void {
    if (!this.#bar) return;
    // A final redraw flushes messages logged since the last one; then the bar is cleared.
    this.#bars.update();
    this.#bars.stop();
  }

  /** Keeps the bar on one line: a long item keeps its end, where file paths differ (measured in display columns). */
  #fit(item: string): string {
    return fitEnd(item, Math.max(10, (this.output.stderr.columns || 80) - 60));
  }
}
