/**
 * The first compile of a sum of 50 2-D Gaussians in a fresh process (what a one-off `exprfit run` pays):
 * prints its wall time in ms. Spawned by compile.bench.ts.
 */
import { prepareFit } from '../src/fit/fit.ts';
import { compileData, gaussianSum } from './compile.bench.ts';

const data = compileData();
const model = gaussianSum(50);
const t0 = performance.now();
prepareFit(model, data).equations[0].kernel.sourceFor('residualsJacobian');
console.log((performance.now() - t0).toFixed(2));
