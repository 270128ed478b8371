#include "bus/pair_leases.h"

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <map>

#include "bus/nats_client.h"

namespace alphastream {

namespace {

constexpr std::string_view kPairPrefix = "pair.";
constexpr std::string_view kWorkerPrefix = "worker.";
// How long one bucket operation may wait for the server.
constexpr std::int64_t kRequestTimeoutMs = 2000;
// The bucket is outside input (anyone with access can write it): a round
// reads at most this many entries, and values longer than a worker id are
// refused by the server (the bucket's max value size).
constexpr std::size_t kMaxBucketEntries = 1'000'000;
constexpr std::int32_t kMaxValueBytes = 64;

std::uint64_t fnv1a(std::string_view text, std::uint64_t hash = 14695981039346656037ull) {
  for (const unsigned char c : text) hash = (hash ^ c) * 1099511628211ull;
  return hash;
}

// splitmix64's finaliser: FNV alone leaves the high bits of similar names alike.
std::uint64_t mix(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// A failure that says nothing about who holds a lease: the bus is away.
bool transient(natsStatus s) {
  return s == NATS_TIMEOUT || s == NATS_CONNECTION_CLOSED || s == NATS_CONNECTION_DISCONNECTED ||
         s == NATS_NO_SERVER || s == NATS_NO_RESPONDERS || s == NATS_STALE_CONNECTION;
}

struct BucketEntry {
  std::string value;
  std::uint64_t revision = 0;
};

}  // namespace

std::string default_worker_id() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') std::snprintf(host, sizeof host, "worker");
  std::string id(host);
  for (char& c : id) {
    if (!is_worker_id(std::string_view(&c, 1))) c = '-';
  }
  id.append("-").append(std::to_string(::getpid()));
  if (id.size() > 64) id.erase(0, id.size() - 64);  // keep the pid
  return id;
}

const std::string& rendezvous_owner(std::string_view pair, const std::vector<std::string>& workers) {
  const std::string* best = &workers.front();
  std::uint64_t best_score = 0;
  bool first = true;
  for (const std::string& worker : workers) {
    const std::uint64_t score = mix(fnv1a(worker, fnv1a("/", fnv1a(pair))));
    if (first || score > best_score || (score == best_score && worker < *best)) {
      best = &worker;
      best_score = score;
      first = false;
    }
  }
  return *best;
}

class PairLeases::Impl {
 public:
  explicit Impl(PairLeaseSettings settings) : settings_(std::move(settings)) {}
  ~Impl() {
    if (kv_ != nullptr) {
      release_all();
      kvStore_Destroy(kv_);
    }
    if (js_ != nullptr) jsCtx_Destroy(js_);
    if (connection_ != nullptr) {
      natsConnection_Close(connection_);
      natsConnection_Destroy(connection_);
    }
  }

  Status connect() {
    if (!is_worker_id(settings_.worker)) {
      return Status::invalid_input("bus: worker id \"" + settings_.worker +
                                   "\" is not 1 to 64 of the characters A-Z a-z 0-9 _ -");
    }
    if (Status connected = connect_nats(settings_.servers, settings_.access, &connection_); !connected) return connected;
    jsOptions options;
    jsOptions_Init(&options);
    options.Wait = kRequestTimeoutMs;
    if (natsStatus s = natsConnection_JetStream(&js_, connection_, &options); s != NATS_OK) {
      return Status::error(nats_error("JetStream context", s));
    }
    return ensure_bucket();
  }

  LeaseRound run_round(const std::vector<std::string>& pairs) {
    LeaseRound round;
    const auto now = std::chrono::steady_clock::now();
    // Leases this worker could not refresh for a whole TTL may be another's now.
    for (auto it = held_.begin(); it != held_.end();) {
      if (now - it->second.refreshed >= settings_.ttl) {
        round.lost.push_back(it->first);
        it = held_.erase(it);
      } else {
        ++it;
      }
    }
    const std::string heartbeat = std::string(kWorkerPrefix) + settings_.worker;
    std::uint64_t revision = 0;
    if (natsStatus s = kvStore_PutString(&revision, kv_, heartbeat.c_str(), settings_.worker.c_str()); s != NATS_OK) {
      return fail(round, nats_error("lease bucket " + settings_.bucket + ": heartbeat", s));
    }
    for (auto it = held_.begin(); it != held_.end();) {
      const std::string key = std::string(kPairPrefix) + it->first;
      const natsStatus s = kvStore_UpdateString(&revision, kv_, key.c_str(), settings_.worker.c_str(), it->second.revision);
      if (s == NATS_OK) {
        it->second = {revision, now};
        ++it;
      } else if (transient(s)) {
        return fail(round, nats_error("lease bucket " + settings_.bucket + ": refreshing " + key, s));
      } else {
        // The revision moved: the lease expired and someone (maybe nobody) wrote it since.
        round.lost.push_back(it->first);
        it = held_.erase(it);
      }
    }

    std::map<std::string, BucketEntry, std::less<>> entries;
    if (Status read = read_bucket(entries); !read) return fail(round, read.message());
    std::vector<std::string> workers;
    for (const auto& [key, entry] : entries) {
      if (key.starts_with(kWorkerPrefix) && is_worker_id(entry.value)) workers.push_back(entry.value);
    }
    if (std::find(workers.begin(), workers.end(), settings_.worker) == workers.end()) {
      workers.push_back(settings_.worker);  // just written; a slow read may miss it
    }
    std::sort(workers.begin(), workers.end());
    round.workers = workers.size();

    // Held but no longer configured, or another live worker's by the hash: released.
    for (auto it = held_.begin(); it != held_.end();) {
      const bool configured = std::find(pairs.begin(), pairs.end(), it->first) != pairs.end();
      if (configured && rendezvous_owner(it->first, workers) == settings_.worker) {
        ++it;
        continue;
      }
      const std::string key = std::string(kPairPrefix) + it->first;
      const natsStatus s = kvStore_UpdateString(&revision, kv_, key.c_str(), "", it->second.revision);
      if (s != NATS_OK && transient(s)) {
        return fail(round, nats_error("lease bucket " + settings_.bucket + ": releasing " + key, s));
      }
      (s == NATS_OK ? round.released : round.lost).push_back(it->first);
      entries[key] = {"", revision};
      it = held_.erase(it);
    }

    for (const std::string& pair : pairs) {
      if (held_.count(pair) != 0) continue;
      const std::string key = std::string(kPairPrefix) + pair;
      const auto found = entries.find(key);
      const bool free = found == entries.end() || found->second.value.empty();
      // Ours in the bucket but not in held_: this worker's id from before a restart.
      const bool ours = found != entries.end() && found->second.value == settings_.worker;
      if ((!free && !ours) || rendezvous_owner(pair, workers) != settings_.worker) continue;
      natsStatus s;
      if (found == entries.end()) {
        s = kvStore_CreateString(&revision, kv_, key.c_str(), settings_.worker.c_str());
      } else {
        s = kvStore_UpdateString(&revision, kv_, key.c_str(), settings_.worker.c_str(), found->second.revision);
      }
      if (s == NATS_OK) {
        held_[pair] = {revision, now};
        round.gained.push_back(pair);
        entries[key] = {settings_.worker, revision};
      } else if (transient(s)) {
        return fail(round, nats_error("lease bucket " + settings_.bucket + ": claiming " + key, s));
      }
      // Otherwise another worker claimed it first.
    }
    for (const std::string& pair : pairs) {
      const auto found = entries.find(std::string(kPairPrefix) + pair);
      if (found == entries.end() || found->second.value.empty()) ++round.unowned;
    }
    for (const auto& [pair, lease] : held_) round.owned.push_back(pair);
    return round;
  }

  void release_all() {
    std::uint64_t revision = 0;
    for (const auto& [pair, lease] : held_) {
      const std::string key = std::string(kPairPrefix) + pair;
      kvStore_UpdateString(&revision, kv_, key.c_str(), "", lease.revision);
    }
    held_.clear();
    const std::string heartbeat = std::string(kWorkerPrefix) + settings_.worker;
    kvStore_Delete(kv_, heartbeat.c_str());
  }

  bool owns(std::string_view pair) const { return held_.find(pair) != held_.end(); }

  PairLeaseSettings settings_;

 private:
  struct Lease {
    std::uint64_t revision = 0;
    std::chrono::steady_clock::time_point refreshed;
  };

  // A round cut short keeps what it holds (given up after a TTL without a
  // refresh) and still reports what it had changed.
  LeaseRound& fail(LeaseRound& round, std::string why) {
    round.error = std::move(why);
    for (const auto& [pair, lease] : held_) round.owned.push_back(pair);
    return round;
  }

  Status ensure_bucket() {
    const std::int64_t ttl_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(settings_.ttl).count();
    natsStatus s = js_KeyValue(&kv_, js_, settings_.bucket.c_str());
    if (s == NATS_NOT_FOUND) {
      kvConfig config;
      kvConfig_Init(&config);
      config.Bucket = settings_.bucket.c_str();
      config.History = 1;
      config.TTL = ttl_ns;
      config.Replicas = settings_.replicas;
      config.StorageType = js_FileStorage;
      config.MaxValueSize = kMaxValueBytes;
      s = js_CreateKeyValue(&kv_, js_, &config);
      if (s != NATS_OK) return Status::error(nats_error("cannot create lease bucket " + settings_.bucket, s));
      return Status::ok();
    }
    if (s != NATS_OK) return Status::error(nats_error("cannot read lease bucket " + settings_.bucket, s));
    kvStatus* status = nullptr;
    if (s = kvStore_Status(&status, kv_); s != NATS_OK) {
      return Status::error(nats_error("cannot read lease bucket " + settings_.bucket, s));
    }
    const std::int64_t ttl = kvStatus_TTL(status);
    const std::int64_t replicas = kvStatus_Replicas(status);
    kvStatus_Destroy(status);
    std::string problem;
    if (ttl != ttl_ns) {
      problem = "its TTL is " + std::to_string(ttl / 1'000'000) + " ms, the config's " +
                std::to_string(settings_.ttl.count()) + " ms";
    } else if (replicas != settings_.replicas) {
      problem = "it has " + std::to_string(replicas) + " replicas, the config " + std::to_string(settings_.replicas);
    }
    if (!problem.empty()) {
      return Status::invalid_input("bus: lease bucket " + settings_.bucket + " exists but " + problem +
                                   "; change bus.* to match it, or delete the bucket (nats kv del " +
                                   settings_.bucket + ") when no worker runs");
    }
    return Status::ok();
  }

  // Every key's latest value: a watcher's initial values, then stop. Keys
  // whose entry expired are gone from the stream, so absent here.
  Status read_bucket(std::map<std::string, BucketEntry, std::less<>>& entries) {
    kvWatchOptions options;
    kvWatchOptions_Init(&options);
    options.IgnoreDeletes = true;
    options.Timeout = kRequestTimeoutMs;
    kvWatcher* watcher = nullptr;
    if (natsStatus s = kvStore_WatchAll(&watcher, kv_, &options); s != NATS_OK) {
      return Status::error(nats_error("lease bucket " + settings_.bucket + ": reading", s));
    }
    Status result = Status::ok();
    while (true) {
      kvEntry* entry = nullptr;
      const natsStatus s = kvWatcher_Next(&entry, watcher, kRequestTimeoutMs);
      if (s != NATS_OK) {
        result = Status::error(nats_error("lease bucket " + settings_.bucket + ": reading", s));
        break;
      }
      if (entry == nullptr) break;  // the initial values are all in
      if (entries.size() >= kMaxBucketEntries) {
        kvEntry_Destroy(entry);
        result = Status::error("lease bucket " + settings_.bucket + " holds more than " +
                               std::to_string(kMaxBucketEntries) + " entries: not read");
        break;
      }
      // A bucket made before values were capped (or by hand) may hold longer
      // ones: no worker id is, so such an entry is left out, not copied.
      if (kvEntry_Operation(entry) == kvOp_Put && kvEntry_ValueLen(entry) <= kMaxValueBytes) {
        const char* value = static_cast<const char*>(kvEntry_Value(entry));
        entries[kvEntry_Key(entry)] = {std::string(value != nullptr ? value : "", static_cast<std::size_t>(
                                                                                      kvEntry_ValueLen(entry))),
                                       kvEntry_Revision(entry)};
      }
      kvEntry_Destroy(entry);
    }
    kvWatcher_Destroy(watcher);
    return result;
  }

  natsConnection* connection_ = nullptr;
  jsCtx* js_ = nullptr;
  kvStore* kv_ = nullptr;
  std::map<std::string, Lease, std::less<>> held_;
};

Result<std::unique_ptr<PairLeases>> PairLeases::connect(const PairLeaseSettings& settings) {
  if (settings.servers.empty()) return Status::invalid_input("bus: no servers");
  auto impl = std::make_unique<Impl>(settings);
  if (Status connected = impl->connect(); !connected) return connected;
  return std::unique_ptr<PairLeases>(new PairLeases(std::move(impl)));
}

PairLeases::PairLeases(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PairLeases::~PairLeases() = default;
LeaseRound PairLeases::run_round(const std::vector<std::string>& pairs) { return impl_->run_round(pairs); }
bool PairLeases::owns(std::string_view pair) const { return impl_->owns(pair); }
const PairLeaseSettings& PairLeases::settings() const { return impl_->settings_; }

}  // namespace alphastream
