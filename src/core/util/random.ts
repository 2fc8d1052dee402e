// A small seeded PRNG (sfc32) so that a run is reproducible from the experiment's seed.
// Each consumer (the split, the shuffling, the augmentation...) asks for its own stream with a
// salt: the streams are independent, so e.g. turning augmentation on does not change the split.

export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Fisher-Yates shuffle in place; returns the same array. */
  shuffle<A extends MutableArrayLike>(array: A): A;
}

export interface MutableArrayLike {
  length: number;
  [index: number]: unknown;
}

/** xmur3 string hash: turns "seed/salt" into as many well-mixed 32-bit words as needed. */
function xmur3(text: string): () => number {
  let h = 1779033703 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 3432918353);
    h = (h << 13) | (h >>> 19);
  }
  return () => {
    h = Math.imul(h ^ (h >>> 16), 2246822507);
    h = Math.imul(h ^ (h >>> 13), 3266489909);
    return (h ^= h >>> 16) >>> 0;
  };
}

/** A generator for `seed`; different salts give independent streams from the same seed. */
export function createRng(seed: number, salt = ''): Rng {
  if (!Number.isFinite(seed)) throw new Error(`random seed must be a finite number, got ${seed}`);
  const words = xmur3(`${seed}/${salt}`);
  let a = words();
  let b = words();
  let c = words();
  let d = words();
  const next32 = (): number => {
    // sfc32 (Chris Doty-Humphrey's Small Fast Counting generator), 128-bit state.
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return t >>> 0;
  };
  // Warm up: the first outputs of sfc32 still correlate with the seed words.
  for (let i = 0; i < 12; i++) next32();

  const rng: Rng = {
    next: () => next32() / 4294967296,
    int(n: number): number {
      if (!Number.isInteger(n) || n <= 0) throw new Error(`Rng.int needs a positive integer, got ${n}`);
      return Math.floor(rng.next() * n);
    },
    shuffle<A extends MutableArrayLike>(array: A): A {
      for (let i = array.length - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        const t = array[i];
        array[i] = array[j];
        array[j] = t;
      }
      return array;
    },
  };
  return rng;
}
