/**
 * The shape of one named model's table entry (lmfit's built-in models as data): its formula, parameters,
 * lmfit's parameter hints and derived parameters, and how its start values are guessed from data.
 * One entry per model in src/models/{peaks,backgrounds,steps,others}.ts, collected in src/models/registry.ts.
 */

/** What lmfit's `set_param_hint` gives a parameter; `expr` ties it (in the model's unprefixed names). */
export interface ParamHint {
  readonly value?: number;
  readonly min?: number;
  readonly max?: number;
  readonly expr?: string;
}

/** The features of one peak found in the data (after any background is taken away). */
export interface PeakFeatures {
  /** Position of the maximum. */
  readonly center: number;
  /** Value at the maximum. */
  readonly height: number;
  /** Full width at half maximum (from the half-maximum crossings on either side). */
  readonly fwhm: number;
}

/**
 * How the start values of a model are estimated from data `(x, y)`:
 * - `peak`: from the features of the highest peak, `shape` gives the width (and other) parameters and the
 *   amplitude is scaled so that the model's value at the center equals the peak's height;
 * - `linear`: the model is linear in its parameters: solved by least squares (constant, linear, polynomial);
 * - `exponential`, `powerlaw`: a straight line through log(y) against x, or log(y) against log(x);
 * - `step`, `rectangle`, `sine`, `thermal`: lmfit's rules (range of y, middle of x; the strongest Fourier
 *   component; the mean of x);
 * - `peak2d`: the maximum of z, and the widths from the points above half maximum.
 */
export type GuessRule =
  | { readonly kind: 'peak'; readonly shape: (f: PeakFeatures) => Record<string, number> }
  | { readonly kind: 'linear' }
  | { readonly kind: 'exponential' }
  | { readonly kind: 'powerlaw' }
  | { readonly kind: 'step' }
  | { readonly kind: 'rectangle' }
  | { readonly kind: 'sine' }
  | { readonly kind: 'thermal' }
  | { readonly kind: 'peak2d' };

export interface NamedModelDef {
  /** Name as written in model text: `gaussian(x; g1)`. */
  readonly name: string;
  /** lmfit's equivalent, e.g. `GaussianModel()` or `StepModel(form='erf')`. */
  readonly lmfit: string;
  /** The independent variables of the formula (`x`, or `x, y` for 2-D models), given as the call's arguments. */
  readonly variables: readonly string[];
  /** Parameter names without prefix, in lmfit's order. */
  readonly params: readonly string[];
  /** The formula in exprfit syntax, in the variables and the unprefixed parameter names. */
  readonly formula: string;
  /** lmfit's parameter hints: bounds, default values and ties (voigt's `gamma = sigma`). */
  readonly hints?: Readonly<Record<string, ParamHint>>;
  /** lmfit's derived parameters (`fwhm`, `height`, ...): expressions in the unprefixed parameter names. */
  readonly derived?: Readonly<Record<string, string>>;
  readonly guess: GuessRule;
  /** The guess rule in words, for the docs. */
  readonly guessText: string;
  /** One sentence for `:help` and the docs. */
  readonly doc: string;
  /**
   * The highest degree of a polynomial model (`polynomial(x, 3)` uses `c0`..`c3`); the degree is then the
   * call's last argument, a whole number in 0..degree, and parameters `c{k}` above it are 0.
   */
  readonly maxDegree?: number;
  /** Section of the models table. */
  readonly category: 'Peaks' | 'Backgrounds' | 'Steps' | 'Other';
}
