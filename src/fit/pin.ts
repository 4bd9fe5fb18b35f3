/**
 * Pinning: a bound kernel of the free parameters p seen as a kernel of fewer free parameters, the others
 * pinned to values passed among the fixed ones. Used to refit with some parameters held (profile confidence
 * intervals) with the same kernels and solver as the fit.
 */
import type { BoundKernel } from '../compile/index.ts';

/** Where the reduced kernel's arguments go in the original kernel's. */
interface PinLayout {
  /** For each reduced free parameter, its index among the original free parameters. */
  readonly keep: readonly number[];
  /** For each pinned parameter (appended after the original fixed ones), its original free index. */
  readonly pinned: readonly number[];
  /** The number of original fixed parameters. */
  readonly nHeld: number;
}

/** The original free vector from the reduced free vector and the extended fixed vector. */
function fullVector(layout: PinLayout, x: Float64Array, fixed: Float64Array, out: Float64Array): void {
  layout.keep.forEach((j, k) => (out[j] = x[k]));
  layout.pinned.forEach((j, k) => (out[j] = fixed[layout.nHeld + k]));
}

/** Copies the kept columns of a `rows x n` row-major Jacobian into a `rows x keep.length` one. */
function keepColumns(full: Float64Array, n: number, keep: readonly number[], out: Float64Array): void {
  const nk = keep.length;
  const rows = full.length / n;
  for (let i = 0; i < rows; i++) for (let k = 0; k < nk; k++) out[i * nk + k] = full[i * n + keep[k]];
}

/** `kernel` with the parameters of `layout.pinned` taken from the end of the fixed vector. */
export function pinKernel(kernel: BoundKernel, layout: PinLayout): BoundKernel {
  const n = layout.keep.length + layout.pinned.length;
  const xf = new Float64Array(n);
  const jf = new Float64Array(kernel.size * n);
  const held = (fixed: Float64Array): Float64Array => fixed.subarray(0, layout.nHeld);
  const withFull = (x: Float64Array, fixed: Float64Array): Float64Array => {
    fullVector(layout, x, fixed, xf);
    return xf;
  };
  const pinned: BoundKernel = {
    shape: kernel.shape,
    size: kernel.size,
    hasObserved: kernel.hasObserved,
    sourceFor: (mode) => kernel.sourceFor(mode),
    values: (x, fixed, out) => kernel.values(withFull(x, fixed), held(fixed), out),
    valuesAndJacobian(x, fixed, out, jac) {
      kernel.valuesAndJacobian(withFull(x, fixed), held(fixed), out, jf);
      keepColumns(jf, n, layout.keep, jac);
    },
  };
  if (!kernel.residuals || !kernel.residualsAndJacobian) return pinned;
  const residuals = kernel.residuals.bind(kernel);
  const residualsAndJacobian = kernel.residualsAndJacobian.bind(kernel);
  return {
    ...pinned,
    residuals: (x, fixed, out) => residuals(withFull(x, fixed), held(fixed), out),
    residualsAndJacobian(x, fixed, out, jac) {
      residualsAndJacobian(withFull(x, fixed), held(fixed), out, jf);
      keepColumns(jf, n, layout.keep, jac);
    },
  };
}
