// SecretServiceStore against a real Secret Service: gnome-keyring under dbus-run-session, started
// by secret_service_test.sh, which runs this binary once per situation and says which one in
// MCPAUTH_KEYRING_TEST_ENV:
//   unlocked          the shared CredentialStore suite, another client sees our items, two
//                     processes updating one credential under a CredentialLock
//   lock-in-session   the collection is locked while in use: every operation fails fast
//   locked            gnome-keyring started without --unlock (a headless login): the same
//   no-bus            DBUS_SESSION_BUS_ADDRESS names a dead socket, or is unset
//   no-service        a session bus without a Secret Service, then one that never answers
// The script also checks that no unlock prompt was ever requested. Run directly (without the
// variable) the binary exits 77, which ctest reports as skipped.
#include <fcntl.h>
#include <gio/gio.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "mcpauth/keyring/credential_lock.hpp"
#include "mcpauth/keyring/secret_service_store.hpp"
#include "unit/keyring/credential_store_contract.hpp"
#include "unit/keyring/keyring_test_support.hpp"

extern char** environ;

namespace mcpauth::keyring::testing {
namespace {

namespace fs = std::filesystem;

std::string_view TestEnv() {
  const char* env = std::getenv("MCPAUTH_KEYRING_TEST_ENV");
  return env != nullptr ? env : "";
}

#define REQUIRE_ENV(name)                                       \
  if (TestEnv() != (name)) {                                    \
    GTEST_SKIP() << "needs MCPAUTH_KEYRING_TEST_ENV=" << (name) \
                 << " (secret_service_test.sh sets it up)";     \
  }

// ---- Child processes (this binary with --child ...) ----------------------------------------

struct Child {
  pid_t pid = -1;
  int stdin_fd = -1;   // write end of the child's stdin
  int stdout_fd = -1;  // read end of the child's stdout
};

Child Spawn(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  std::string self = "/proc/self/exe";
  argv.push_back(self.data());
  std::vector<std::string> copy = args;
  for (auto& a : copy) {
    argv.push_back(a.data());
  }
  argv.push_back(nullptr);
  int in[2];
  int out[2];
  EXPECT_EQ(::pipe2(in, O_CLOEXEC), 0);
  EXPECT_EQ(::pipe2(out, O_CLOEXEC), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  Child child;
  // The real path: /proc/self/exe resolves in the child, which is this same binary.
  char exe[4096] = {};
  const ssize_t n = ::readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  EXPECT_GT(n, 0);
  EXPECT_EQ(::posix_spawn(&child.pid, exe, &actions, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  ::close(in[0]);
  ::close(out[1]);
  child.stdin_fd = in[1];
  child.stdout_fd = out[0];
  return child;
}

std::string ReadLine(int fd) {
  std::string line;
  char c = 0;
  while (::read(fd, &c, 1) == 1 && c != '\n') {
    line.push_back(c);
  }
  return line;
}

int Finish(Child& child) {
  ::close(child.stdin_fd);
  ::close(child.stdout_fd);
  int status = 0;
  if (::waitpid(child.pid, &status, 0) != child.pid || !WIFEXITED(status)) {
    return -1;
  }
  return WEXITSTATUS(status);
}

// The counter every "increment" child bumps: a read-modify-write that loses updates unless the
// CredentialLock makes it single-flight — the shape of a refresh with a rotating token.
CredentialKey CounterKey(const std::string& issuer) {
  return CredentialKey::Tokens(issuer, "https://mcp.example/counter", "client");
}

int ChildIncrement(const std::string& issuer, const std::string& lock_dir, int rounds) {
  SecretServiceStore store;
  for (int i = 0; i < rounds; ++i) {
    auto lock = CredentialLock::Acquire(CounterKey(issuer), {lock_dir, std::chrono::seconds(60)});
    if (!lock) {
      std::fprintf(stderr, "lock: %s\n", lock.error().message.c_str());
      return 1;
    }
    int value = 0;
    auto current = store.Get(CounterKey(issuer));
    if (current) {
      value = std::stoi(std::string(current->payload.Reveal()));
    } else if (current.error().code != Errc::kNotFound) {
      std::fprintf(stderr, "get: %s\n", current.error().message.c_str());
      return 1;
    }
    if (auto s = store.Put({CounterKey(issuer), Secret(std::to_string(value + 1))}); !s) {
      std::fprintf(stderr, "put: %s\n", s.error().message.c_str());
      return 1;
    }
  }
  return 0;
}

// Drops every method call addressed to this connection: a Secret Service that never answers.
GDBusMessage* DropMethodCalls(GDBusConnection*, GDBusMessage* message, gboolean incoming,
                              gpointer) {
  if (incoming && g_dbus_message_get_message_type(message) == G_DBUS_MESSAGE_TYPE_METHOD_CALL) {
    g_object_unref(message);
    return nullptr;
  }
  return message;
}

int ChildHangingService() {
  GError* error = nullptr;
  GDBusConnection* bus = g_bus_get_sync(G_BUS_TYPE_SESSION, nullptr, &error);
  if (bus == nullptr) {
    std::fprintf(stderr, "bus: %s\n", error->message);
    return 1;
  }
  g_dbus_connection_add_filter(bus, DropMethodCalls, nullptr, nullptr);
  GVariant* reply = g_dbus_connection_call_sync(
      bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "RequestName",
      g_variant_new("(su)", "org.freedesktop.secrets", 4u /* DO_NOT_QUEUE */),
      G_VARIANT_TYPE("(u)"), G_DBUS_CALL_FLAGS_NONE, -1, nullptr, &error);
  if (reply == nullptr) {
    std::fprintf(stderr, "RequestName: %s\n", error->message);
    return 1;
  }
  guint32 result = 0;
  g_variant_get(reply, "(u)", &result);
  g_variant_unref(reply);
  if (result != 1 /* PRIMARY_OWNER */) {
    std::fprintf(stderr, "RequestName: %u\n", result);
    return 1;
  }
  std::printf("ready\n");
  std::fflush(stdout);
  char c = 0;
  while (::read(0, &c, 1) > 0) {
  }
  return 0;
}

// ---- unlocked: the shared suite, plus what only a real keyring can show ---------------------

struct SecretServiceBackend {
  static std::unique_ptr<CredentialStore> Make(const fs::path&) {
    return std::make_unique<SecretServiceStore>();
  }
};

INSTANTIATE_TYPED_TEST_SUITE_P(SecretService, CredentialStoreContract, SecretServiceBackend);

std::string RunCommand(const std::string& command) {
  std::string out;
  if (FILE* p = ::popen(command.c_str(), "r")) {
    char buf[512];
    size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0) {
      out.append(buf, n);
    }
    ::pclose(p);
  }
  return out;
}

class SecretServiceUnlockedTest : public ::testing::Test {
 protected:
  void SetUp() override { REQUIRE_ENV("unlocked"); }
  std::string Issuer(const std::string& name) {
    return "https://" + name + "-" + std::to_string(::getpid()) + ".example.test";
  }
  SecretServiceStore store_;
};

TEST_F(SecretServiceUnlockedTest, ProbeSucceeds) {
  auto s = store_.Probe();
  EXPECT_TRUE(s) << s.error().message;
}

// The item really is in the keyring, under our schema and label: another Secret Service client
// (secret-tool) finds it by its attributes.
TEST_F(SecretServiceUnlockedTest, AnotherClientSeesTheItem) {
  const auto key = CredentialKey::Tokens(Issuer("witness"), "https://mcp.example/mcp", "c-9");
  ASSERT_TRUE(store_.Put({key, Secret(R"({"access_token":"at-witness"})")}));
  const std::string attrs = " xdg:schema io.mcpauth.Credential kind tokens issuer " + key.issuer +
                            " resource " + key.resource + " client_id " + key.client_id;
  EXPECT_EQ(RunCommand("secret-tool lookup" + attrs), R"({"access_token":"at-witness"})");
  const std::string search = RunCommand("secret-tool search" + attrs + " 2>&1");
  EXPECT_NE(search.find("label = mcpauth: tokens for https://mcp.example/mcp from " + key.issuer),
            std::string::npos)
      << search;
  ASSERT_TRUE(store_.Delete(key));
  EXPECT_EQ(RunCommand("secret-tool lookup" + attrs), "");
}

// Transfer sessions are closed after each operation. The session bus connection is shared by
// the whole process and lives as long as someone holds it (here the test, as an application
// using GDBus would): sessions left open would pile up in the keyring daemon.
int OpenSessions(GDBusConnection* bus) {
  GError* error = nullptr;
  GVariant* reply = g_dbus_connection_call_sync(
      bus, "org.freedesktop.secrets", "/org/freedesktop/secrets/session",
      "org.freedesktop.DBus.Introspectable", "Introspect", nullptr, G_VARIANT_TYPE("(s)"),
      G_DBUS_CALL_FLAGS_NONE, 5000, nullptr, &error);
  if (reply == nullptr) {
    g_error_free(error);
    return -1;
  }
  const char* xml = nullptr;
  g_variant_get(reply, "(&s)", &xml);
  int count = 0;
  for (std::string_view rest = xml; rest.find("<node name=") != std::string_view::npos;) {
    rest.remove_prefix(rest.find("<node name=") + 1);
    ++count;
  }
  g_variant_unref(reply);
  return count;
}

TEST_F(SecretServiceUnlockedTest, OperationsLeaveNoSessionOpen) {
  GError* error = nullptr;
  GDBusConnection* bus = g_bus_get_sync(G_BUS_TYPE_SESSION, nullptr, &error);
  ASSERT_NE(bus, nullptr) << error->message;
  const auto key = CredentialKey::Registration(Issuer("sessions"));
  ASSERT_TRUE(store_.Put({key, Secret("{}")}));
  const int before = OpenSessions(bus);
  ASSERT_GE(before, 0);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(store_.Get(key));
  }
  EXPECT_LE(OpenSessions(bus), before);
  EXPECT_TRUE(store_.Delete(key));
  g_object_unref(bus);
}

// Two processes bump one credential 10 times each under the CredentialLock, each re-reading the
// keyring after taking it: no update is lost.
TEST_F(SecretServiceUnlockedTest, TwoProcessesUpdateOneCredentialInTurn) {
  TempDir locks;
  const std::string issuer = Issuer("counter");
  constexpr int kRounds = 10;
  std::vector<Child> children;
  for (int i = 0; i < 2; ++i) {
    children.push_back(Spawn({"--child", "increment", issuer, (locks.path() / "locks").string(),
                              std::to_string(kRounds)}));
  }
  for (auto& child : children) {
    EXPECT_EQ(Finish(child), 0);
  }
  auto r = store_.Get(CounterKey(issuer));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->payload.Reveal(), std::to_string(2 * kRounds));
  EXPECT_TRUE(store_.Delete(CounterKey(issuer)));
}

// ---- locked: never prompt, never hang, say what to do ---------------------------------------

void ExpectEveryOperationUnavailable(SecretServiceStore& store, const CredentialKey& key,
                                     std::string_view needle) {
  auto probe = store.Probe();
  ASSERT_FALSE(probe);
  // What the user reads, in the test log.
  std::fprintf(stderr, "[ message  ] %s\n", probe.error().message.c_str());
  EXPECT_EQ(probe.error().code, Errc::kUnavailable);
  EXPECT_NE(probe.error().message.find(needle), std::string::npos) << probe.error().message;
  EXPECT_NE(probe.error().message.find("--store file"), std::string::npos) << probe.error().message;

  auto get = store.Get(key);
  ASSERT_FALSE(get);
  EXPECT_EQ(get.error().code, Errc::kUnavailable) << get.error().message;
  EXPECT_NE(get.error().message.find(needle), std::string::npos) << get.error().message;

  auto put = store.Put({key, Secret("new")});
  ASSERT_FALSE(put);
  EXPECT_EQ(put.error().code, Errc::kUnavailable) << put.error().message;

  auto list = store.List();
  ASSERT_FALSE(list);
  EXPECT_EQ(list.error().code, Errc::kUnavailable) << list.error().message;

  auto del = store.Delete(key);
  ASSERT_FALSE(del);
  EXPECT_EQ(del.error().code, Errc::kUnavailable) << del.error().message;
}

const CredentialKey kLockedKey =
    CredentialKey::Tokens("https://as.locked.example", "https://mcp.locked.example/", "c");

TEST(SecretServiceLockInSessionTest, ALockedCollectionFailsFastWithUnavailable) {
  REQUIRE_ENV("lock-in-session");
  SecretServiceStore store;
  ASSERT_TRUE(store.Put({kLockedKey, Secret("before-the-lock")}));

  // Lock the default collection, as a screen lock or an idle timeout would.
  GError* error = nullptr;
  GDBusConnection* bus = g_bus_get_sync(G_BUS_TYPE_SESSION, nullptr, &error);
  ASSERT_NE(bus, nullptr) << error->message;
  GVariant* alias = g_dbus_connection_call_sync(
      bus, "org.freedesktop.secrets", "/org/freedesktop/secrets", "org.freedesktop.Secret.Service",
      "ReadAlias", g_variant_new("(s)", "default"), G_VARIANT_TYPE("(o)"), G_DBUS_CALL_FLAGS_NONE,
      5000, nullptr, &error);
  ASSERT_NE(alias, nullptr) << error->message;
  const char* path = nullptr;
  g_variant_get(alias, "(&o)", &path);
  const char* paths[] = {path, nullptr};
  GVariant* locked = g_dbus_connection_call_sync(
      bus, "org.freedesktop.secrets", "/org/freedesktop/secrets", "org.freedesktop.Secret.Service",
      "Lock", g_variant_new("(^ao)", paths), nullptr, G_DBUS_CALL_FLAGS_NONE, 5000, nullptr,
      &error);
  ASSERT_NE(locked, nullptr) << error->message;
  g_variant_unref(locked);
  g_variant_unref(alias);
  g_object_unref(bus);

  ExpectEveryOperationUnavailable(store, kLockedKey, "locked");
}

TEST(SecretServiceLockedTest, AKeyringNeverUnlockedFailsFastWithUnavailable) {
  REQUIRE_ENV("locked");
  SecretServiceStore store;
  ExpectEveryOperationUnavailable(store, kLockedKey, "locked");
}

// ---- no bus, no service, a service that hangs ------------------------------------------------

TEST(SecretServiceNoBusTest, NoSessionBusFailsFastWithUnavailable) {
  REQUIRE_ENV("no-bus");
  SecretServiceStore store;
  const bool unset = std::getenv("DBUS_SESSION_BUS_ADDRESS") == nullptr;
  ExpectEveryOperationUnavailable(store, kLockedKey, "no Secret Service on the session bus");
  auto probe = store.Probe();
  ASSERT_FALSE(probe);
  if (unset) {
    EXPECT_NE(probe.error().message.find("DBUS_SESSION_BUS_ADDRESS set? It is unset"),
              std::string::npos)
        << probe.error().message;
  } else {
    EXPECT_NE(probe.error().message.find("on the bus that DBUS_SESSION_BUS_ADDRESS names"),
              std::string::npos)
        << probe.error().message;
  }
}

TEST(SecretServiceNoServiceTest, ABusWithoutASecretServiceFailsWithUnavailable) {
  REQUIRE_ENV("no-service");
  SecretServiceStore store;
  ExpectEveryOperationUnavailable(store, kLockedKey, "no Secret Service on the session bus");
}

// A service that owns the name but never answers (a keyring stuck on a dialog): the caller gets
// kUnavailable after the store's timeout, not a hang.
TEST(SecretServiceNoServiceTest, AServiceThatNeverAnswersTimesOutWithUnavailable) {
  REQUIRE_ENV("no-service");
  Child hang = Spawn({"--child", "hang"});
  ASSERT_EQ(ReadLine(hang.stdout_fd), "ready");
  SecretServiceStore store;
  auto get = store.Get(kLockedKey);
  ASSERT_FALSE(get);
  std::fprintf(stderr, "[ message  ] %s\n", get.error().message.c_str());
  EXPECT_EQ(get.error().code, Errc::kUnavailable);
  EXPECT_NE(get.error().message.find("did not answer within 2000 ms"), std::string::npos)
      << get.error().message;
  auto put = store.Put({kLockedKey, Secret("x")});
  ASSERT_FALSE(put);
  EXPECT_EQ(put.error().code, Errc::kUnavailable);
  EXPECT_EQ(Finish(hang), 0);
}

}  // namespace
}  // namespace mcpauth::keyring::testing

int main(int argc, char** argv) {
  using namespace mcpauth::keyring::testing;
  if (argc >= 3 && std::string_view(argv[1]) == "--child") {
    const std::string_view mode = argv[2];
    if (mode == "increment" && argc == 6) {
      return ChildIncrement(argv[3], argv[4], std::stoi(argv[5]));
    }
    if (mode == "hang") {
      return ChildHangingService();
    }
    std::fprintf(stderr, "unknown child mode\n");
    return 2;
  }
  ::testing::InitGoogleTest(&argc, argv);
  if (TestEnv().empty()) {
    std::fprintf(stderr,
                 "keyring_secret_service_test needs a real Secret Service: run it through "
                 "test/keyring/secret_service_test.sh (ctest -R keyring_secret_service)\n");
    return 77;
  }
  return RUN_ALL_TESTS();
}
