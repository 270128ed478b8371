// The filter behind the `kalman` plugin: a dynamic hedge ratio, y on x.
//
// The model, which defines every number the plugin outputs:
//   state theta_t = (beta, alpha)', a random walk: theta_t = theta_{t-1} + w,
//     w ~ N(0, Vw I), Vw = delta / (1 - delta); theta_0 = 0, P_0 = p0 I;
//   observation y_t = H_t theta_t + v, H_t = (x_t, 1), v ~ N(0, ve).
// Each observation, with R = P + Vw I and g = R H':
//   Q = H g + ve,  e = y - H theta,  K = g / Q,  theta += K e,  P = R - K H R.
// e uses the state before this observation: it is the one-step forecast
// error, free of look-ahead.
//
// Numerics. With x ~ 1e5, beta and alpha are nearly collinear in P (the data
// pin x beta + alpha far better than either), so the textbook steps subtract
// numbers ~x^2 larger than their result: H R H' = r11 x^2 + 2 r12 x + r22
// and R - K H R lose up to ~10 digits at small delta (the plain double
// filter's spread is off by 5e-5 of its scale at delta 1e-12), and nothing
// in them keeps P positive definite.
// The same equations are therefore evaluated through exact identities whose
// terms are all positive (d = x + r12 / r11, u = (1, -x)'):
//   (1) H R H' = r11 d^2 + det R / r11                    (complete the square)
//   (2) g = (r11 d, r12 d + det R / r11)'                  (expand, same square)
//   (3) R - g g' / Q = (ve R + det R u u') / Q             (entry by entry:
//       r11 Q - g1^2 = det R + ve r11, r12 Q - g1 g2 = ve r12 - x det R,
//       r22 Q - g2^2 = x^2 det R + ve r22)
//   (4) det P = det R ve / Q                               (matrix determinant lemma)
//   (5) det R = det(P + Vw I) = det P + Vw (p11 + p22 + Vw)
// so det P is carried by its own recursion (4)-(5) and never formed as
// p11 p22 - p12^2, where the cancellation would be. P is stored as its upper
// triangle, so it is symmetric by construction, and (3) makes it a positive
// combination of a positive definite and a semidefinite matrix: its diagonal
// and det are sums and products of positive terms, and so are the r11 and Q
// the filter divides by. This supersedes both the Joseph form, whose
// I - K H has entries 1 - k1 x that cancel the same way, and
// symmetrisation, which repairs symmetry but not definiteness.
//
// Why not centre x instead: beta (x - x0) + alpha' with alpha' = alpha +
// beta x0 is the same filter only if its noise is T Vw I T' with T = [1 0;
// x0 1], i.e. Vw [1 x0; x0 1 + x0^2], whose condition number ~x0^4 (1e20)
// brings the cancellation back; with Vw I on (beta, alpha') it is another
// model. Identity (1) is the centring done exactly: -r12 / r11 is the x at
// which the forecast variance is least.
//
// Everything runs in long double (64-bit mantissa where the platform has
// it): d = x + r12 / r11, which sets the gain, and e = y - (beta x + alpha)
// are differences of numbers of x's and y's size, and the state accumulates
// theta += K e with rounding relative to its level; in double these cost up
// to ~5e-10 of the spread's scale at x ~ 1e5 and delta 1e-12, in long double
// ~2e-13 (kalman_reference_test), at ~3x the time of double. No allocation.
#pragma once

#include <cmath>

namespace alphastream::kalman {

// One observation's outputs, in the plugin's output order.
struct KalmanStep {
  double beta;          // after this observation's update
  double alpha;         // after this observation's update
  double spread;        // e = y - (beta x + alpha) with the state before this observation
  double forecast_std;  // sqrt(Q), the standard deviation the model gives e
};

// The covariance P of (beta, alpha) after the last update.
struct KalmanCovariance {
  long double p11, p12, p22;  // beta's variance, the covariance, alpha's variance
  long double det;            // det P from recursion (4)-(5), not from the entries
};

class KalmanHedgeFilter {
 public:
  // REQUIRES: 0 < delta < 1, ve > 0, p0 > 0, all finite.
  KalmanHedgeFilter(double delta, double ve, double p0)
      : vw_(static_cast<long double>(delta) / (1.0L - delta)),
        ve_(ve),
        p11_(p0),
        p22_(p0),
        det_(static_cast<long double>(p0) * p0) {}

  // Consumes one observation and fills `out`. Returns false, leaving the
  // state and `out` as they were, if x or y or any result is not finite.
  bool update(double x_in, double y, KalmanStep& out) noexcept {
    if (!std::isfinite(x_in) || !std::isfinite(y)) return false;
    const long double x = x_in;
    const long double r11 = p11_ + vw_;
    const long double r12 = p12_;
    const long double r22 = p22_ + vw_;
    const long double det_r = det_ + vw_ * (p11_ + p22_ + vw_);  // (5)
    const long double inv_r11 = 1.0L / r11;
    const long double det_r_over_r11 = det_r * inv_r11;
    const long double d = x + r12 * inv_r11;
    const long double q = r11 * d * d + det_r_over_r11 + ve_;  // (1)
    const long double inv_q = 1.0L / q;
    const long double e = y - (beta_ * x + alpha_);
    const long double beta = beta_ + r11 * d * inv_q * e;                       // (2)
    const long double alpha = alpha_ + (r12 * d + det_r_over_r11) * inv_q * e;  // (2)
    const long double p11 = (ve_ * r11 + det_r) * inv_q;                        // (3)
    const long double p12 = (ve_ * r12 - x * det_r) * inv_q;                    // (3)
    const long double p22 = (ve_ * r22 + x * x * det_r) * inv_q;                // (3)
    const long double det = det_r * ve_ * inv_q;                                // (4)
    const KalmanStep step{static_cast<double>(beta), static_cast<double>(alpha), static_cast<double>(e),
                          static_cast<double>(std::sqrt(q))};
    // P needs no check: each update can only shrink R, so P stays within
    // p0 + t Vw of the diagonal, far inside long double's range.
    if (!std::isfinite(step.beta) || !std::isfinite(step.alpha) || !std::isfinite(step.spread) ||
        !std::isfinite(step.forecast_std)) {
      return false;
    }
    beta_ = beta;
    alpha_ = alpha;
    p11_ = p11;
    p12_ = p12;
    p22_ = p22;
    det_ = det;
    out = step;
    return true;
  }

  // The filter's state for the plugin's state extension (plugin.hpp).
  template <class Archive>
  void state(Archive& archive) {
    archive.expect("delta", vw_);
    archive.expect("ve", ve_);
    archive(beta_, alpha_, p11_, p12_, p22_, det_);
  }

  long double beta() const { return beta_; }
  long double alpha() const { return alpha_; }
  KalmanCovariance covariance() const { return {p11_, p12_, p22_, det_}; }

 private:
  const long double vw_;  // the state noise variance per observation
  const long double ve_;  // the observation noise variance
  long double beta_ = 0, alpha_ = 0;
  long double p11_, p12_ = 0, p22_;
  long double det_;
};

}  // namespace alphastream::kalman
