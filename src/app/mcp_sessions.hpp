// The MCP session table's persistence on the server's store (several nodes sharing PostgreSQL:
// docs/deploy.md): adapts store::McpSessionStore to mcp::SessionPersistence. Only the SHA-256
// of a session id reaches the store (core::TokenHash), as for tokens. Thread-safe as the store.
#pragma once

#include "mcpauth/mcp/session.hpp"
#include "mcpauth/store/store.hpp"

namespace mcpauth::app {

class StoreSessionPersistence final : public mcp::SessionPersistence {
 public:
  // `store` must outlive this.
  explicit StoreSessionPersistence(store::McpSessionStore& store) : store_(store) {}

  Outcome Save(std::string_view id, const Record& record, Clock::TimePoint now) override;
  Outcome Load(std::string_view id, Clock::TimePoint now, Record& out) override;
  Outcome Touch(std::string_view id, Clock::TimePoint expires_at, Clock::TimePoint now) override;
  Outcome Remove(std::string_view id) override;

 private:
  store::McpSessionStore& store_;
};

}  // namespace mcpauth::app
