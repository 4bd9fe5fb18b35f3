/**
 * Robust losses with scipy.optimize.least_squares semantics.
 *
 * For a residual `r` and soft margin `c = fScale`, `z = (r/c)²`; the cost of the residual is
 * `½ · c² · ρ(z)`. The solver works on rescaled residuals and Jacobian rows (scipy's
 * `scale_for_robust_loss_function`, an IRLS-like second-order correction):
 *
 *   ρ₁ = ρ'(z), ρ₂ = ρ''(z)/c²,  s = sqrt(max(ρ₁ + 2ρ₂r², eps)),
 *   r̃ = r · ρ₁ / s,             J̃ = s · J   (row-wise),
 *
 * so that `J̃ᵀr̃ = Jᵀ(ρ₁ r)` is the exact gradient of the robust cost and `J̃ᵀJ̃` its Gauss–Newton
 * Hessian including the curvature of ρ.
 */
import { EPS } from './linalg.ts';
import type { LossName } from './options.ts';

/** Writes ρ(z), ρ'(z), ρ''(z) for the named loss (unscaled, z >= 0). */
export function rhoTriple(loss: LossName, z: number, out: Float64Array): void {
  switch (loss) {
    case 'linear':
      out[0] = z;
      out[1] = 1;
      out[2] = 0;
      return;
    case 'huber':
      if (z <= 1) {
        out[0] = z;
        out[1] = 1;
        out[2] = 0;
      } else {
        const s = Math.sqrt(z);
        out[0] = 2 * s - 1;
        out[1] = 1 / s;
        out[2] = -0.5 / (z * s);
      }
      return;
    case 'soft_l1': {
      const t = 1 + z;
      const s = Math.sqrt(t);
      out[0] = (2 * z) / (s + 1); // = 2(√(1+z) − 1) without cancellation for small z
      out[1] = 1 / s;
      out[2] = -0.5 / (t * s);
      return;
    }
    case 'cauchy': {
      const t = 1 + z;
      out[0] = Math.log1p(z);
      out[1] = 1 / t;
      out[2] = -1 / (t * t);
      return;
    }
    case 'arctan': {
      const t = 1 + z * z;
      out[0] = Math.atan(z);
      out[1] = 1 / t;
      out[2] = (-2 * z) / (t * t);
      return;
    }
  }
}

/** ρ(z) alone, for the named loss. */
export function lossRho(loss: LossName, z: number): number {
  switch (loss) {
    case 'linear':
      return z;
    case 'huber':
      return z <= 1 ? z : 2 * Math.sqrt(z) - 1;
    case 'soft_l1':
      return (2 * z) / (Math.sqrt(1 + z) + 1);
    case 'cauchy':
      return Math.log1p(z);
    case 'arctan':
      return Math.atan(z);
  }
}

/** The robust cost `½ · c² · Σ ρ((r_i/c)²)` (`½‖r‖²` for the linear loss). */
export function robustCost(loss: LossName, fScale: number, r: Float64Array, m: number = r.length): number {
  let s = 0;
  if (loss === 'linear') {
    for (let i = 0; i < m; i++) s += r[i] * r[i];
    return 0.5 * s;
  }
  const c2 = fScale * fScale;
  for (let i = 0; i < m; i++) {
    const t = r[i] / fScale;
    s += lossRho(loss, t * t);
  }
  return 0.5 * c2 * s;
}

const triple = new Float64Array(3);

/**
 * Computes the rescaled residuals `rs` and rescaled Jacobian `Js` (row-major m x n) from the raw
 * `r`, `J` for a robust loss (see the module comment). `Js` may alias `J` and `rs` may alias `r`.
 */
export function scaleForLoss(
  loss: LossName,
  fScale: number,
  r: Float64Array,
  J: Float64Array,
  m: number,
  n: number,
  rs: Float64Array,
  Js: Float64Array,
): void {
  const c2 = fScale * fScale;
  for (let i = 0; i < m; i++) {
    const ri = r[i];
    const z = (ri * ri) / c2;
    rhoTriple(loss, z, triple);
    const rho1 = triple[1];
    const rho2 = triple[2] / c2;
    let js = rho1 + 2 * rho2 * ri * ri;
    if (js < EPS) js = EPS;
    js = Math.sqrt(js);
    rs[i] = (ri * rho1) / js;
    const row = i * n;
    for (let j = 0; j < n; j++) Js[row + j] = js * J[row + j];
  }
}

/** The per-residual factor `s_i` of `scaleForLoss` (the row scale of J̃), for rescaling other vectors. */
export function lossRowScale(loss: LossName, fScale: number, ri: number): number {
  const c2 = fScale * fScale;
  rhoTriple(loss, (ri * ri) / c2, triple);
  let js = triple[1] + (2 * triple[2] * ri * ri) / c2;
  if (js < EPS) js = EPS;
  return Math.sqrt(js);
}
