#include "mcpauth/oauth/pages.hpp"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mcpauth/http/html.hpp"
#include "oauth/server/page_style.hpp"

namespace mcpauth::oauth {
namespace {

using namespace pages_detail;

void AppendEscaped(std::string& out, std::string_view text) { http::AppendHtmlEscaped(out, text); }

// Builds a document: Raw() for our own markup, Text() for anything from the model.
class HtmlWriter {
 public:
  HtmlWriter& Raw(std::string_view markup) {
    out_ += markup;
    return *this;
  }
  HtmlWriter& Text(std::string_view text) {
    AppendEscaped(out_, text);
    return *this;
  }
  // Text from outside shown inside a sentence: <bdi> isolates it, so bidirectional controls in
  // a client or user name (U+202E…) cannot reorder the words around it.
  HtmlWriter& Isolated(std::string_view text) { return Raw("<bdi>").Text(text).Raw("</bdi>"); }
  HtmlWriter& Icon(std::string_view paths) { return Raw(kIconOpen).Raw(paths).Raw(kIconClose); }
  HtmlWriter& Hidden(std::string_view name, std::string_view value) {
    return Raw(R"(<input type="hidden" name=")")
        .Text(name)
        .Raw(R"(" value=")")
        .Text(value)
        .Raw("\">\n");
  }
  // The opening tag of a POST form, with its hidden CSRF token when there is one.
  HtmlWriter& OpenForm(std::string_view action, std::string_view css_class,
                       std::string_view csrf_token) {
    Raw(R"(<form method="post" action=")").Text(action).Raw("\"");
    if (!css_class.empty()) {
      Raw(R"( class=")").Raw(css_class).Raw("\"");
    }
    Raw(">\n");
    if (!csrf_token.empty()) {
      Hidden("csrf_token", csrf_token);
    }
    return *this;
  }
  HtmlWriter& HiddenInputs(const HiddenFields& fields) {
    for (const auto& [name, value] : fields) {
      Hidden(name, value);
    }
    return *this;
  }
  std::string Take() && { return std::move(out_); }

 private:
  std::string out_;
};

// <!DOCTYPE> to the opening <main>: head with the shared style, then the brand line.
void OpenDocument(HtmlWriter& html, std::string_view title, std::string_view server_name,
                  std::string_view main_class = {}) {
  html.Raw(
          "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<meta name=\"color-scheme\" content=\"light dark\">\n"
          "<meta name=\"referrer\" content=\"no-referrer\">\n"
          "<meta name=\"robots\" content=\"noindex, nofollow\">\n<title>")
      .Text(title);
  if (!server_name.empty()) {
    html.Raw(" &#183; ").Text(server_name);
  }
  html.Raw("</title>\n<style>").Raw(kPageStyle).Raw("</style>\n</head>\n<body>\n");
  html.Raw("<header class=\"brand\">").Raw(kLogoMark);
  if (!server_name.empty()) {
    html.Raw("<span>").Text(server_name).Raw("</span>");
  }
  html.Raw("</header>\n<main");
  if (!main_class.empty()) {
    html.Raw(" class=\"").Raw(main_class).Raw("\"");
  }
  html.Raw(">\n");
}

void CloseDocument(HtmlWriter& html, std::string_view server_name) {
  html.Raw("</main>\n");
  if (!server_name.empty()) {
    html.Raw("<footer>").Text(server_name).Raw("</footer>\n");
  }
  html.Raw("</body>\n</html>\n");
}

// The first character of `name` for an app's monogram tile: one UTF-8 sequence (ASCII letters
// upper-cased), or "?" when there is no printable first character.
std::string Monogram(std::string_view name) {
  if (name.empty()) {
    return "?";
  }
  const auto lead = static_cast<unsigned char>(name.front());
  size_t length = 0;
  if (lead > 0x20 && lead < 0x7f) {
    length = 1;
  } else if ((lead & 0xe0) == 0xc0) {
    length = 2;
  } else if ((lead & 0xf0) == 0xe0) {
    length = 3;
  } else if ((lead & 0xf8) == 0xf0) {
    length = 4;
  }
  if (length == 0 || length > name.size()) {
    return "?";
  }
  std::string first(name.substr(0, length));
  if (length == 1 && first[0] >= 'a' && first[0] <= 'z') {
    first[0] = static_cast<char>(first[0] - 'a' + 'A');
  }
  return first;
}

std::string_view DisplayName(std::string_view client_name, std::string_view client_id) {
  return client_name.empty() ? client_id : client_name;
}

// A same-origin path ("/apps"), never "//host" or "/\host" (browsers read both as another
// host), and nothing a URL parser would strip or rewrite (controls, spaces, backslashes).
bool IsLocalPath(std::string_view href) {
  if (href.empty() || href.front() != '/' || (href.size() > 1 && href[1] == '/')) {
    return false;
  }
  for (const char c : href) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte == 0x7f || c == '\\') {
      return false;
    }
  }
  return true;
}

void AppendScopeList(HtmlWriter& html, const std::vector<ScopeLine>& scopes) {
  html.Raw("<ul class=\"scopes\">\n");
  for (const ScopeLine& line : scopes) {
    html.Raw("<li>").Icon(kIconCheck).Raw("<div><span>");
    html.Text(line.description.empty() ? line.scope : line.description);
    html.Raw("</span> <code>").Text(line.scope).Raw("</code></div></li>\n");
  }
  html.Raw("</ul>\n");
}

}  // namespace

std::string HtmlEscape(std::string_view text) { return http::HtmlEscape(text); }

std::string RenderLoginPage(const LoginPageModel& model) {
  HtmlWriter html;
  OpenDocument(html, "Sign in", model.server_name);

  html.Raw("<h1>Sign in");
  if (!model.server_name.empty()) {
    html.Raw(" to ").Isolated(model.server_name);
  }
  html.Raw("</h1>\n<p class=\"sub\">");
  if (model.client_name.empty()) {
    html.Raw("Enter your user name and password.");
  } else {
    html.Raw("to continue to <strong>").Isolated(model.client_name).Raw("</strong>");
  }
  html.Raw("</p>\n");

  const bool has_error = !model.error.empty();
  if (has_error) {
    html.Raw("<div class=\"alert error\" role=\"alert\" id=\"login-error\">")
        .Icon(kIconAlertCircle)
        .Raw("<p>")
        .Text(model.error)
        .Raw("</p></div>\n");
  }
  const std::string_view invalid =
      has_error ? R"( aria-invalid="true" aria-describedby="login-error")" : "";

  html.OpenForm(model.form_action, {}, model.csrf_token).HiddenInputs(model.hidden);
  // After a failed attempt the user name is filled in: the cursor goes to the password.
  const bool focus_password = !model.username.empty();
  html.Raw(
          "<div class=\"field\"><label for=\"username\">User name</label>"
          "<input type=\"text\" id=\"username\" name=\"username\" autocomplete=\"username\" "
          "autocapitalize=\"none\" spellcheck=\"false\" required")
      .Raw(invalid)
      .Raw(focus_password ? "" : " autofocus")
      .Raw(" value=\"")
      .Text(model.username)
      .Raw("\"></div>\n");
  html.Raw(
          "<div class=\"field\"><label for=\"password\">Password</label>"
          "<input type=\"password\" id=\"password\" name=\"password\" "
          "autocomplete=\"current-password\" required")
      .Raw(invalid)
      .Raw(focus_password ? " autofocus" : "")
      .Raw("></div>\n");
  html.Raw("<button type=\"submit\" class=\"primary block\">Sign in</button>\n</form>\n");

  CloseDocument(html, model.server_name);
  return std::move(html).Take();
}

std::string RenderConsentPage(const ConsentPageModel& model) {
  const std::string_view name = DisplayName(model.client_name, model.client_id);
  HtmlWriter html;
  OpenDocument(html, "Authorize " + std::string(name), model.server_name);

  // Who is asking, for what, on whose account.
  html.Raw("<div class=\"consent-head\">\n<div class=\"avatar\" aria-hidden=\"true\">")
      .Text(Monogram(name))
      .Raw("</div>\n<h1>")
      .Text(name)
      .Raw("</h1>\n");
  // Where the answer goes, at a glance (the facts below say it in words).
  if (!model.redirect_host.empty()) {
    html.Raw("<p class=\"host\">")
        .Icon(model.redirect_is_loopback ? kIconComputer : kIconReturn)
        .Raw("<span class=\"vh\">Returns to </span><bdi>")
        .Text(model.redirect_host)
        .Raw("</bdi></p>\n");
  }
  html.Raw("<p class=\"lead\"><span>wants to access <strong>")
      .Isolated(model.resource_name.empty() ? model.server_name : model.resource_name)
      .Raw("</strong></span>");
  if (!model.username.empty()) {
    html.Raw(" <span>on your account <strong>").Isolated(model.username).Raw("</strong></span>");
  }
  html.Raw("</p>\n</div>\n");

  // What the person can check before trusting it.
  html.Raw("<ul class=\"facts\">\n");
  if (!model.client_host.empty()) {
    html.Raw("<li class=\"ok\">")
        .Icon(kIconCheckCircle)
        .Raw("<div>Identity verified by <strong>")
        .Isolated(model.client_host)
        .Raw(
            "</strong><span class=\"note\">The app&#39;s name and details are published at its "
            "own address.</span></div></li>\n");
  } else {
    html.Raw("<li class=\"warn\">")
        .Icon(kIconAlertTriangle)
        .Raw("<div>The name &ldquo;")
        .Isolated(name)
        .Raw(
            "&rdquo; is self-declared<span class=\"note\">The app chose this name itself; it has "
            "not been verified. Only continue if you started this.</span></div></li>\n");
  }
  if (!model.redirect_host.empty()) {
    html.Raw("<li>")
        .Icon(model.redirect_is_loopback ? kIconComputer : kIconReturn)
        .Raw("<div>You will be sent back to <strong>")
        .Isolated(model.redirect_host)
        .Raw("</strong>");
    if (model.redirect_is_loopback) {
      html.Raw("<span class=\"note\">This app runs on your computer.</span>");
    }
    html.Raw("</div></li>\n");
  }
  if (!model.resource_uri.empty()) {
    html.Raw("<li>")
        .Icon(kIconServer)
        .Raw("<div>Access limited to <strong>")
        .Isolated(model.resource_name.empty() ? model.resource_uri : model.resource_name)
        .Raw("</strong><span class=\"note mono\">")
        .Text(model.resource_uri)
        .Raw("</span></div></li>\n");
  }
  html.Raw("</ul>\n");

  html.Raw("<h2 class=\"section-title\">This will allow <bdi>").Text(name).Raw("</bdi> to:</h2>\n");
  if (model.scopes.empty()) {
    html.Raw("<ul class=\"scopes\"><li>")
        .Icon(kIconCheck)
        .Raw("<div>Use the access this server grants by default</div></li></ul>\n");
  } else {
    AppendScopeList(html, model.scopes);
  }

  // Approve is the first submit button, so Enter in the form approves.
  html.OpenForm(model.form_action, "actions", model.csrf_token).HiddenInputs(model.hidden);
  html.Raw(
      "<button type=\"submit\" name=\"decision\" value=\"approve\" class=\"primary\">Approve"
      "</button>\n"
      "<button type=\"submit\" name=\"decision\" value=\"deny\" class=\"secondary\">Deny"
      "</button>\n</form>\n");

  html.Raw("<p class=\"client-id small\">App ID <code>").Text(model.client_id).Raw("</code></p>\n");

  if (!model.switch_user_action.empty()) {
    html.OpenForm(model.switch_user_action, "switch", model.csrf_token);
    html.Raw("<span>");
    if (!model.username.empty()) {
      html.Raw("Signed in as <strong>").Isolated(model.username).Raw("</strong>. ");
    }
    html.Raw("Not you?</span><button type=\"submit\" class=\"link\">Sign out</button>\n</form>\n");
  }

  CloseDocument(html, model.server_name);
  return std::move(html).Take();
}

std::string RenderAppsPage(const AppsPageModel& model) {
  HtmlWriter html;
  OpenDocument(html, "Connected apps", model.server_name, "wide");

  html.Raw("<div class=\"page-head\">\n<h1>Connected apps</h1>\n<p class=\"sub\">");
  html.Raw("Apps you have allowed to access your account");
  if (!model.server_name.empty()) {
    html.Raw(" on ").Isolated(model.server_name);
  }
  html.Raw(". Disconnect an app to revoke its access at once.</p>\n</div>\n");

  if (!model.notice.empty()) {
    html.Raw("<div class=\"alert ok\" role=\"status\">")
        .Icon(kIconCheckCircle)
        .Raw("<p>")
        .Text(model.notice)
        .Raw("</p></div>\n");
  }

  if (model.apps.empty()) {
    html.Raw(
        "<div class=\"empty\"><strong>No connected apps</strong>When you approve an app, it "
        "appears here until you disconnect it.</div>\n");
  } else {
    html.Raw("<ul class=\"apps\">\n");
    for (const ConnectedApp& app : model.apps) {
      const std::string_view name = DisplayName(app.client_name, app.client_id);
      html.Raw("<li class=\"app\">\n<div class=\"avatar\" aria-hidden=\"true\">")
          .Text(Monogram(name))
          .Raw("</div>\n<div>\n<h2>")
          .Text(name)
          .Raw("</h2>\n<p class=\"mono\">")
          .Text(app.client_id)
          .Raw("</p>\n");
      if (!app.scopes.empty()) {
        AppendScopeList(html, app.scopes);
      }
      html.Raw("<p class=\"meta\"><span>Connected ")
          .Isolated(app.created)
          .Raw("</span> &#183; <span>Last used ")
          .Isolated(app.last_used.empty() ? "never" : app.last_used)
          .Raw("</span></p>\n</div>\n");
      html.OpenForm(model.disconnect_action, {}, model.csrf_token)
          .Hidden("client_id", app.client_id);
      html.Raw("<button type=\"submit\" class=\"secondary danger\">Disconnect<span class=\"vh\"> ")
          .Text(name)
          .Raw("</span></button>\n</form>\n</li>\n");
    }
    html.Raw("</ul>\n");
  }

  html.Raw("<div class=\"account\"><p>");
  if (!model.username.empty()) {
    html.Raw("Signed in as <strong>").Isolated(model.username).Raw("</strong>");
  }
  html.Raw("</p>\n");
  if (!model.logout_action.empty()) {
    html.OpenForm(model.logout_action, {}, model.csrf_token);
    html.Raw("<button type=\"submit\" class=\"secondary\">Sign out</button>\n</form>\n");
  }
  html.Raw("</div>\n");

  CloseDocument(html, model.server_name);
  return std::move(html).Take();
}

std::string RenderMessagePage(const MessagePageModel& model) {
  HtmlWriter html;
  OpenDocument(html, model.title, model.server_name, "message center");

  html.Raw(model.is_error ? "<div class=\"status-icon error\">" : "<div class=\"status-icon\">")
      .Icon(model.is_error ? kIconAlertCircle : kIconCheckCircle)
      .Raw("</div>\n<h1>")
      .Text(model.title)
      .Raw("</h1>\n");
  if (!model.message.empty()) {
    html.Raw("<p class=\"lead\">").Text(model.message).Raw("</p>\n");
  }
  if (!model.detail.empty()) {
    html.Raw("<p class=\"detail small\">").Text(model.detail).Raw("</p>\n");
  }
  if (IsLocalPath(model.link_href)) {
    html.Raw("<a class=\"button primary block\" href=\"")
        .Text(model.link_href)
        .Raw("\">")
        .Text(model.link_text.empty() ? "Continue" : model.link_text)
        .Raw("</a>\n");
  }

  CloseDocument(html, model.server_name);
  return std::move(html).Take();
}

}  // namespace mcpauth::oauth
