// The in-memory store: every table a map behind one mutex.
//
// For tests and demos; it passes the same test suite as the persistent backends, so code
// tested against it behaves the same on SQLite. Nothing survives the object.
// Thread-safety: all methods are safe to call concurrently.
#pragma once

#include <memory>

#include "mcpauth/store/store.hpp"

namespace mcpauth::store {

std::unique_ptr<Store> OpenMemoryStore();

}  // namespace mcpauth::store
