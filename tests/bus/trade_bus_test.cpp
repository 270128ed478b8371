// The parts of the trade bus that need no server; the bus itself is tested
// end to end against nats-server (tests/service/bus_test.py).
#include "bus/trade_bus.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace alphastream {
namespace {

TEST(JetStreamPending, ReadFromBothFormsOfTheReplySubject) {
  std::uint64_t pending = 7;
  // As nats-server 2.9 sends them to an ordered consumer.
  ASSERT_TRUE(jetstream_pending_from_reply("$JS.ACK.TRADES.OCnyDtLzQvBAzJd1nwbWiT.1.4821.4821.1733407015512409338.9178",
                                           pending));
  EXPECT_EQ(pending, 9178u);
  ASSERT_TRUE(jetstream_pending_from_reply("$JS.ACK.TRADES.c.1.1.1.1.0", pending));
  EXPECT_EQ(pending, 0u);
  // With domain and account hash, and a token after.
  ASSERT_TRUE(jetstream_pending_from_reply("$JS.ACK.hub.ACCHASH.TRADES.c.1.18.18.1733407015512409338.42.x7Yz", pending));
  EXPECT_EQ(pending, 42u);
  ASSERT_TRUE(jetstream_pending_from_reply("$JS.ACK.TRADES.c.1.1.1.1.18446744073709551615", pending));
  EXPECT_EQ(pending, 18446744073709551615u);
}

TEST(JetStreamPending, AnythingElseIsNoCountAndLeavesTheLastOne) {
  std::uint64_t pending = 5;
  for (const char* reply : {"", "_INBOX.abc", "$JS.ACK", "$JS.ACK.TRADES.c.1.1.1.1", "$JS.ACK.TRADES.c.1.1.1.1.x",
                            "$JS.ACK.TRADES.c.1.1.1.1.", "$JS.ACK.TRADES.c.1.1.1.1.-3", "$JS.ACK.a.b.c.d.e.f.g.h.i.j",
                            "$JS.ACK.a.b.c.d.e.f.g.h.1.j.k", "$JS.ACK.TRADES.c.1.1.1.1.123456789012345678901"}) {
    EXPECT_FALSE(jetstream_pending_from_reply(reply, pending)) << reply;
    EXPECT_EQ(pending, 5u) << reply;
  }
}

}  // namespace
}  // namespace alphastream
