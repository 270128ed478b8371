// The aggregate trade ids of one symbol increase by one per trade. The
// sequencer remembers the last id accepted and classifies each new one, so
// the CSV import and the live feed (across reconnects) count duplicates and
// holes the same way. Header-only; allocates nothing.
#pragma once

#include <cstdint>

namespace alphastream {

class AggIdSequencer {
 public:
  enum class Verdict : std::uint8_t {
    kNew,        // the next id, or the first id ever seen
    kDuplicate,  // id <= last accepted: not accepted
    kGap,        // id > last accepted + 1: accepted, ids in between missing
  };

  struct Observation {
    Verdict verdict = Verdict::kNew;
    // The missing ids, both ends included; set only for kGap.
    std::int64_t first_missing = 0;
    std::int64_t last_missing = 0;
  };

  AggIdSequencer() = default;
  // Continues after a known id (e.g. the last one stored before a restart):
  // the next id expected is last_accepted + 1.
  explicit AggIdSequencer(std::int64_t last_accepted)
      : started_(true), last_accepted_(last_accepted) {}

  // Classifies id and, unless it is a duplicate, accepts it as the last id.
  Observation observe(std::int64_t id) {
    if (!started_) {
      started_ = true;
      last_accepted_ = id;
      ++accepted_;
      return {};
    }
    if (id <= last_accepted_) {
      ++duplicates_;
      return {Verdict::kDuplicate, 0, 0};
    }
    Observation result;
    if (id > last_accepted_ + 1) {
      result = {Verdict::kGap, last_accepted_ + 1, id - 1};
      ++gaps_;
      missing_ids_ += static_cast<std::uint64_t>(id - 1 - last_accepted_);
    }
    last_accepted_ = id;
    ++accepted_;
    return result;
  }

  // True once an id has been accepted (or one was given to the constructor).
  bool started() const { return started_; }
  // REQUIRES: started()
  std::int64_t last_accepted() const { return last_accepted_; }

  std::uint64_t accepted() const { return accepted_; }
  std::uint64_t duplicates() const { return duplicates_; }
  std::uint64_t gaps() const { return gaps_; }
  // Sum of the lengths of all gaps.
  std::uint64_t missing_ids() const { return missing_ids_; }

 private:
  bool started_ = false;
  std::int64_t last_accepted_ = 0;
  std::uint64_t accepted_ = 0;
  std::uint64_t duplicates_ = 0;
  std::uint64_t gaps_ = 0;
  std::uint64_t missing_ids_ = 0;
};

}  // namespace alphastream
