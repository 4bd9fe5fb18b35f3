/**
 * The Moré–Garbow–Hillstrom test set: the 35 least-squares problems of J. J. Moré, B. S. Garbow and
 * K. E. Hillstrom, "Testing unconstrained optimization software", ACM TOMS 7 (1981) 17–41, with
 * their residuals, analytic Jacobians, standard start points and the published minima.
 *
 * `fStar` lists the published values of `F = Σ f_i²` (note: twice exprfit's cost `½Σr²`) at the
 * global minimum and at the local minima the paper (or its standard follow-ups) names, including
 * limits approached at infinity (Bard, Kowalik–Osborne), plus two found here and checked (Beale's
 * limit at infinity, a Kowalik–Osborne local minimum; see the comments there). Problems of variable dimension appear once
 * per dimension used in `MGH_CASES`.
 */

export interface MghProblem {
  readonly id: number;
  readonly name: string;
  readonly n: number;
  readonly m: number;
  readonly x0: readonly number[];
  /** Known minima of `F = Σ f_i²` (global first, then local ones). */
  readonly fStar: readonly number[];
  residuals(x: Float64Array, f: Float64Array): void;
  /** Row-major `m x n`. */
  jacobian(x: Float64Array, J: Float64Array): void;
}

type Def = Omit<MghProblem, 'id'>;

const range = (a: number, b: number): number[] => Array.from({ length: b - a + 1 }, (_, k) => a + k);

function rosenbrock(): Def {
  return {
    name: 'Rosenbrock',
    n: 2,
    m: 2,
    x0: [-1.2, 1],
    fStar: [0],
    residuals: (x, f) => {
      f[0] = 10 * (x[1] - x[0] * x[0]);
      f[1] = 1 - x[0];
    },
    jacobian: (x, J) => {
      J.set([-20 * x[0], 10, -1, 0]);
    },
  };
}

function freudensteinRoth(): Def {
  return {
    name: 'Freudenstein and Roth',
    n: 2,
    m: 2,
    x0: [0.5, -2],
    fStar: [0, 48.9842],
    residuals: (x, f) => {
      const b = x[1];
      f[0] = -13 + x[0] + ((5 - b) * b - 2) * b;
      f[1] = -29 + x[0] + ((b + 1) * b - 14) * b;
    },
    jacobian: (x, J) => {
      const b = x[1];
      J.set([1, 10 * b - 3 * b * b - 2, 1, 3 * b * b + 2 * b - 14]);
    },
  };
}

function powellBadlyScaled(): Def {
  return {
    name: 'Powell badly scaled',
    n: 2,
    m: 2,
    x0: [0, 1],
    fStar: [0],
    residuals: (x, f) => {
      f[0] = 1e4 * x[0] * x[1] - 1;
      f[1] = Math.exp(-x[0]) + Math.exp(-x[1]) - 1.0001;
    },
    jacobian: (x, J) => {
      J.set([1e4 * x[1], 1e4 * x[0], -Math.exp(-x[0]), -Math.exp(-x[1])]);
    },
  };
}

function brownBadlyScaled(): Def {
  return {
    name: 'Brown badly scaled',
    n: 2,
    m: 3,
    x0: [1, 1],
    fStar: [0],
    residuals: (x, f) => {
      f[0] = x[0] - 1e6;
      f[1] = x[1] - 2e-6;
      f[2] = x[0] * x[1] - 2;
    },
    jacobian: (x, J) => {
      J.set([1, 0, 0, 1, x[1], x[0]]);
    },
  };
}

function beale(): Def {
  const y = [1.5, 2.25, 2.625];
  return {
    name: 'Beale',
    n: 2,
    m: 3,
    x0: [1, 1],
    // 0.452009 is the infimum along the valley x1 → −∞, x2 → 1 (x1·(1 − x2) → −c): min over c of
    // Σ (y_i + c·i)² = Σy² − (Σ i·y_i)²/14 (a minimum at infinity, like Bard's 17.4286)
    fStar: [0, 0.452009],
    residuals: (x, f) => {
      for (let i = 0; i < 3; i++) f[i] = y[i] - x[0] * (1 - x[1] ** (i + 1));
    },
    jacobian: (x, J) => {
      for (let i = 0; i < 3; i++) {
        J[2 * i] = -(1 - x[1] ** (i + 1));
        J[2 * i + 1] = x[0] * (i + 1) * x[1] ** i;
      }
    },
  };
}

function jennrichSampson(): Def {
  const m = 10;
  return {
    name: 'Jennrich and Sampson',
    n: 2,
    m,
    x0: [0.3, 0.4],
    fStar: [124.362],
    residuals: (x, f) => {
      for (let i = 1; i <= m; i++) f[i - 1] = 2 + 2 * i - Math.exp(i * x[0]) - Math.exp(i * x[1]);
    },
    jacobian: (x, J) => {
      for (let i = 1; i <= m; i++) {
        J[2 * (i - 1)] = -i * Math.exp(i * x[0]);
        J[2 * (i - 1) + 1] = -i * Math.exp(i * x[1]);
      }
    },
  };
}

function helicalValley(): Def {
  const theta = (a: number, b: number): number => {
    if (a === 0) return 0.25 * Math.sign(b);
    return Math.atan(b / a) / (2 * Math.PI) + (a < 0 ? 0.5 : 0);
  };
  return {
    name: 'Helical valley',
    n: 3,
    m: 3,
    x0: [-1, 0, 0],
    fStar: [0],
    residuals: (x, f) => {
      f[0] = 10 * (x[2] - 10 * theta(x[0], x[1]));
      f[1] = 10 * (Math.hypot(x[0], x[1]) - 1);
      f[2] = x[2];
    },
    jacobian: (x, J) => {
      const s = x[0] * x[0] + x[1] * x[1];
      const r = Math.sqrt(s);
      const c = 100 / (2 * Math.PI * s);
      J.set([c * x[1], -c * x[0], 10, (10 * x[0]) / r, (10 * x[1]) / r, 0, 0, 0, 1]);
    },
  };
}

function bard(): Def {
  const y = [0.14, 0.18, 0.22, 0.25, 0.29, 0.32, 0.35, 0.39, 0.37, 0.58, 0.73, 0.96, 1.34, 2.1, 4.39];
  return {
    name: 'Bard',
    n: 3,
    m: 15,
    x0: [1, 1, 1],
    fStar: [8.21487e-3, 17.4286],
    residuals: (x, f) => {
      for (let i = 1; i <= 15; i++) {
        const v = 16 - i;
        const w = Math.min(i, v);
        f[i - 1] = y[i - 1] - (x[0] + i / (v * x[1] + w * x[2]));
      }
    },
    jacobian: (x, J) => {
      for (let i = 1; i <= 15; i++) {
        const v = 16 - i;
        const w = Math.min(i, v);
        const den = v * x[1] + w * x[2];
        const q = i / (den * den);
        J.set([-1, q * v, q * w], 3 * (i - 1));
      }
    },
  };
}

function gaussian(): Def {
  const y = [
    0.0009, 0.0044, 0.0175, 0.054, 0.1295, 0.242, 0.3521, 0.3989, 0.3521, 0.242, 0.1295, 0.054, 0.0175,
    0.0044, 0.0009,
  ];
  return {
    name: 'Gaussian',
    n: 3,
    m: 15,
    x0: [0.4, 1, 0],
    fStar: [1.12793e-8],
    residuals: (x, f) => {
      for (let i = 1; i <= 15; i++) {
        const d = (8 - i) / 2 - x[2];
        f[i - 1] = x[0] * Math.exp((-x[1] * d * d) / 2) - y[i - 1];
      }
    },
    jacobian: (x, J) => {
      for (let i = 1; i <= 15; i++) {
        const d = (8 - i) / 2 - x[2];
        const e = Math.exp((-x[1] * d * d) / 2);
        J.set([e, (-x[0] * e * d * d) / 2, x[0] * e * x[1] * d], 3 * (i - 1));
      }
    },
  };
}

function meyer(): Def {
  const y = [
    34780, 28610, 23650, 19630, 16370, 13720, 11540, 9744, 8261, 7030, 6005, 5147, 4427, 3820, 3307, 2872,
  ];
  return {
    name: 'Meyer',
    n: 3,
    m: 16,
    x0: [0.02, 4000, 250],
    fStar: [87.9458],
    residuals: (x, f) => {
      for (let i = 1; i <= 16; i++) f[i - 1] = x[0] * Math.exp(x[1] / (45 + 5 * i + x[2])) - y[i - 1];
    },
    jacobian: (x, J) => {
      for (let i = 1; i <= 16; i++) {
        const t = 45 + 5 * i + x[2];
        const e = Math.exp(x[1] / t);
        J.set([e, (x[0] * e) / t, (-x[0] * e * x[1]) / (t * t)], 3 * (i - 1));
      }
    },
  };
}

function gulf(): Def {
  const m = 99;
  const t = range(1, m).map((i) => i / 100);
  const y = t.map((ti) => 25 + (-50 * Math.log(ti)) ** (2 / 3));
  return {
    name: 'Gulf research and development',
    n: 3,
    m,
    x0: [5, 2.5, 0.15],
    fStar: [0],
    residuals: (x, f) => {
      for (let i = 0; i < m; i++) f[i] = Math.exp(-(Math.abs(y[i] - x[1]) ** x[2]) / x[0]) - t[i];
    },
    jacobian: (x, J) => {
      for (let i = 0; i < m; i++) {
        const a = Math.abs(y[i] - x[1]);
        const p = a ** x[2];
        const e = Math.exp(-p / x[0]);
        const dpda = a > 0 ? x[2] * a ** (x[2] - 1) : 0;
        const dp2 = -dpda * Math.sign(y[i] - x[1]);
        const dp3 = a > 0 ? p * Math.log(a) : 0;
        J.set([(e * p) / (x[0] * x[0]), (-e * dp2) / x[0], (-e * dp3) / x[0]], 3 * i);
      }
    },
  };
}

function box3d(): Def {
  const m = 10;
  return {
    name: 'Box three-dimensional',
    n: 3,
    m,
    x0: [0, 10, 20],
    fStar: [0],
    residuals: (x, f) => {
      for (let i = 1; i <= m; i++) {
        const t = 0.1 * i;
        f[i - 1] = Math.exp(-t * x[0]) - Math.exp(-t * x[1]) - x[2] * (Math.exp(-t) - Math.exp(-10 * t));
      }
    },
    jacobian: (x, J) => {
      for (let i = 1; i <= m; i++) {
        const t = 0.1 * i;
        J.set(
          [-t * Math.exp(-t * x[0]), t * Math.exp(-t * x[1]), -(Math.exp(-t) - Math.exp(-10 * t))],
          3 * (i - 1),
        );
      }
    },
  };
}

function powellSingular(): Def {
  const s5 = Math.sqrt(5);
  const s10 = Math.sqrt(10);
  return {
    name: 'Powell singular',
    n: 4,
    m: 4,
    x0: [3, -1, 0, 1],
    fStar: [0],
    residuals: (x, f) => {
      f[0] = x[0] + 10 * x[1];
      f[1] = s5 * (x[2] - x[3]);
      f[2] = (x[1] - 2 * x[2]) ** 2;
      f[3] = s10 * (x[0] - x[3]) ** 2;
    },
    jacobian: (x, J) => {
      const a = 2 * (x[1] - 2 * x[2]);
      const b = 2 * s10 * (x[0] - x[3]);
      J.set([1, 10, 0, 0, 0, 0, s5, -s5, 0, a, -2 * a, 0, b, 0, 0, -b]);
    },
  };
}

function wood(): Def {
  const s90 = Math.sqrt(90);
  const s10 = Math.sqrt(10);
  return {
    name: 'Wood',
    n: 4,
    m: 6,
    x0: [-3, -1, -3, -1],
    fStar: [0],
    residuals: (x, f) => {
      f[0] = 10 * (x[1] - x[0] * x[0]);
      f[1] = 1 - x[0];
      f[2] = s90 * (x[3] - x[2] * x[2]);
      f[3] = 1 - x[2];
      f[4] = s10 * (x[1] + x[3] - 2);
      f[5] = (x[1] - x[3]) / s10;
    },
    jacobian: (x, J) => {
      J.fill(0);
      J[0] = -20 * x[0];
      J[1] = 10;
      J[4] = -1;
      J[8 + 2] = -2 * s90 * x[2];
      J[8 + 3] = s90;
      J[12 + 2] = -1;
      J[16 + 1] = s10;
      J[16 + 3] = s10;
      J[20 + 1] = 1 / s10;
      J[20 + 3] = -1 / s10;
    },
  };
}

function kowalikOsborne(): Def {
  const y = [0.1957, 0.1947, 0.1735, 0.16, 0.0844, 0.0627, 0.0456, 0.0342, 0.0323, 0.0235, 0.0246];
  const u = [4, 2, 1, 0.5, 0.25, 0.167, 0.125, 0.1, 0.0833, 0.0714, 0.0625];
  return {
    name: 'Kowalik and Osborne',
    n: 4,
    m: 11,
    x0: [0.25, 0.39, 0.415, 0.39],
    // 4.23675e-4: a local minimum reached from 10·x0 (gradient 9e-12, Hessian positive definite,
    // checked when this set was added)
    fStar: [3.07505e-4, 1.02734e-3, 4.23675e-4],
    residuals: (x, f) => {
      for (let i = 0; i < 11; i++) {
        const v = u[i];
        f[i] = y[i] - (x[0] * (v * v + v * x[1])) / (v * v + v * x[2] + x[3]);
      }
    },
    jacobian: (x, J) => {
      for (let i = 0; i < 11; i++) {
        const v = u[i];
        const num = v * v + v * x[1];
        const den = v * v + v * x[2] + x[3];
        const q = (x[0] * num) / (den * den);
        J.set([-num / den, (-x[0] * v) / den, q * v, q], 4 * i);
      }
    },
  };
}

function brownDennis(): Def {
  const m = 20;
  return {
    name: 'Brown and Dennis',
    n: 4,
    m,
    x0: [25, 5, -5, -1],
    fStar: [85822.2],
    residuals: (x, f) => {
      for (let i = 1; i <= m; i++) {
        const t = i / 5;
        const a = x[0] + t * x[1] - Math.exp(t);
        const b = x[2] + x[3] * Math.sin(t) - Math.cos(t);
        f[i - 1] = a * a + b * b;
      }
    },
    jacobian: (x, J) => {
      for (let i = 1; i <= m; i++) {
        const t = i / 5;
        const a = x[0] + t * x[1] - Math.exp(t);
        const b = x[2] + x[3] * Math.sin(t) - Math.cos(t);
        J.set([2 * a, 2 * a * t, 2 * b, 2 * b * Math.sin(t)], 4 * (i - 1));
      }
    },
  };
}

function osborne1(): Def {
  const y = [
    0.844, 0.908, 0.932, 0.936, 0.925, 0.908, 0.881, 0.85, 0.818, 0.784, 0.751, 0.718, 0.685, 0.658, 0.628,
    0.603, 0.58, 0.558, 0.538, 0.522, 0.506, 0.49, 0.478, 0.467, 0.457, 0.448, 0.438, 0.431, 0.424, 0.42,
    0.414, 0.411, 0.406,
  ];
  return {
    name: 'Osborne 1',
    n: 5,
    m: 33,
    x0: [0.5, 1.5, -1, 0.01, 0.02],
    fStar: [5.46489e-5],
    residuals: (x, f) => {
      for (let i = 0; i < 33; i++) {
        const t = 10 * i;
        f[i] = y[i] - (x[0] + x[1] * Math.exp(-t * x[3]) + x[2] * Math.exp(-t * x[4]));
      }
    },
    jacobian: (x, J) => {
      for (let i = 0; i < 33; i++) {
        const t = 10 * i;
        const e4 = Math.exp(-t * x[3]);
        const e5 = Math.exp(-t * x[4]);
        J.set([-1, -e4, -e5, x[1] * t * e4, x[2] * t * e5], 5 * i);
      }
    },
  };
}

function biggsExp6(): Def {
  const m = 13;
  const t = range(1, m).map((i) => 0.1 * i);
  const y = t.map((ti) => Math.exp(-ti) - 5 * Math.exp(-10 * ti) + 3 * Math.exp(-4 * ti));
  return {
    name: 'Biggs EXP6',
    n: 6,
    m,
    x0: [1, 2, 1, 1, 1, 1],
    fStar: [0, 5.65565e-3],
    residuals: (x, f) => {
      for (let i = 0; i < m; i++) {
        const ti = t[i];
        f[i] = x[2] * Math.exp(-ti * x[0]) - x[3] * Math.exp(-ti * x[1]) + x[5] * Math.exp(-ti * x[4]) - y[i];
      }
    },
    jacobian: (x, J) => {
      for (let i = 0; i < m; i++) {
        const ti = t[i];
        const e1 = Math.exp(-ti * x[0]);
        const e2 = Math.exp(-ti * x[1]);
        const e5 = Math.exp(-ti * x[4]);
        J.set([-ti * x[2] * e1, ti * x[3] * e2, e1, -e2, -ti * x[5] * e5, e5], 6 * i);
      }
    },
  };
}

function osborne2(): Def {
  const y = [
    1.366, 1.191, 1.112, 1.013, 0.991, 0.885, 0.831, 0.847, 0.786, 0.725, 0.746, 0.679, 0.608, 0.655, 0.616,
    0.606, 0.602, 0.626, 0.651, 0.724, 0.649, 0.649, 0.694, 0.644, 0.624, 0.661, 0.612, 0.558, 0.533, 0.495,
    0.5, 0.423, 0.395, 0.375, 0.372, 0.391, 0.396, 0.405, 0.428, 0.429, 0.523, 0.562, 0.607, 0.653, 0.672,
    0.708, 0.633, 0.668, 0.645, 0.632, 0.591, 0.559, 0.597, 0.625, 0.739, 0.71, 0.729, 0.72, 0.636, 0.581,
    0.428, 0.292, 0.162, 0.098, 0.054,
  ];
  const m = 65;
  return {
    name: 'Osborne 2',
    n: 11,
    m,
    x0: [1.3, 0.65, 0.65, 0.7, 0.6, 3, 5, 7, 2, 4.5, 5.5],
    fStar: [4.01377e-2],
    residuals: (x, f) => {
      for (let i = 0; i < m; i++) {
        const t = i / 10;
        let v = x[0] * Math.exp(-t * x[4]);
        for (let k = 1; k <= 3; k++) v += x[k] * Math.exp(-((t - x[k + 7]) ** 2) * x[k + 4]);
        f[i] = y[i] - v;
      }
    },
    jacobian: (x, J) => {
      J.fill(0);
      for (let i = 0; i < m; i++) {
        const t = i / 10;
        const row = 11 * i;
        const e = Math.exp(-t * x[4]);
        J[row] = -e;
        J[row + 4] = x[0] * t * e;
        for (let k = 1; k <= 3; k++) {
          const d = t - x[k + 7];
          const ek = Math.exp(-d * d * x[k + 4]);
          J[row + k] = -ek;
          J[row + k + 4] = x[k] * d * d * ek;
          J[row + k + 7] = -2 * x[k] * ek * x[k + 4] * d;
        }
      }
    },
  };
}

function watson(n: number): Def {
  const m = 31;
  const fStar: Record<number, number> = { 6: 2.28767e-3, 9: 1.39976e-6, 12: 4.72238e-10 };
  return {
    name: `Watson n=${n}`,
    n,
    m,
    x0: new Array<number>(n).fill(0),
    fStar: [fStar[n]],
    residuals: (x, f) => {
      for (let i = 1; i <= 29; i++) {
        const t = i / 29;
        let s1 = 0;
        let s2 = x[0];
        let tp = 1;
        for (let j = 2; j <= n; j++) {
          s1 += (j - 1) * x[j - 1] * tp;
          tp *= t;
          s2 += x[j - 1] * tp;
        }
        f[i - 1] = s1 - s2 * s2 - 1;
      }
      f[29] = x[0];
      f[30] = x[1] - x[0] * x[0] - 1;
    },
    jacobian: (x, J) => {
      J.fill(0);
      for (let i = 1; i <= 29; i++) {
        const t = i / 29;
        let s2 = 0;
        for (let j = n; j >= 1; j--) s2 = s2 * t + x[j - 1];
        let tp = 1;
        for (let j = 1; j <= n; j++) {
          J[(i - 1) * n + j - 1] = (j - 1) * (j > 1 ? tp / t : 0) - 2 * s2 * tp;
          tp *= t;
        }
      }
      J[29 * n] = 1;
      J[30 * n] = -2 * x[0];
      J[30 * n + 1] = 1;
    },
  };
}

function extendedRosenbrock(n: number): Def {
  return {
    name: `Extended Rosenbrock n=${n}`,
    n,
    m: n,
    x0: range(1, n).map((j) => (j % 2 === 1 ? -1.2 : 1)),
    fStar: [0],
    residuals: (x, f) => {
      for (let i = 0; i < n; i += 2) {
        f[i] = 10 * (x[i + 1] - x[i] * x[i]);
        f[i + 1] = 1 - x[i];
      }
    },
    jacobian: (x, J) => {
      J.fill(0);
      for (let i = 0; i < n; i += 2) {
        J[i * n + i] = -20 * x[i];
        J[i * n + i + 1] = 10;
        J[(i + 1) * n + i] = -1;
      }
    },
  };
}

function extendedPowellSingular(n: number): Def {
  const s5 = Math.sqrt(5);
  const s10 = Math.sqrt(10);
  return {
    name: `Extended Powell singular n=${n}`,
    n,
    m: n,
    x0: range(0, n - 1).map((j) => [3, -1, 0, 1][j % 4]),
    fStar: [0],
    residuals: (x, f) => {
      for (let i = 0; i < n; i += 4) {
        f[i] = x[i] + 10 * x[i + 1];
        f[i + 1] = s5 * (x[i + 2] - x[i + 3]);
        f[i + 2] = (x[i + 1] - 2 * x[i + 2]) ** 2;
        f[i + 3] = s10 * (x[i] - x[i + 3]) ** 2;
      }
    },
    jacobian: (x, J) => {
      J.fill(0);
      for (let i = 0; i < n; i += 4) {
        const a = 2 * (x[i + 1] - 2 * x[i + 2]);
        const b = 2 * s10 * (x[i] - x[i + 3]);
        J[i * n + i] = 1;
        J[i * n + i + 1] = 10;
        J[(i + 1) * n + i + 2] = s5;
        J[(i + 1) * n + i + 3] = -s5;
        J[(i + 2) * n + i + 1] = a;
        J[(i + 2) * n + i + 2] = -2 * a;
        J[(i + 3) * n + i] = b;
        J[(i + 3) * n + i + 3] = -b;
      }
    },
  };
}

function penalty1(n: number): Def {
  const a = Math.sqrt(1e-5);
  const fStar: Record<number, number> = { 4: 2.24997e-5, 10: 7.08765e-5 };
  return {
    name: `Penalty I n=${n}`,
    n,
    m: n + 1,
    x0: range(1, n),
    fStar: [fStar[n]],
    residuals: (x, f) => {
      let s = 0;
      for (let j = 0; j < n; j++) {
        f[j] = a * (x[j] - 1);
        s += x[j] * x[j];
      }
      f[n] = s - 0.25;
    },
    jacobian: (x, J) => {
      J.fill(0);
      for (let j = 0; j < n; j++) {
        J[j * n + j] = a;
        J[n * n + j] = 2 * x[j];
      }
    },
  };
}

function penalty2(n: number): Def {
  const a = Math.sqrt(1e-5);
  const e1 = Math.exp(-0.1);
  const fStar: Record<number, number> = { 4: 9.37629e-6, 10: 2.9366e-4 };
  return {
    name: `Penalty II n=${n}`,
    n,
    m: 2 * n,
    x0: new Array<number>(n).fill(0.5),
    fStar: [fStar[n]],
    residuals: (x, f) => {
      f[0] = x[0] - 0.2;
      for (let i = 2; i <= n; i++) {
        const y = Math.exp(i / 10) + Math.exp((i - 1) / 10);
        f[i - 1] = a * (Math.exp(x[i - 1] / 10) + Math.exp(x[i - 2] / 10) - y);
      }
      for (let i = n + 1; i <= 2 * n - 1; i++) f[i - 1] = a * (Math.exp(x[i - n] / 10) - e1);
      let s = 0;
      for (let j = 1; j <= n; j++) s += (n - j + 1) * x[j - 1] * x[j - 1];
      f[2 * n - 1] = s - 1;
    },
    jacobian: (x, J) => {
      J.fill(0);
      J[0] = 1;
      for (let i = 2; i <= n; i++) {
        J[(i - 1) * n + i - 1] = (a * Math.exp(x[i - 1] / 10)) / 10;
        J[(i - 1) * n + i - 2] = (a * Math.exp(x[i - 2] / 10)) / 10;
      }
      for (let i = n + 1; i <= 2 * n - 1; i++) J[(i - 1) * n + i - n] = (a * Math.exp(x[i - n] / 10)) / 10;
      for (let j = 1; j <= n; j++) J[(2 * n - 1) * n + j - 1] = 2 * (n - j + 1) * x[j - 1];
    },
  };
}

function variablyDimensioned(n: number): Def {
  return {
    name: `Variably dimensioned n=${n}`,
    n,
    m: n + 2,
    x0: range(1, n).map((j) => 1 - j / n),
    fStar: [0],
    residuals: (x, f) => {
      let s = 0;
      for (let j = 0; j < n; j++) {
        f[j] = x[j] - 1;
        s += (j + 1) * (x[j] - 1);
      }
      f[n] = s;
      f[n + 1] = s * s;
    },
    jacobian: (x, J) => {
      J.fill(0);
      let s = 0;
      for (let j = 0; j < n; j++) s += (j + 1) * (x[j] - 1);
      for (let j = 0; j < n; j++) {
        J[j * n + j] = 1;
        J[n * n + j] = j + 1;
        J[(n + 1) * n + j] = 2 * s * (j + 1);
      }
    },
  };
}

function trigonometric(n: number): Def {
  return {
    name: `Trigonometric n=${n}`,
    n,
    m: n,
    x0: new Array<number>(n).fill(1 / n),
    // 4.21863e-5: a local minimum reached from 10·x0 with xScale 'unit' (gradient 6e-11, Hessian
    // positive definite, checked when this set was added)
    fStar: [0, 2.79506e-5, 4.21863e-5],
    residuals: (x, f) => {
      let c = 0;
      for (let j = 0; j < n; j++) c += Math.cos(x[j]);
      for (let i = 0; i < n; i++) f[i] = n - c + (i + 1) * (1 - Math.cos(x[i])) - Math.sin(x[i]);
    },
    jacobian: (x, J) => {
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) J[i * n + j] = Math.sin(x[j]);
        J[i * n + i] += (i + 1) * Math.sin(x[i]) - Math.cos(x[i]);
      }
    },
  };
}

function brownAlmostLinear(n: number): Def {
  return {
    name: `Brown almost-linear n=${n}`,
    n,
    m: n,
    x0: new Array<number>(n).fill(0.5),
    fStar: [0, 1],
    residuals: (x, f) => {
      let s = 0;
      let p = 1;
      for (let j = 0; j < n; j++) {
        s += x[j];
        p *= x[j];
      }
      for (let i = 0; i < n - 1; i++) f[i] = x[i] + s - (n + 1);
      f[n - 1] = p - 1;
    },
    jacobian: (x, J) => {
      for (let i = 0; i < n - 1; i++) {
        for (let j = 0; j < n; j++) J[i * n + j] = i === j ? 2 : 1;
      }
      for (let j = 0; j < n; j++) {
        let p = 1;
        for (let k = 0; k < n; k++) if (k !== j) p *= x[k];
        J[(n - 1) * n + j] = p;
      }
    },
  };
}

function discreteBoundaryValue(n: number): Def {
  const h = 1 / (n + 1);
  return {
    name: `Discrete boundary value n=${n}`,
    n,
    m: n,
    x0: range(1, n).map((j) => j * h * (j * h - 1)),
    fStar: [0],
    residuals: (x, f) => {
      for (let i = 0; i < n; i++) {
        const t = (i + 1) * h;
        const left = i > 0 ? x[i - 1] : 0;
        const right = i < n - 1 ? x[i + 1] : 0;
        f[i] = 2 * x[i] - left - right + (h * h * (x[i] + t + 1) ** 3) / 2;
      }
    },
    jacobian: (x, J) => {
      J.fill(0);
      for (let i = 0; i < n; i++) {
        const t = (i + 1) * h;
        J[i * n + i] = 2 + 1.5 * h * h * (x[i] + t + 1) ** 2;
        if (i > 0) J[i * n + i - 1] = -1;
        if (i < n - 1) J[i * n + i + 1] = -1;
      }
    },
  };
}

function discreteIntegralEquation(n: number): Def {
  const h = 1 / (n + 1);
  const t = range(1, n).map((j) => j * h);
  const weight = (i: number, j: number): number => (j <= i ? (1 - t[i]) * t[j] : t[i] * (1 - t[j]));
  return {
    name: `Discrete integral equation n=${n}`,
    n,
    m: n,
    x0: t.map((tj) => tj * (tj - 1)),
    fStar: [0],
    residuals: (x, f) => {
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += weight(i, j) * (x[j] + t[j] + 1) ** 3;
        f[i] = x[i] + (h * s) / 2;
      }
    },
    jacobian: (x, J) => {
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          J[i * n + j] = (i === j ? 1 : 0) + 1.5 * h * weight(i, j) * (x[j] + t[j] + 1) ** 2;
        }
      }
    },
  };
}

function broydenTridiagonal(n: number): Def {
  return {
    name: `Broyden tridiagonal n=${n}`,
    n,
    m: n,
    x0: new Array<number>(n).fill(-1),
    fStar: [0],
    residuals: (x, f) => {
      for (let i = 0; i < n; i++) {
        const left = i > 0 ? x[i - 1] : 0;
        const right = i < n - 1 ? x[i + 1] : 0;
        f[i] = (3 - 2 * x[i]) * x[i] - left - 2 * right + 1;
      }
    },
    jacobian: (x, J) => {
      J.fill(0);
      for (let i = 0; i < n; i++) {
        J[i * n + i] = 3 - 4 * x[i];
        if (i > 0) J[i * n + i - 1] = -1;
        if (i < n - 1) J[i * n + i + 1] = -2;
      }
    },
  };
}

function broydenBanded(n: number): Def {
  const band = (i: number): number[] =>
    range(Math.max(0, i - 5), Math.min(n - 1, i + 1)).filter((j) => j !== i);
  return {
    name: `Broyden banded n=${n}`,
    n,
    m: n,
    x0: new Array<number>(n).fill(-1),
    fStar: [0],
    residuals: (x, f) => {
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (const j of band(i)) s += x[j] * (1 + x[j]);
        f[i] = x[i] * (2 + 5 * x[i] * x[i]) + 1 - s;
      }
    },
    jacobian: (x, J) => {
      J.fill(0);
      for (let i = 0; i < n; i++) {
        J[i * n + i] = 2 + 15 * x[i] * x[i];
        for (const j of band(i)) J[i * n + j] = -(1 + 2 * x[j]);
      }
    },
  };
}

function linearFullRank(n: number, m: number): Def {
  return {
    name: `Linear full rank n=${n} m=${m}`,
    n,
    m,
    x0: new Array<number>(n).fill(1),
    fStar: [m - n],
    residuals: (x, f) => {
      let s = 0;
      for (let j = 0; j < n; j++) s += x[j];
      for (let i = 0; i < m; i++) f[i] = (i < n ? x[i] : 0) - (2 / m) * s - 1;
    },
    jacobian: (_x, J) => {
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) J[i * n + j] = (i === j ? 1 : 0) - 2 / m;
      }
    },
  };
}

function linearRank1(n: number, m: number): Def {
  return {
    name: `Linear rank 1 n=${n} m=${m}`,
    n,
    m,
    x0: new Array<number>(n).fill(1),
    fStar: [(m * (m - 1)) / (2 * (2 * m + 1))],
    residuals: (x, f) => {
      let s = 0;
      for (let j = 0; j < n; j++) s += (j + 1) * x[j];
      for (let i = 0; i < m; i++) f[i] = (i + 1) * s - 1;
    },
    jacobian: (_x, J) => {
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) J[i * n + j] = (i + 1) * (j + 1);
    },
  };
}

function linearRank1ZeroColumns(n: number, m: number): Def {
  return {
    name: `Linear rank 1 with zero columns and rows n=${n} m=${m}`,
    n,
    m,
    x0: new Array<number>(n).fill(1),
    fStar: [(m * m + 3 * m - 6) / (2 * (2 * m - 3))],
    residuals: (x, f) => {
      let s = 0;
      for (let j = 1; j < n - 1; j++) s += (j + 1) * x[j];
      for (let i = 0; i < m; i++) f[i] = i === 0 || i === m - 1 ? -1 : i * s - 1;
    },
    jacobian: (_x, J) => {
      J.fill(0);
      for (let i = 1; i < m - 1; i++) for (let j = 1; j < n - 1; j++) J[i * n + j] = i * (j + 1);
    },
  };
}

function chebyquad(n: number): Def {
  // n = 10: 9.50063e-3 is a local minimum reached from 10·x0 with xScale 'unit' (gradient 1e-8,
  // Hessian positive definite, checked when this set was added)
  const fStar: Record<number, number[]> = { 8: [3.51687e-3], 10: [6.50395e-3, 9.50063e-3] };
  const target = (i: number): number => (i % 2 === 0 ? -1 / (i * i - 1) : 0);
  return {
    name: `Chebyquad n=${n}`,
    n,
    m: n,
    x0: range(1, n).map((j) => j / (n + 1)),
    fStar: fStar[n] ?? [0],
    residuals: (x, f) => {
      f.fill(0);
      for (let j = 0; j < n; j++) {
        const z = 2 * x[j] - 1;
        let prev = 1;
        let cur = z;
        for (let i = 1; i <= n; i++) {
          f[i - 1] += cur / n;
          const next = 2 * z * cur - prev;
          prev = cur;
          cur = next;
        }
      }
      for (let i = 1; i <= n; i++) f[i - 1] -= target(i);
    },
    jacobian: (x, J) => {
      for (let j = 0; j < n; j++) {
        const z = 2 * x[j] - 1;
        let tPrev = 1;
        let tCur = z;
        let dPrev = 0;
        let dCur = 1;
        for (let i = 1; i <= n; i++) {
          J[(i - 1) * n + j] = (2 * dCur) / n;
          const tNext = 2 * z * tCur - tPrev;
          const dNext = 2 * tCur + 2 * z * dCur - dPrev;
          tPrev = tCur;
          tCur = tNext;
          dPrev = dCur;
          dCur = dNext;
        }
      }
    },
  };
}

const DEFS: Def[] = [
  rosenbrock(),
  freudensteinRoth(),
  powellBadlyScaled(),
  brownBadlyScaled(),
  beale(),
  jennrichSampson(),
  helicalValley(),
  bard(),
  gaussian(),
  meyer(),
  gulf(),
  box3d(),
  powellSingular(),
  wood(),
  kowalikOsborne(),
  brownDennis(),
  osborne1(),
  biggsExp6(),
  osborne2(),
  watson(6),
  extendedRosenbrock(10),
  extendedPowellSingular(12),
  penalty1(4),
  penalty2(4),
  variablyDimensioned(10),
  trigonometric(10),
  brownAlmostLinear(10),
  discreteBoundaryValue(10),
  discreteIntegralEquation(10),
  broydenTridiagonal(10),
  broydenBanded(10),
  linearFullRank(10, 20),
  linearRank1(10, 20),
  linearRank1ZeroColumns(10, 20),
  chebyquad(6),
];

/** Extra dimensions of the variable-dimension problems (MGH's tables). */
const EXTRA: [number, Def][] = [
  [20, watson(9)],
  [20, watson(12)],
  [23, penalty1(10)],
  [24, penalty2(10)],
  [35, chebyquad(7)],
  [35, chebyquad(8)],
  [35, chebyquad(9)],
  [35, chebyquad(10)],
];

/** The 35 problems (one dimension each) followed by the 8 extra dimensions: 43 problems. */
export const MGH_PROBLEMS: readonly MghProblem[] = [
  ...DEFS.map((d, k) => ({ ...d, id: k + 1 })),
  ...EXTRA.map(([id, d]) => ({ ...d, id })),
];

/** Start factors: MGH's x0, 10·x0 and 100·x0 (3 × 43 = 129 runs). */
export const MGH_START_FACTORS = [1, 10, 100] as const;

/** Relative tolerance on F for "solved", plus an absolute one for minima of 0. */
export const MGH_RTOL = 1e-4;
export const MGH_ATOL = 1e-12;

/** True when `F = Σf²` is within the tolerance of one of the problem's known minima. */
export function isKnownMinimum(p: MghProblem, F: number): boolean {
  return p.fStar.some((s) => Math.abs(F - s) <= MGH_RTOL * s + MGH_ATOL);
}
