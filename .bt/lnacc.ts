import { fastLn } from '../src/batch/fastlog.ts';
let maxAbs = 0, maxRel = 0, worst = 0;
for (let i = 0; i < 3e6; i++) { const x = i % 3 ? Math.exp((Math.random() - 0.5) * 1400) : 0.9 + Math.random() * 0.2; const a = fastLn(x), b = Math.log(x); const ab = Math.abs(a - b); if (ab > maxAbs) maxAbs = ab; const rel = ab / Math.abs(b); if (rel > maxRel) { maxRel = rel; worst = x; } }
console.log('maxAbs', maxAbs, 'maxRel', maxRel, worst, 'specials', fastLn(0), fastLn(-1), fastLn(Infinity), fastLn(NaN), fastLn(5e-324), Math.log(5e-324));
