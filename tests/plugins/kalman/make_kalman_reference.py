#!/usr/bin/python3
"""Writes the numpy reference for the kalman plugin test: a generated pair
series (x a random walk from 100, y = 1.5 x + 20 + noise) and, for every
observation, the filter's outputs from the model's equations written
independently with numpy matrices in float64.

Usage: make_kalman_reference.py OUT.csv"""
import sys

import numpy as np

DELTA = 1e-4
VE = 1e-3
P0 = 1.0
N = 10000

rng = np.random.default_rng(20240612)
x = 100.0 + np.cumsum(rng.normal(0.0, 0.2, N))
y = 1.5 * x + 20.0 + rng.normal(0.0, 0.1, N)

vw = DELTA / (1.0 - DELTA)
theta = np.zeros((2, 1))
p = P0 * np.eye(2)

with open(sys.argv[1], "w") as out:
    out.write(f"# delta={DELTA!r} ve={VE!r} p0={P0!r}\n")
    out.write("x,y,beta,alpha,spread,forecast_std\n")
    for t in range(N):
        h = np.array([[x[t], 1.0]])
        r = p + vw * np.eye(2)
        yhat = (h @ theta).item()
        q = (h @ r @ h.T).item() + VE
        e = y[t] - yhat
        k = r @ h.T / q
        theta = theta + k * e
        p = r - k @ h @ r
        row = [x[t], y[t], theta[0, 0], theta[1, 0], e, np.sqrt(q)]
        out.write(",".join(repr(float(v)) for v in row) + "\n")
