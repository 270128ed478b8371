// The other process of the storage tests.
//
//   journal_helper record <dir> <batch> <batches>
//     Records numbered_trade(n) for n = the journal's trade count onwards,
//     in groups of <batch>; after each group flushes and prints the number
//     of trades in the journal that are known committed ("<count>\n").
//     With <batches> = 0 it never stops (the test kills it); otherwise it
//     prints "done", waits for EOF on stdin and closes the recorder.
//   journal_helper record-ids <dir> <id>...
//     Records numbered_trade(n) for n = 0, 1, ... with the given aggregate
//     ids instead of their own (a journal with a poisoned id, say), closes
//     the recorder and prints "done".
//   journal_helper hold-write-lock <dir>
//     Opens the journal with plain LMDB, begins a write transaction (so
//     every other writer blocks), prints "locked", waits for EOF on stdin,
//     then aborts the transaction.
#include <lmdb.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "storage/trade_recorder.h"
#include "storage_test_support.h"

namespace {

int fail(const std::string& message) {
  std::fprintf(stderr, "journal_helper: %s\n", message.c_str());
  return 2;
}

void wait_for_stdin_eof() {
  char buffer[64];
  while (std::fread(buffer, 1, sizeof buffer, stdin) > 0) {
  }
}

int record(const std::string& dir, std::uint64_t batch, std::uint64_t batches) {
  alphastream::TradeRecorderOptions options;
  options.path = dir;
  options.map_size_mb = 256;
  auto recorder = alphastream::TradeRecorder::open(options);
  if (!recorder) return fail(recorder.error());
  const std::uint64_t start = (*recorder)->summary_at_open().trade_count;
  std::uint64_t next = start;
  for (std::uint64_t round = 0; batches == 0 || round < batches; ++round) {
    for (std::uint64_t i = 0; i < batch; ++i) {
      // A full queue is retried: this stream must have no holes.
      while (!(*recorder)->record(alphastream::testing::numbered_trade(next))) {
      }
      ++next;
    }
    if (alphastream::Status status = (*recorder)->flush(); !status) return fail(status.message());
    std::printf("%llu\n", static_cast<unsigned long long>(start + (*recorder)->stats().records_total));
    std::fflush(stdout);
  }
  std::printf("done\n");
  std::fflush(stdout);
  wait_for_stdin_eof();
  return 0;
}

int record_ids(const std::string& dir, int count, char** ids) {
  alphastream::TradeRecorderOptions options;
  options.path = dir;
  options.map_size_mb = 64;
  auto recorder = alphastream::TradeRecorder::open(options);
  if (!recorder) return fail(recorder.error());
  for (int i = 0; i < count; ++i) {
    alphastream::AggTrade trade = alphastream::testing::numbered_trade(static_cast<std::uint64_t>(i));
    trade.agg_trade_id = std::strtoll(ids[i], nullptr, 10);
    if (!(*recorder)->record(trade)) return fail("the recorder's queue is full");
  }
  if (alphastream::Status status = (*recorder)->flush(); !status) return fail(status.message());
  std::printf("done\n");
  return 0;
}

int hold_write_lock(const std::string& dir) {
  MDB_env* env = nullptr;
  MDB_txn* txn = nullptr;
  if (int rc = mdb_env_create(&env); rc != 0) return fail(mdb_strerror(rc));
  if (int rc = mdb_env_set_maxdbs(env, 2); rc != 0) return fail(mdb_strerror(rc));
  if (int rc = mdb_env_open(env, dir.c_str(), 0, 0644); rc != 0) return fail(mdb_strerror(rc));
  if (int rc = mdb_txn_begin(env, nullptr, 0, &txn); rc != 0) return fail(mdb_strerror(rc));
  std::printf("locked\n");
  std::fflush(stdout);
  wait_for_stdin_eof();
  mdb_txn_abort(txn);
  mdb_env_close(env);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 5 && std::strcmp(argv[1], "record") == 0) {
    return record(argv[2], std::strtoull(argv[3], nullptr, 10), std::strtoull(argv[4], nullptr, 10));
  }
  if (argc >= 3 && std::strcmp(argv[1], "record-ids") == 0) return record_ids(argv[2], argc - 3, argv + 3);
  if (argc == 3 && std::strcmp(argv[1], "hold-write-lock") == 0) return hold_write_lock(argv[2]);
  return fail("usage: journal_helper record <dir> <batch> <batches> | record-ids <dir> <id>... | "
              "hold-write-lock <dir>");
}
