// HTML text escaping for the pages mcpauth renders (the authorization server's sign-in and
// consent pages, the client's loopback "return to the app" page).
//
// AppendHtmlEscaped() escapes & < > " ' (as &amp; &lt; &gt; &quot; &#39;), which makes any text
// safe in element content and in double- or single-quoted attribute values (HTML5 §13.1.2.3);
// other bytes are copied as given (validate UTF-8 upstream). Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace mcpauth::http {

void AppendHtmlEscaped(std::string& out, std::string_view text);
std::string HtmlEscape(std::string_view text);

}  // namespace mcpauth::http
