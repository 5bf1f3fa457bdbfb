// mcpauth: the command-line MCP client. Wiring only: parse the command line, build an McpClient,
// run one subcommand, print, and map the outcome to an exit status.
//
//   mcpauth tools URL                    each tool's name and description (--json: raw)
//   mcpauth call URL TOOL [JSON-ARGS]    the text content of the result (--json: raw)
//
// Global options (before or after the subcommand): --era auto|modern|legacy, --json, --verbose
// (connection details, progress and the server's log messages on stderr), --debug (the library's
// debug log lines too), --timeout SECONDS.
// Exit status: 0 success; 1 the request failed or the tool reported isError; 2 bad usage.
// Each subcommand is one Add*Command() that registers its options and returns what to run; later
// subcommands (login, logout, status, proxy) are added the same way.
#include <CLI/CLI.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "mcpauth/core/log.hpp"
#include "mcpauth/http/client.hpp"
#include "mcpauth/mcp/client.hpp"

namespace {

using namespace mcpauth;
namespace json = boost::json;

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

struct GlobalOptions {
  std::string era = "auto";
  bool json = false;
  bool verbose = false;
  bool debug = false;
  int timeout_seconds = 60;
};

// A registered subcommand and what runs when it is the one given (returns the exit status).
struct Subcommand {
  CLI::App* app;
  std::function<int()> run;
};

mcp::EraPreference ParseEra(const std::string& era) {
  if (era == "modern") {
    return mcp::EraPreference::kModern;
  }
  if (era == "legacy") {
    return mcp::EraPreference::kLegacy;
  }
  return mcp::EraPreference::kAuto;
}

std::string_view EraName(std::optional<mcp::Era> era) {
  if (!era) {
    return "none";
  }
  return *era == mcp::Era::kModern ? "modern" : "legacy";
}

// A server-supplied string for one line of a terminal: control characters (escape sequences,
// line breaks) become spaces, so a server cannot forge output lines or drive the terminal. The
// text content of `call` is the exception: it is the output asked for, printed as it is.
std::string OneLine(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      c = ' ';
    }
  }
  return out;
}

void PrintError(std::string_view what, const mcp::McpClient& client) {
  std::fprintf(stderr, "mcpauth: %.*s: %s\n", static_cast<int>(what.size()), what.data(),
               client.last_error().Describe().c_str());
}

// One connected MCP client for a subcommand; prints why it could not connect.
class Session {
 public:
  Session(const GlobalOptions& global, const std::string& url)
      : global_(global),
        url_(url),
        http_(http::ClientOptions{.request_timeout = std::chrono::seconds(global.timeout_seconds)}),
        client_(http_, url, MakeOptions(global)) {}

  bool Connect() {
    if (Status st = client_.Connect(); !st) {
      PrintError("cannot connect to " + url_, client_);
      return false;
    }
    if (global_.verbose) {
      const auto& info = client_.server_info();
      const auto* name = info.if_contains("name");
      const auto* version = info.if_contains("version");
      std::fprintf(stderr, "mcpauth: era %s, protocol %s, server %s %s%s\n",
                   std::string(EraName(client_.era())).c_str(),
                   OneLine(client_.protocol_version()).c_str(),
                   name && name->is_string() ? OneLine(name->get_string()).c_str() : "?",
                   version && version->is_string() ? OneLine(version->get_string()).c_str() : "",
                   client_.session_id().empty() ? "" : ", session");
    }
    return true;
  }

  // The connection facts --json output starts with.
  json::object Describe() const {
    return json::object{{"era", EraName(client_.era())},
                        {"protocolVersion", client_.protocol_version()},
                        {"serverInfo", client_.server_info()}};
  }

  ~Session() { (void)client_.Close(); }

  mcp::McpClient& client() { return client_; }

 private:
  static mcp::McpClientOptions MakeOptions(const GlobalOptions& global) {
    mcp::McpClientOptions o;
    o.era = ParseEra(global.era);
    o.request_timeout = std::chrono::seconds(global.timeout_seconds);
    if (global.verbose) {
      o.log_level = "info";
      o.on_log = [](std::string_view level, std::string_view logger, const json::value& data) {
        const std::string text =
            OneLine(data.is_string() ? std::string_view(data.get_string()) : json::serialize(data));
        std::fprintf(stderr, "mcpauth: server log [%s]%s%s %s\n", OneLine(level).c_str(),
                     logger.empty() ? "" : " ", OneLine(logger).c_str(), text.c_str());
      };
    }
    return o;
  }

  const GlobalOptions& global_;
  const std::string url_;
  http::Client http_;
  mcp::McpClient client_;
};

Subcommand AddToolsCommand(CLI::App& app, const GlobalOptions& global) {
  auto* cmd = app.add_subcommand("tools", "List the tools of an MCP server");
  auto url = std::make_shared<std::string>();
  cmd->add_option("url", *url, "The MCP endpoint, e.g. http://127.0.0.1:8080/mcp")->required();
  return {cmd, [&global, url]() {
            Session session(global, *url);
            if (!session.Connect()) {
              return kExitFailure;
            }
            auto tools = session.client().ListTools();
            if (!tools) {
              PrintError("tools/list failed", session.client());
              return kExitFailure;
            }
            if (global.json) {
              json::array list;
              for (const auto& t : *tools) {
                list.push_back(t.raw);
              }
              json::object out = session.Describe();
              out["tools"] = std::move(list);
              std::printf("%s\n", json::serialize(out).c_str());
              return kExitOk;
            }
            for (const auto& t : *tools) {
              std::printf("%s\t%s\n", OneLine(t.name).c_str(), OneLine(t.description).c_str());
            }
            return kExitOk;
          }};
}

Subcommand AddCallCommand(CLI::App& app, const GlobalOptions& global) {
  auto* cmd = app.add_subcommand("call", "Call a tool and print its text content");
  struct Args {
    std::string url;
    std::string tool;
    std::string arguments = "{}";
  };
  auto args = std::make_shared<Args>();
  cmd->add_option("url", args->url, "The MCP endpoint")->required();
  cmd->add_option("tool", args->tool, "The tool's name")->required();
  cmd->add_option("arguments", args->arguments, "The arguments, a JSON object (default {})");
  return {cmd, [&global, args]() {
            boost::system::error_code ec;
            json::value parsed = json::parse(args->arguments, ec);
            if (ec || !parsed.is_object()) {
              std::fprintf(
                  stderr,
                  "mcpauth: the arguments must be a JSON object, e.g. '{\"text\":\"hi\"}'\n");
              return kExitUsage;
            }
            Session session(global, args->url);
            if (!session.Connect()) {
              return kExitFailure;
            }
            // A progress callback makes the request carry a progressToken: the server may then
            // stream.
            mcp::ProgressFn on_progress = [&global](const mcp::Progress& p) {
              if (!global.verbose) {
                return;
              }
              if (p.total) {
                std::fprintf(stderr, "mcpauth: progress %g/%g %s\n", p.progress, *p.total,
                             p.message.c_str());
              } else {
                std::fprintf(stderr, "mcpauth: progress %g %s\n", p.progress, p.message.c_str());
              }
            };
            auto result =
                session.client().CallTool(args->tool, std::move(parsed.get_object()), on_progress);
            if (!result) {
              PrintError("calling '" + args->tool + "' failed", session.client());
              return kExitFailure;
            }
            if (global.json) {
              json::object out = session.Describe();
              out["result"] = result->raw;
              std::printf("%s\n", json::serialize(out).c_str());
            } else if (!result->is_error) {
              std::printf("%s\n", result->Text().c_str());
            }
            if (result->is_error) {
              std::fprintf(stderr, "mcpauth: the tool '%s' reported an error: %s\n",
                           args->tool.c_str(), result->Text().c_str());
              return kExitFailure;
            }
            return kExitOk;
          }};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"mcpauth: a command-line client for MCP servers (2026-07-28 and 2025 revisions)"};
  GlobalOptions global;
  cli.add_option("--era", global.era, "auto (2026-07-28, else 2025) | modern | legacy")
      ->capture_default_str()
      ->check(CLI::IsMember({"auto", "modern", "legacy"}));
  cli.add_flag("--json", global.json, "Print the raw JSON (with the era and protocol version)");
  cli.add_flag("-v,--verbose", global.verbose,
               "Connection details, progress and server log messages on stderr");
  cli.add_flag("--debug", global.debug, "Also the library's debug log lines on stderr");
  cli.add_option("--timeout", global.timeout_seconds, "Seconds to wait for a response")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));
  cli.require_subcommand(1);
  cli.fallthrough();  // global options may follow the subcommand

  const std::vector<Subcommand> commands = {
      AddToolsCommand(cli, global),
      AddCallCommand(cli, global),
  };
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version are "errors" with status 0; every real parse error is bad usage.
    return cli.exit(e) == 0 ? kExitOk : kExitUsage;
  }

  // Logs go to stderr; the HTTP client's debug lines name methods and origins, never tokens.
  log::Init(log::Format::kHuman, global.debug ? "debug" : "warn");
  for (const auto& command : commands) {
    if (command.app->parsed()) {
      return command.run();
    }
  }
  return kExitUsage;
}
