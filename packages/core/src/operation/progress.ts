/** One progress report, like IGPMAsyncProgress::Status(completed, total) plus what is being worked on. */
export interface ProgressReport {
  /** The phase's id: stable, for machines (`copying SYSVOL`, or a model's own name such as `BACKUPRESTORE_BEGIN`). */
  phase: string;
  /** The phase in words for a person (`Copying licenses`), when the id is not already that; hosts show it instead of the id. */
  label?: string;
  completed: number;
  total: number;
  /** The item being worked on (a GPO, a file, a license). */
  item?: string;
}

export type ProgressListener = (report: ProgressReport) => void;

/**
 * How a provider reports progress (OperationContext.progress). Announce the work before doing it
 * (`phase(name, total)` or `addTotal`), `advance` as units finish: the conformance suite fails a
 * provider whose completed count overshoots its total (core would have to raise the total, so the
 * bar jumps back), or whose total is never reached.
 */
export interface Progress {
  /** The latest report. */
  readonly current: ProgressReport;
  /**
   * Enters a phase; `addTotal` more units of work are expected in it. `label` names it for a person when `name` is
   * a machine id (a status code of the model the provider follows): hosts show the label, `--json` keeps both.
   */
  phase(name: string, addTotal?: number, label?: string): void;
  /** Announces more work without changing phase. */
  addTotal(units: number): void;
  /** Marks `units` of work done (default one), optionally naming the item just finished or started. */
  advance(item?: string, units?: number): void;
  /** Names the item now being worked on without completing anything. */
  working(item: string): void;
  /** Everything announced is done (an operation that ends early with nothing left to do). */
  finish(): void;
}

/**
 * Keeps progress honest for every host: `completed` never goes down and never exceeds
 * `total`. A provider that discovers more work raises the total; one that overshoots
 * gets its total raised to match rather than a report with completed > total.
 */
export class ProgressTracker implements Progress {
  #phase = 'starting';
  #label: string | undefined;
  #completed = 0;
  #total = 0;
  readonly #listener: ProgressListener | undefined;
  #last: ProgressReport | undefined;

  constructor(listener?: ProgressListener) {
    this.#listener = listener;
  }

  get current(): ProgressReport {
    return this.#last ?? { phase: this.#phase, completed: this.#completed, total: this.#total };
  }

  /** Enters a phase; `addTotal` more units of work are expected in it; `label` is its name for a person, if not `name`. */
  phase(name: string, addTotal = 0, label?: string): void {
    this.#phase = name;
    this.#label = label;
    this.#total += Math.max(0, addTotal);
    this.#emit(undefined);
  }

  /** Announces more work without changing phase. */
  addTotal(units: number): void {
    if (units <= 0) return;
    this.#total += units;
    this.#emit(undefined);
  }

  /** Marks `units` of work done (default one), optionally naming the item just finished or started. */
  advance(item?: string, units = 1): void {
    this.#completed += Math.max(0, units);
    if (this.#completed > this.#total) this.#total = this.#completed;
    this.#emit(item);
  }

  /** Names the item now being worked on without completing anything. */
  working(item: string): void {
    this.#emit(item);
  }

  /** Everything announced is done (used when an operation ends early with nothing left to do). */
  finish(): void {
    this.#completed = this.#total;
    this.#emit(undefined);
  }

  #emit(item: string | undefined): void {
    const report: ProgressReport = { phase: this.#phase, completed: this.#completed, total: this.#total };
    if (this.#label !== undefined) report.label = this.#label;
    if (item !== undefined) report.item = item;
    this.#last = report;
    this.#listener?.(report);
  }
}
