#include "mcpauth/mcp/resources.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <string>
#include <vector>

#include "unit/mcp/fake_tool_context.hpp"

namespace mcpauth::mcp {
namespace {
namespace json = boost::json;

// ---- MatchUriTemplate (RFC 6570 level 1) ----

struct MatchCase {
  const char* tmpl;
  const char* uri;
  bool matches;
  std::map<std::string, std::string> vars;
};

TEST(MatchUriTemplateTest, MatchesLevelOneTemplates) {
  const std::vector<MatchCase> cases = {
      {"test://template/{id}/data", "test://template/123/data", true, {{"id", "123"}}},
      {"test://template/{id}/data",
       "test://template/a-b_c.d~e%20/data",
       true,
       {{"id", "a-b_c.d~e%20"}}},
      {"test://static", "test://static", true, {}},
      {"file:///{dir}/{name}.txt",
       "file:///etc/hosts.txt",
       true,
       {{"dir", "etc"}, {"name", "hosts"}}},
      // Backtracking: the first split that lets the rest of the template match.
      {"file:///{name}.txt", "file:///a.txt.txt", true, {{"name", "a.txt"}}},
      {"x://{a}-{b}", "x://1-2-3", true, {{"a", "1"}, {"b", "2-3"}}},
      {"x://{host}", "x://example", true, {{"host", "example"}}},
      {"test://a//b/{x}", "test://a//b/1", true, {{"x", "1"}}},
      {"{scheme}://{host}/",
       "https://example.com/",
       true,
       {{"scheme", "https"}, {"host", "example.com"}}},
  };
  for (const MatchCase& c : cases) {
    std::map<std::string, std::string> vars;
    EXPECT_EQ(MatchUriTemplate(c.tmpl, c.uri, &vars), c.matches) << c.tmpl << " vs " << c.uri;
    EXPECT_EQ(vars, c.vars) << c.tmpl << " vs " << c.uri;
  }
}

TEST(MatchUriTemplateTest, RejectsNonMatchingUris) {
  const std::vector<std::pair<const char*, const char*>> cases = {
      {"test://template/{id}/data", "test://template//data"},      // empty variable
      {"test://template/{id}/data", "test://template/1/2/data"},   // '/' inside a variable
      {"test://template/{id}/data", "test://template/123/data/"},  // trailing text
      {"test://template/{id}/data", "test://template/123/dat"},    // literal cut short
      {"test://template/{id}/data", "TEST://template/123/data"},   // literals are exact
      {"test://template/{id}/data", "xtest://template/123/data"},  // anchored at the start
      {"test://template/{id}/data", ""},
      {"test://a//b/{x}", "test://a/b/1"},  // '/' count differs
      {"{scheme}://{host}/", "https://example.com"},
      {"test://static", "test://static2"},
  };
  for (const auto& [tmpl, uri] : cases) {
    std::map<std::string, std::string> vars{{"stale", "x"}};
    EXPECT_FALSE(MatchUriTemplate(tmpl, uri, &vars)) << tmpl << " vs " << uri;
    EXPECT_EQ(vars.count("stale"), 1u) << "vars untouched on failure";
  }
}

TEST(MatchUriTemplateTest, RejectsTemplatesBeyondLevelOne) {
  // Operators (level 2+), lists and modifiers (level 4), bad braces, adjacent variables.
  for (const char* tmpl : {"x://{+path}", "x://{#frag}", "x://{a,b}", "x://{a*}", "x://{a:3}",
                           "x://{}", "x://{a", "x://a}", "x://{{a}}", "x://{a}{b}", "x://{.a}"}) {
    EXPECT_FALSE(MatchUriTemplate(tmpl, "x://abc")) << tmpl;
    EXPECT_FALSE(MatchUriTemplate(tmpl, "x://a,b")) << tmpl;
  }
  // A repeated name would need both expansions equal: not supported, so never a match.
  EXPECT_FALSE(MatchUriTemplate("x://{v}/{v}", "x://same/same"));
  EXPECT_TRUE(MatchUriTemplate("x://{a.b}", "x://v"));
  EXPECT_TRUE(MatchUriTemplate("x://{a%41}", "x://v"));
  EXPECT_FALSE(MatchUriTemplate("x://{a%4}", "x://v"));
}

TEST(MatchUriTemplateTest, VarsMayBeNull) {
  EXPECT_TRUE(MatchUriTemplate("test://template/{id}/data", "test://template/9/data", nullptr));
}

TEST(MatchUriTemplateTest, LongAdversarialUriMatchesInLinearTime) {
  // Several variables in one segment over a long run of separators: no backtracking blow-up.
  const std::string uri = "x://" + std::string(1'000'000, '-') + "y";
  EXPECT_FALSE(MatchUriTemplate("x://{a}-{b}-{c}z", uri));
  std::map<std::string, std::string> vars;
  EXPECT_TRUE(MatchUriTemplate("x://{a}-{b}-{c}y", uri, &vars));
  EXPECT_EQ(vars["a"], "-");
}

// ---- descriptors ----

TEST(ResourceDescriptorTest, ToJsonUsesUriOrUriTemplateAndOmitsEmptyFields) {
  ResourceDescriptor full{"test://static-text", "static-text", "Static Text Resource",
                          "A static text resource for testing", "text/plain"};
  EXPECT_EQ(json::serialize(full.ToJson(false)),
            R"({"uri":"test://static-text","name":"static-text","title":"Static Text Resource",)"
            R"("description":"A static text resource for testing","mimeType":"text/plain"})");
  ResourceDescriptor tmpl{"test://template/{id}/data", "template", "", "", "application/json"};
  EXPECT_EQ(json::serialize(tmpl.ToJson(true)),
            R"({"uriTemplate":"test://template/{id}/data","name":"template",)"
            R"("mimeType":"application/json"})");
  ResourceDescriptor bare{"x://y", "", "", "", ""};
  EXPECT_EQ(json::serialize(bare.ToJson(false)), R"({"uri":"x://y"})");
}

TEST(PromptDescriptorTest, ToJsonListsArgumentsWithRequiredFlags) {
  PromptDescriptor p{"test_prompt_with_arguments",
                     "Prompt With Arguments",
                     "A prompt with required arguments",
                     {{"arg1", "First test argument", true}, {"opt", "", false}}};
  EXPECT_EQ(json::serialize(p.ToJson()),
            R"({"name":"test_prompt_with_arguments","title":"Prompt With Arguments",)"
            R"("description":"A prompt with required arguments","arguments":[)"
            R"({"name":"arg1","description":"First test argument","required":true},)"
            R"({"name":"opt","required":false}]})");
  PromptDescriptor simple{"p", "", "", {}};
  EXPECT_EQ(json::serialize(simple.ToJson()), R"({"name":"p"})");
}

// ---- ResourceRegistry ----

ResourceReader Fixed(std::string text) {
  return [text](std::string_view uri) -> std::optional<json::array> {
    return json::array{json::object{{"uri", uri}, {"text", text}}};
  };
}

ResourceReader Missing() {
  return [](std::string_view) -> std::optional<json::array> { return std::nullopt; };
}

std::string TextOf(const std::optional<json::array>& contents) {
  if (!contents || contents->empty()) {
    return "<none>";
  }
  return std::string(contents->at(0).at("text").as_string());
}

TEST(ResourceRegistryTest, ListsInInsertionOrderAndReplacesSameUriInPlace) {
  ResourceRegistry r;
  EXPECT_TRUE(r.empty());
  r.Add({"test://b", "b", "", "", ""}, Fixed("b"));
  r.Add({"test://a", "a", "", "", ""}, Fixed("a"));
  r.Add({"test://b", "b2", "", "", ""}, Fixed("b2"));
  r.AddTemplate({"test://t/{id}", "t", "", "", ""}, Fixed("t"));
  ASSERT_EQ(r.resources().size(), 2u);
  EXPECT_EQ(r.resources()[0].first.name, "b2");
  EXPECT_EQ(r.resources()[1].first.name, "a");
  EXPECT_EQ(r.templates().size(), 1u);
  EXPECT_FALSE(r.empty());
  EXPECT_EQ(TextOf(r.Read("test://b")), "b2");
}

TEST(ResourceRegistryTest, ReadsExactUrisBeforeTemplatesThenTemplatesInOrder) {
  ResourceRegistry r;
  r.AddTemplate({"test://item/{id}", "generic", "", "", ""}, Fixed("generic"));
  r.AddTemplate({"test://item/{id}", "never", "", "", ""}, Fixed("never"));  // same URI: replaces
  r.AddTemplate({"test://{kind}/{id}", "any", "", "", ""}, Fixed("any"));
  r.Add({"test://item/special", "special", "", "", ""}, Fixed("special"));
  EXPECT_EQ(TextOf(r.Read("test://item/special")), "special");  // exact first
  EXPECT_EQ(TextOf(r.Read("test://item/7")), "never");          // first matching template
  EXPECT_EQ(TextOf(r.Read("test://other/7")), "any");
  EXPECT_FALSE(r.Read("test://nonexistent-resource-for-conformance-testing").has_value());
  EXPECT_FALSE(r.Read("test://item/7/extra").has_value());
}

TEST(ResourceRegistryTest, AReaderWithoutTheResourceFallsThroughToTheNextCandidate) {
  ResourceRegistry r;
  r.Add({"test://x/1", "exact", "", "", ""}, Missing());
  r.AddTemplate({"test://x/{id}", "first", "", "", ""}, Missing());
  r.AddTemplate({"test://{a}/{b}", "second", "", "", ""}, Fixed("second"));
  EXPECT_EQ(TextOf(r.Read("test://x/1")), "second");
  ResourceRegistry none;
  none.Add({"test://gone", "gone", "", "", ""}, Missing());
  EXPECT_FALSE(none.Read("test://gone").has_value());
}

// ---- PromptRegistry ----

TEST(PromptRegistryTest, FindsByNameKeepsOrderAndReplacesInPlace) {
  PromptRegistry p;
  EXPECT_TRUE(p.empty());
  auto fn = [](std::string text) {
    return [text](ToolContext&, const json::object&) { return ToolOutcome::Text(text); };
  };
  p.Add({"b", "", "first b", {}}, fn("b1"));
  p.Add({"a", "", "", {}}, fn("a"));
  p.Add({"b", "", "second b", {}}, fn("b2"));
  ASSERT_EQ(p.prompts().size(), 2u);
  EXPECT_EQ(p.prompts()[0].descriptor.name, "b");
  EXPECT_EQ(p.prompts()[0].descriptor.description, "second b");
  EXPECT_EQ(p.prompts()[1].descriptor.name, "a");
  EXPECT_EQ(p.Find("zzz"), nullptr);
  const PromptRegistry::Prompt* b = p.Find("b");
  ASSERT_NE(b, nullptr);
  testing::FakeToolContext ctx;
  EXPECT_EQ(b->fn(ctx, {}).result.at("content").at(0).at("text").as_string(), "b2");
}

}  // namespace
}  // namespace mcpauth::mcp
