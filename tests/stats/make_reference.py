#!/usr/bin/python3
"""Writes the statsmodels reference values the stats tests compare against.

Usage: /usr/bin/python3 make_reference.py OUT.json
Needs Debian's numpy and statsmodels 0.13.5. Every series is generated here
from a fixed seed and written out with the results, so the C++ side tests the
same numbers. JSON has no infinity: null stands for +infinity.
"""
import json
import math
import sys
import warnings
from fractions import Fraction

import numpy as np
import statsmodels
import statsmodels.api as sm
from statsmodels.tsa.adfvalues import mackinnoncrit, mackinnonp
from statsmodels.tsa.stattools import adfuller, coint


def num(v):
    v = float(v)
    if math.isinf(v) and v > 0:
        return None
    assert math.isfinite(v), v
    return v


def ar1(rng, n, phi, sigma=1.0, start=0.0):
    e = rng.standard_normal(n) * sigma
    s = np.empty(n)
    s[0] = start + e[0]
    for t in range(1, n):
        s[t] = start + phi * (s[t - 1] - start) + e[t]
    return s


def series_cases():
    rng = np.random.RandomState(20240305)
    cases = {}
    cases["random_walk"] = np.cumsum(rng.standard_normal(500))
    cases["ar1_phi_0.5"] = ar1(rng, 500, 0.5)
    cases["ar1_phi_0.95"] = ar1(rng, 800, 0.95)
    e = rng.standard_normal(600)
    ar2 = np.zeros(600)
    for t in range(2, 600):
        ar2[t] = 0.6 * ar2[t - 1] + 0.25 * ar2[t - 2] + e[t]
    cases["ar2_0.6_0.25"] = ar2
    cases["trend_plus_noise"] = 0.05 * np.arange(400) + rng.standard_normal(400)
    cases["white_noise"] = rng.standard_normal(300)
    cases["short_n30"] = ar1(rng, 30, 0.3)
    cases["long_n5000"] = ar1(rng, 5000, 0.99)
    # A price near 1e5 (BTC-like) with moves of 1e-2, mean-reverting.
    cases["price_1e5_tiny_moves"] = ar1(rng, 1000, 0.9, sigma=1e-2, start=1e5)
    cases["price_1e5_random_walk"] = 1e5 + np.cumsum(rng.standard_normal(1000) * 1e-2)
    return cases


def adf_record(x, **kw):
    r = adfuller(x, regression="c", autolag="AIC", **kw)
    return {
        "stat": num(r[0]), "pvalue": num(r[1]), "used_lag": int(r[2]), "nobs": int(r[3]),
        "crit_1pct": num(r[4]["1%"]), "crit_5pct": num(r[4]["5%"]), "crit_10pct": num(r[4]["10%"]),
        "icbest": num(r[5]),
    }


def adf_n_record(x):
    """adfuller without deterministic terms, as coint runs it on residuals."""
    r = adfuller(x, regression="n", autolag="AIC")
    return {
        "stat": num(r[0]), "pvalue": num(r[1]), "used_lag": int(r[2]), "nobs": int(r[3]),
        "crit_1pct": num(r[4]["1%"]), "crit_5pct": num(r[4]["5%"]), "crit_10pct": num(r[4]["10%"]),
        "icbest": num(r[5]),
    }


def adf_fixed_lag_record(x, lag):
    r = adfuller(x, maxlag=lag, regression="c", autolag=None)
    return {"max_lag": lag, "stat": num(r[0]), "pvalue": num(r[1]), "used_lag": int(r[2]),
            "nobs": int(r[3]), "crit_1pct": num(r[4]["1%"]), "crit_5pct": num(r[4]["5%"]),
            "crit_10pct": num(r[4]["10%"])}


def half_life_record(s):
    res = sm.OLS(np.diff(s), sm.add_constant(s[:-1])).fit()
    b = float(res.params[1])
    phi = 1 + b
    hl = math.inf if b >= 0 else -math.log(2) / math.log(phi)
    return {"slope": num(b), "half_life_obs": num(hl)}


def exact_ols(x, y):
    """alpha, beta and their standard errors in exact rational arithmetic."""
    n = len(x)
    fx = [Fraction(float(v)) for v in x]
    fy = [Fraction(float(v)) for v in y]
    mx, my = sum(fx) / n, sum(fy) / n
    sxx = sum((a - mx) ** 2 for a in fx)
    sxy = sum((a - mx) * (b - my) for a, b in zip(fx, fy))
    syy = sum((b - my) ** 2 for b in fy)
    beta = sxy / sxx
    alpha = my - beta * mx
    ssr = syy - beta * sxy
    scale = ssr / (n - 2)
    return {
        "alpha_fraction": alpha, "beta_fraction": beta,
        "alpha": float(alpha), "beta": float(beta),
        "alpha_se": math.sqrt(scale * (Fraction(1, n) + mx * mx / sxx)),
        "beta_se": math.sqrt(scale / sxx),
        "r_squared": float(1 - ssr / syy), "residual_std": math.sqrt(scale),
    }


def ols_record(name, x, y):
    res = sm.OLS(y, sm.add_constant(x)).fit()
    coef, *_ = np.linalg.lstsq(np.column_stack([np.ones_like(x), x]), y, rcond=None)
    return {
        "name": name, "x": [num(v) for v in x], "y": [num(v) for v in y],
        "statsmodels": {"alpha": num(res.params[0]), "beta": num(res.params[1]),
                        "alpha_se": num(res.bse[0]), "beta_se": num(res.bse[1]),
                        "r_squared": num(res.rsquared), "residual_std": num(math.sqrt(res.scale))},
        "lstsq": {"alpha": num(coef[0]), "beta": num(coef[1])},
        "exact": {k: v for k, v in exact_ols(x, y).items() if not k.endswith("_fraction")},
    }


def ols_cases():
    rng = np.random.RandomState(7)
    out = []
    x = rng.standard_normal(200) * 3 + 10
    out.append(ols_record("noisy_line", x, 1.5 - 0.7 * x + rng.standard_normal(200)))
    # BTC-like x near 1e5 moving by 1e-2, y = 50 + 0.98 x + 1e-3 noise.
    x = 1e5 + np.cumsum(rng.standard_normal(1000) * 1e-2)
    out.append(ols_record("price_1e5_tiny_moves", x, 50 + 0.98 * x + rng.standard_normal(1000) * 1e-3))
    return out


def engle_granger_record(name, x, y, exact_hedge=False):
    """statsmodels OLS, then adfuller and the half-life of its residuals.

    exact_hedge: take alpha and beta from exact_ols instead, for legs near 1e5
    where statsmodels' uncentred pinv loses digits of alpha, and form the
    residuals exactly: in doubles y - alpha - beta x cancels ~1e5 down to
    ~1e-3 and keeps only ~8 digits.
    """
    if exact_hedge:
        fit = exact_ols(x, y)
        alpha, beta = fit["alpha"], fit["beta"]
        a, b = fit["alpha_fraction"], fit["beta_fraction"]
        resid = np.array([float(Fraction(float(yi)) - a - b * Fraction(float(xi)))
                          for xi, yi in zip(x, y)])
    else:
        res = sm.OLS(y, sm.add_constant(x)).fit()
        alpha, beta = float(res.params[0]), float(res.params[1])
        resid = y - alpha - beta * x
    return {"name": name, "x": [num(v) for v in x], "y": [num(v) for v in y],
            "alpha": num(alpha), "beta": num(beta),
            "adf": adf_record(resid), "half_life": half_life_record(resid)}


def engle_granger_cases():
    rng = np.random.RandomState(11)
    out = []
    x = 100 + np.cumsum(rng.standard_normal(700))
    out.append(engle_granger_record("cointegrated", x, 5 + 2 * x + ar1(rng, 700, 0.8)))
    x = 100 + np.cumsum(rng.standard_normal(700))
    out.append(engle_granger_record("independent_walks", x, 50 + np.cumsum(rng.standard_normal(700))))
    # BTC-like legs near 1e5 moving by ~1e-2, cointegrated with beta 0.97.
    x = 1e5 + np.cumsum(rng.standard_normal(1500) * 1e-2)
    y = 3000 + 0.97 * x + ar1(rng, 1500, 0.7, sigma=2e-3)
    out.append(engle_granger_record("price_1e5_cointegrated", x, y, exact_hedge=True))
    return out


def coint_direction(y0, y1):
    """coint(y0, y1) with the defaults, plus the lag its residual ADF used.

    JSON has no -infinity: a collinear pair has "collinear": true and stat
    null; its p-value is 0.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the CollinearityWarning of near_collinear
        stat, pvalue, crit = coint(y0, y1, trend="c", method="aeg", maxlag=None, autolag="aic")
    res = sm.OLS(y0, sm.add_constant(y1, prepend=False)).fit()
    rec = {"collinear": bool(np.isneginf(stat)), "pvalue": num(pvalue),
           "crit": [num(v) for v in crit], "beta": num(res.params[0]), "alpha": num(res.params[1]),
           "r_squared": num(res.rsquared)}
    if rec["collinear"]:
        rec["stat"] = None
    else:
        rec["stat"] = num(stat)
        adf = adfuller(res.resid, regression="n", autolag="aic")
        assert adf[0] == stat
        rec["used_lag"] = int(adf[2])
        rec["adf_nobs"] = int(adf[3])
    return rec


def coint_cases():
    rng = np.random.RandomState(29)
    out = []

    def add(name, x, y):
        out.append({"name": name, "x": [num(v) for v in x], "y": [num(v) for v in y],
                    "y_on_x": coint_direction(y, x), "x_on_y": coint_direction(x, y)})

    x = 100 + np.cumsum(rng.standard_normal(700))
    add("cointegrated_ar1_0.8", x, 5 + 2 * x + ar1(rng, 700, 0.8))
    x = 100 + np.cumsum(rng.standard_normal(700))
    add("independent_walks", x, 50 + np.cumsum(rng.standard_normal(700)))
    # White-noise residual: the lagged differences have a unit MA root.
    x = 100 + np.cumsum(rng.standard_normal(5000))
    add("white_noise_spread_n5000", x, 1 + 0.5 * x + rng.standard_normal(5000))
    # Second-like prices on a 0.01 tick: many zero moves, slow reversion.
    x = np.round(100 * np.exp(np.cumsum(rng.standard_normal(3000) * 1e-3)), 2)
    add("ticked_slow_reversion_n3000", x, np.round(20 + 1.5 * x + ar1(rng, 3000, 0.99, sigma=0.05), 2))
    # R^2 just below 1 - 100 sqrt(eps) ~ 1 - 1.5e-6: the ADF still runs.
    x = 100 + np.cumsum(rng.standard_normal(700))
    add("tight_but_not_collinear", x, 3 + 1.5 * x + rng.standard_normal(700) * 0.1)
    # R^2 above it: statsmodels reports -inf and p = 0.
    x = 100 + np.cumsum(rng.standard_normal(700))
    add("near_collinear", x, 3 + 1.5 * x + rng.standard_normal(700) * 1e-4)
    return out


def main():
    out_path = sys.argv[1]
    series = []
    for name, x in series_cases().items():
        # ADF and half-life are invariant to a shift of the level. For the
        # prices near 1e5, x - 1e5 is exact in binary and keeps statsmodels'
        # pinv well conditioned, so the reference is computed on it.
        ref = x - 1e5 if name.startswith("price_1e5") else x
        rec = {"name": name, "values": [num(v) for v in x], "adf": adf_record(ref),
               "adf_lag_2": adf_fixed_lag_record(ref, 2), "half_life": half_life_record(ref)}
        # Without a constant the test is not shift invariant, and statsmodels'
        # pinv of a level near 1e5 beside moves of 1e-2 loses ~7 digits: no
        # 'n' reference for those two.
        if not name.startswith("price_1e5"):
            rec["adf_n"] = adf_n_record(x)
        series.append(rec)

    stats = [float(v) for v in np.round(np.arange(-20.0, 3.01, 0.25), 2)]
    pvalues = []
    for n_vars in range(1, 7):
        cut = [statsmodels.tsa.adfvalues.tau_star_c[n_vars - 1],
               statsmodels.tsa.adfvalues.tau_min_c[n_vars - 1],
               statsmodels.tsa.adfvalues.tau_max_c[n_vars - 1]]
        for s in stats + [float(c) for c in cut] + [-2.862, -3.4, -1.0, 0.5]:
            pvalues.append({"n_vars": n_vars, "stat": s, "pvalue": num(mackinnonp(s, "c", n_vars))})

    crits = []
    for n_vars in range(1, 13):
        for nobs in [10, 30, 100, 499, 5000, None]:
            c = mackinnoncrit(N=n_vars, regression="c", nobs=np.inf if nobs is None else nobs)
            crits.append({"n_vars": n_vars, "nobs": nobs, "crit": [num(v) for v in c]})

    doc = {"statsmodels_version": statsmodels.__version__, "series": series, "mackinnonp": pvalues,
           "mackinnoncrit": crits, "ols": ols_cases(), "engle_granger": engle_granger_cases(),
           "coint": coint_cases()}
    with open(out_path, "w") as f:
        json.dump(doc, f)


if __name__ == "__main__":
    main()
