// The HTML pages: every model field escaped, the automation contract (field and button names),
// labelled inputs, no script and no external asset, hidden fields round-tripping, local-only
// links, the empty and notice states of Connected apps.
#include "mcpauth/oauth/pages.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <regex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mcpauth::oauth {
namespace {

// An attack on the markup and on attributes at once; `tag` tells the fields apart.
std::string Evil(std::string_view tag) {
  return "<script>alert('" + std::string(tag) + "')</script>\"onmouseover=\"x";
}

size_t Count(std::string_view haystack, std::string_view needle) {
  size_t count = 0;
  for (size_t at = haystack.find(needle); at != std::string_view::npos;
       at = haystack.find(needle, at + needle.size())) {
    ++count;
  }
  return count;
}

std::string Unescape(std::string_view text) {
  static const std::vector<std::pair<std::string_view, char>> kEntities = {
      {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#39;", '\''}};
  std::string out;
  for (size_t i = 0; i < text.size();) {
    bool matched = false;
    for (const auto& [entity, c] : kEntities) {
      if (text.substr(i).starts_with(entity)) {
        out += c;
        i += entity.size();
        matched = true;
        break;
      }
    }
    if (!matched) {
      out += text[i++];
    }
  }
  return out;
}

std::vector<std::string> Matches(const std::string& html, const std::string& pattern) {
  const std::regex re(pattern);
  std::vector<std::string> found;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), re); it != std::sregex_iterator();
       ++it) {
    found.push_back(it->size() > 1 ? (*it)[1].str() : it->str());
  }
  return found;
}

// The text of each <form>…</form>.
std::vector<std::string> Forms(const std::string& html) {
  std::vector<std::string> forms;
  for (size_t at = html.find("<form"); at != std::string::npos; at = html.find("<form", at + 1)) {
    const size_t end = html.find("</form>", at);
    forms.push_back(html.substr(at, end == std::string::npos ? end : end + 7 - at));
  }
  return forms;
}

// Hidden inputs of `form` in order, names and values unescaped.
HiddenFields HiddenInputs(const std::string& form) {
  const std::regex re(R"re(<input type="hidden" name="([^"]*)" value="([^"]*)">)re");
  HiddenFields fields;
  for (auto it = std::sregex_iterator(form.begin(), form.end(), re); it != std::sregex_iterator();
       ++it) {
    fields.emplace_back(Unescape((*it)[1].str()), Unescape((*it)[2].str()));
  }
  return fields;
}

// What every page must be: a self-contained, script-free, accessible HTML5 document.
void ExpectWellFormedPage(const std::string& html) {
  EXPECT_TRUE(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">")) << html.substr(0, 60);
  EXPECT_NE(html.find(R"(<meta name="viewport" content="width=device-width, initial-scale=1">)"),
            std::string::npos);
  EXPECT_NE(html.find(R"(<meta charset="utf-8">)"), std::string::npos);
  EXPECT_EQ(Count(html, "<style>"), 1u);
  EXPECT_NE(html.find("prefers-color-scheme: dark"), std::string::npos);
  EXPECT_NE(html.find(":focus-visible"), std::string::npos);
  for (std::string_view banned : {"<script", "javascript:", "<link", "<img", "<iframe", "<object",
                                  "<embed", " src=", "url(", "@import", "@font-face"}) {
    EXPECT_EQ(html.find(banned), std::string::npos) << "found " << banned;
  }
  // No event handler attribute in any tag; no absolute URL in any tag, except as the value of a
  // hidden field (form data, not an asset).
  const std::regex handler(R"re(\son[a-z]+\s*=)re", std::regex::icase);
  for (const std::string& tag : Matches(html, "<[^>]*>")) {
    EXPECT_FALSE(std::regex_search(tag, handler)) << tag;
    if (tag.starts_with("<input type=\"hidden\"")) {
      continue;
    }
    EXPECT_EQ(tag.find("http:"), std::string::npos) << tag;
    EXPECT_EQ(tag.find("https:"), std::string::npos) << tag;
    EXPECT_EQ(tag.find("//"), std::string::npos) << tag;
  }
  // Every form posts; every button is a submit button inside a form.
  EXPECT_EQ(Count(html, "<form "), Count(html, "<form method=\"post\" action=\""));
  EXPECT_EQ(Count(html, "<button "), Count(html, "<button type=\"submit\""));
  EXPECT_EQ(Count(html, "<form "), Count(html, "</form>"));
  // Every visible input has exactly one <label for> and a unique id.
  for (const std::string& input : Matches(html, "<input [^>]*>")) {
    if (input.starts_with("<input type=\"hidden\"")) {
      continue;
    }
    const std::vector<std::string> ids = Matches(input, R"re( id="([^"]*)")re");
    ASSERT_EQ(ids.size(), 1u) << input;
    EXPECT_EQ(Count(html, "<label for=\"" + ids[0] + "\">"), 1u) << ids[0];
    EXPECT_EQ(Count(html, "id=\"" + ids[0] + "\""), 1u) << ids[0];
  }
}

void ExpectEscaped(const std::string& html, std::string_view payload) {
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("\"onmouseover=\""), std::string::npos);
  EXPECT_EQ(html.find("')</script>"), std::string::npos);
  EXPECT_NE(html.find(HtmlEscape(payload)), std::string::npos) << "not shown: " << payload;
}

LoginPageModel SampleLogin() {
  LoginPageModel model;
  model.server_name = "Acme MCP";
  model.form_action = "/login";
  model.csrf_token = "csrf-123";
  model.hidden = {{"return_to", "/authorize?client_id=abc&state=xyz"}};
  model.client_name = "Claude";
  return model;
}

ConsentPageModel SampleConsent() {
  ConsentPageModel model;
  model.server_name = "Acme MCP";
  model.form_action = "/authorize";
  model.csrf_token = "csrf-456";
  model.hidden = {{"client_id", "https://app.example.com/client.json"},
                  {"redirect_uri", "http://127.0.0.1:33418/callback"},
                  {"state", "s1"}};
  model.username = "alice";
  model.client_name = "Claude Desktop";
  model.client_id = "https://app.example.com/client.json";
  model.client_host = "app.example.com";
  model.redirect_host = "127.0.0.1";
  model.redirect_is_loopback = true;
  model.resource_name = "Acme tools";
  model.resource_uri = "https://mcp.acme.test/mcp";
  model.scopes = {{"mcp:tools", "Call the server's tools"},
                  {"offline_access", "Stay connected when you are away (refresh tokens)"}};
  model.switch_user_action = "/logout?return_to=%2Fauthorize";
  return model;
}

AppsPageModel SampleApps() {
  AppsPageModel model;
  model.server_name = "Acme MCP";
  model.username = "alice";
  model.csrf_token = "csrf-789";
  model.disconnect_action = "/apps/disconnect";
  model.logout_action = "/logout";
  model.apps = {{"client-1",
                 "Claude",
                 {{"mcp:tools", "Call the server's tools"}},
                 "2026-11-26 10:42 UTC",
                 "2026-11-27 08:00 UTC"},
                {"client-2",
                 "inspector",
                 {{"mcp:read", "Read resources and prompts"}},
                 "2026-11-20 09:00 UTC",
                 "never"}};
  return model;
}

MessagePageModel SampleMessage() {
  MessagePageModel model;
  model.server_name = "Acme MCP";
  model.title = "Unknown app";
  model.message = "This sign-in link is not valid.";
  model.detail = "The app that sent you here is not registered with this server.";
  model.link_href = "/apps";
  model.link_text = "Go to Connected apps";
  return model;
}

TEST(HtmlEscapeTest, EscapesTheFiveSpecialCharacters) {
  EXPECT_EQ(HtmlEscape(R"(&<>"')"), "&amp;&lt;&gt;&quot;&#39;");
  EXPECT_EQ(HtmlEscape("a & b < c"), "a &amp; b &lt; c");
  EXPECT_EQ(HtmlEscape("&amp;"), "&amp;amp;");
  EXPECT_EQ(HtmlEscape(""), "");
}

TEST(HtmlEscapeTest, LeavesEverythingElseAlone) {
  const std::string text = "Grüße, 世界 🙂 /path?x=1;y=2 `~!@#$%^*()[]{}=+\\|\t\n";
  EXPECT_EQ(HtmlEscape(text), text);
}

TEST(PagesTest, EveryPageIsSelfContainedAndAccessible) {
  ConsentPageModel unverified = SampleConsent();
  unverified.client_host.clear();
  unverified.redirect_is_loopback = false;
  unverified.redirect_host = "app.example.com";
  AppsPageModel empty = SampleApps();
  empty.apps.clear();
  LoginPageModel failed = SampleLogin();
  failed.username = "alice";
  failed.error = "Wrong user name or password.";
  for (const std::string& html :
       {RenderLoginPage(SampleLogin()), RenderLoginPage(failed), RenderConsentPage(SampleConsent()),
        RenderConsentPage(unverified), RenderAppsPage(SampleApps()), RenderAppsPage(empty),
        RenderMessagePage(SampleMessage()), RenderMessagePage({})}) {
    SCOPED_TRACE(html);
    ExpectWellFormedPage(html);
  }
}

TEST(PagesTest, PagesWithoutUrlsInTheModelContainNone) {
  for (const std::string& html : {RenderLoginPage(SampleLogin()), RenderAppsPage(SampleApps()),
                                  RenderMessagePage(SampleMessage())}) {
    EXPECT_EQ(html.find("http"), std::string::npos);
    EXPECT_EQ(html.find("//"), std::string::npos);
  }
}

TEST(PagesTest, UrlsFromTheModelAreOnlyText) {
  const std::string html = RenderConsentPage(SampleConsent());
  // Shown to the person, never as a link or an asset.
  EXPECT_NE(html.find("<span class=\"note mono\">https://mcp.acme.test/mcp</span>"),
            std::string::npos);
  EXPECT_EQ(html.find("href="), std::string::npos);
}

// --- escaping: one test per page, one field at a time --------------------------------------

using LoginSetter = std::function<void(LoginPageModel&, const std::string&)>;
using ConsentSetter = std::function<void(ConsentPageModel&, const std::string&)>;
using AppsSetter = std::function<void(AppsPageModel&, const std::string&)>;
using MessageSetter = std::function<void(MessagePageModel&, const std::string&)>;

TEST(PagesEscapingTest, LoginEscapesEveryField) {
  const std::vector<std::pair<std::string, LoginSetter>> fields = {
      {"server_name", [](auto& m, const auto& v) { m.server_name = v; }},
      {"form_action", [](auto& m, const auto& v) { m.form_action = v; }},
      {"csrf_token", [](auto& m, const auto& v) { m.csrf_token = v; }},
      {"hidden_name", [](auto& m, const auto& v) { m.hidden.emplace_back(v, "x"); }},
      {"hidden_value", [](auto& m, const auto& v) { m.hidden.emplace_back("x", v); }},
      {"username", [](auto& m, const auto& v) { m.username = v; }},
      {"error", [](auto& m, const auto& v) { m.error = v; }},
      {"client_name", [](auto& m, const auto& v) { m.client_name = v; }},
  };
  for (const auto& [field, set] : fields) {
    SCOPED_TRACE(field);
    LoginPageModel model = SampleLogin();
    set(model, Evil(field));
    const std::string html = RenderLoginPage(model);
    ExpectEscaped(html, Evil(field));
    ExpectWellFormedPage(html);
  }
}

TEST(PagesEscapingTest, ConsentEscapesEveryField) {
  const std::vector<std::pair<std::string, ConsentSetter>> fields = {
      {"server_name", [](auto& m, const auto& v) { m.server_name = v; }},
      {"form_action", [](auto& m, const auto& v) { m.form_action = v; }},
      {"csrf_token", [](auto& m, const auto& v) { m.csrf_token = v; }},
      {"hidden_name", [](auto& m, const auto& v) { m.hidden.emplace_back(v, "x"); }},
      {"hidden_value", [](auto& m, const auto& v) { m.hidden.emplace_back("x", v); }},
      {"username", [](auto& m, const auto& v) { m.username = v; }},
      {"client_name", [](auto& m, const auto& v) { m.client_name = v; }},
      {"client_id", [](auto& m, const auto& v) { m.client_id = v; }},
      {"client_id_as_name",
       [](auto& m, const auto& v) {
         m.client_name.clear();
         m.client_id = v;
       }},
      {"client_host", [](auto& m, const auto& v) { m.client_host = v; }},
      {"redirect_host", [](auto& m, const auto& v) { m.redirect_host = v; }},
      {"resource_name", [](auto& m, const auto& v) { m.resource_name = v; }},
      {"resource_uri", [](auto& m, const auto& v) { m.resource_uri = v; }},
      {"scope",
       [](auto& m, const auto& v) {
         m.scopes.push_back({v, "Something"});
       }},
      {"scope_description",
       [](auto& m, const auto& v) {
         m.scopes.push_back({"s", v});
       }},
      {"switch_user_action", [](auto& m, const auto& v) { m.switch_user_action = v; }},
  };
  for (const auto& [field, set] : fields) {
    SCOPED_TRACE(field);
    ConsentPageModel model = SampleConsent();
    set(model, Evil(field));
    const std::string html = RenderConsentPage(model);
    ExpectEscaped(html, Evil(field));
    ExpectWellFormedPage(html);
  }
}

TEST(PagesEscapingTest, AppsEscapesEveryField) {
  const std::vector<std::pair<std::string, AppsSetter>> fields = {
      {"server_name", [](auto& m, const auto& v) { m.server_name = v; }},
      {"username", [](auto& m, const auto& v) { m.username = v; }},
      {"csrf_token", [](auto& m, const auto& v) { m.csrf_token = v; }},
      {"disconnect_action", [](auto& m, const auto& v) { m.disconnect_action = v; }},
      {"logout_action", [](auto& m, const auto& v) { m.logout_action = v; }},
      {"notice", [](auto& m, const auto& v) { m.notice = v; }},
      {"client_id", [](auto& m, const auto& v) { m.apps[0].client_id = v; }},
      {"client_name", [](auto& m, const auto& v) { m.apps[0].client_name = v; }},
      {"client_id_as_name",
       [](auto& m, const auto& v) {
         m.apps[0].client_name.clear();
         m.apps[0].client_id = v;
       }},
      {"scope",
       [](auto& m, const auto& v) {
         m.apps[0].scopes.push_back({v, "Something"});
       }},
      {"scope_description",
       [](auto& m, const auto& v) {
         m.apps[0].scopes.push_back({"s", v});
       }},
      {"created", [](auto& m, const auto& v) { m.apps[0].created = v; }},
      {"last_used", [](auto& m, const auto& v) { m.apps[0].last_used = v; }},
  };
  for (const auto& [field, set] : fields) {
    SCOPED_TRACE(field);
    AppsPageModel model = SampleApps();
    set(model, Evil(field));
    const std::string html = RenderAppsPage(model);
    ExpectEscaped(html, Evil(field));
    ExpectWellFormedPage(html);
  }
}

TEST(PagesEscapingTest, MessageEscapesEveryField) {
  const std::vector<std::pair<std::string, MessageSetter>> fields = {
      {"server_name", [](auto& m, const auto& v) { m.server_name = v; }},
      {"title", [](auto& m, const auto& v) { m.title = v; }},
      {"message", [](auto& m, const auto& v) { m.message = v; }},
      {"detail", [](auto& m, const auto& v) { m.detail = v; }},
      {"link_text", [](auto& m, const auto& v) { m.link_text = v; }},
      {"link_href", [](auto& m, const auto& v) { m.link_href = "/next?" + v; }},
  };
  for (const auto& [field, set] : fields) {
    SCOPED_TRACE(field);
    MessagePageModel model = SampleMessage();
    set(model, Evil(field));
    const std::string html = RenderMessagePage(model);
    ExpectEscaped(html, Evil(field));
    ExpectWellFormedPage(html);
  }
}

// A client that names itself with a right-to-left override must not reorder the sentence.
TEST(PagesEscapingTest, NamesInSentencesAreBidiIsolated) {
  ConsentPageModel model = SampleConsent();
  model.client_name = "Good App\u202Egnp.exe";
  model.username = "bob\u202E";
  const std::string html = RenderConsentPage(model);
  EXPECT_NE(html.find("This will allow <bdi>Good App\u202Egnp.exe</bdi> to:"), std::string::npos);
  EXPECT_NE(html.find("on your account <strong><bdi>bob\u202E</bdi></strong>"), std::string::npos);
}

// --- login -------------------------------------------------------------------------------

TEST(LoginPageTest, FollowsTheAutomationContract) {
  const std::string html = RenderLoginPage(SampleLogin());
  const std::vector<std::string> forms = Forms(html);
  ASSERT_EQ(forms.size(), 1u);
  const std::string& form = forms[0];
  EXPECT_TRUE(form.starts_with(R"(<form method="post" action="/login">)"));
  EXPECT_NE(form.find(R"(type="text" id="username" name="username" autocomplete="username")"),
            std::string::npos);
  EXPECT_NE(form.find(R"(type="password" id="password" name="password" )"
                      R"(autocomplete="current-password")"),
            std::string::npos);
  EXPECT_EQ(Count(form, "<button "), 1u);
  EXPECT_NE(form.find(R"(<button type="submit" class="primary block">Sign in</button>)"),
            std::string::npos);
  const HiddenFields expected = {{"csrf_token", "csrf-123"},
                                 {"return_to", "/authorize?client_id=abc&state=xyz"}};
  EXPECT_EQ(HiddenInputs(form), expected);
}

TEST(LoginPageTest, ShowsTheServerAndTheClient) {
  const std::string html = RenderLoginPage(SampleLogin());
  EXPECT_NE(html.find("<h1>Sign in to <bdi>Acme MCP</bdi></h1>"), std::string::npos);
  EXPECT_NE(html.find("to continue to <strong><bdi>Claude</bdi></strong>"), std::string::npos);
  EXPECT_NE(html.find("<title>Sign in &#183; Acme MCP</title>"), std::string::npos);
  EXPECT_NE(html.find("<footer>Acme MCP</footer>"), std::string::npos);

  LoginPageModel plain = SampleLogin();
  plain.client_name.clear();
  EXPECT_EQ(RenderLoginPage(plain).find("to continue to"), std::string::npos);
}

TEST(LoginPageTest, FirstVisitFocusesTheUserName) {
  const std::string html = RenderLoginPage(SampleLogin());
  EXPECT_EQ(Count(html, " autofocus"), 1u);
  EXPECT_NE(html.find("required autofocus value=\"\">"), std::string::npos);
  EXPECT_EQ(html.find("role=\"alert\""), std::string::npos);
  EXPECT_EQ(html.find(" aria-invalid=\"true\""), std::string::npos);
}

TEST(LoginPageTest, FailedAttemptShowsTheErrorKeepsTheNameAndFocusesThePassword) {
  LoginPageModel model = SampleLogin();
  model.username = "alice";
  model.error = "Wrong user name or password.";
  const std::string html = RenderLoginPage(model);
  EXPECT_NE(html.find(R"(role="alert" id="login-error")"), std::string::npos);
  EXPECT_NE(html.find("<p>Wrong user name or password.</p>"), std::string::npos);
  EXPECT_NE(html.find("value=\"alice\">"), std::string::npos);
  EXPECT_EQ(Count(html, " autofocus"), 1u);
  EXPECT_NE(html.find(R"(autocomplete="current-password" required aria-invalid="true" )"
                      R"(aria-describedby="login-error" autofocus>)"),
            std::string::npos);
}

// --- consent -----------------------------------------------------------------------------

TEST(ConsentPageTest, FollowsTheAutomationContract) {
  const ConsentPageModel model = SampleConsent();
  const std::string html = RenderConsentPage(model);
  const std::vector<std::string> forms = Forms(html);
  ASSERT_EQ(forms.size(), 2u);  // the decision, then "Not you? Sign out"
  const std::string& decision = forms[0];
  EXPECT_TRUE(decision.starts_with(R"(<form method="post" action="/authorize" class="actions">)"));
  const size_t approve = decision.find(R"(<button type="submit" name="decision" value="approve")");
  const size_t deny = decision.find(R"(<button type="submit" name="decision" value="deny")");
  ASSERT_NE(approve, std::string::npos);
  ASSERT_NE(deny, std::string::npos);
  // Approve is the form's first submit button: Enter approves.
  EXPECT_EQ(decision.find("<button"), approve);
  EXPECT_LT(approve, deny);
  EXPECT_EQ(Count(decision, "<button "), 2u);

  HiddenFields expected = {{"csrf_token", "csrf-456"}};
  expected.insert(expected.end(), model.hidden.begin(), model.hidden.end());
  EXPECT_EQ(HiddenInputs(decision), expected);
}

TEST(ConsentPageTest, SaysWhoAsksForWhatOnWhichAccount) {
  const std::string html = RenderConsentPage(SampleConsent());
  EXPECT_NE(html.find("<h1>Claude Desktop</h1>"), std::string::npos);
  EXPECT_NE(
      html.find(
          "wants to access <strong><bdi>Acme tools</bdi></strong></span> <span>on your account "
          "<strong><bdi>alice</bdi></strong>"),
      std::string::npos);
  EXPECT_NE(html.find("You will be sent back to <strong><bdi>127.0.0.1</bdi></strong>"),
            std::string::npos);
  EXPECT_NE(html.find("This app runs on your computer."), std::string::npos);
  EXPECT_NE(html.find("Identity verified by <strong><bdi>app.example.com</bdi></strong>"),
            std::string::npos);
  EXPECT_EQ(html.find("self-declared"), std::string::npos);
  EXPECT_NE(html.find("<span>Call the server&#39;s tools</span> <code>mcp:tools</code>"),
            std::string::npos);
  EXPECT_NE(html.find("<code>offline_access</code>"), std::string::npos);
  EXPECT_NE(html.find("App ID <code>https://app.example.com/client.json</code>"),
            std::string::npos);
  EXPECT_NE(html.find("aria-hidden=\"true\">C</div>"), std::string::npos);  // monogram
}

TEST(ConsentPageTest, RedirectHostStandsUnderTheAppsName) {
  const std::string html = RenderConsentPage(SampleConsent());
  const size_t host = html.find("<span class=\"vh\">Returns to </span><bdi>127.0.0.1</bdi></p>");
  ASSERT_NE(host, std::string::npos);
  EXPECT_LT(html.find("<h1>Claude Desktop</h1>"), host);
  EXPECT_LT(host, html.find("wants to access"));
  ConsentPageModel model = SampleConsent();
  model.redirect_host.clear();
  EXPECT_EQ(RenderConsentPage(model).find("class=\"host\""), std::string::npos);
}

TEST(ConsentPageTest, UnverifiedClientWithWebRedirect) {
  ConsentPageModel model = SampleConsent();
  model.client_host.clear();
  model.client_id = "3f9a";
  model.redirect_host = "app.example.com";
  model.redirect_is_loopback = false;
  model.switch_user_action.clear();
  const std::string html = RenderConsentPage(model);
  EXPECT_EQ(html.find("Identity verified"), std::string::npos);
  EXPECT_NE(html.find("The name &ldquo;<bdi>Claude Desktop</bdi>&rdquo; is self-declared"),
            std::string::npos);
  EXPECT_EQ(html.find("runs on your computer"), std::string::npos);
  EXPECT_NE(html.find("You will be sent back to <strong><bdi>app.example.com</bdi></strong>"),
            std::string::npos);
  EXPECT_EQ(Forms(html).size(), 1u);
  EXPECT_EQ(html.find("Not you?"), std::string::npos);
}

TEST(ConsentPageTest, SwitchUserFormSignsOut) {
  const std::vector<std::string> forms = Forms(RenderConsentPage(SampleConsent()));
  ASSERT_EQ(forms.size(), 2u);
  EXPECT_TRUE(forms[1].starts_with(
      R"(<form method="post" action="/logout?return_to=%2Fauthorize" class="switch">)"));
  EXPECT_EQ(HiddenInputs(forms[1]), (HiddenFields{{"csrf_token", "csrf-456"}}));
  EXPECT_NE(forms[1].find("Not you?"), std::string::npos);
  EXPECT_NE(forms[1].find(">Sign out</button>"), std::string::npos);
}

TEST(ConsentPageTest, NamelessClientIsShownByItsId) {
  ConsentPageModel model = SampleConsent();
  model.client_name.clear();
  model.client_id = "mcp-client-7";
  const std::string html = RenderConsentPage(model);
  EXPECT_NE(html.find("<h1>mcp-client-7</h1>"), std::string::npos);
  EXPECT_NE(html.find("aria-hidden=\"true\">M</div>"), std::string::npos);
}

TEST(ConsentPageTest, MonogramIsOneWholeCharacter) {
  ConsentPageModel model = SampleConsent();
  model.client_name = "\xC3\xA9lan";  // "élan"
  EXPECT_NE(RenderConsentPage(model).find("aria-hidden=\"true\">\xC3\xA9</div>"),
            std::string::npos);
  model.client_name = "\xE2\x80\xAE";  // a lone U+202E: shown, isolated in its own block
  EXPECT_NE(RenderConsentPage(model).find("aria-hidden=\"true\">\xE2\x80\xAE</div>"),
            std::string::npos);
  model.client_name = "\xF0\x9F";  // truncated UTF-8
  EXPECT_NE(RenderConsentPage(model).find("aria-hidden=\"true\">?</div>"), std::string::npos);
  model.client_name = " x";
  EXPECT_NE(RenderConsentPage(model).find("aria-hidden=\"true\">?</div>"), std::string::npos);
}

TEST(ConsentPageTest, NoScopesStillSaysWhatIsGranted) {
  ConsentPageModel model = SampleConsent();
  model.scopes.clear();
  const std::string html = RenderConsentPage(model);
  EXPECT_NE(html.find("access this server grants by default"), std::string::npos);
  EXPECT_EQ(html.find("<code>mcp:"), std::string::npos);
}

// --- hidden fields -----------------------------------------------------------------------

TEST(PagesTest, HiddenFieldsRoundTrip) {
  const HiddenFields hidden = {
      {"response_type", "code"},
      {"redirect_uri", "http://127.0.0.1:5000/cb?a=1&b=2"},
      {"state", R"(q"uo'te<>&amp;)"},
      {"empty", ""},
      {"a&b\"c", "v"},
      {"n\xC3\xBCm", "\xE5\x80\xA4 \xF0\x9F\x99\x82"},
      {"state", "duplicate names keep their order"},
  };
  LoginPageModel login = SampleLogin();
  login.hidden = hidden;
  ConsentPageModel consent = SampleConsent();
  consent.hidden = hidden;
  HiddenFields expected = {{"csrf_token", ""}};
  expected.insert(expected.end(), hidden.begin(), hidden.end());

  expected[0].second = login.csrf_token;
  EXPECT_EQ(HiddenInputs(Forms(RenderLoginPage(login))[0]), expected);
  expected[0].second = consent.csrf_token;
  EXPECT_EQ(HiddenInputs(Forms(RenderConsentPage(consent))[0]), expected);
}

TEST(PagesTest, NoCsrfTokenNoCsrfField) {
  LoginPageModel model = SampleLogin();
  model.csrf_token.clear();
  EXPECT_EQ(RenderLoginPage(model).find("csrf_token"), std::string::npos);
}

// --- Connected apps ----------------------------------------------------------------------

TEST(AppsPageTest, EachAppHasADisconnectForm) {
  const AppsPageModel model = SampleApps();
  const std::string html = RenderAppsPage(model);
  const std::vector<std::string> forms = Forms(html);
  ASSERT_EQ(forms.size(), 3u);  // two apps, then Sign out
  for (size_t i = 0; i < 2; ++i) {
    SCOPED_TRACE(i);
    EXPECT_TRUE(forms[i].starts_with(R"(<form method="post" action="/apps/disconnect">)"));
    EXPECT_EQ(HiddenInputs(forms[i]),
              (HiddenFields{{"csrf_token", "csrf-789"}, {"client_id", model.apps[i].client_id}}));
    EXPECT_NE(forms[i].find("Disconnect<span class=\"vh\"> " + model.apps[i].client_name +
                            "</span></button>"),
              std::string::npos);
  }
  EXPECT_TRUE(forms[2].starts_with(R"(<form method="post" action="/logout">)"));
  EXPECT_EQ(HiddenInputs(forms[2]), (HiddenFields{{"csrf_token", "csrf-789"}}));
  EXPECT_NE(forms[2].find(">Sign out</button>"), std::string::npos);
}

TEST(AppsPageTest, ShowsEachAppsDetails) {
  const std::string html = RenderAppsPage(SampleApps());
  EXPECT_NE(html.find("<h2>Claude</h2>\n<p class=\"mono\">client-1</p>"), std::string::npos);
  EXPECT_NE(html.find("<span>Call the server&#39;s tools</span> <code>mcp:tools</code>"),
            std::string::npos);
  EXPECT_NE(html.find("<span>Connected <bdi>2026-11-26 10:42 UTC</bdi></span> &#183; "
                      "<span>Last used <bdi>2026-11-27 08:00 UTC</bdi></span>"),
            std::string::npos);
  EXPECT_NE(html.find("Last used <bdi>never</bdi>"), std::string::npos);
  EXPECT_NE(html.find("Signed in as <strong><bdi>alice</bdi></strong>"), std::string::npos);
  EXPECT_EQ(html.find("No connected apps"), std::string::npos);
}

TEST(AppsPageTest, EmptyState) {
  AppsPageModel model = SampleApps();
  model.apps.clear();
  const std::string html = RenderAppsPage(model);
  EXPECT_NE(html.find("No connected apps"), std::string::npos);
  EXPECT_EQ(html.find("Disconnect<"), std::string::npos);
  EXPECT_EQ(html.find("<ul class=\"apps\">"), std::string::npos);
  EXPECT_EQ(Forms(html).size(), 1u);  // Sign out only
}

TEST(AppsPageTest, NoticeIsAStatusBanner) {
  AppsPageModel model = SampleApps();
  EXPECT_EQ(RenderAppsPage(model).find("role=\"status\""), std::string::npos);
  model.notice = "Disconnected Claude. It can no longer access your account.";
  const std::string html = RenderAppsPage(model);
  const size_t banner = html.find("<div class=\"alert ok\" role=\"status\">");
  ASSERT_NE(banner, std::string::npos);
  EXPECT_NE(
      html.find("<p>Disconnected Claude. It can no longer access your account.</p></div>", banner),
      std::string::npos);
  EXPECT_LT(banner, html.find("<ul class=\"apps\">"));
}

// --- message -----------------------------------------------------------------------------

TEST(MessagePageTest, ShowsTitleMessageDetailAndLink) {
  const std::string html = RenderMessagePage(SampleMessage());
  EXPECT_NE(html.find("<h1>Unknown app</h1>"), std::string::npos);
  EXPECT_NE(html.find("<title>Unknown app &#183; Acme MCP</title>"), std::string::npos);
  EXPECT_NE(html.find("This sign-in link is not valid."), std::string::npos);
  EXPECT_NE(html.find("is not registered with this server."), std::string::npos);
  EXPECT_NE(html.find(R"(href="/apps">Go to Connected apps</a>)"), std::string::npos);
  EXPECT_NE(html.find("status-icon error"), std::string::npos);

  MessagePageModel done = SampleMessage();
  done.is_error = false;
  done.link_text.clear();
  const std::string ok = RenderMessagePage(done);
  EXPECT_EQ(ok.find("status-icon error"), std::string::npos);
  EXPECT_NE(ok.find(R"(href="/apps">Continue</a>)"), std::string::npos);
}

TEST(MessagePageTest, LinkMustBeALocalPath) {
  for (const std::string_view href :
       {"", "//evil.com", "//evil.com/apps", "javascript:alert(1)", "JavaScript:alert(1)",
        "https://evil.com/", "http://localhost/", "evil.com/apps", "/\\evil.com", "/\t/evil.com",
        "/\n/evil.com", " /apps", "/apps ", "data:text/html,hi", "\\\\evil.com"}) {
    SCOPED_TRACE(href);
    MessagePageModel model = SampleMessage();
    model.link_href = std::string(href);
    const std::string html = RenderMessagePage(model);
    EXPECT_EQ(html.find("<a "), std::string::npos);
    EXPECT_EQ(html.find("href"), std::string::npos);
  }
  MessagePageModel model = SampleMessage();
  model.link_href = "/authorize?client_id=a&state='x'";
  EXPECT_NE(RenderMessagePage(model).find(R"(href="/authorize?client_id=a&amp;state=&#39;x&#39;")"),
            std::string::npos);
  model.link_href = "/";
  EXPECT_NE(RenderMessagePage(model).find(R"(href="/")"), std::string::npos);
}

TEST(MessagePageTest, EmptyModelStillRenders) {
  const std::string html = RenderMessagePage({});
  EXPECT_NE(html.find("<h1></h1>"), std::string::npos);
  EXPECT_EQ(html.find("<footer>"), std::string::npos);
  EXPECT_EQ(html.find("<a "), std::string::npos);
}

}  // namespace
}  // namespace mcpauth::oauth
