/** Peak lineshapes (lmfit's lineshapes.py), each with lmfit's parameter hints and derived parameters. */
import type { NamedModelDef, PeakFeatures } from './types.ts';

const PEAK = ['amplitude', 'center', 'sigma'] as const;
const FWHM_PER_SIGMA = 2.3548200450309493; // 2*sqrt(2*log(2))
const VOIGT_FWHM_PER_SIGMA = 1.0692 + Math.sqrt(0.8664 + 5.545083); // lmfit's fwhm with gamma = sigma
const GAUSSIAN_TEXT = 'amplitude/(sqrt(2*pi)*sigma)*exp(-(x - center)^2/(2*sigma^2))';
const VOIGT_TEXT = 'amplitude*voigt(x - center, sigma, gamma)';

/** A peak model: variable `x`, parameters `amplitude, center, sigma` and more, category Peaks. */
function peak(
  def: Omit<NamedModelDef, 'variables' | 'params' | 'category' | 'guess' | 'guessText'> & {
    readonly more?: readonly string[];
    readonly shape: (f: PeakFeatures) => Record<string, number>;
    readonly shapeText: string;
  },
): NamedModelDef {
  const { more, shape, shapeText, ...rest } = def;
  return {
    ...rest,
    variables: ['x'],
    params: [...PEAK, ...(more ?? [])],
    category: 'Peaks',
    guess: { kind: 'peak', shape },
    guessText: `highest peak: center at its maximum, ${shapeText}; amplitude so that the height matches`,
  };
}

export const gaussian = peak({
  name: 'gaussian',
  lmfit: 'GaussianModel()',
  formula: GAUSSIAN_TEXT,
  hints: { sigma: { min: 0 } },
  derived: { fwhm: '2.3548200*sigma', height: '0.3989423*amplitude/max(1e-15, sigma)' },
  shape: (f) => ({ sigma: f.fwhm / FWHM_PER_SIGMA }),
  shapeText: 'sigma = fwhm/2.3548',
  doc: 'Gaussian of area amplitude.',
});

export const lorentzian = peak({
  name: 'lorentzian',
  lmfit: 'LorentzianModel()',
  formula: 'amplitude/(1 + ((x - center)/sigma)^2)/(pi*sigma)',
  hints: { sigma: { min: 0 } },
  derived: { fwhm: '2.0000000*sigma', height: '0.3183099*amplitude/max(1e-15, sigma)' },
  shape: (f) => ({ sigma: f.fwhm / 2 }),
  shapeText: 'sigma = fwhm/2',
  doc: 'Lorentzian (Cauchy) of area amplitude and half width sigma.',
});

export const split_lorentzian = peak({
  name: 'split_lorentzian',
  lmfit: 'SplitLorentzianModel()',
  more: ['sigma_r'],
  formula:
    '2*amplitude/(pi*(sigma + sigma_r))*if(x < center, sigma^2/(sigma^2 + (x - center)^2), sigma_r^2/(sigma_r^2 + (x - center)^2))',
  hints: { sigma: { min: 0 }, sigma_r: { min: 0 } },
  derived: {
    fwhm: 'sigma + sigma_r',
    height: '2*amplitude/3.1415927/max(1e-15, sigma + sigma_r)',
  },
  shape: (f) => ({ sigma: f.fwhm / 2, sigma_r: f.fwhm / 2 }),
  shapeText: 'sigma = sigma_r = fwhm/2',
  doc: 'Lorentzian with half widths sigma left and sigma_r right of the center, area amplitude.',
});

export const voigt = peak({
  name: 'voigt',
  lmfit: 'VoigtModel()',
  more: ['gamma'],
  formula: VOIGT_TEXT,
  hints: { sigma: { min: 0 }, gamma: { expr: 'sigma' } },
  derived: {
    fwhm: '1.0692*gamma + sqrt(0.8664*gamma^2 + 5.545083*sigma^2)',
    height: 'amplitude/max(1e-15, sigma*sqrt(2*pi))*wofz_re(0, gamma/max(1e-15, sigma*sqrt(2)))',
  },
  shape: (f) => ({ sigma: f.fwhm / VOIGT_FWHM_PER_SIGMA, gamma: f.fwhm / VOIGT_FWHM_PER_SIGMA }),
  shapeText: 'sigma = gamma = fwhm/3.6013',
  doc: 'Voigt profile (Gaussian sigma convolved with Lorentzian gamma, exact through the Faddeeva function); gamma is tied to sigma unless given.',
});

export const pvoigt = peak({
  name: 'pvoigt',
  lmfit: 'PseudoVoigtModel()',
  more: ['fraction'],
  formula:
    '(1 - fraction)*amplitude*sqrt(log(2)/pi)/sigma*exp(-log(2)*((x - center)/sigma)^2) + fraction*amplitude/(pi*sigma*(1 + ((x - center)/sigma)^2))',
  hints: { sigma: { min: 0 }, fraction: { value: 0.5, min: 0, max: 1 } },
  derived: {
    fwhm: '2.0000000*sigma',
    height:
      '(1 - fraction)*amplitude/max(1e-15, sigma*sqrt(pi/log(2))) + fraction*amplitude/max(1e-15, pi*sigma)',
  },
  shape: (f) => ({ sigma: f.fwhm / 2, fraction: 0.5 }),
  shapeText: 'sigma = fwhm/2, fraction = 0.5',
  doc: 'Pseudo-Voigt: (1 - fraction) Gaussian + fraction Lorentzian, both of full width 2*sigma and area amplitude.',
});

export const moffat = peak({
  name: 'moffat',
  lmfit: 'MoffatModel()',
  more: ['beta'],
  formula: 'amplitude/(((x - center)/sigma)^2 + 1)^beta',
  hints: { sigma: { min: 0 } },
  derived: { fwhm: '2*sigma*sqrt(2^(1/max(1e-3, beta)) - 1)', height: 'amplitude' },
  shape: (f) => ({ sigma: f.fwhm / 2, beta: 1 }),
  shapeText: 'sigma = fwhm/2, beta = 1',
  doc: 'Moffat profile of height amplitude (beta = 1 is a Lorentzian).',
});

const PEARSON7_EXPON = 1.5;

export const pearson7 = peak({
  name: 'pearson7',
  lmfit: 'Pearson7Model()',
  more: ['expon'],
  formula:
    'amplitude*gamma(expon)/(gamma(0.5)*gamma(expon - 0.5))*(1 + ((x - center)/sigma)^2)^(-expon)/sigma',
  hints: { expon: { value: 1.5, max: 100 } },
  derived: {
    fwhm: 'sqrt(2^(1/expon) - 1)*2*sigma',
    height: 'amplitude*gamma(expon)/max(1e-15, gamma(0.5)*gamma(expon - 0.5)*sigma)',
  },
  shape: (f) => ({
    sigma: f.fwhm / (2 * Math.sqrt(2 ** (1 / PEARSON7_EXPON) - 1)),
    expon: PEARSON7_EXPON,
  }),
  shapeText: 'expon = 1.5, sigma from the fwhm',
  doc: 'Pearson type VII of area amplitude (expon = 1 is a Lorentzian, large expon a Gaussian).',
});

const PEARSON4_EXPON = 1.5;
/** log(Gamma(expon + i*skew/2)/Gamma(expon))^2 - log B(expon - 1/2, 1/2): log of lmfit's normalisation. */
const PEARSON4_LOG_NORM =
  '2*(lgamma_re(expon, skew/2) - lgamma(expon)) - (lgamma(expon - 0.5) + lgamma(0.5) - lgamma(expon))';

export const pearson4 = peak({
  name: 'pearson4',
  lmfit: 'Pearson4Model()',
  more: ['expon', 'skew'],
  formula: `amplitude/sigma*exp(${PEARSON4_LOG_NORM} - expon*log1p(((x - center)/sigma)^2) - skew*atan((x - center)/sigma))`,
  hints: { expon: { value: 1.5, min: 0.5 + 1e-15, max: 1000 }, skew: { value: 0, min: -1000, max: 1000 } },
  derived: {
    fwhm: 'sigma*sqrt(2^(1/expon) - 1)*pi/atan2(exp(1)*expon, skew)',
    height: `amplitude/sigma*exp(${PEARSON4_LOG_NORM} - expon*log1p((skew/(2*expon))^2) - skew*atan(-skew/(2*expon)))`,
    position: 'center - sigma*skew/(2*expon)',
  },
  shape: (f) => ({
    sigma: f.fwhm / (2 * Math.sqrt(2 ** (1 / PEARSON4_EXPON) - 1)),
    expon: PEARSON4_EXPON,
    skew: 0,
  }),
  shapeText: 'expon = 1.5, skew = 0, sigma from the fwhm (as pearson7)',
  doc: 'Pearson type IV of area amplitude: a Pearson VII (skew = 0) made asymmetric by skew; its normalisation uses lgamma_re, the log-gamma of complex argument.',
});

/** Student's t full width at half maximum for `sigma` degrees of freedom (lmfit's fwhm expression). */
function studentsFwhm(nu: number): number {
  return 2 * Math.sqrt(2 ** (2 / (nu + 1)) * nu - nu);
}

/** The degrees of freedom in [0.1, 100] whose unit-scale width is closest to `fwhm` (bisection). */
function studentsDegrees(fwhm: number): number {
  let lo = 0.1;
  let hi = 100;
  for (let i = 0; i < 60; i++) {
    const mid = 0.5 * (lo + hi);
    if (studentsFwhm(mid) < fwhm) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

export const students_t = peak({
  name: 'students_t',
  lmfit: 'StudentsTModel()',
  formula:
    'amplitude*gamma((sigma + 1)/2)/(sqrt(sigma*pi)*gamma(sigma/2))*(1 + (x - center)^2/sigma)^(-(sigma + 1)/2)',
  hints: { sigma: { min: 0, max: 100 } },
  derived: {
    height: 'amplitude*gamma((sigma + 1)/2)/(sqrt(sigma*pi)*gamma(sigma/2))',
    fwhm: '2*sqrt(2^(2/(sigma + 1))*sigma - sigma)',
  },
  shape: (f) => ({ sigma: studentsDegrees(f.fwhm) }),
  shapeText: 'sigma (the degrees of freedom, which also set the width) matched to the fwhm',
  doc: "Student's t distribution with sigma degrees of freedom, area amplitude.",
});

export const breit_wigner = peak({
  name: 'breit_wigner',
  lmfit: 'BreitWignerModel()',
  more: ['q'],
  formula: 'amplitude*(q*sigma/2 + x - center)^2/((sigma/2)^2 + (x - center)^2)',
  hints: { sigma: { min: 0 } },
  shape: (f) => ({ sigma: f.fwhm, q: 1 }),
  shapeText: 'sigma = fwhm, q = 1',
  doc: 'Breit-Wigner-Fano lineshape with asymmetry q.',
});

export const lognormal = peak({
  name: 'lognormal',
  lmfit: 'LognormalModel()',
  formula: 'amplitude/(x*sigma*sqrt(2*pi))*exp(-(log(x) - center)^2/(2*sigma^2))',
  hints: { sigma: { min: 0 } },
  derived: {
    height: 'amplitude/max(1e-15, sigma*sqrt(2*pi))*exp(sigma^2/2 - center)',
    fwhm: 'exp(center - sigma^2 + sigma*sqrt(2*log(2))) - exp(center - sigma^2 - sigma*sqrt(2*log(2)))',
  },
  shape: (f) => {
    const sigma = Math.min(2, f.fwhm / (FWHM_PER_SIGMA * Math.max(f.center, 1e-300)));
    return { sigma, center: Math.log(Math.max(f.center, 1e-300)) + sigma * sigma };
  },
  shapeText: 'sigma = fwhm/(2.3548*x_max), center = log(x_max) + sigma^2 (the mode at x_max)',
  doc: 'Log-normal distribution of area amplitude (center and sigma are those of log(x)); x > 0.',
});

export const damped_oscillator = peak({
  name: 'damped_oscillator',
  lmfit: 'DampedOscillatorModel()',
  formula: 'amplitude/sqrt((1 - (x/center)^2)^2 + (2*sigma*x/center)^2)',
  hints: { sigma: { min: 0 } },
  derived: { height: '0.5000000*amplitude/max(1e-15, sigma)' },
  shape: (f) => ({ sigma: f.fwhm / (2 * Math.sqrt(3) * Math.abs(f.center || 1)) }),
  shapeText: 'sigma = fwhm/(2*sqrt(3)*center)',
  doc: 'Amplitude of a damped harmonic oscillator driven at x, resonance at center.',
});

export const dho = peak({
  name: 'dho',
  lmfit: 'DampedHarmonicOscillatorModel()',
  more: ['gamma'],
  formula:
    'amplitude*sigma/pi*if(x == 0, 4*gamma*center/(center^2 + sigma^2)^2, (1/((x - center)^2 + sigma^2) - 1/((x + center)^2 + sigma^2))/(1 - exp(-x/gamma)))',
  hints: { center: { min: 0 }, sigma: { min: 0 }, gamma: { min: 1e-19 } },
  derived: {
    height:
      'amplitude*sigma/max(1e-15, pi*(1 - exp(-center/max(1e-15, gamma))))*(1/max(1e-15, sigma^2) - 1/max(1e-15, 4*center^2 + sigma^2))',
    fwhm: '2.0000000*sigma',
  },
  shape: (f) => ({ sigma: f.fwhm / 2, gamma: 1 }),
  shapeText: 'sigma = fwhm/2, gamma = 1',
  doc: 'Damped harmonic oscillator with Bose factor of temperature gamma (as in PAN).',
});

export const expgaussian = peak({
  name: 'expgaussian',
  lmfit: 'ExponentialGaussianModel()',
  more: ['gamma'],
  formula:
    'amplitude*gamma/2*exp(gamma*(center + gamma*sigma^2/2 - x))*erfc((center + gamma*sigma^2 - x)/(sqrt(2)*sigma))',
  hints: { sigma: { min: 0 }, gamma: { min: 0, max: 20 } },
  shape: (f) => ({ sigma: f.fwhm / FWHM_PER_SIGMA, gamma: FWHM_PER_SIGMA / f.fwhm }),
  shapeText: 'sigma = fwhm/2.3548, gamma = 1/sigma',
  doc: 'Exponentially modified Gaussian (Gaussian convolved with a decay of rate gamma), area amplitude.',
});

export const skewed_gaussian = peak({
  name: 'skewed_gaussian',
  lmfit: 'SkewedGaussianModel()',
  more: ['gamma'],
  formula: `(1 + erf(gamma*(x - center)/(sqrt(2)*sigma)))*${GAUSSIAN_TEXT}`,
  hints: { sigma: { min: 0 } },
  shape: (f) => ({ sigma: f.fwhm / FWHM_PER_SIGMA, gamma: 0 }),
  shapeText: 'sigma = fwhm/2.3548, gamma = 0',
  doc: 'Gaussian skewed by 1 + erf(gamma*(x - center)/(sqrt(2)*sigma)) (skew-normal), area amplitude.',
});

export const skewed_voigt = peak({
  name: 'skewed_voigt',
  lmfit: 'SkewedVoigtModel()',
  more: ['gamma', 'skew'],
  formula: `(1 + erf(skew*(x - center)/(sqrt(2)*sigma)))*${VOIGT_TEXT}`,
  hints: { sigma: { min: 0 }, gamma: { expr: 'sigma' } },
  shape: (f) => ({
    sigma: f.fwhm / VOIGT_FWHM_PER_SIGMA,
    gamma: f.fwhm / VOIGT_FWHM_PER_SIGMA,
    skew: 0,
  }),
  shapeText: 'sigma = gamma = fwhm/3.6013, skew = 0',
  doc: 'Voigt profile skewed by 1 + erf(skew*(x - center)/(sqrt(2)*sigma)); gamma is tied to sigma unless given.',
});

export const doniach = peak({
  name: 'doniach',
  lmfit: 'DoniachModel()',
  more: ['gamma'],
  formula:
    'amplitude/sigma^(1 - gamma)*cos(pi*gamma/2 + (1 - gamma)*atan((x - center)/sigma))/(1 + ((x - center)/sigma)^2)^((1 - gamma)/2)',
  derived: { height: 'amplitude/max(1e-15, sigma^(1 - gamma))*cos(pi*gamma/2)' },
  shape: (f) => ({ sigma: f.fwhm / 2, gamma: 0 }),
  shapeText: 'sigma = fwhm/2, gamma = 0',
  doc: 'Doniach-Sunjic asymmetric lineshape (photoemission), asymmetry gamma.',
});
