/** Thermal distributions, the sine and the 2-D Gaussian (lmfit's models.py). */
import type { NamedModelDef } from './types.ts';

/** lmfit's thermal distribution 1/(amplitude*exp((x - center)/kt) + offset) in one of its forms. */
function thermal(form: 'bose' | 'maxwell' | 'fermi', offset: string, what: string): NamedModelDef {
  return {
    name: `thermal_${form}`,
    lmfit: `ThermalDistributionModel(form='${form}')`,
    variables: ['x'],
    params: ['amplitude', 'center', 'kt'],
    formula: `1/(amplitude*exp((x - center)/kt)${offset})`,
    guess: { kind: 'thermal' },
    guessText: 'amplitude = 1, center = mean of x, kt = range of x/10',
    doc: `The ${what} distribution at temperature kt (in units of x).`,
    category: 'Other',
  };
}

export const thermal_bose = thermal('bose', ' - 1', 'Bose-Einstein');
export const thermal_maxwell = thermal('maxwell', '', 'Maxwell-Boltzmann');
export const thermal_fermi = thermal('fermi', ' + 1', 'Fermi-Dirac');

export const sine: NamedModelDef = {
  name: 'sine',
  lmfit: 'SineModel()',
  variables: ['x'],
  params: ['amplitude', 'frequency', 'shift'],
  formula: 'amplitude*sin(frequency*x + shift)',
  hints: {
    amplitude: { min: 0 },
    frequency: { min: 0 },
    shift: { min: -2 * Math.PI - 1e-5, max: 2 * Math.PI + 1e-5 },
  },
  guess: { kind: 'sine' },
  guessText: 'the strongest Fourier component of y (uniform x); the best of 11 shifts in [0, 2*pi)',
  doc: 'A sine of angular frequency frequency and phase shift.',
  category: 'Other',
};

export const gaussian2d: NamedModelDef = {
  name: 'gaussian2d',
  lmfit: 'Gaussian2dModel()',
  variables: ['x', 'y'],
  params: ['amplitude', 'centerx', 'centery', 'sigmax', 'sigmay'],
  formula: 'amplitude/(2*pi*sigmax*sigmay)*exp(-(x - centerx)^2/(2*sigmax^2) - (y - centery)^2/(2*sigmay^2))',
  hints: { sigmax: { min: 0 }, sigmay: { min: 0 } },
  derived: {
    fwhmx: '2.3548200*sigmax',
    fwhmy: '2.3548200*sigmay',
    height: '0.1591549*amplitude/(max(1e-15, sigmax)*max(1e-15, sigmay))',
  },
  guess: { kind: 'peak2d' },
  guessText:
    'center at the maximum of z, sigmas from the spread of the points above half maximum; amplitude so that the height matches',
  doc: 'gaussian2d(x, y): a 2-D Gaussian of volume amplitude with axes along x and y.',
  category: 'Other',
};
