#include "mcpauth/keyring/secret_service_store.hpp"

// secret-paths.h (the D-Bus-path level API, marked unstable since libsecret 0.8 and unchanged
// since) has secret_service_get_session_dbus_path(), needed to close our transfer sessions.
#define SECRET_API_SUBJECT_TO_CHANGE
#include <libsecret/secret.h>

#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

namespace mcpauth::keyring {
namespace {

// ---- GLib ownership -------------------------------------------------------------------------

struct GObjectUnref {
  void operator()(gpointer p) const {
    if (p != nullptr) {
      g_object_unref(p);
    }
  }
};
template <class T>
using GObjectPtr = std::unique_ptr<T, GObjectUnref>;

struct GErrorFree {
  void operator()(GError* e) const { g_error_free(e); }
};
using GErrorPtr = std::unique_ptr<GError, GErrorFree>;

struct GHashTableUnref {
  void operator()(GHashTable* t) const { g_hash_table_unref(t); }
};
using GHashTablePtr = std::unique_ptr<GHashTable, GHashTableUnref>;

struct ItemList {
  GList* list = nullptr;
  ItemList() = default;
  explicit ItemList(GList* l) : list(l) {}
  ItemList(const ItemList&) = delete;
  ItemList& operator=(const ItemList&) = delete;
  ~ItemList() { g_list_free_full(list, g_object_unref); }
};

// ---- The schema -----------------------------------------------------------------------------

// SECRET_SCHEMA_NONE: libsecret stores and matches xdg:schema = io.mcpauth.Credential, so a
// search never returns another application's items.
const SecretSchema* Schema() {
  static const SecretSchema schema = {
      .name = SecretServiceStore::kSchemaName,
      .flags = SECRET_SCHEMA_NONE,
      .attributes =
          {
              {"kind", SECRET_SCHEMA_ATTRIBUTE_STRING},
              {"issuer", SECRET_SCHEMA_ATTRIBUTE_STRING},
              {"resource", SECRET_SCHEMA_ATTRIBUTE_STRING},
              {"client_id", SECRET_SCHEMA_ATTRIBUTE_STRING},
              {nullptr, SECRET_SCHEMA_ATTRIBUTE_STRING},
          },
  };
  return &schema;
}

// The attribute table points into `strings`, which must outlive it.
struct Attributes {
  std::vector<std::pair<std::string, std::string>> strings;
  GHashTablePtr table{g_hash_table_new(g_str_hash, g_str_equal)};

  void Add(const char* name, std::string value) { strings.emplace_back(name, std::move(value)); }
  GHashTable* Build() {
    for (const auto& [name, value] : strings) {
      g_hash_table_insert(table.get(), const_cast<char*>(name.c_str()),
                          const_cast<char*>(value.c_str()));
    }
    return table.get();
  }
};

Attributes KeyAttributes(const CredentialKey& key) {
  Attributes a;
  a.Add("kind", std::string(KindName(key.kind)));
  a.Add("issuer", key.issuer);
  a.Add("resource", key.resource);
  a.Add("client_id", key.client_id);
  return a;
}

Attributes FilterAttributes(const CredentialFilter& filter) {
  Attributes a;
  if (filter.kind) {
    a.Add("kind", std::string(KindName(*filter.kind)));
  }
  if (filter.issuer) {
    a.Add("issuer", *filter.issuer);
  }
  if (filter.resource) {
    a.Add("resource", *filter.resource);
  }
  if (filter.client_id) {
    a.Add("client_id", *filter.client_id);
  }
  return a;
}

// ---- Never prompt ---------------------------------------------------------------------------

// A SecretService whose prompts all fail at once. libsecret shows a prompt whenever the service
// returns one (an unlock, a confirmation); through this subtype it never reaches the user.
GQuark NoPromptQuark() { return g_quark_from_static_string("mcpauth-keyring-no-prompt"); }
constexpr char kPromptRefused[] = "the Secret Service asked for a prompt, which mcpauth refuses";

GVariant* RefusePromptSync(SecretService*, SecretPrompt*, GCancellable*, const GVariantType*,
                           GError** error) {
  g_set_error_literal(error, NoPromptQuark(), 1, kPromptRefused);
  return nullptr;
}

void RefusePromptAsync(SecretService* self, SecretPrompt*, const GVariantType*,
                       GCancellable* cancellable, GAsyncReadyCallback callback,
                       gpointer user_data) {
  GTask* task = g_task_new(self, cancellable, callback, user_data);
  g_task_return_new_error(task, NoPromptQuark(), 1, "%s", kPromptRefused);
  g_object_unref(task);
}

GVariant* RefusePromptFinish(SecretService*, GAsyncResult* result, GError** error) {
  g_task_propagate_pointer(G_TASK(result), error);
  return nullptr;
}

void NoPromptClassInit(gpointer klass, gpointer) {
  auto* service_class = static_cast<SecretServiceClass*>(klass);
  service_class->prompt_sync = RefusePromptSync;
  service_class->prompt_async = RefusePromptAsync;
  service_class->prompt_finish = RefusePromptFinish;
}

GType NoPromptServiceType() {
  static const GType type = g_type_register_static_simple(
      SECRET_TYPE_SERVICE, "McpauthNoPromptSecretService", sizeof(SecretServiceClass),
      NoPromptClassInit, sizeof(SecretService), nullptr, static_cast<GTypeFlags>(0));
  return type;
}

// ---- Messages -------------------------------------------------------------------------------

constexpr char kFileAlternative[] = "or use --store file with MCPAUTH_STORE_KEY set";

KeyringError NoService(const GError* error) {
  std::string msg = "no Secret Service on the session bus";
  if (error != nullptr) {
    msg += std::string(" (") + error->message + ")";
  }
  msg += ". Is gnome-keyring or KeePassXC (with its Secret Service integration) running";
  if (std::getenv("DBUS_SESSION_BUS_ADDRESS") == nullptr) {
    msg +=
        ", and is DBUS_SESSION_BUS_ADDRESS set? It is unset here: over SSH or in a container, "
        "start a session with dbus-run-session and gnome-keyring-daemon --unlock.";
  } else {
    msg += " on the bus that DBUS_SESSION_BUS_ADDRESS names?";
  }
  return MakeError(Errc::kUnavailable, msg + " Or use --store file with MCPAUTH_STORE_KEY set");
}

KeyringError Locked() {
  return MakeError(Errc::kUnavailable,
                   std::string("the keyring (the Secret Service's default collection) is locked, "
                               "and mcpauth never prompts: unlock it (log in to the desktop "
                               "session, or open Passwords and Keys / KeePassXC; headless: "
                               "gnome-keyring-daemon --unlock) and retry, ") +
                       kFileAlternative);
}

KeyringError NoDefaultCollection() {
  return MakeError(Errc::kUnavailable,
                   std::string("the Secret Service has no default collection (keyring): create "
                               "one (Passwords and Keys, or expose a KeePassXC database through "
                               "its Secret Service integration), ") +
                       kFileAlternative);
}

KeyringError TimedOut(std::chrono::milliseconds timeout) {
  return MakeError(Errc::kUnavailable,
                   "the Secret Service did not answer within " + std::to_string(timeout.count()) +
                       " ms (is it waiting for an unlock or confirmation dialog?): unlock the "
                       "keyring and retry, " +
                       kFileAlternative);
}

KeyringError PromptRefused() {
  return MakeError(Errc::kUnavailable,
                   std::string("the Secret Service wants to show a prompt (to unlock the keyring "
                               "or to confirm access), and mcpauth never prompts: unlock the "
                               "keyring and retry, ") +
                       kFileAlternative);
}

// Maps a GError from any step after the service was reached.
KeyringError Classify(const GError* error, std::chrono::milliseconds timeout) {
  if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
    return TimedOut(timeout);
  }
  if (error->domain == NoPromptQuark()) {
    return PromptRefused();
  }
  if (g_error_matches(error, SECRET_ERROR, SECRET_ERROR_IS_LOCKED)) {
    return Locked();
  }
  if (g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED) ||
      g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_AUTH_FAILED)) {
    return MakeError(Errc::kDenied,
                     std::string("the Secret Service refused access: ") + error->message);
  }
  if (error->domain == G_DBUS_ERROR || error->domain == G_IO_ERROR) {
    return NoService(error);
  }
  return MakeError(Errc::kUnavailable, std::string("Secret Service error: ") + error->message +
                                           "; " + kFileAlternative);
}

// ---- One operation --------------------------------------------------------------------------

// What every operation starts from: a service proxy (of the no-prompt type) and the default
// collection, known to be unlocked.
struct Session {
  GObjectPtr<SecretService> service;
  GObjectPtr<SecretCollection> collection;
  GCancellable* cancellable = nullptr;  // the operation's; it outlives the session

  Session() = default;
  Session(Session&& other) noexcept
      : service(std::move(other.service)),
        collection(std::move(other.collection)),
        cancellable(other.cancellable) {}
  Session& operator=(Session&&) = delete;
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  // libsecret never closes the transfer session it opened, and the service keeps it until the
  // bus connection closes — which, when the application holds the shared session-bus connection,
  // is at exit: close it (a round trip, bounded by the operation's cancellable).
  ~Session() {
    if (!service) {
      return;
    }
    collection.reset();
    if (const char* path = secret_service_get_session_dbus_path(service.get())) {
      auto* proxy = G_DBUS_PROXY(service.get());
      GVariant* reply = g_dbus_connection_call_sync(
          g_dbus_proxy_get_connection(proxy), g_dbus_proxy_get_name(proxy), path,
          "org.freedesktop.Secret.Session", "Close", nullptr, nullptr,
          G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, cancellable, nullptr);
      if (reply != nullptr) {
        g_variant_unref(reply);
      }
    }
  }
};

// Whether the operation transfers a secret (Get, Put): only those open a transfer session (a
// Diffie-Hellman exchange and, at the end, a Close: two round trips and the key agreement on
// both sides); Probe, List and Delete see attributes only.
enum class Transfer { kNone, kSecrets };

KeyringResult<Session> Connect(GCancellable* cancellable, std::chrono::milliseconds timeout,
                               Transfer transfer) {
  Session s;
  s.cancellable = cancellable;
  GError* raw = nullptr;
  s.service.reset(secret_service_open_sync(
      NoPromptServiceType(), nullptr,
      transfer == Transfer::kSecrets ? SECRET_SERVICE_OPEN_SESSION : SECRET_SERVICE_NONE,
      cancellable, &raw));
  GErrorPtr error(raw);
  if (!s.service) {
    if (g_error_matches(error.get(), G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
      return TimedOut(timeout);
    }
    return NoService(error.get());
  }
  // GDBus's shared session-bus connection raises SIGTERM in this process when the bus closes
  // (exit-on-close): a keyring daemon or bus going away must not kill the client.
  g_dbus_connection_set_exit_on_close(g_dbus_proxy_get_connection(G_DBUS_PROXY(s.service.get())),
                                      FALSE);
  s.collection.reset(secret_collection_for_alias_sync(s.service.get(), SECRET_COLLECTION_DEFAULT,
                                                      SECRET_COLLECTION_NONE, cancellable, &raw));
  error.reset(raw);
  if (error) {
    return Classify(error.get(), timeout);
  }
  if (!s.collection) {
    return NoDefaultCollection();
  }
  // Checked before anything else: an operation on a locked collection would make the service
  // offer an unlock prompt (refused by our service type, but better not asked at all).
  if (secret_collection_get_locked(s.collection.get())) {
    return Locked();
  }
  return s;
}

// Runs `op` on its own thread (with its own GMainContext as the thread default, so no GLib
// callback lands on the application's main context) and waits at most `timeout`. On timeout
// the operation's GCancellable is cancelled and the thread is left to finish alone: it owns
// everything it uses.
template <class T>
KeyringResult<T> RunBounded(std::chrono::milliseconds timeout,
                            std::function<KeyringResult<T>(GCancellable*)> op) {
  struct State {
    std::mutex mu;
    std::condition_variable cv;
    std::optional<KeyringResult<T>> result;
    GObjectPtr<GCancellable> cancellable{g_cancellable_new()};
  };
  auto state = std::make_shared<State>();
  std::thread worker;
  try {
    worker = std::thread([state, op = std::move(op)] {
      GMainContext* context = g_main_context_new();
      g_main_context_push_thread_default(context);
      auto result = op(state->cancellable.get());
      // GDBus delivers the clean-up of a finalized proxy's signal subscriptions as idle
      // callbacks on the subscriber's context: run them before dropping the context.
      while (g_main_context_iteration(context, FALSE)) {
      }
      g_main_context_pop_thread_default(context);
      g_main_context_unref(context);
      {
        std::lock_guard lock(state->mu);
        state->result.emplace(std::move(result));
      }
      state->cv.notify_all();
    });
  } catch (const std::system_error& e) {
    return MakeError(Errc::kUnavailable,
                     std::string("cannot start a thread for the Secret Service: ") + e.what());
  }
  std::unique_lock lock(state->mu);
  if (state->cv.wait_for(lock, timeout, [&] { return state->result.has_value(); })) {
    lock.unlock();
    worker.join();
    return std::move(*state->result);
  }
  lock.unlock();
  g_cancellable_cancel(state->cancellable.get());
  worker.detach();
  return TimedOut(timeout);
}

// Items of our schema in the default collection matching `attributes`; no secrets loaded and,
// above all, no SECRET_SEARCH_UNLOCK.
KeyringResult<std::shared_ptr<ItemList>> Search(const Session& s, Attributes& attributes, bool all,
                                                GCancellable* cancellable,
                                                std::chrono::milliseconds timeout) {
  GError* raw = nullptr;
  GList* items = secret_collection_search_sync(s.collection.get(), Schema(), attributes.Build(),
                                               all ? SECRET_SEARCH_ALL : SECRET_SEARCH_NONE,
                                               cancellable, &raw);
  GErrorPtr error(raw);
  auto list = std::make_shared<ItemList>(items);
  if (error) {
    return Classify(error.get(), timeout);
  }
  return list;
}

std::string Attribute(GHashTable* attributes, const char* name) {
  const auto* value = static_cast<const char*>(g_hash_table_lookup(attributes, name));
  return value != nullptr ? value : "";
}

}  // namespace

SecretServiceStore::SecretServiceStore(SecretServiceStoreOptions options) : options_(options) {}

KeyringStatus SecretServiceStore::Probe() {
  const auto timeout = options_.timeout;
  auto r = RunBounded<bool>(timeout, [timeout](GCancellable* c) -> KeyringResult<bool> {
    auto s = Connect(c, timeout, Transfer::kNone);
    if (!s) {
      return s.error();
    }
    return true;
  });
  if (!r) {
    return r.error();
  }
  return {};
}

KeyringResult<Credential> SecretServiceStore::Get(const CredentialKey& key) {
  if (auto s = ValidateKey(key); !s) {
    return s.error();
  }
  const auto timeout = options_.timeout;
  return RunBounded<Credential>(
      timeout, [key, timeout](GCancellable* c) -> KeyringResult<Credential> {
        auto s = Connect(c, timeout, Transfer::kSecrets);
        if (!s) {
          return s.error();
        }
        auto attributes = KeyAttributes(key);
        auto items = Search(*s, attributes, false, c, timeout);
        if (!items) {
          return items.error();
        }
        if ((*items)->list == nullptr) {
          return MakeError(Errc::kNotFound, "no stored " + key.Describe());
        }
        auto* item = static_cast<SecretItem*>((*items)->list->data);
        if (secret_item_get_locked(item)) {
          return Locked();
        }
        GError* raw = nullptr;
        const gboolean loaded = secret_item_load_secret_sync(item, c, &raw);
        GErrorPtr error(raw);
        if (!loaded) {
          if (g_error_matches(error.get(), SECRET_ERROR, SECRET_ERROR_NO_SUCH_OBJECT)) {
            return MakeError(Errc::kNotFound, "no stored " + key.Describe());
          }
          return error ? Classify(error.get(), timeout) : Locked();
        }
        SecretValue* value = secret_item_get_secret(item);
        if (value == nullptr) {
          return Locked();
        }
        gsize size = 0;
        const gchar* data = secret_value_get(value, &size);
        Credential out{key, Secret(std::string(data, size))};
        secret_value_unref(value);
        return out;
      });
}

KeyringStatus SecretServiceStore::Put(const Credential& credential) {
  if (auto s = ValidateCredential(credential); !s) {
    return s;
  }
  const auto timeout = options_.timeout;
  auto r = RunBounded<bool>(timeout, [credential, timeout](GCancellable* c) -> KeyringResult<bool> {
    auto s = Connect(c, timeout, Transfer::kSecrets);
    if (!s) {
      return s.error();
    }
    auto attributes = KeyAttributes(credential.key);
    const std::string label = "mcpauth: " + credential.key.Describe();
    const auto payload = credential.payload.Reveal();
    SecretValue* value =
        secret_value_new(payload.data(), static_cast<gssize>(payload.size()), "text/plain");
    GError* raw = nullptr;
    // REPLACE: the service updates the item with the same attributes instead of adding one.
    GObjectPtr<SecretItem> item(secret_item_create_sync(s->collection.get(), Schema(),
                                                        attributes.Build(), label.c_str(), value,
                                                        SECRET_ITEM_CREATE_REPLACE, c, &raw));
    secret_value_unref(value);
    GErrorPtr error(raw);
    if (!item) {
      return error ? Classify(error.get(), timeout)
                   : MakeError(Errc::kUnavailable, "the Secret Service did not store the item");
    }
    return true;
  });
  if (!r) {
    return r.error();
  }
  return {};
}

KeyringStatus SecretServiceStore::Delete(const CredentialKey& key) {
  if (auto s = ValidateKey(key); !s) {
    return s;
  }
  const auto timeout = options_.timeout;
  auto r = RunBounded<bool>(timeout, [key, timeout](GCancellable* c) -> KeyringResult<bool> {
    auto s = Connect(c, timeout, Transfer::kNone);
    if (!s) {
      return s.error();
    }
    auto attributes = KeyAttributes(key);
    auto items = Search(*s, attributes, true, c, timeout);
    if (!items) {
      return items.error();
    }
    if ((*items)->list == nullptr) {
      return MakeError(Errc::kNotFound, "no stored " + key.Describe());
    }
    for (GList* l = (*items)->list; l != nullptr; l = l->next) {
      GError* raw = nullptr;
      const gboolean deleted = secret_item_delete_sync(static_cast<SecretItem*>(l->data), c, &raw);
      GErrorPtr error(raw);
      if (!deleted && !g_error_matches(error.get(), SECRET_ERROR, SECRET_ERROR_NO_SUCH_OBJECT)) {
        return error ? Classify(error.get(), timeout)
                     : MakeError(Errc::kUnavailable, "the Secret Service did not delete the item");
      }
    }
    return true;
  });
  if (!r) {
    return r.error();
  }
  return {};
}

KeyringResult<std::vector<CredentialKey>> SecretServiceStore::List(const CredentialFilter& filter) {
  const auto timeout = options_.timeout;
  return RunBounded<std::vector<CredentialKey>>(
      timeout, [filter, timeout](GCancellable* c) -> KeyringResult<std::vector<CredentialKey>> {
        auto s = Connect(c, timeout, Transfer::kNone);
        if (!s) {
          return s.error();
        }
        auto attributes = FilterAttributes(filter);
        auto items = Search(*s, attributes, true, c, timeout);
        if (!items) {
          return items.error();
        }
        std::vector<CredentialKey> out;
        for (GList* l = (*items)->list; l != nullptr; l = l->next) {
          GHashTablePtr attrs(secret_item_get_attributes(static_cast<SecretItem*>(l->data)));
          const auto kind = ParseKind(Attribute(attrs.get(), "kind"));
          if (!kind) {
            continue;  // written by a newer mcpauth
          }
          CredentialKey key{*kind, Attribute(attrs.get(), "issuer"),
                            Attribute(attrs.get(), "resource"),
                            Attribute(attrs.get(), "client_id")};
          if (filter.Matches(key)) {
            out.push_back(std::move(key));
          }
        }
        std::sort(out.begin(), out.end());
        out.erase(std::unique(out.begin(), out.end()), out.end());
        return out;
      });
}

}  // namespace mcpauth::keyring
