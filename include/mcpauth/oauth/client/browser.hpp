// Opening the authorization URL in the user's browser (RFC 8252 §6 / §8.12: the external
// system browser, never an embedded view) — without a shell (SPEC-CHECKLIST CL16, MCP security
// best practices "OAuth Authorization URL Validation").
//
// - Only absolute http(s) URLs without whitespace or control characters are opened
//   (IsBrowsableUrl): never javascript:, data:, file:, vbscript:, a command-line option ("-...")
//   or anything a handler could interpret.
// - Commands: each entry of $BROWSER (':'-separated, the xdg convention), split on spaces into
//   argv with "%s" replaced by the URL (or the URL appended), then `xdg-open URL`. Each is
//   started with posix_spawnp — argv straight to execve, no /bin/sh, so nothing in the URL is
//   ever interpreted — with stdin/stdout/stderr on /dev/null (a `mcpauth proxy` speaks MCP on
//   its stdout: a chatty browser must not corrupt it) and every other descriptor closed (the
//   loopback listener is not inherited). The first command that starts wins; the child is
//   reaped by a detached thread.
//
// Thread-safety: pure functions, and OpenInBrowser() is safe from any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "mcpauth/core/result.hpp"

namespace mcpauth::oauth::client {

bool IsBrowsableUrl(std::string_view url);

// The argv lists OpenInBrowser() tries, in order, for a $BROWSER value (may be empty).
std::vector<std::vector<std::string>> BrowserCommands(std::string_view browser_env,
                                                      std::string_view url);

// Fails with Errc::kBrowserFailed if the URL is refused or no command could be started.
Status OpenInBrowser(std::string_view url);

}  // namespace mcpauth::oauth::client
