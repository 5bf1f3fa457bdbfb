#include "mcpauth/keyring/credential_lock.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <thread>
#include <vector>

#include "keyring/fs_util.hpp"
#include "unit/keyring/keyring_test_support.hpp"

namespace mcpauth::keyring::testing {
namespace {

namespace fs = std::filesystem;

const CredentialKey kKey = CredentialKey::Tokens("https://as.example", "https://mcp/", "c1");

class CredentialLockTest : public ::testing::Test {
 protected:
  CredentialLockOptions Options(std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
    return CredentialLockOptions{dir_.path() / "locks", timeout};
  }
  TempDir dir_;
};

// A pipe to order steps between processes without sleeping.
class Pipe {
 public:
  Pipe() { EXPECT_EQ(::pipe(fds_), 0); }
  ~Pipe() {
    ::close(fds_[0]);
    ::close(fds_[1]);
  }
  void Send(char c) { EXPECT_EQ(::write(fds_[1], &c, 1), 1); }
  char Receive() {
    char c = 0;
    while (::read(fds_[0], &c, 1) < 0 && errno == EINTR) {
    }
    return c;
  }

 private:
  int fds_[2] = {-1, -1};
};

int WaitExit(pid_t pid) {
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) {
    return -1;
  }
  return WEXITSTATUS(status);
}

TEST_F(CredentialLockTest, AcquireCreatesAHashedFileInAPrivateDirectory) {
  auto lock = CredentialLock::Acquire(kKey, Options());
  ASSERT_TRUE(lock) << lock.error().message;
  EXPECT_TRUE(lock->held());
  const fs::path path = lock->path();
  EXPECT_EQ(path.parent_path(), dir_.path() / "locks");
  const std::string name = path.filename().string();
  ASSERT_EQ(name.size(), 32u + 5u) << name;
  EXPECT_EQ(name.substr(32), ".lock");
  EXPECT_EQ(name.find_first_not_of("0123456789abcdef"), 32u);
  struct stat st {};
  ASSERT_EQ(::stat(path.parent_path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(CredentialLockTest, OneKeyOneFileDifferentKeysDifferentFiles) {
  fs::path first;
  {
    auto a = CredentialLock::Acquire(kKey, Options());
    ASSERT_TRUE(a);
    first = a->path();
  }
  auto again = CredentialLock::Acquire(kKey, Options());
  ASSERT_TRUE(again);
  EXPECT_EQ(again->path(), first);
  // Another key is not blocked by the held one.
  auto other = CredentialLock::Acquire(CredentialKey::Registration("https://as.example"),
                                       Options(std::chrono::milliseconds(0)));
  ASSERT_TRUE(other) << other.error().message;
  EXPECT_NE(other->path(), first);
}

TEST_F(CredentialLockTest, ASecondAcquireInTheSameProcessWaitsAndTimesOut) {
  auto held = CredentialLock::Acquire(kKey, Options());
  ASSERT_TRUE(held);
  auto second = CredentialLock::Acquire(kKey, Options(std::chrono::milliseconds(0)));
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, Errc::kTimeout);
  EXPECT_NE(second.error().message.find("https://mcp/"), std::string::npos)
      << second.error().message;
  held->Release();
  EXPECT_FALSE(held->held());
  held->Release();  // idempotent
  auto third = CredentialLock::Acquire(kKey, Options(std::chrono::milliseconds(0)));
  EXPECT_TRUE(third) << third.error().message;
}

TEST_F(CredentialLockTest, MovingKeepsTheLockAndTheMovedFromIsEmpty) {
  auto lock = CredentialLock::Acquire(kKey, Options());
  ASSERT_TRUE(lock);
  CredentialLock moved = std::move(*lock);
  EXPECT_TRUE(moved.held());
  EXPECT_FALSE(lock->held());  // NOLINT(bugprone-use-after-move): the documented state
  auto blocked = CredentialLock::Acquire(kKey, Options(std::chrono::milliseconds(0)));
  EXPECT_FALSE(blocked);
}

// Threads of one process: never two inside, and no increment lost.
TEST_F(CredentialLockTest, ThreadsNeverHoldItTogether) {
  constexpr int kThreads = 4;
  constexpr int kRounds = 100;
  std::atomic<int> inside{0};
  std::atomic<int> overlaps{0};
  int counter = 0;  // guarded by the lock only
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kRounds; ++i) {
        auto lock = CredentialLock::Acquire(kKey, Options());
        ASSERT_TRUE(lock) << lock.error().message;
        if (inside.fetch_add(1) != 0) {
          overlaps.fetch_add(1);
        }
        const int seen = counter;
        std::this_thread::yield();
        counter = seen + 1;
        inside.fetch_sub(1);
      }
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  EXPECT_EQ(overlaps.load(), 0);
  EXPECT_EQ(counter, kThreads * kRounds);
}

// Two processes take it in turn: while the parent holds it the child cannot get it; once the
// parent releases, the child's waiting Acquire succeeds.
TEST_F(CredentialLockTest, TwoProcessesTakeItInTurn) {
  Pipe to_child;
  Pipe to_parent;
  // Fork first: a child forked while its parent holds the lock would share the parent's open
  // file description, and so the lock (the caveat in credential_lock.hpp).
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    if (to_child.Receive() != 'h') {
      ::_exit(4);
    }
    auto now = CredentialLock::Acquire(kKey, Options(std::chrono::milliseconds(0)));
    const bool blocked = !now && now.error().code == Errc::kTimeout;
    to_parent.Send(blocked ? 'b' : 'x');
    auto later = CredentialLock::Acquire(kKey, Options());
    to_parent.Send(later ? 'g' : 'x');
    ::_exit(blocked && later ? 0 : 1);
  }
  auto held = CredentialLock::Acquire(kKey, Options());
  ASSERT_TRUE(held);
  to_child.Send('h');
  EXPECT_EQ(to_parent.Receive(), 'b');
  held->Release();
  EXPECT_EQ(to_parent.Receive(), 'g');
  EXPECT_EQ(WaitExit(pid), 0);
  // And back: the child is gone, so the parent gets it at once.
  EXPECT_TRUE(CredentialLock::Acquire(kKey, Options(std::chrono::milliseconds(0))));
}

// Several processes increment a counter file under the lock: no increment is lost and no two
// are ever inside together (each checks with an O_EXCL marker file).
TEST_F(CredentialLockTest, ProcessesNeverHoldItTogether) {
  constexpr int kProcesses = 3;
  constexpr int kRounds = 50;
  const fs::path counter = dir_.path() / "counter";
  const fs::path marker = dir_.path() / "inside";
  WriteFile(counter, "0");
  std::vector<pid_t> children;
  for (int p = 0; p < kProcesses; ++p) {
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      for (int i = 0; i < kRounds; ++i) {
        auto lock = CredentialLock::Acquire(kKey, Options());
        if (!lock) {
          ::_exit(2);
        }
        const int fd = ::open(marker.c_str(), O_CREAT | O_EXCL | O_WRONLY, 0600);
        if (fd < 0) {
          ::_exit(3);  // someone else is inside
        }
        ::close(fd);
        const int value = std::stoi(ReadFile(counter));
        WriteFile(counter, std::to_string(value + 1));
        ::unlink(marker.c_str());
      }
      ::_exit(0);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    EXPECT_EQ(WaitExit(pid), 0);
  }
  EXPECT_EQ(ReadFile(counter), std::to_string(kProcesses * kRounds));
}

// The lock dies with its holder: a process that exits without releasing leaves nothing stale.
TEST_F(CredentialLockTest, AHolderThatDiesReleasesIt) {
  Pipe to_parent;
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    auto lock = CredentialLock::Acquire(kKey, Options());
    to_parent.Send(lock ? 'h' : 'x');
    ::_exit(0);  // no destructor runs
  }
  EXPECT_EQ(to_parent.Receive(), 'h');
  EXPECT_EQ(WaitExit(pid), 0);
  auto lock = CredentialLock::Acquire(kKey, Options(std::chrono::milliseconds(0)));
  EXPECT_TRUE(lock) << lock.error().message;
}

TEST_F(CredentialLockTest, ADirectoryOthersCanWriteIsRefused) {
  const fs::path shared = dir_.path() / "shared";
  ASSERT_EQ(::mkdir(shared.c_str(), 0700), 0);
  ASSERT_EQ(::chmod(shared.c_str(), 0777), 0);
  auto lock = CredentialLock::Acquire(kKey, {shared, std::chrono::milliseconds(0)});
  ASSERT_FALSE(lock);
  EXPECT_EQ(lock.error().code, Errc::kDenied);
  EXPECT_NE(lock.error().message.find("not private"), std::string::npos);
}

TEST_F(CredentialLockTest, ASymlinkedLockFileIsRefused) {
  auto lock = CredentialLock::Acquire(kKey, Options());
  ASSERT_TRUE(lock);
  const fs::path path = lock->path();
  lock->Release();
  fs::remove(path);
  fs::create_symlink(dir_.path() / "elsewhere", path);
  auto again = CredentialLock::Acquire(kKey, Options(std::chrono::milliseconds(0)));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::kDenied);
  EXPECT_FALSE(fs::exists(dir_.path() / "elsewhere"));
}

TEST_F(CredentialLockTest, AnInvalidKeyIsRefused) {
  auto lock = CredentialLock::Acquire(CredentialKey::Tokens("", "r", "c"), Options());
  ASSERT_FALSE(lock);
  EXPECT_EQ(lock.error().code, Errc::kInvalidArgument);
}

TEST(CredentialLockDirectoryTest, DefaultsFollowXdg) {
  {
    ScopedEnv run("XDG_RUNTIME_DIR", std::string("/run/user/1000"));
    EXPECT_EQ(DefaultLockDirectory(), "/run/user/1000/mcpauth/locks");
  }
  ScopedEnv run("XDG_RUNTIME_DIR", std::nullopt);
  {
    ScopedEnv cache("XDG_CACHE_HOME", std::string("/cache"));
    EXPECT_EQ(DefaultLockDirectory(), "/cache/mcpauth/locks");
  }
  ScopedEnv cache("XDG_CACHE_HOME", std::nullopt);
  ScopedEnv home("HOME", std::string("/home/someone"));
  EXPECT_EQ(DefaultLockDirectory(), "/home/someone/.cache/mcpauth/locks");
}

struct ErrnoCase {
  int err;
  Errc code;
};

TEST(KeyringErrnoTest, PermissionErrorsAreDeniedOthersAreIoErrors) {
  const ErrnoCase cases[] = {
      {EACCES, Errc::kDenied}, {EPERM, Errc::kDenied},   {EROFS, Errc::kDenied},
      {ELOOP, Errc::kDenied},  {ENOSPC, Errc::kIoError}, {EIO, Errc::kIoError},
  };
  for (const auto& c : cases) {
    const auto e = detail::ErrnoError(c.err, "cannot write", "/some/file");
    EXPECT_EQ(e.code, c.code) << c.err;
    EXPECT_NE(e.message.find("cannot write /some/file: "), std::string::npos) << e.message;
  }
}

}  // namespace
}  // namespace mcpauth::keyring::testing
