// Workers dividing pairs through leases in a JetStream key-value bucket of a
// real nats-server (-js, loopback, a store of its own), started per test.
#include "bus/pair_leases.h"

#include <gtest/gtest.h>
#include <nats/nats.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace alphastream {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

bool listening(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return ok;
}

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(50ms);
  }
  return condition();
}

const std::vector<std::string> kPairs{"btc-eth", "eth-sol", "sol-avax", "bnb-xrp", "ada-dot", "link-uni", "ltc-bch",
                                      "atom-near"};

class PairLeasesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* server = std::getenv("NATS_SERVER");
    const std::string binary = server != nullptr ? server : "/usr/sbin/nats-server";
    if (!fs::exists(binary)) GTEST_SKIP() << binary << " is not installed";
    dir_ = fs::temp_directory_path() / ("alphastream-leases-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    port_ = free_port();
    pid_ = ::fork();
    if (pid_ == 0) {
      const std::string store = (dir_ / "store").string(), port = std::to_string(port_),
                        log = (dir_ / "nats.log").string();
      ::execl(binary.c_str(), binary.c_str(), "-js", "-sd", store.c_str(), "-p", port.c_str(), "-a", "127.0.0.1",
              "-l", log.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ASSERT_TRUE(eventually([&] { return listening(port_); }, 20s)) << "nats-server did not listen on " << port_;
  }

  void TearDown() override {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
    fs::remove_all(dir_);
  }

  PairLeaseSettings settings(const std::string& worker, std::chrono::milliseconds ttl = 1500ms) const {
    PairLeaseSettings s;
    s.servers = {"nats://127.0.0.1:" + std::to_string(port_)};
    s.bucket = "LEASES_TEST";
    s.ttl = ttl;
    s.worker = worker;
    return s;
  }

  std::unique_ptr<PairLeases> worker(const std::string& id) {
    auto connected = PairLeases::connect(settings(id));
    EXPECT_TRUE(connected) << connected.error();
    return connected ? std::move(connected.value()) : nullptr;
  }

  // Two rounds each: w-a takes everything, w-b joins, w-a hands over, w-b claims.
  static void settle(PairLeases& a, PairLeases& b) {
    for (int i = 0; i < 2; ++i) {
      a.run_round(kPairs);
      b.run_round(kPairs);
    }
  }

  fs::path dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

// A plain NATS client on the test's server, writing the bucket directly as
// anyone with access could.
struct BucketWriter {
  explicit BucketWriter(int port) {
    const std::string url = "nats://127.0.0.1:" + std::to_string(port);
    EXPECT_EQ(natsConnection_ConnectTo(&connection, url.c_str()), NATS_OK);
    EXPECT_EQ(natsConnection_JetStream(&js, connection, nullptr), NATS_OK);
  }
  ~BucketWriter() {
    kvStore_Destroy(kv);
    jsCtx_Destroy(js);
    natsConnection_Destroy(connection);
  }
  natsConnection* connection = nullptr;
  jsCtx* js = nullptr;
  kvStore* kv = nullptr;
};

std::set<std::string> owned_by(const std::string& worker, const std::vector<std::string>& workers) {
  std::set<std::string> out;
  for (const std::string& pair : kPairs) {
    if (rendezvous_owner(pair, workers) == worker) out.insert(pair);
  }
  return out;
}

std::set<std::string> as_set(const std::vector<std::string>& v) { return {v.begin(), v.end()}; }

TEST(RendezvousOwner, LosingAWorkerMovesOnlyItsPairsAndTheShareIsEven) {
  std::vector<std::string> pairs;
  for (int i = 0; i < 4000; ++i) pairs.push_back("pair-" + std::to_string(i));
  const std::vector<std::string> four{"w-a", "w-b", "w-c", "w-d"}, three{"w-a", "w-b", "w-d"};
  std::map<std::string, int> share;
  for (const std::string& pair : pairs) {
    const std::string& before = rendezvous_owner(pair, four);
    ++share[before];
    const std::string& after = rendezvous_owner(pair, three);
    if (before != "w-c") {
      EXPECT_EQ(after, before) << pair;  // only w-c's pairs move
    }
    // The order the workers are listed in does not matter.
    EXPECT_EQ(rendezvous_owner(pair, {"w-d", "w-c", "w-b", "w-a"}), before);
  }
  for (const auto& [worker, count] : share) {
    EXPECT_GT(count, 850) << worker;  // 1000 each on average; 5 sigma is ~140
    EXPECT_LT(count, 1150) << worker;
  }
}

TEST(WorkerId, HostNameAndPidAndTheCharactersAllowed) {
  EXPECT_TRUE(is_worker_id(default_worker_id())) << default_worker_id();
  EXPECT_TRUE(default_worker_id().ends_with("-" + std::to_string(::getpid())));
  EXPECT_TRUE(is_worker_id("worker_1-b"));
  for (const char* bad : {"", "a.b", "a b", "a*", "a>", "\xc3\xa9"}) EXPECT_FALSE(is_worker_id(bad)) << bad;
  EXPECT_FALSE(is_worker_id(std::string(65, 'a')));
}

TEST_F(PairLeasesTest, TwoWorkersDivideThePairsByTheHashEachHeldOnce) {
  auto a = worker("w-a");
  auto b = worker("w-b");
  ASSERT_TRUE(a && b);
  LeaseRound first = a->run_round(kPairs);
  ASSERT_TRUE(first.error.empty()) << first.error;
  EXPECT_EQ(first.owned.size(), kPairs.size()) << "alone, w-a takes every pair";
  EXPECT_EQ(first.unowned, 0u);
  // w-b joins: w-a releases what the hash gives w-b, and w-b claims it.
  LeaseRound joined = b->run_round(kPairs);
  EXPECT_TRUE(joined.gained.empty()) << "everything is w-a's until it lets go";
  EXPECT_EQ(joined.workers, 2u);
  LeaseRound released = a->run_round(kPairs);
  const std::vector<std::string> both{"w-a", "w-b"};
  EXPECT_EQ(as_set(released.released), owned_by("w-b", both));
  LeaseRound claimed = b->run_round(kPairs);
  EXPECT_EQ(as_set(claimed.gained), owned_by("w-b", both));
  EXPECT_EQ(claimed.unowned, 0u);
  ASSERT_FALSE(owned_by("w-a", both).empty());
  ASSERT_FALSE(owned_by("w-b", both).empty());
  // Steady: further rounds change nothing, and every pair has one holder.
  for (int i = 0; i < 2; ++i) {
    const LeaseRound ra = a->run_round(kPairs), rb = b->run_round(kPairs);
    EXPECT_TRUE(ra.gained.empty() && ra.lost.empty() && ra.released.empty());
    EXPECT_TRUE(rb.gained.empty() && rb.lost.empty() && rb.released.empty());
    EXPECT_EQ(as_set(ra.owned), owned_by("w-a", both));
    EXPECT_EQ(as_set(rb.owned), owned_by("w-b", both));
  }
  for (const std::string& pair : kPairs) EXPECT_NE(a->owns(pair), b->owns(pair)) << pair;
}

TEST_F(PairLeasesTest, ASilentWorkersPairsAreTakenAfterTheTtlAndItGivesThemUpWhenItWakes) {
  auto a = worker("w-a");
  auto b = worker("w-b");
  ASSERT_TRUE(a && b);
  settle(*a, *b);
  const std::vector<std::string> both{"w-a", "w-b"};
  const std::set<std::string> bs = owned_by("w-b", both);
  // w-b stops refreshing (as if killed); w-a keeps its rounds every third of the TTL.
  const auto silent_from = std::chrono::steady_clock::now();
  std::set<std::string> taken;
  ASSERT_TRUE(eventually(
      [&] {
        const LeaseRound r = a->run_round(kPairs);
        EXPECT_TRUE(r.error.empty()) << r.error;
        taken.insert(r.gained.begin(), r.gained.end());
        std::this_thread::sleep_for(500ms);
        return r.owned.size() == kPairs.size();
      },
      15s));
  const auto took = std::chrono::steady_clock::now() - silent_from;
  EXPECT_EQ(taken, bs);
  EXPECT_GE(took, 1500ms) << "not before the leases expired";
  // w-b wakes: its leases were not refreshed for a TTL, so they are gone at once.
  const LeaseRound woke = b->run_round(kPairs);
  EXPECT_EQ(as_set(woke.lost), bs);
  EXPECT_TRUE(woke.owned.empty());
  for (const std::string& pair : kPairs) EXPECT_FALSE(b->owns(pair)) << pair;
  // Its heartbeat is back: w-a hands its share back, and w-b takes it.
  const LeaseRound handed = a->run_round(kPairs);
  EXPECT_EQ(as_set(handed.released), bs);
  EXPECT_EQ(as_set(b->run_round(kPairs).gained), bs);
}

TEST_F(PairLeasesTest, AWorkerThatStopsCleanlyHandsItsPairsOverAtOnce) {
  auto a = worker("w-a");
  auto b = worker("w-b");
  ASSERT_TRUE(a && b);
  settle(*a, *b);
  b.reset();  // releases its leases and deletes its heartbeat
  const LeaseRound r = a->run_round(kPairs);
  EXPECT_EQ(as_set(r.gained), owned_by("w-b", {"w-a", "w-b"}));
  EXPECT_EQ(r.owned.size(), kPairs.size());
  EXPECT_EQ(r.workers, 1u);
}

TEST_F(PairLeasesTest, ARestartedWorkerWithTheSameIdTakesBackWhatItHeld) {
  // A crash: a process takes every lease and ends without releasing them.
  const PairLeaseSettings same = settings("w-a");
  const pid_t child = ::fork();
  if (child == 0) {
    auto crashing = PairLeases::connect(same);
    ::_exit(crashing && crashing.value()->run_round(kPairs).owned.size() == kPairs.size() ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "the first incarnation took every pair";
  auto again = PairLeases::connect(same);
  ASSERT_TRUE(again) << again.error();
  const LeaseRound r = again.value()->run_round(kPairs);
  EXPECT_EQ(r.gained.size(), kPairs.size()) << "without waiting for the TTL";
}

TEST_F(PairLeasesTest, WhatElseIsWrittenToTheBucketMovesNoLease) {
  auto a = worker("w-a");
  ASSERT_TRUE(a);
  ASSERT_EQ(a->run_round(kPairs).owned.size(), kPairs.size());
  // Anyone with access to the bucket can write it: entries that are no
  // worker's heartbeat, no configured pair, or a value past the limit.
  BucketWriter writer(port_);
  ASSERT_EQ(js_KeyValue(&writer.kv, writer.js, "LEASES_TEST"), NATS_OK);
  std::uint64_t revision = 0;
  EXPECT_EQ(kvStore_PutString(&revision, writer.kv, "worker.evil", "not a worker id!"), NATS_OK);
  EXPECT_EQ(kvStore_PutString(&revision, writer.kv, "pair.not-configured", "w-z"), NATS_OK);
  EXPECT_EQ(kvStore_PutString(&revision, writer.kv, "other", "x"), NATS_OK);
  const std::string huge(1000, 'z');
  EXPECT_NE(kvStore_PutString(&revision, writer.kv, "pair.btc-eth", huge.c_str()), NATS_OK)
      << "the bucket caps values";
  const LeaseRound r = a->run_round(kPairs);
  EXPECT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.workers, 1u) << "a heartbeat that is no worker id counts for nothing";
  EXPECT_EQ(r.owned.size(), kPairs.size());
  EXPECT_TRUE(r.gained.empty() && r.lost.empty() && r.released.empty());
  EXPECT_EQ(r.unowned, 0u);
}

TEST_F(PairLeasesTest, LongValuesInABucketWithoutTheCapAreLeftOut) {
  // The bucket as a version without the value cap made it.
  BucketWriter writer(port_);
  kvConfig config;
  kvConfig_Init(&config);
  config.Bucket = "LEASES_TEST";
  config.History = 1;
  config.TTL = std::chrono::duration_cast<std::chrono::nanoseconds>(1500ms).count();
  ASSERT_EQ(js_CreateKeyValue(&writer.kv, writer.js, &config), NATS_OK);
  std::uint64_t revision = 0;
  const std::string huge(100'000, 'z');
  ASSERT_EQ(kvStore_PutString(&revision, writer.kv, "worker.huge", huge.c_str()), NATS_OK);
  ASSERT_EQ(kvStore_PutString(&revision, writer.kv, "pair.btc-eth", huge.c_str()), NATS_OK);
  auto a = worker("w-a");
  ASSERT_TRUE(a);
  const LeaseRound r = a->run_round(kPairs);
  EXPECT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.workers, 1u);
  // The pair whose entry holds a long value is nobody's to claim: its key
  // exists, so create-if-absent fails, and it is counted unowned.
  EXPECT_EQ(r.owned.size(), kPairs.size() - 1);
  EXPECT_FALSE(a->owns("btc-eth"));
  EXPECT_EQ(r.unowned, 1u);
}

TEST_F(PairLeasesTest, PairsNoLongerConfiguredAreReleased) {
  auto a = worker("w-a");
  ASSERT_TRUE(a);
  a->run_round(kPairs);
  const std::vector<std::string> fewer(kPairs.begin(), kPairs.begin() + 3);
  const LeaseRound r = a->run_round(fewer);
  EXPECT_EQ(r.released.size(), kPairs.size() - 3);
  EXPECT_EQ(as_set(r.owned), as_set(fewer));
}

TEST_F(PairLeasesTest, ABucketWithAnotherTtlIsRefusedNamingBoth) {
  ASSERT_TRUE(worker("w-a"));
  auto other = PairLeases::connect(settings("w-b", 4000ms));
  ASSERT_FALSE(other);
  EXPECT_TRUE(other.status().is_invalid_input());
  EXPECT_NE(other.error().find("bus: lease bucket LEASES_TEST exists but its TTL is 1500 ms, the config's 4000 ms"),
            std::string::npos)
      << other.error();
}

TEST_F(PairLeasesTest, ABadWorkerIdOrNoServerIsAClearError) {
  auto bad = PairLeases::connect(settings("w.a"));
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().find("worker id \"w.a\""), std::string::npos) << bad.error();
  PairLeaseSettings nowhere = settings("w-a");
  nowhere.servers = {"nats://127.0.0.1:" + std::to_string(free_port())};
  auto down = PairLeases::connect(nowhere);
  ASSERT_FALSE(down);
  EXPECT_NE(down.error().find("bus: cannot connect to " + nowhere.servers[0]), std::string::npos) << down.error();
}

}  // namespace
}  // namespace alphastream
