// The embedded store: one SQLite file in WAL mode (docs/store.md).
//
// Open() creates the file (mode 0600; missing parent directories mode 0700) on first start and
// applies the pending schema migrations in one transaction; re-opening is idempotent. Several
// processes may open the same file (the server and an admin command): single use of codes and
// refresh tokens holds across them, because it is enforced in SQL transactions, not only by
// the in-process mutex. Thread-safety: all methods are safe to call concurrently.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>

#include "mcpauth/core/clock.hpp"
#include "mcpauth/core/result.hpp"
#include "mcpauth/store/store.hpp"

namespace mcpauth::store {

struct SqliteOptions {
  // How long a write waits for another process holding the write lock before kUnavailable.
  std::chrono::milliseconds busy_timeout{5000};
  // Stamps schema_migrations.applied_at; nullptr means SystemClock. Not owned.
  const Clock* clock = nullptr;
  // Checkpoint the WAL on a background thread with a connection of its own, instead of inside
  // the commit that fills it to 1000 frames (docs/store.md, "Checkpoints").
  bool background_checkpoint = true;
};

// kUnavailable if the file or its directory cannot be created or written, kCorrupt if it is
// not a (healthy) SQLite database, kUnsupported if its schema is newer than this build.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::filesystem::path& path,
                                               const SqliteOptions& options = {});

// The schema version this build migrates to.
int SqliteSchemaVersion();

}  // namespace mcpauth::store
