#include "pipeline/signal_machine.h"

#include <cmath>
#include <limits>

namespace alphastream {

SignalMachine::SignalMachine(const ZScoreConfig& config)
    : entry_(config.entry), exit_(config.exit), stop_(config.stop.value_or(std::numeric_limits<double>::quiet_NaN())) {}

bool SignalMachine::may_enter(int side, double z) const {
  if (side == blocked_side_) return false;
  return std::isnan(stop_) || std::abs(z) <= stop_;
}

std::string_view signal_action_name(SignalAction action) {
  switch (action) {
    case SignalAction::kEnterLong:
      return "enter_long";
    case SignalAction::kEnterShort:
      return "enter_short";
    case SignalAction::kExit:
      return "exit";
    case SignalAction::kStop:
      return "stop";
    case SignalAction::kNone:
      break;
  }
  return "none";
}

SignalDecision SignalMachine::on_z(double z, bool entries_allowed) {
  if (std::isnan(z)) return {SignalAction::kNone, position_};
  if (blocked_side_ != 0 && std::abs(z) < entry_) blocked_side_ = 0;

  SignalAction action = SignalAction::kNone;
  if (position_ != 0) {
    if (!std::isnan(stop_) && std::abs(z) > stop_) {
      blocked_side_ = position_;
      position_ = 0;
      return {SignalAction::kStop, 0};
    }
    const bool exit = position_ < 0 ? z <= exit_ : z >= -exit_;
    if (!exit) return {SignalAction::kNone, position_};
    position_ = 0;
    action = SignalAction::kExit;
  }

  if (!entries_allowed) return {action, position_};
  if (z > entry_ && may_enter(-1, z)) {
    position_ = -1;
    return {SignalAction::kEnterShort, -1};
  }
  if (z < -entry_ && may_enter(+1, z)) {
    position_ = +1;
    return {SignalAction::kEnterLong, +1};
  }
  return {action, position_};
}

}  // namespace alphastream
