/** Steps and rectangles in lmfit's four forms (linear, arctan, erf, logistic), one entry per form. */
import type { NamedModelDef } from './types.ts';

const STEP_ARG = '(x - center)/sigma';
const RECT_ARG1 = '(x - center1)/sigma1';
const RECT_ARG2 = '(center2 - x)/sigma2';

/** The four forms: model name suffix, lmfit's form, and the step of argument `u` rising from 0 to 1. */
const FORMS = [
  { suffix: '', form: 'linear', step: (u: string) => `min(1, max(0, ${u} + 0.5))` },
  { suffix: '_arctan', form: 'atan', step: (u: string) => `(0.5 + atan(${u})/pi)` },
  { suffix: '_erf', form: 'erf', step: (u: string) => `(1 + erf(${u}))/2` },
  { suffix: '_logistic', form: 'logistic', step: (u: string) => `(1 - 1/(1 + exp(${u})))` },
] as const;

/** The rectangle of each form: lmfit's formulas, a rise at center1 and a fall at center2. */
const RECTANGLES: Record<string, string> = {
  linear: `0.5*(min(1, max(-1, ${RECT_ARG1})) + min(1, max(-1, ${RECT_ARG2})))`,
  atan: `(atan(${RECT_ARG1}) + atan(${RECT_ARG2}))/pi`,
  erf: `0.5*(erf(${RECT_ARG1}) + erf(${RECT_ARG2}))`,
  logistic: `(1 - 1/(1 + exp(${RECT_ARG1})) - 1/(1 + exp(${RECT_ARG2})))`,
};

function stepModel(f: (typeof FORMS)[number]): NamedModelDef {
  return {
    name: `step${f.suffix}`,
    lmfit: `StepModel(form='${f.form}')`,
    variables: ['x'],
    params: ['amplitude', 'center', 'sigma'],
    formula: `amplitude*${f.step(STEP_ARG)}`,
    guess: { kind: 'step' },
    guessText: 'amplitude = range of y, center = middle of x, sigma = range of x/7',
    doc: `A ${f.form} step from 0 to amplitude, half way at center, of width sigma (sigma < 0 falls).`,
    category: 'Steps',
  };
}

function rectangleModel(f: (typeof FORMS)[number]): NamedModelDef {
  return {
    name: `rectangle${f.suffix}`,
    lmfit: `RectangleModel(form='${f.form}')`,
    variables: ['x'],
    params: ['amplitude', 'center1', 'sigma1', 'center2', 'sigma2'],
    formula: `amplitude*${RECTANGLES[f.form]}`,
    hints: { sigma1: { min: 0 }, sigma2: { min: 0 } },
    derived: { midpoint: '(center1 + center2)/2.0' },
    guess: { kind: 'rectangle' },
    guessText:
      'amplitude = range of y, center1 and center2 at a quarter and three quarters of x, sigmas = range of x/7',
    doc: `A ${f.form} rise at center1 (width sigma1) and fall at center2 (width sigma2) of height amplitude.`,
    category: 'Steps',
  };
}

export const step = stepModel(FORMS[0]);
export const step_arctan = stepModel(FORMS[1]);
export const step_erf = stepModel(FORMS[2]);
export const step_logistic = stepModel(FORMS[3]);
export const rectangle = rectangleModel(FORMS[0]);
export const rectangle_arctan = rectangleModel(FORMS[1]);
export const rectangle_erf = rectangleModel(FORMS[2]);
export const rectangle_logistic = rectangleModel(FORMS[3]);
