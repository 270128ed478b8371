// An aggregate id far above the last accepted one is not taken on its word:
// it is held until the symbol's next id says whether it is real. A next id
// within max_jump above it confirms it (a venue restart, an outage of days);
// anything else refuses it (a corrupt or hostile id) and is judged on its
// own. The live feed and the journal's scan and repair read a sequence the
// same way through this class. Header-only; allocates nothing.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>

#include "feed/agg_id_sequencer.h"

namespace alphastream {

// Item: what travels with an id (a trade, a journal key); copied.
template <class Item>
class IdJumpGuard {
 public:
  struct Step {
    std::optional<Item> released;  // the held item, confirmed: take it before this one
    std::optional<Item> refused;   // the held item, which this id did not confirm
    bool take = false;             // take this one now; false: it is held
  };

  // Judges id, which comes with item, against sequencer (the symbol's, as
  // it stands before this id) and the item held, if any.
  Step next(const AggIdSequencer& sequencer, std::int64_t id, const Item& item, std::int64_t max_jump) {
    const bool jump = sequencer.started() && id > sequencer.last_accepted() && id - sequencer.last_accepted() > max_jump;
    Step step;
    if (held_) {
      const auto [held_id, held_item] = *std::exchange(held_, std::nullopt);
      if (id > held_id && id - held_id <= max_jump) {
        step.released = held_item;
        step.take = true;
        return step;
      }
      step.refused = held_item;
    }
    if (jump) {
      held_.emplace(id, item);
      return step;
    }
    step.take = true;
    return step;
  }

  // The end of the data: the held item, which no id confirmed, if any.
  std::optional<Item> finish() {
    if (!held_) return std::nullopt;
    return std::exchange(held_, std::nullopt)->second;
  }

  bool holding() const { return held_.has_value(); }
  // REQUIRES: holding()
  std::int64_t held_id() const { return held_->first; }

 private:
  std::optional<std::pair<std::int64_t, Item>> held_;
};

}  // namespace alphastream
