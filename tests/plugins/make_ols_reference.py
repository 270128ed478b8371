#!/usr/bin/python3
"""Writes the reference for the ols plugin test: a generated pair series and,
for every observation, the rolling fit over the last WINDOW observations from
numpy.polyfit (beta, alpha) and statsmodels RollingOLS (beta, alpha,
r_squared, sqrt(mse_resid)). Empty cells before the window is full.

Usage: make_ols_reference.py OUT.csv"""
import sys

import numpy as np
import statsmodels.api as sm
from statsmodels.regression.rolling import RollingOLS

WINDOW = 60
N = 3000

rng = np.random.default_rng(20240611)
x = 100.0 + np.cumsum(rng.normal(0.0, 0.5, N))
# y = 5 + 1.7 x + an AR(1) spread, so beta drifts window to window.
spread = np.zeros(N)
for i in range(1, N):
    spread[i] = 0.9 * spread[i - 1] + rng.normal(0.0, 1.0)
y = 5.0 + 1.7 * x + spread

fit = RollingOLS(y, sm.add_constant(x), window=WINDOW).fit()

def cell(v):
    return "" if np.isnan(v) else repr(float(v))

with open(sys.argv[1], "w") as out:
    out.write(f"# window={WINDOW}\n")
    out.write("x,y,polyfit_beta,polyfit_alpha,sm_beta,sm_alpha,sm_r_squared,sm_residual_std\n")
    for i in range(N):
        if i + 1 >= WINDOW:
            lo = i + 1 - WINDOW
            beta, alpha = np.polyfit(x[lo:i + 1], y[lo:i + 1], 1)
        else:
            beta = alpha = float("nan")
        row = [x[i], y[i], beta, alpha, fit.params[i, 1], fit.params[i, 0], fit.rsquared[i],
               np.sqrt(fit.mse_resid[i])]
        out.write(",".join(cell(v) for v in row) + "\n")
