#!/usr/bin/python3
"""Writes the reference for the huber plugin test: four generated pair series
and, for every observation once the window is full, statsmodels' robust fit
over the last WINDOW observations,
    RLM(y, add_constant(x), M=HuberT()).fit()                       (cold_*)
    RLM(y, add_constant(x), M=HuberT()).fit(start_params=previous)  (warm_*)
where `previous` is the warm fit of the window before (the first window
starts cold): params, scale and fit_history['iteration']. Empty cells before
the window is full.

Series (N observations each, x a random walk):
  clean        y = 5 + 1.7 x + N(0, 1), x near 100
  outliers     clean plus, on 5% of observations, +-U(20, 50)
  level_shift  clean plus 8 from the middle on (windows across it are the
               slow ones, some stopping at 50 iterations)
  prices       y = 2000 + 0.8 x + N(0, 3), x near 1e4, 2% outliers +-U(30, 90)

Usage: make_huber_reference.py OUT.csv"""
import sys
import warnings

import numpy as np
import statsmodels.api as sm
from statsmodels.robust.norms import HuberT
from statsmodels.tools.sm_exceptions import ConvergenceWarning

WINDOW = 60
N = 400

rng = np.random.default_rng(20240612)


def outliers(n, share, low, high):
    hit = rng.random(n) < share
    return hit * rng.choice([-1.0, 1.0], n) * rng.uniform(low, high, n)


def make_series():
    x = 100.0 + np.cumsum(rng.normal(0.0, 0.5, N))
    clean = 5.0 + 1.7 * x + rng.normal(0.0, 1.0, N)
    yield "clean", x, clean
    x = 100.0 + np.cumsum(rng.normal(0.0, 0.5, N))
    yield "outliers", x, 5.0 + 1.7 * x + rng.normal(0.0, 1.0, N) + outliers(N, 0.05, 20.0, 50.0)
    x = 100.0 + np.cumsum(rng.normal(0.0, 0.5, N))
    shift = np.where(np.arange(N) >= N // 2, 8.0, 0.0)
    yield "level_shift", x, 5.0 + 1.7 * x + rng.normal(0.0, 1.0, N) + shift
    x = 1e4 + np.cumsum(rng.normal(0.0, 5.0, N))
    yield "prices", x, 2000.0 + 0.8 * x + rng.normal(0.0, 3.0, N) + outliers(N, 0.02, 30.0, 90.0)


def cell(v):
    return "" if v is None else repr(float(v))


def fit_row(x, y, start):
    fit = sm.RLM(y, sm.add_constant(x), M=HuberT()).fit(start_params=start)
    return fit.params, [fit.params[1], fit.params[0], fit.scale, fit.fit_history["iteration"]]


# A zero scale (a perfect fit) warns and stops, as the plugin does.
warnings.simplefilter("ignore", ConvergenceWarning)
with open(sys.argv[1], "w") as out:
    out.write(f"# window={WINDOW}\n")
    out.write("series,x,y,cold_beta,cold_alpha,cold_scale,cold_iterations,"
              "warm_beta,warm_alpha,warm_scale,warm_iterations\n")
    for name, x, y in make_series():
        previous = None
        for i in range(N):
            row = [None] * 8
            if i + 1 >= WINDOW:
                lo = i + 1 - WINDOW
                _, row[0:4] = fit_row(x[lo:i + 1], y[lo:i + 1], None)
                previous, row[4:8] = fit_row(x[lo:i + 1], y[lo:i + 1], previous)
            out.write(",".join([name, cell(x[i]), cell(y[i])] + [cell(v) for v in row]) + "\n")
