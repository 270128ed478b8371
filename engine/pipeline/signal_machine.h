// Turns z-scores into a target position in spread units: +1 is long the
// spread (long y, short beta * x), -1 short it, 0 flat.
#pragma once

#include <cstdint>
#include <string_view>

#include "config/pipeline_config.h"

namespace alphastream {

enum class SignalAction : std::uint8_t { kNone, kEnterLong, kEnterShort, kExit, kStop };

// "enter_long", "enter_short", "exit", "stop" or "none": alert kinds and labels.
std::string_view signal_action_name(SignalAction action);

struct SignalDecision {
  SignalAction action = SignalAction::kNone;
  int target_position = 0;  // -1, 0 or +1, after this decision
};

// Rules, for each z:
//  - NaN z: no action, the position is kept.
//  - In a position and |z| > stop (stop not NaN): kStop, flat. No new entry on
//    the side that was stopped until |z| < entry again; the other side is
//    not blocked. No entry on the stop's own observation.
//  - Short: kExit when z <= exit. Long: kExit when z >= -exit.
//  - Flat, or just exited: z > entry enters short (-1), z < -entry enters long
//    (+1), if that side is not blocked and, when stop is set, |z| <= stop (an
//    entry beyond the stop would be stopped on the next observation). An exit
//    and an entry on the same z is a reversal: the action is the entry and
//    the target jumps from -1 to +1 or from +1 to -1.
// Allocates nothing.
class SignalMachine {
 public:
  // REQUIRES: entry > 0, exit < entry, stop unset or > entry (the config layer
  // checks these).
  explicit SignalMachine(const ZScoreConfig& config);

  // entries_allowed = false (e.g. the stationarity gate is closed) blocks new
  // entries, reversals included; exits and stops still happen.
  SignalDecision on_z(double z, bool entries_allowed = true);

  int position() const { return position_; }
  // The side entries are blocked on after a stop: -1, +1, or 0 for none.
  int blocked_side() const { return blocked_side_; }

 private:
  bool may_enter(int side, double z) const;

  double entry_;
  double exit_;
  double stop_;
  int position_ = 0;
  int blocked_side_ = 0;
};

}  // namespace alphastream
