import { makeImage } from './fit.bench.ts';
import { fit } from '../src/fit/fit.ts';
import { NdArray } from '../src/data/ndarray.ts';
const MODEL =
  'z = A*exp(-(a*(x-x0)^2 + 2*b*(x-x0)*(y-y0) + c*(y-y0)^2)) + offset; ' +
  'a = cos(theta)^2/(2*sx^2) + sin(theta)^2/(2*sy^2); ' +
  'b = -sin(2*theta)/(4*sx^2) + sin(2*theta)/(4*sy^2); ' +
  'c = sin(theta)^2/(2*sx^2) + cos(theta)^2/(2*sy^2)';
const n = 512;
const { z } = makeImage(n);
const x = [Array.from({ length: n }, (_, j) => j)];
const y = Array.from({ length: n }, (_, i) => [i]);
const START = { A: 80, x0: 260, y0: 250, sx: 35, sy: 25, theta: 0.4, offset: 5 };
for (let k = 0; k < 3; k++) {
  const t0 = performance.now();
  const r = fit(MODEL, { x, y, z: new NdArray(z, [n, n]) }, START);
  console.log(performance.now() - t0, r.iterations, r.nfev, r.njev);
}
