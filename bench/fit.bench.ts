/**
 * One rotated 2-D Gaussian fit (7 parameters) to a 512x512 noisy image: time per fit and iterations,
 * and scipy's curve_fit with an analytic Jacobian on the same data in the same run when python3 with
 * scipy is installed (the ratio is reported, not required).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fit } from '../src/fit/fit.ts';
import type { BenchRow } from './types.ts';
import { timeMedian } from './types.ts';

const MODEL =
  'z = A*exp(-(a*(x-x0)^2 + 2*b*(x-x0)*(y-y0) + c*(y-y0)^2)) + offset; ' +
  'a = cos(theta)^2/(2*sx^2) + sin(theta)^2/(2*sy^2); ' +
  'b = -sin(2*theta)/(4*sx^2) + sin(2*theta)/(4*sy^2); ' +
  'c = sin(theta)^2/(2*sx^2) + cos(theta)^2/(2*sy^2)';

/** Deterministic normal deviates (mulberry32 + Box–Muller). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  const u = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(u() + 1e-300)) * Math.cos(2 * Math.PI * u());
}

export function makeImage(n = 512): { z: Float64Array; truth: Record<string, number> } {
  const truth = { A: 100, x0: 270.3, y0: 240.7, sx: 40, sy: 22, theta: 0.6, offset: 10 };
  const z = new Float64Array(n * n);
  const g = rng(7);
  const ct = Math.cos(truth.theta);
  const st = Math.sin(truth.theta);
  const a = (ct * ct) / (2 * truth.sx ** 2) + (st * st) / (2 * truth.sy ** 2);
  const b =
    -Math.sin(2 * truth.theta) / (4 * truth.sx ** 2) + Math.sin(2 * truth.theta) / (4 * truth.sy ** 2);
  const c = (st * st) / (2 * truth.sx ** 2) + (ct * ct) / (2 * truth.sy ** 2);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const dx = j - truth.x0;
      const dy = i - truth.y0;
      z[i * n + j] =
        truth.A * Math.exp(-(a * dx * dx + 2 * b * dx * dy + c * dy * dy)) + truth.offset + 2 * g();
    }
  }
  return { z, truth };
}

const START = { A: 80, x0: 260, y0: 250, sx: 35, sy: 25, theta: 0.4, offset: 5 };

export async function run(): Promise<BenchRow[]> {
  const n = 512;
  const { z } = makeImage(n);
  const x = [Array.from({ length: n }, (_, j) => j)];
  const y = Array.from({ length: n }, (_, i) => [i]);
  const { NdArray } = await import('../src/data/ndarray.ts');
  const zArr = new NdArray(z, [n, n]);
  let iterations = 0;
  let nfev = 0;
  const ms = timeMedian(
    () => {
      const r = fit(
        MODEL,
        { x, y, z: zArr },
        { ...START, sx: { value: START.sx, min: 0 }, sy: { value: START.sy, min: 0 } },
      );
      iterations = r.iterations;
      nfev = r.nfev;
    },
    5,
    3, // warm-ups: until the heap holds the image-sized buffers, fresh memory costs page faults (bench/README.md)
  );
  let baselineMs = NaN;
  let note = `${iterations} iterations, ${nfev} evaluations`;
  const dir = mkdtempSync(join(tmpdir(), 'exprfit-bench-'));
  try {
    writeFileSync(join(dir, 'z.bin'), Buffer.from(z.buffer));
    const py = `
import numpy as np, time
from scipy.optimize import curve_fit
n=${n}
z=np.fromfile(r'${join(dir, 'z.bin')}', dtype='<f8')
X,Y=np.meshgrid(np.arange(n,dtype=float),np.arange(n,dtype=float))
X=X.ravel();Y=Y.ravel()
def parts(A,x0,y0,sx,sy,th,off):
    ct,st,s2=np.cos(th),np.sin(th),np.sin(2*th)
    a=ct**2/(2*sx**2)+st**2/(2*sy**2); b=-s2/(4*sx**2)+s2/(4*sy**2); c=st**2/(2*sx**2)+ct**2/(2*sy**2)
    dx=X-x0; dy=Y-y0
    E=np.exp(-(a*dx*dx+2*b*dx*dy+c*dy*dy))
    return a,b,c,dx,dy,E,ct,st
def f(_,A,x0,y0,sx,sy,th,off):
    return A*parts(A,x0,y0,sx,sy,th,off)[5]+off
def jac(_,A,x0,y0,sx,sy,th,off):
    a,b,c,dx,dy,E,ct,st=parts(A,x0,y0,sx,sy,th,off)
    s2,c2=np.sin(2*th),np.cos(2*th)
    AE=A*E
    da_sx=-ct**2/sx**3; db_sx=s2/(2*sx**3); dc_sx=-st**2/sx**3
    da_sy=-st**2/sy**3; db_sy=-s2/(2*sy**3); dc_sy=-ct**2/sy**3
    da_th=2*ct*st*(-1/(2*sx**2)+1/(2*sy**2)); db_th=c2*(-1/(2*sx**2)+1/(2*sy**2)); dc_th=-da_th
    Q=lambda da,db,dc: -AE*(da*dx*dx+2*db*dx*dy+dc*dy*dy)
    return np.stack([E, AE*(2*a*dx+2*b*dy), AE*(2*b*dx+2*c*dy), Q(da_sx,db_sx,dc_sx), Q(da_sy,db_sy,dc_sy), Q(da_th,db_th,dc_th), np.ones_like(E)],axis=1)
p0=[${START.A},${START.x0},${START.y0},${START.sx},${START.sy},${START.theta},${START.offset}]
ts=[]
for k in range(3):
    t=time.perf_counter(); p,_=curve_fit(f,None,z,p0=p0,jac=jac); ts.append(time.perf_counter()-t)
print(sorted(ts)[1]*1000)
`;
    const res = spawnSync('python3', ['-c', py], { encoding: 'utf8', timeout: 120_000 });
    if (res.status === 0) baselineMs = Number(res.stdout.trim().split('\n').pop());
    else note += '; scipy baseline unavailable';
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return [
    {
      name: 'rotated 2-D Gaussian fit, 512x512 image, 7 params',
      ms,
      baselineMs,
      ratio: ms / baselineMs,
      note: `${note}; baseline: scipy curve_fit with analytic Jacobian`,
    },
  ];
}
