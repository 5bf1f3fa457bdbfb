#include "fs_util.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace mcpauth::keyring::detail {

namespace fs = std::filesystem;

fs::path HomeDirectory() {
  if (const char* home = std::getenv("HOME"); home != nullptr && home[0] != '\0') {
    return home;
  }
  std::vector<char> buf(16384);
  passwd pw{};
  passwd* result = nullptr;
  if (getpwuid_r(geteuid(), &pw, buf.data(), buf.size(), &result) == 0 && result != nullptr &&
      result->pw_dir != nullptr) {
    return result->pw_dir;
  }
  return {};
}

KeyringError ErrnoError(int err, std::string_view what, const fs::path& path) {
  const Errc code = (err == EACCES || err == EPERM || err == EROFS || err == ELOOP)
                        ? Errc::kDenied
                        : Errc::kIoError;
  return MakeError(code, std::string(what) + " " + path.string() + ": " + std::strerror(err));
}

KeyringStatus CreatePrivateDirectories(const fs::path& dir) {
  if (dir.empty()) {
    return MakeError(Errc::kIoError, "no directory given (is HOME set?)");
  }
  // Walk down from the root, creating what is missing: std::filesystem::create_directories
  // would use mode 0777 & ~umask.
  fs::path current;
  for (const auto& part : dir) {
    current /= part;
    if (mkdir(current.c_str(), 0700) == 0 || errno == EEXIST) {
      continue;
    }
    return ErrnoError(errno, "cannot create directory", current);
  }
  struct stat st {};
  if (stat(dir.c_str(), &st) != 0) {
    return ErrnoError(errno, "cannot read directory", dir);
  }
  if (!S_ISDIR(st.st_mode)) {
    return MakeError(Errc::kIoError, dir.string() + " exists and is not a directory");
  }
  return {};
}

KeyringStatus EnsurePrivateDirectory(const fs::path& dir) {
  if (auto s = CreatePrivateDirectories(dir); !s) {
    return s;
  }
  struct stat st {};
  if (stat(dir.c_str(), &st) != 0) {
    return ErrnoError(errno, "cannot read directory", dir);
  }
  if (st.st_uid != geteuid() || (st.st_mode & 022) != 0) {
    return MakeError(Errc::kDenied, "lock directory " + dir.string() +
                                        " is not private to this user (owner, or group/other "
                                        "write permission): fix it or remove it");
  }
  return {};
}

// One per lock path with a holder or waiters in this process.
struct FileLock::Slot {
  bool held = false;
  int users = 0;  // the holder and the waiters
  std::condition_variable cv;
};

namespace {

struct Registry {
  std::mutex mu;
  std::map<std::string, std::shared_ptr<FileLock::Slot>> slots;
};

// Never destroyed: a lock may be released by a thread still running at exit.
Registry& GetRegistry() {
  static auto* registry = new Registry;
  return *registry;
}

// Leaves the slot (as holder or as a waiter that gave up), forgetting it when nobody uses it.
void LeaveSlot(const std::string& key, const std::shared_ptr<FileLock::Slot>& slot,
               bool was_holder) {
  auto& reg = GetRegistry();
  std::lock_guard lock(reg.mu);
  if (was_holder) {
    slot->held = false;
  }
  if (--slot->users == 0) {
    reg.slots.erase(key);
  } else if (was_holder) {
    slot->cv.notify_one();
  }
}

}  // namespace

KeyringResult<FileLock> FileLock::Acquire(const fs::path& path, std::chrono::milliseconds timeout) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + timeout;

  std::error_code ec;
  fs::path absolute = fs::absolute(path, ec);
  const std::string key = (ec ? path : absolute).lexically_normal().string();

  // 1. Threads of this process queue here, without touching the file.
  auto& reg = GetRegistry();
  std::shared_ptr<Slot> slot;
  {
    std::unique_lock lock(reg.mu);
    auto& entry = reg.slots[key];
    if (!entry) {
      entry = std::make_shared<Slot>();
    }
    slot = entry;
    ++slot->users;
    if (!slot->cv.wait_until(lock, deadline, [&] { return !slot->held; })) {
      lock.unlock();
      LeaveSlot(key, slot, false);
      return MakeError(Errc::kTimeout, "timed out after " + std::to_string(timeout.count()) +
                                           " ms waiting for the lock " + path.string() +
                                           " (held by another thread of this process)");
    }
    slot->held = true;
  }

  // 2. The one thread of this process that got here competes with other processes.
  const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    const int err = errno;
    LeaveSlot(key, slot, true);
    return ErrnoError(err, "cannot open lock file", path);
  }
  auto delay = std::chrono::milliseconds(1);
  for (;;) {
    if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
      return FileLock(path, key, std::move(slot), fd);
    }
    const int err = errno;
    if (err == EINTR) {
      continue;
    }
    if (err != EWOULDBLOCK) {
      close(fd);
      LeaveSlot(key, slot, true);
      return ErrnoError(err, "cannot lock", path);
    }
    const auto now = Clock::now();
    if (now >= deadline) {
      close(fd);
      LeaveSlot(key, slot, true);
      return MakeError(Errc::kTimeout, "timed out after " + std::to_string(timeout.count()) +
                                           " ms waiting for the lock " + path.string() +
                                           " (held by another process)");
    }
    // flock has no timeout: poll with a short back-off (1, 2, 4 ... 16 ms). The holder is doing
    // one HTTP round trip or one file write, so the extra latency is a few milliseconds.
    std::this_thread::sleep_for(std::min<Clock::duration>(
        delay, std::chrono::duration_cast<Clock::duration>(deadline - now)));
    delay = std::min(delay * 2, std::chrono::milliseconds(16));
  }
}

FileLock::FileLock(fs::path path, std::string slot_key, std::shared_ptr<Slot> slot, int fd)
    : path_(std::move(path)), slot_key_(std::move(slot_key)), slot_(std::move(slot)), fd_(fd) {}

FileLock::FileLock(FileLock&& other) noexcept
    : path_(std::move(other.path_)),
      slot_key_(std::move(other.slot_key_)),
      slot_(std::move(other.slot_)),
      fd_(std::exchange(other.fd_, -1)) {}

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    Release();
    path_ = std::move(other.path_);
    slot_key_ = std::move(other.slot_key_);
    slot_ = std::move(other.slot_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

FileLock::~FileLock() { Release(); }

void FileLock::Release() {
  if (fd_ < 0) {
    return;
  }
  // Closing the only descriptor of this open file description releases the flock.
  close(std::exchange(fd_, -1));
  LeaveSlot(slot_key_, slot_, true);
  slot_.reset();
}

}  // namespace mcpauth::keyring::detail
