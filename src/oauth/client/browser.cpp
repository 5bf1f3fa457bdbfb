#include "mcpauth/oauth/client/browser.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <thread>

#include "mcpauth/core/log.hpp"
#include "mcpauth/oauth/client/errc.hpp"
#include "oauth/client/url_util.hpp"

extern char** environ;

namespace mcpauth::oauth::client {

namespace {

std::vector<std::string> SplitOn(std::string_view text, char sep) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= text.size()) {
    const size_t end = std::min(text.find(sep, pos), text.size());
    if (end > pos) {
      out.emplace_back(text.substr(pos, end - pos));
    }
    pos = end + 1;
  }
  return out;
}

// Starts argv; true if exec succeeded (glibc's posix_spawnp reports exec failures).
bool Spawn(const std::vector<std::string>& argv) {
  posix_spawn_file_actions_t actions;
  if (posix_spawn_file_actions_init(&actions) != 0) {
    return false;
  }
  for (int fd = 0; fd <= 2; ++fd) {
    posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0);
  }
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  std::vector<char*> args;
  for (const auto& a : argv) {
    args.push_back(const_cast<char*>(a.c_str()));
  }
  args.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    return false;
  }
  // The browser (or xdg-open) may run for long; reap it whenever it exits.
  std::thread([pid] {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }).detach();
  return true;
}

}  // namespace

bool IsBrowsableUrl(std::string_view url) {
  for (char c : url) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) {
      return false;  // whitespace, controls, non-ASCII: a real URL percent-encodes them
    }
  }
  auto parts = detail::ParseHttpUrl(url);
  return parts && !parts->has_userinfo;
}

std::vector<std::vector<std::string>> BrowserCommands(std::string_view browser_env,
                                                      std::string_view url) {
  std::vector<std::vector<std::string>> commands;
  for (const auto& entry : SplitOn(browser_env, ':')) {
    std::vector<std::string> argv = SplitOn(entry, ' ');
    if (argv.empty()) {
      continue;
    }
    bool substituted = false;
    for (size_t i = 1; i < argv.size(); ++i) {
      if (auto at = argv[i].find("%s"); at != std::string::npos) {
        argv[i].replace(at, 2, url);
        substituted = true;
      }
    }
    if (!substituted) {
      argv.emplace_back(url);
    }
    commands.push_back(std::move(argv));
  }
  commands.push_back({"xdg-open", std::string(url)});
  return commands;
}

Status OpenInBrowser(std::string_view url) {
  if (!IsBrowsableUrl(url)) {
    return Errc::kBrowserFailed;
  }
  const char* env = std::getenv("BROWSER");
  for (const auto& argv : BrowserCommands(env != nullptr ? env : "", url)) {
    if (Spawn(argv)) {
      log::Debug("oauth client: browser started with {}", argv[0]);
      return {};
    }
  }
  return Errc::kBrowserFailed;
}

}  // namespace mcpauth::oauth::client
