// The scale-out store: PostgreSQL through libpq, shared by any number of server nodes
// (docs/store.md, "The PostgreSQL backend"; docs/deploy.md).
//
// Open() connects once, applies the pending schema migrations under an advisory lock (several
// nodes starting at once are safe) and returns a store whose calls borrow connections from a
// small pool. Single use of codes and refresh tokens is enforced by the database, so it holds
// across nodes. While the database is unreachable calls fail with kUnavailable; they work
// again, without a restart, once it is back. SetChangeListener() delivers revocations and key
// changes of every node through LISTEN/NOTIFY.
// Thread-safety: all methods are safe to call concurrently.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "mcpauth/core/clock.hpp"
#include "mcpauth/core/result.hpp"
#include "mcpauth/store/store.hpp"

namespace mcpauth::store {

struct PostgresOptions {
  // Connections opened on demand, at most this many at once; callers beyond wait for one.
  size_t pool_size = 8;
  // The schema the tables live in (created if missing): [a-z_][a-z0-9_]*; "" = the server's
  // default search_path (normally `public`).
  std::string schema;
  // Unless the connection string sets connect_timeout itself.
  std::chrono::seconds connect_timeout{5};
  // Stamps schema_migrations.applied_at; nullptr means SystemClock. Not owned.
  const Clock* clock = nullptr;
};

// `conninfo`: a libpq URL (postgres://user@host:port/db?sslmode=verify-full) or key=value
// string. kUnavailable if the server cannot be reached, kUnsupported if the schema is newer
// than this build, kInvalidArgument for an empty conninfo, a pool of 0 or a bad schema name.
Result<std::unique_ptr<Store>> OpenPostgresStore(std::string_view conninfo,
                                                 const PostgresOptions& options = {});

// The schema version this build migrates to.
int PostgresSchemaVersion();

}  // namespace mcpauth::store
