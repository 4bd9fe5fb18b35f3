import { parseExpr } from '../src/syntax/index.ts';
import { compileProgram } from '../src/compile/fragments.ts';
import { generateAccumulate } from '../src/batch/kernel.ts';
const which = process.argv[2] ?? 'sym';
const models: Record<string, [string, string[]]> = {
  sym: ['A*exp(-((x-x0)^2 + (y-y0)^2)/(2*s^2)) + bg', ['A','x0','y0','s','bg']],
  rot: ['A*exp(-(((x-x0)*cos(t)+(y-y0)*sin(t))^2/(2*sx^2) + (-(x-x0)*sin(t)+(y-y0)*cos(t))^2/(2*sy^2))) + bg', ['A','x0','y0','sx','sy','t','bg']],
};
const [m, params] = models[which];
const prog = compileProgram(parseExpr(m), { params, variables: ['x', 'y'] });
const k = generateAccumulate(prog, { levels: 2, variables: [{ mask: 2, unitInner: true }, { mask: 1, unitInner: true }] }, { estimator: (process.argv[3] ?? 'lse') as 'lse', weighted: process.argv[4] === 'w' });
console.log(k.source, k.tableMasks, k.scratchPerPoint);
