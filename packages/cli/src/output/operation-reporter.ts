import cliProgress from 'cli-progress';
import type { ProgressReport, StatusMessage } from '@coffer/core';
import { formatMessage, type Output } from './output.js';

/** Shows an operation while it runs: a progress bar on a terminal, quiet lines otherwise, JSON lines with --json. */
export interface OperationReporter {
  progress(report: ProgressReport): void;
  message(message: StatusMessage): void;
  /**
   * Removes the bar; call before printing the result. `isFinalError` drops the last
   * message when it only repeats the error the result is about to print with its hint.
   */
  stop(isFinalError?: (message: StatusMessage) => boolean): void;
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
}

/** Off a terminal: one line per phase change and per message, so logs stay readable. */
class LineReporter implements OperationReporter {
  #phase: string | undefined;

  constructor(private readonly output: Output) {}

  progress(report: ProgressReport): void {
    if (report.phase === this.#phase) return;
    this.#phase = report.phase;
    this.output.err(`${report.phase}… (${report.completed}/${report.total})`);
  }

  message(message: StatusMessage): void {
    this.output.message(message);
  }

  stop(): void {}
}

class ProgressBarReporter implements OperationReporter {
  readonly #bars: cliProgress.MultiBar;
  #bar: cliProgress.SingleBar | undefined;

  constructor(private readonly output: Output) {
    this.#bars = new cliProgress.MultiBar(
      {
        stream: output.stderr as unknown as NodeJS.WritableStream,
        format: `{phase} ${output.style.cyan('{bar}')} {value}/{total} {item}`,
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
    const payload = { phase: report.phase, item: this.#fit(this.output.redact(report.item ?? '')) };
    if (!this.#bar) {
      this.#bar = this.#bars.create(report.total, report.completed, payload);
      return;
    }
    this.#bar.setTotal(report.total);
    this.#bar.update(report.completed, payload);
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

  /** Keeps the bar on one line: a long item keeps its end, where file paths differ. */
  #fit(item: string): string {
    const room = Math.max(10, (this.output.stderr.columns || 80) - 60);
    return item.length <= room ? item : `…${item.slice(item.length - room + 1)}`;
  }
}
