// Keras-style early stopping on one monitored validation metric, counted within a phase.
export class EarlyStopping {
  private best: number | null = null;
  private wait = 0;

  constructor(readonly monitor: 'val_loss' | 'val_accuracy', private readonly patience: number, private readonly minDelta = 0) {}

  get bestValue(): number | null {
    return this.best;
  }

  /** Feeds one epoch's value; true when training should stop. */
  update(value: number | undefined): boolean {
    if (value === undefined) return false;
    // A diverged run (NaN loss) is no improvement: it counts toward the patience, as in Keras.
    if (Number.isNaN(value)) return ++this.wait >= this.patience;
    const improved =
      this.best === null || (this.monitor === 'val_loss' ? value < this.best - this.minDelta : value > this.best + this.minDelta);
    if (improved) {
      this.best = value;
      this.wait = 0;
      return false;
    }
    return ++this.wait >= this.patience;
  }
}
