// GoogleTest suite: 32 threads share one kmip_client and get the same key and its state
// concurrently (the client is documented as thread-safe).
#include "test_support.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

using namespace kmip_test;

TEST(Threads, ThirtyTwoThreadsShareOneClient) {
    REQUIRE_SERVER();
    Options options = make_options(*server_port());
    set(options.get(), "connectTimeoutMS", "30000");
    Client client = open(options.get());
    ASSERT_TRUE(client);
    KeyResult created = get_key(client.get(), nullptr);
    ASSERT_EQ(created.rc, KMIP_OK) << message(created.error.get());

    constexpr int kThreads = 32;
    constexpr int kRounds = 4;
    std::atomic<int> ok{0};
    std::vector<std::string> failures(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int round = 0; round < kRounds; ++round) {
                KeyResult got = get_key(client.get(), created.id.c_str());
                if (got.rc != KMIP_OK || std::memcmp(got.key, created.key, 32) != 0 ||
                    got.state != KMIP_STATE_ACTIVE) {
                    failures[t] = std::string("get: ") + kmip_status_str(got.rc) + " " +
                                  message(got.error.get());
                    return;
                }
                uint32_t state = 0;
                kmip_error *err = nullptr;
                uint32_t rc = kmip_key_state(client.get(), created.id.c_str(), &state, &err);
                Error error(err);
                if (rc != KMIP_OK || state != KMIP_STATE_ACTIVE) {
                    failures[t] =
                        std::string("state: ") + kmip_status_str(rc) + " " + message(err);
                    return;
                }
                ok.fetch_add(1);
            }
        });
    }
    for (auto &thread : threads) thread.join();
    for (int t = 0; t < kThreads; ++t) EXPECT_EQ(failures[t], "") << "thread " << t;
    EXPECT_EQ(ok.load(), kThreads * kRounds);
}
