/**
 * One step of each integrator, with its error estimate and dense output on the step:
 * - Dormand–Prince 5(4) (explicit, FSAL, Hairer's 4th-order continuous extension, Hairer's stiffness test);
 * - Rodas4 (Hairer & Wanner, a 6-stage L-stable Rosenbrock method of order 4(3) with a 3rd-order dense
 *   output), using the exact Jacobian ∂f/∂y and ∂f/∂t.
 * The step-size control and the output times are the driver's (integrate.ts).
 */
import { luFactor, luSolve } from './lu.ts';

/** The system y' = f(t, y): its right side and, for the stiff method, its Jacobian. */
export interface OdeFunctions {
  readonly n: number;
  rhs(t: number, y: Float64Array, out: Float64Array): void;
  /** `jac` (n x n, row-major) = ∂f/∂y and `ft` = ∂f/∂t at (t, y). */
  jacobian(t: number, y: Float64Array, jac: Float64Array, ft: Float64Array): void;
}

export interface Stepper {
  /** The order of the error estimate plus one (the exponent of the step-size controller is 1/order). */
  readonly order: number;
  /** Tries a step of `h` from (t, y); writes the new state to `yNew` and returns the error estimate. */
  attempt(t: number, y: Float64Array, h: number, yNew: Float64Array, err: Float64Array): void;
  /** After an accepted step: the state at t + theta*h (0 <= theta <= 1). */
  dense(theta: number, out: Float64Array): void;
  /** After an accepted step: called so the stepper can carry state (FSAL) to the next step. */
  accept(): void;
  /** True when the problem looks stiff to this stepper (explicit methods only). */
  stiff(): boolean;
}

const A = [
  [],
  [1 / 5],
  [3 / 40, 9 / 40],
  [44 / 45, -56 / 15, 32 / 9],
  [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729],
  [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656],
  [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84],
];
const C = [0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1, 1];
const E = [71 / 57600, 0, -71 / 16695, 71 / 1920, -17253 / 339200, 22 / 525, -1 / 40];
const D = [
  -12715105075 / 11282082432,
  0,
  87487479700 / 32700410799,
  -10690763975 / 1880347072,
  701980252875 / 199316789632,
  -1453857185 / 822651844,
  69997945 / 29380423,
];

function vectors(count: number, n: number): Float64Array[] {
  return Array.from({ length: count }, () => new Float64Array(n));
}

/** Dormand–Prince 5(4) with dense output. */
export class Dopri5 implements Stepper {
  readonly order = 5;
  private readonly k: Float64Array[];
  private readonly tmp: Float64Array;
  private readonly y0: Float64Array;
  private readonly y1: Float64Array;
  private readonly ySti: Float64Array;
  private fresh = false; // k[0] holds f(t, y) for the next step
  private h = 0;
  private stiffCount = 0;
  private nonStiffCount = 0;

  constructor(private readonly f: OdeFunctions) {
    const n = f.n;
    this.k = vectors(7, n);
    [this.tmp, this.y0, this.y1, this.ySti] = vectors(4, n);
  }

  attempt(t: number, y: Float64Array, h: number, yNew: Float64Array, err: Float64Array): void {
    const { k, tmp, f } = this;
    const n = f.n;
    if (!this.fresh) f.rhs(t, y, k[0]);
    this.fresh = true;
    for (let s = 1; s < 7; s++) {
      for (let i = 0; i < n; i++) {
        let acc = 0;
        for (let j = 0; j < s; j++) acc += A[s][j] * k[j][i];
        tmp[i] = y[i] + h * acc;
      }
      if (s === 5) this.ySti.set(tmp);
      f.rhs(t + C[s] * h, tmp, k[s]);
    }
    yNew.set(tmp);
    for (let i = 0; i < n; i++) {
      let e = 0;
      for (let j = 0; j < 7; j++) e += E[j] * k[j][i];
      err[i] = h * e;
    }
    this.y0.set(y);
    this.y1.set(yNew);
    this.h = h;
  }

  dense(theta: number, out: Float64Array): void {
    const { k, y0, y1, h } = this;
    const t1 = 1 - theta;
    for (let i = 0; i < out.length; i++) {
      const r2 = y1[i] - y0[i];
      const r3 = h * k[0][i] - r2;
      const r4 = r2 - h * k[6][i] - r3;
      let d = 0;
      for (let j = 0; j < 7; j++) d += D[j] * k[j][i];
      out[i] = y0[i] + theta * (r2 + t1 * (r3 + theta * (r4 + t1 * h * d)));
    }
  }

  accept(): void {
    this.detectStiffness();
    const [first] = this.k;
    first.set(this.k[6]);
  }

  /** Hairer's test: h·|λ| estimated from the last two stages, near the stability boundary 3.25 for 15 steps. */
  private detectStiffness(): void {
    let num = 0;
    let den = 0;
    for (let i = 0; i < this.f.n; i++) {
      num += (this.k[6][i] - this.k[5][i]) ** 2;
      den += (this.y1[i] - this.ySti[i]) ** 2;
    }
    if (den > 0 && this.h * Math.sqrt(num / den) > 3.25) {
      this.nonStiffCount = 0;
      this.stiffCount++;
    } else if (++this.nonStiffCount === 6) {
      this.stiffCount = 0;
    }
  }

  stiff(): boolean {
    return this.stiffCount >= 15;
  }
}

// Rodas4 (Hairer & Wanner, rodas.f): W U_i = f(t + c_i h, y + Σ a_ij U_j) + Σ (c_ij / h) U_j + d_i h f_t
// with W = I/(γh) − J; y1 = y + Σ_{j<6} a_6j U_j + U_6; the error estimate is U_6.
const GAMMA = 0.25;
const RA = [
  [],
  [1.544],
  [0.9466785280815826, 0.2557011698983284],
  [3.314825187068521, 2.896124015972201, 0.9986419139977817],
  [1.221224509226641, 6.019134481288629, 12.53708332932087, -0.687886036105895],
  [1.221224509226641, 6.019134481288629, 12.53708332932087, -0.687886036105895, 1],
];
const RC = [
  [],
  [-5.6688],
  [-2.430093356833875, -0.2063599157091915],
  [-0.1073529058151375, -9.594562251023355, -20.47028614809616],
  [7.496443313967647, -10.24680431464352, -33.99990352819905, 11.7089089320616],
  [8.083246795921522, -7.981132988064893, -31.52159432874371, 16.31930543123136, -6.058818238834054],
];
const RCT = [0, 0.386, 0.21, 0.63, 1, 1];
const RD = [0.25, -0.1043, 0.1035, -0.0362, 0, 0];
const RH = [
  [10.12623508344586, -7.487995877610167, -34.80091861555747, -7.992771707568823, 1.025137723295662, 0],
  [-0.6762803392801253, 6.087714651680015, 16.43084320892478, 24.76722511418386, -6.594389125716872, 0],
];

/** Rodas4 with the exact Jacobian; W is factored once per step attempt. */
export class Rodas4 implements Stepper {
  readonly order = 4;
  private readonly u: Float64Array[];
  private readonly jac: Float64Array;
  private readonly w: Float64Array;
  private readonly piv: Int32Array;
  private readonly ft: Float64Array;
  private readonly tmp: Float64Array;
  private readonly fv: Float64Array;
  private readonly y0: Float64Array;
  private readonly y1: Float64Array;
  private jacAt = NaN;

  constructor(private readonly f: OdeFunctions) {
    const n = f.n;
    this.u = vectors(6, n);
    this.jac = new Float64Array(n * n);
    this.w = new Float64Array(n * n);
    this.piv = new Int32Array(n);
    [this.ft, this.tmp, this.fv, this.y0, this.y1] = vectors(5, n);
  }

  attempt(t: number, y: Float64Array, h: number, yNew: Float64Array, err: Float64Array): void {
    const { f, u, tmp, fv, w, jac } = this;
    const n = f.n;
    if (this.jacAt !== t) f.jacobian(t, y, jac, this.ft);
    this.jacAt = t;
    for (let i = 0; i < n * n; i++) w[i] = -jac[i];
    for (let i = 0; i < n; i++) w[i * n + i] += 1 / (GAMMA * h);
    if (!luFactor(w, n, this.piv)) {
      err.fill(Infinity);
      return;
    }
    for (let s = 0; s < 6; s++) {
      for (let i = 0; i < n; i++) {
        let acc = 0;
        for (let j = 0; j < s; j++) acc += RA[s][j] * u[j][i];
        tmp[i] = y[i] + acc;
      }
      f.rhs(t + RCT[s] * h, tmp, fv);
      for (let i = 0; i < n; i++) {
        let acc = 0;
        for (let j = 0; j < s; j++) acc += RC[s][j] * u[j][i];
        u[s][i] = fv[i] + acc / h + RD[s] * h * this.ft[i];
      }
      luSolve(w, n, this.piv, u[s]);
    }
    for (let i = 0; i < n; i++) yNew[i] = tmp[i] + u[5][i];
    err.set(u[5]);
    this.y0.set(y);
    this.y1.set(yNew);
  }

  dense(theta: number, out: Float64Array): void {
    const { u, y0, y1 } = this;
    const t1 = 1 - theta;
    for (let i = 0; i < out.length; i++) {
      let k1 = 0;
      let k2 = 0;
      for (let j = 0; j < 5; j++) {
        k1 += RH[0][j] * u[j][i];
        k2 += RH[1][j] * u[j][i];
      }
      out[i] = t1 * y0[i] + theta * (y1[i] + t1 * (k1 + theta * k2));
    }
  }

  accept(): void {
    this.jacAt = NaN;
  }

  stiff(): boolean {
    return false;
  }
}
