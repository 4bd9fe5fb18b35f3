"""Writes test/fixtures/lmfit/models.json: lmfit's models as the reference for src/models.

- `lineshapes`: each named model evaluated by lmfit's own Model class (`GaussianModel().eval(...)`) on a grid;
- `fits`: noisy data of each model (numpy's RandomState, seeded), fitted by lmfit from its own `guess()`
  (test_model.py style); the tests fit the same data from exprfit's guesses and compare the results;
- `composite`: sums of peaks on a linear background (two peaks, and a 5-peak spectrum), fitted by lmfit from
  the true values (lmfit has no guess for sums); exprfit fits them from its guesses alone.

Run with Debian's python (lmfit 1.1.0, scipy 1.10.1):  /usr/bin/python3 scripts/models-fixtures.py
"""
import json
import os

import lmfit
import numpy as np
from lmfit import models as M

X = np.linspace(-5, 10, 31)
XPOS = np.linspace(0.1, 10, 31)

# name -> (lmfit model, parameter values, x grid); the name is exprfit's (`gaussian(x; p)`)
LINESHAPES = {
    'gaussian': (M.GaussianModel(), dict(amplitude=3.0, center=1.5, sigma=1.2), X),
    'lorentzian': (M.LorentzianModel(), dict(amplitude=3.0, center=1.5, sigma=1.2), X),
    'split_lorentzian': (M.SplitLorentzianModel(), dict(amplitude=3.0, center=1.5, sigma=1.2, sigma_r=2.5), X),
    'voigt': (M.VoigtModel(), dict(amplitude=3.0, center=1.5, sigma=1.2, gamma=0.7), X),
    'pvoigt': (M.PseudoVoigtModel(), dict(amplitude=3.0, center=1.5, sigma=1.2, fraction=0.3), X),
    'moffat': (M.MoffatModel(), dict(amplitude=3.0, center=1.5, sigma=1.2, beta=1.7), X),
    'pearson7': (M.Pearson7Model(), dict(amplitude=3.0, center=1.5, sigma=1.2, expon=2.3), X),
    'students_t': (M.StudentsTModel(), dict(amplitude=3.0, center=1.5, sigma=2.5), X),
    'breit_wigner': (M.BreitWignerModel(), dict(amplitude=3.0, center=1.5, sigma=1.2, q=2.0), X),
    'lognormal': (M.LognormalModel(), dict(amplitude=3.0, center=0.8, sigma=0.6), XPOS),
    'damped_oscillator': (M.DampedOscillatorModel(), dict(amplitude=3.0, center=4.0, sigma=0.15), X),
    'dho': (M.DampedHarmonicOscillatorModel(), dict(amplitude=3.0, center=4.0, sigma=0.8, gamma=2.0), X),
    'expgaussian': (M.ExponentialGaussianModel(), dict(amplitude=3.0, center=1.5, sigma=1.2, gamma=0.6), X),
    'skewed_gaussian': (M.SkewedGaussianModel(), dict(amplitude=3.0, center=1.5, sigma=1.2, gamma=2.0), X),
    'skewed_voigt': (M.SkewedVoigtModel(), dict(amplitude=3.0, center=1.5, sigma=1.2, gamma=0.7, skew=-1.5), X),
    'doniach': (M.DoniachModel(), dict(amplitude=3.0, center=1.5, sigma=1.2, gamma=0.3), X),
    'constant': (M.ConstantModel(), dict(c=2.5), X),
    'linear': (M.LinearModel(), dict(slope=0.7, intercept=-1.5), X),
    'quadratic': (M.QuadraticModel(), dict(a=0.2, b=-0.7, c=1.5), X),
    'polynomial': (M.PolynomialModel(3), dict(c0=1.5, c1=-0.7, c2=0.2, c3=-0.03), X),
    'exponential': (M.ExponentialModel(), dict(amplitude=3.0, decay=2.5), X),
    'powerlaw': (M.PowerLawModel(), dict(amplitude=3.0, exponent=-1.3), XPOS),
    'step': (M.StepModel(form='linear'), dict(amplitude=3.0, center=1.5, sigma=2.0), X),
    'step_arctan': (M.StepModel(form='atan'), dict(amplitude=3.0, center=1.5, sigma=2.0), X),
    'step_erf': (M.StepModel(form='erf'), dict(amplitude=3.0, center=1.5, sigma=2.0), X),
    'step_logistic': (M.StepModel(form='logistic'), dict(amplitude=3.0, center=1.5, sigma=2.0), X),
    'rectangle': (M.RectangleModel(form='linear'), dict(amplitude=3.0, center1=0.0, sigma1=1.5, center2=6.0, sigma2=2.0), X),
    'rectangle_arctan': (M.RectangleModel(form='atan'), dict(amplitude=3.0, center1=0.0, sigma1=1.5, center2=6.0, sigma2=2.0), X),
    'rectangle_erf': (M.RectangleModel(form='erf'), dict(amplitude=3.0, center1=0.0, sigma1=1.5, center2=6.0, sigma2=2.0), X),
    'rectangle_logistic': (M.RectangleModel(form='logistic'), dict(amplitude=3.0, center1=0.0, sigma1=1.5, center2=6.0, sigma2=2.0), X),
    'thermal_bose': (M.ThermalDistributionModel(form='bose'), dict(amplitude=2.0, center=0.5, kt=1.5), XPOS),
    'thermal_maxwell': (M.ThermalDistributionModel(form='maxwell'), dict(amplitude=2.0, center=0.5, kt=1.5), X),
    'thermal_fermi': (M.ThermalDistributionModel(form='fermi'), dict(amplitude=2.0, center=0.5, kt=1.5), X),
    'sine': (M.SineModel(), dict(amplitude=3.0, frequency=1.3, shift=0.4), X),
    'pearson4': (M.Pearson4Model(), dict(amplitude=3.0, center=1.5, sigma=1.2, expon=1.7, skew=-2.5), X),
}


def lineshape_cases():
    out = []
    for name, (model, params, x) in LINESHAPES.items():
        values = model.eval(x=x, **params) * np.ones_like(x)
        out.append({'name': name, 'lmfit': type(model).__name__, 'params': params,
                    'degree': getattr(model, 'poly_degree', None), 'x': x.tolist(), 'values': values.tolist()})
    g = M.Gaussian2dModel()
    xx, yy = np.meshgrid(np.linspace(-3, 3, 7), np.linspace(-2, 4, 7))
    p2 = dict(amplitude=3.0, centerx=0.5, centery=1.0, sigmax=1.2, sigmay=0.8)
    out.append({'name': 'gaussian2d', 'lmfit': 'Gaussian2dModel', 'params': p2, 'degree': None,
                'x': xx.ravel().tolist(), 'y': yy.ravel().tolist(),
                'values': g.eval(x=xx.ravel(), y=yy.ravel(), **p2).tolist()})
    return out


# single-model fits: name -> (lmfit model, true values, x, noise)
XFIT = np.linspace(0, 10, 121)
FITS = {
    'gaussian': (M.GaussianModel(), dict(amplitude=8.0, center=4.5, sigma=0.9), XFIT, 0.05),
    'lorentzian': (M.LorentzianModel(), dict(amplitude=8.0, center=4.5, sigma=0.9), XFIT, 0.05),
    'voigt': (M.VoigtModel(), dict(amplitude=8.0, center=4.5, sigma=0.6), XFIT, 0.05),
    'pvoigt': (M.PseudoVoigtModel(), dict(amplitude=8.0, center=4.5, sigma=0.9, fraction=0.4), XFIT, 0.05),
    'moffat': (M.MoffatModel(), dict(amplitude=5.0, center=4.5, sigma=0.9, beta=1.5), XFIT, 0.05),
    'pearson7': (M.Pearson7Model(), dict(amplitude=8.0, center=4.5, sigma=0.9, expon=2.0), XFIT, 0.05),
    'split_lorentzian': (M.SplitLorentzianModel(), dict(amplitude=8.0, center=4.5, sigma=0.6, sigma_r=1.4), XFIT, 0.05),
    'skewed_gaussian': (M.SkewedGaussianModel(), dict(amplitude=8.0, center=4.5, sigma=1.2, gamma=1.5), XFIT, 0.05),
    'expgaussian': (M.ExponentialGaussianModel(), dict(amplitude=8.0, center=4.0, sigma=0.6, gamma=1.2), XFIT, 0.05),
    'linear': (M.LinearModel(), dict(slope=0.7, intercept=-1.5), XFIT, 0.1),
    'quadratic': (M.QuadraticModel(), dict(a=0.05, b=-0.7, c=1.5), XFIT, 0.1),
    'exponential': (M.ExponentialModel(), dict(amplitude=6.0, decay=2.5), XFIT, 0.05),
    'powerlaw': (M.PowerLawModel(), dict(amplitude=3.0, exponent=-1.3), np.linspace(0.5, 10, 121), 0.02),
    'step_erf': (M.StepModel(form='erf'), dict(amplitude=3.0, center=5.5, sigma=1.0), XFIT, 0.05),
    'step_logistic': (M.StepModel(form='logistic'), dict(amplitude=3.0, center=5.5, sigma=0.8), XFIT, 0.05),
    'rectangle_erf': (M.RectangleModel(form='erf'), dict(amplitude=3.0, center1=3.0, sigma1=0.7, center2=7.0, sigma2=0.9), XFIT, 0.05),
    'sine': (M.SineModel(), dict(amplitude=2.0, frequency=2.3, shift=0.5), XFIT, 0.1),
    'students_t': (M.StudentsTModel(), dict(amplitude=8.0, center=4.5, sigma=3.0), XFIT, 0.02),
    'breit_wigner': (M.BreitWignerModel(), dict(amplitude=2.0, center=4.5, sigma=1.0, q=3.0), XFIT, 0.05),
    'lognormal': (M.LognormalModel(), dict(amplitude=8.0, center=1.2, sigma=0.3), np.linspace(0.1, 10, 121), 0.05),
    'damped_oscillator': (M.DampedOscillatorModel(), dict(amplitude=1.0, center=4.5, sigma=0.1), XFIT, 0.05),
    'dho': (M.DampedHarmonicOscillatorModel(), dict(amplitude=8.0, center=4.5, sigma=0.6, gamma=2.0), np.linspace(0.05, 10, 121), 0.02),
    'doniach': (M.DoniachModel(), dict(amplitude=8.0, center=4.5, sigma=0.8, gamma=0.2), XFIT, 0.05),
    'skewed_voigt': (M.SkewedVoigtModel(), dict(amplitude=8.0, center=4.5, sigma=0.6, skew=1.5), XFIT, 0.05),
    'constant': (M.ConstantModel(), dict(c=2.5), XFIT, 0.1),
    'polynomial': (M.PolynomialModel(3), dict(c0=1.5, c1=-0.7, c2=0.2, c3=-0.015), XFIT, 0.1),
    'step': (M.StepModel(form='linear'), dict(amplitude=3.0, center=5.5, sigma=2.0), XFIT, 0.05),
    'step_arctan': (M.StepModel(form='atan'), dict(amplitude=3.0, center=5.5, sigma=0.5), XFIT, 0.05),
    'rectangle_logistic': (M.RectangleModel(form='logistic'), dict(amplitude=3.0, center1=3.0, sigma1=0.5, center2=7.0, sigma2=0.6), XFIT, 0.05),
    'thermal_fermi': (M.ThermalDistributionModel(form='fermi'), dict(amplitude=1.0, center=5.0, kt=0.8), XFIT, 0.01),
    'pearson4': (M.Pearson4Model(), dict(amplitude=8.0, center=4.5, sigma=0.9, expon=2.0, skew=1.0), XFIT, 0.05),
}


def fit_cases():
    out = []
    for i, (name, (model, truth, x, noise)) in enumerate(FITS.items()):
        rng = np.random.RandomState(100 + i)
        y = model.eval(x=x, **truth) + noise * rng.normal(size=x.size)
        params = model.guess(y, x=x)
        result = model.fit(y, params, x=x)
        assert result.success, name
        out.append({'name': name, 'truth': truth, 'x': x.tolist(), 'y': y.tolist(),
                    'best': {k: p.value for k, p in result.params.items() if p.vary},
                    'stderr': {k: p.stderr for k, p in result.params.items() if p.vary},
                    'derived': {k: p.value for k, p in result.params.items() if not p.vary},
                    'derivedStderr': {k: p.stderr for k, p in result.params.items() if not p.vary and p.stderr}})
    return out


# composites: (exprfit model text, lmfit components with prefixes, true values)
def composite(text, parts, truth, x, noise, seed):
    model = parts[0]
    for p in parts[1:]:
        model = model + p
    rng = np.random.RandomState(seed)
    y = model.eval(x=x, **truth) + noise * rng.normal(size=x.size)
    params = model.make_params(**truth)
    result = model.fit(y, params, x=x)
    assert result.success, text
    return {'model': text, 'x': x.tolist(), 'y': y.tolist(), 'truth': truth,
            'best': {k: p.value for k, p in result.params.items() if p.vary},
            'stderr': {k: p.stderr for k, p in result.params.items() if p.vary}}


def composite_cases():
    x = np.linspace(0, 20, 301)
    two = composite(
        'y = gaussian(x; g1) + gaussian(x; g2) + linear(x)',
        [M.GaussianModel(prefix='g1_'), M.GaussianModel(prefix='g2_'), M.LinearModel()],
        dict(g1_amplitude=6.0, g1_center=6.0, g1_sigma=0.7, g2_amplitude=4.0, g2_center=13.5, g2_sigma=1.1,
             slope=0.04, intercept=0.8), x, 0.03, 7)
    five = composite(
        'y = gaussian(x; p1) + lorentzian(x; p2) + gaussian(x; p3) + voigt(x; p4) + gaussian(x; p5) + linear(x)',
        [M.GaussianModel(prefix='p1_'), M.LorentzianModel(prefix='p2_'), M.GaussianModel(prefix='p3_'),
         M.VoigtModel(prefix='p4_'), M.GaussianModel(prefix='p5_'), M.LinearModel()],
        dict(p1_amplitude=3.0, p1_center=2.5, p1_sigma=0.4, p2_amplitude=5.0, p2_center=6.0, p2_sigma=0.5,
             p3_amplitude=4.0, p3_center=9.5, p3_sigma=0.6, p4_amplitude=6.0, p4_center=13.0, p4_sigma=0.35,
             p5_amplitude=2.5, p5_center=17.0, p5_sigma=0.5, slope=-0.03, intercept=1.0), x, 0.03, 11)
    return [two, five]


def main():
    out = {'lmfit': lmfit.__version__, 'numpy': np.__version__, 'lineshapes': lineshape_cases(),
           'fits': fit_cases(), 'composite': composite_cases()}
    path = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'lmfit', 'models.json')
    with open(path, 'w') as f:
        json.dump(out, f, indent=1)
        f.write('\n')


if __name__ == '__main__':
    main()
