// What may be opened in a browser, and how (CL16: no shell, http(s) only).
#include "mcpauth/oauth/client/browser.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace mcpauth::oauth::client {
namespace {

using Argv = std::vector<std::string>;

TEST(BrowserTest, OnlyPlainHttpUrlsAreBrowsable) {
  EXPECT_TRUE(IsBrowsableUrl("https://as.example/authorize?client_id=a&state=b"));
  EXPECT_TRUE(IsBrowsableUrl("http://127.0.0.1:8080/authorize"));
  for (const char* bad : {"javascript:alert(1)", "data:text/html,<script>", "file:///etc/passwd",
                          "vbscript:msgbox", "--new-window https://x", "https://x/a b",
                          "https://x/\n", "https://x/\x1b[31m", "https://user:pass@as.example/",
                          "ftp://as.example/", "", "/authorize", "https://as.example/\xc3\xa9"}) {
    EXPECT_FALSE(IsBrowsableUrl(bad)) << bad;
  }
  EXPECT_FALSE(OpenInBrowser("javascript:alert(1)"));
}

TEST(BrowserTest, CommandsFromBrowserVariableThenXdgOpen) {
  const std::string url = "https://as/authorize?a=1&b=2";
  EXPECT_EQ(BrowserCommands("", url), (std::vector<Argv>{{"xdg-open", url}}));
  EXPECT_EQ(BrowserCommands("firefox:w3m -o x %s", url),
            (std::vector<Argv>{{"firefox", url}, {"w3m", "-o", "x", url}, {"xdg-open", url}}));
  // Characters a shell would interpret are just bytes of one argv element.
  const std::string nasty = "https://as/authorize?x=$(touch%20/tmp/pwned)&y=`id`;z";
  EXPECT_EQ(BrowserCommands("echo", nasty)[0], (Argv{"echo", nasty}));
}

TEST(BrowserTest, BrowserVariableIsStartedWithTheUrlAsOneArgumentWithoutAShell) {
  // The "browser" is a script that writes its argv to a FIFO; reading the FIFO waits for it.
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("mcpauth-browser-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::filesystem::path fifo = dir / "argv";
  const std::filesystem::path script = dir / "browser.sh";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  {
    std::ofstream out(script);
    out << "#!/bin/sh\nprintf '%s|' \"$#\" \"$@\" > '" << fifo.string() << "'\n";
  }
  std::filesystem::permissions(script, std::filesystem::perms::owner_all);
  const char* previous = std::getenv("BROWSER");
  const std::string saved = previous != nullptr ? previous : "";
  ::setenv("BROWSER", (script.string() + " --flag %s").c_str(), 1);
  // Valid URL characters a shell would act on: $( ) ; & '
  const std::string url = "http://127.0.0.1:1/authorize?a=$(touch%20pwned)&b=1;c='x'";
  ASSERT_TRUE(IsBrowsableUrl(url));
  const bool opened = OpenInBrowser(url).has_value();
  std::string argv;
  if (opened) {
    std::ifstream in(fifo);
    std::getline(in, argv);
  }
  if (previous != nullptr) {
    ::setenv("BROWSER", saved.c_str(), 1);
  } else {
    ::unsetenv("BROWSER");
  }
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(opened);
  EXPECT_EQ(argv, "2|--flag|" + url + "|");
  EXPECT_FALSE(std::filesystem::exists("pwned"));
}

}  // namespace
}  // namespace mcpauth::oauth::client
