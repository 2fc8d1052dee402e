// The train/validation/test split: stratified per class and a pure function of the seed and the
// item names, so a run can be repeated exactly and listing order (which the file system does not
// promise) never matters.
import { createRng } from '../util/random';

export interface SplitFractions {
  validation: number;
  test: number;
}

export interface ClassSplit {
  train: string[];
  validation: string[];
  test: string[];
}

/**
 * How many of `n` items go to validation and test. A non-zero fraction gets at least one item
 * when the class has 3 or more, so every class is seen in every split; train always keeps one.
 */
export function splitCounts(n: number, fractions: SplitFractions): { train: number; validation: number; test: number } {
  for (const [name, f] of Object.entries(fractions)) {
    if (!(f >= 0 && f < 1)) throw new Error(`split.${name} must be in [0, 1), got ${f}`);
  }
  const count = (f: number): number => {
    if (f === 0) return 0;
    const c = Math.round(n * f);
    return n >= 3 ? Math.max(1, c) : c;
  };
  let validation = count(fractions.validation);
  let test = count(fractions.test);
  // Small classes with large fractions: give back to train, from the larger held-out split first.
  while (n > 0 && validation + test > n - 1) {
    if (test >= validation && test > 0) test--;
    else validation--;
  }
  return { train: n - validation - test, validation, test };
}

/**
 * Splits one class's items. `salt` names the class so each class draws its own stream: adding
 * or removing a class does not reshuffle the others.
 */
export function splitClass(items: readonly string[], fractions: SplitFractions, seed: number, salt: string): ClassSplit {
  const sorted = [...items].sort();
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i] === sorted[i - 1]) throw new Error(`split: duplicate item "${sorted[i]}"`);
  }
  createRng(seed, `split/${salt}`).shuffle(sorted);
  const c = splitCounts(sorted.length, fractions);
  const validation = sorted.slice(0, c.validation).sort();
  const test = sorted.slice(c.validation, c.validation + c.test).sort();
  const train = sorted.slice(c.validation + c.test).sort();
  return { train, validation, test };
}

/** Chooses at most `max` of `items` by the seed (independent of listing order); returned sorted. */
export function chooseAtMost(items: readonly string[], max: number | undefined, seed: number, salt: string): string[] {
  const sorted = [...items].sort();
  if (max === undefined || sorted.length <= max) return sorted;
  return createRng(seed, `choose/${salt}`).shuffle(sorted).slice(0, max).sort();
}
