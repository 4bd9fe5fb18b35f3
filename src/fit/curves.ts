/**
 * The per-equation curves of a fit that lmfit users look for: the model at the best fit (`bestFit`, lmfit's
 * `best_fit`), at the start values (`initFit`, `init_fit`) and the weighted residuals (f - y)/σ
 * (`residuals`, `residual`), each at the fitted points in the kernel's (broadcast, NaN-omitted) order.
 */
import type { FitSetup } from './setup.ts';

export interface FitCurves {
  readonly bestFit: Readonly<Record<string, Float64Array>>;
  readonly initFit: Readonly<Record<string, Float64Array>>;
  /** Absent for the unbinned likelihood (no observed data). */
  readonly residuals: Readonly<Record<string, Float64Array>>;
}

/** The three curves per fitted equation, at the setup's best fit and at `init` (one value per free parameter). */
export function fitCurves(setup: FitSetup, init: Float64Array): FitCurves {
  const bestFit = Object.create(null) as Record<string, Float64Array>;
  const initFit = Object.create(null) as Record<string, Float64Array>;
  const residuals = Object.create(null) as Record<string, Float64Array>;
  for (const eq of setup.equations) {
    const { kernel } = eq;
    bestFit[eq.lhs] = new Float64Array(kernel.size);
    kernel.values(setup.x, setup.heldValues, bestFit[eq.lhs]);
    initFit[eq.lhs] = new Float64Array(kernel.size);
    kernel.values(init, setup.heldValues, initFit[eq.lhs]);
    if (eq.observed && kernel.residuals) {
      residuals[eq.lhs] = new Float64Array(kernel.size);
      kernel.residuals(setup.x, setup.heldValues, residuals[eq.lhs]);
    }
  }
  return { bestFit, initFit, residuals };
}
