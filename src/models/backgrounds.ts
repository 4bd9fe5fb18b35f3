/** Backgrounds: constant, linear, quadratic, polynomial, exponential and power law (lmfit's models.py). */
import type { NamedModelDef } from './types.ts';

const LEAST_SQUARES = 'least squares (the model is linear in its parameters)';

export const constant: NamedModelDef = {
  name: 'constant',
  lmfit: 'ConstantModel()',
  variables: ['x'],
  params: ['c'],
  formula: 'c',
  guess: { kind: 'linear' },
  guessText: 'the mean of y',
  doc: 'A constant c (x only sets the shape of the data).',
  category: 'Backgrounds',
};

export const linear: NamedModelDef = {
  name: 'linear',
  lmfit: 'LinearModel()',
  variables: ['x'],
  params: ['slope', 'intercept'],
  formula: 'slope*x + intercept',
  guess: { kind: 'linear' },
  guessText: LEAST_SQUARES,
  doc: 'A straight line.',
  category: 'Backgrounds',
};

export const quadratic: NamedModelDef = {
  name: 'quadratic',
  lmfit: 'QuadraticModel()',
  variables: ['x'],
  params: ['a', 'b', 'c'],
  formula: 'a*x^2 + b*x + c',
  guess: { kind: 'linear' },
  guessText: LEAST_SQUARES,
  doc: 'A parabola.',
  category: 'Backgrounds',
};

export const polynomial: NamedModelDef = {
  name: 'polynomial',
  lmfit: 'PolynomialModel(degree)',
  variables: ['x'],
  params: ['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7'],
  formula: 'c0 + c1*x + c2*x^2 + c3*x^3 + c4*x^4 + c5*x^5 + c6*x^6 + c7*x^7',
  maxDegree: 7,
  guess: { kind: 'linear' },
  guessText: LEAST_SQUARES,
  doc: 'polynomial(x, degree): the polynomial c0 + c1*x + ... of degree 0 to 7 (parameters c0 to c_degree).',
  category: 'Backgrounds',
};

export const exponential: NamedModelDef = {
  name: 'exponential',
  lmfit: 'ExponentialModel()',
  variables: ['x'],
  params: ['amplitude', 'decay'],
  formula: 'amplitude*exp(-x/decay)',
  guess: { kind: 'exponential' },
  guessText: 'a straight line through log(abs(y)) against x',
  doc: 'Exponential decay of scale decay.',
  category: 'Backgrounds',
};

export const powerlaw: NamedModelDef = {
  name: 'powerlaw',
  lmfit: 'PowerLawModel()',
  variables: ['x'],
  params: ['amplitude', 'exponent'],
  formula: 'amplitude*x^exponent',
  guess: { kind: 'powerlaw' },
  guessText: 'a straight line through log(y) against log(x)',
  doc: 'Power law amplitude*x^exponent (x > 0).',
  category: 'Backgrounds',
};
