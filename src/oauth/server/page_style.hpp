// The one stylesheet of the authorization server's pages (pages.cpp inlines it in each page's
// <style>), and the inline SVG icons they use.
//
// System fonts only, no url(), no @import: the pages are served with default-src 'none', so
// nothing may be fetched. Colours are custom properties, redefined for prefers-color-scheme:
// dark. Text on its background has a contrast of at least 4.5:1 and input borders 3:1 (WCAG 2.2
// 1.4.3, 1.4.11) in both schemes. Layout is fluid (one centred card, at most 420 px wide, 640 px
// for the app list) with one breakpoint at 480 px.
// Thread-safety: constants.
#pragma once

#include <string_view>

namespace mcpauth::oauth::pages_detail {

inline constexpr std::string_view kPageStyle = R"css(
:root {
  color-scheme: light dark;
  --bg: #f3f4f7;
  --surface: #ffffff;
  --surface-2: #f6f7f9;
  --text: #171a21;
  --muted: #555d6b;
  --subtle: #636a77;
  --border: #e3e6eb;
  --border-strong: #c9ced7;
  --input-border: #878e9a;
  --accent: #2a55e5;
  --accent-hover: #1f45c7;
  --accent-soft: #e9eefd;
  --on-accent: #ffffff;
  --ring: rgba(42, 85, 229, 0.32);
  --danger: #b42318;
  --danger-bg: #fef3f2;
  --danger-border: #f9c9c4;
  --warn: #8a4b08;
  --warn-bg: #fff8e6;
  --warn-border: #f5dc9a;
  --ok: #0b6b3a;
  --ok-bg: #edfbf3;
  --ok-border: #b4e8c9;
  --shadow: 0 1px 2px rgba(16, 24, 40, 0.05), 0 12px 32px -12px rgba(16, 24, 40, 0.16);
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0e1014;
    --surface: #171a20;
    --surface-2: #1d2129;
    --text: #e9ebf0;
    --muted: #a8afbc;
    --subtle: #939bab;
    --border: #2a2f38;
    --border-strong: #3c4350;
    --input-border: #646c7a;
    --accent: #7b9bff;
    --accent-hover: #98b1ff;
    --accent-soft: #222c48;
    --on-accent: #0b1020;
    --ring: rgba(123, 155, 255, 0.45);
    --danger: #ff9b91;
    --danger-bg: #2b1614;
    --danger-border: #5e2a25;
    --warn: #f3c766;
    --warn-bg: #2a2312;
    --warn-border: #5a4718;
    --ok: #7ddca4;
    --ok-bg: #12261b;
    --ok-border: #24543a;
    --shadow: 0 1px 2px rgba(0, 0, 0, 0.5), 0 16px 40px -16px rgba(0, 0, 0, 0.7);
  }
}
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body {
  margin: 0;
  min-height: 100vh;
  display: flex;
  flex-direction: column;
  align-items: center;
  padding: 48px 16px 24px;
  background: var(--bg);
  color: var(--text);
  font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "Noto Sans",
    "Liberation Sans", Arial, sans-serif;
  overflow-wrap: anywhere;
  -webkit-font-smoothing: antialiased;
}
.brand {
  display: flex;
  align-items: center;
  gap: 10px;
  margin: 0 0 20px;
  font-weight: 600;
  font-size: 16px;
  letter-spacing: -0.01em;
}
.mark { width: 30px; height: 30px; flex: none; }
.mark-bg { fill: var(--accent); }
.mark-fg { fill: var(--on-accent); }
.mark-tick {
  fill: none;
  stroke: var(--accent);
  stroke-width: 2.4;
  stroke-linecap: round;
  stroke-linejoin: round;
}
main {
  width: 100%;
  max-width: 420px;
  background: var(--surface);
  border: 1px solid var(--border);
  border-radius: 16px;
  box-shadow: var(--shadow);
  padding: 32px;
}
main.wide { max-width: 640px; }
footer { margin-top: 24px; color: var(--subtle); font-size: 13px; text-align: center; }
h1 {
  margin: 0 0 6px;
  font-size: 22px;
  line-height: 1.3;
  font-weight: 650;
  letter-spacing: -0.015em;
}
h2 { margin: 0; font-size: 16px; line-height: 1.35; font-weight: 600; }
p { margin: 0; }
.sub { color: var(--muted); margin: 0 0 24px; }
.sub strong { color: var(--text); }
.center { text-align: center; }
strong { font-weight: 600; }
code, .mono {
  font-family: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono",
    monospace;
  font-size: 12.5px;
}
.small { font-size: 13px; color: var(--muted); }
.i {
  width: 18px;
  height: 18px;
  flex: none;
  fill: none;
  stroke: currentColor;
  stroke-width: 2;
  stroke-linecap: round;
  stroke-linejoin: round;
}
.avatar {
  display: grid;
  place-items: center;
  width: 56px;
  height: 56px;
  margin: 0 auto 16px;
  border-radius: 16px;
  background: var(--accent-soft);
  color: var(--accent);
  font-size: 24px;
  font-weight: 700;
  line-height: 1;
}
.alert {
  display: flex;
  gap: 10px;
  align-items: flex-start;
  margin: 0 0 20px;
  padding: 12px 14px;
  border: 1px solid;
  border-radius: 10px;
  font-size: 14px;
}
.alert .i { margin-top: 1px; }
.alert.error { background: var(--danger-bg); border-color: var(--danger-border); color: var(--danger); }
.alert.ok { background: var(--ok-bg); border-color: var(--ok-border); color: var(--ok); }
.field { margin: 0 0 16px; }
label { display: block; margin: 0 0 6px; font-size: 14px; font-weight: 600; }
input[type="text"], input[type="password"] {
  display: block;
  width: 100%;
  min-height: 44px;
  padding: 10px 12px;
  font: inherit;
  font-size: 16px;
  color: var(--text);
  background: var(--surface);
  border: 1px solid var(--input-border);
  border-radius: 10px;
  transition: border-color 0.15s, box-shadow 0.15s;
}
input[type="text"]:hover, input[type="password"]:hover { border-color: var(--muted); }
input[aria-invalid="true"] { border-color: var(--danger); }
input:focus-visible {
  outline: 2px solid transparent;
  border-color: var(--accent);
  box-shadow: 0 0 0 3px var(--ring);
}
button, .button {
  display: inline-flex;
  align-items: center;
  justify-content: center;
  gap: 8px;
  min-height: 44px;
  margin: 0;
  padding: 10px 18px;
  font: inherit;
  font-weight: 600;
  line-height: 1.2;
  text-decoration: none;
  border: 1px solid transparent;
  border-radius: 10px;
  cursor: pointer;
  transition: background-color 0.15s, border-color 0.15s, color 0.15s;
}
:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
.primary { background: var(--accent); color: var(--on-accent); }
.primary:hover { background: var(--accent-hover); }
.secondary { background: var(--surface); color: var(--text); border-color: var(--border-strong); }
.secondary:hover { background: var(--surface-2); border-color: var(--subtle); }
.danger { color: var(--danger); }
.danger:hover { background: var(--danger-bg); border-color: var(--danger-border); }
.block { width: 100%; }
.link {
  min-height: 0;
  padding: 0;
  background: none;
  border: 0;
  color: var(--accent);
  font-weight: 500;
  text-decoration: underline;
  text-underline-offset: 2px;
}
.link:hover { color: var(--accent-hover); }
.vh {
  position: absolute;
  width: 1px;
  height: 1px;
  margin: -1px;
  padding: 0;
  overflow: hidden;
  clip: rect(0 0 0 0);
  white-space: nowrap;
  border: 0;
}
.lead { color: var(--muted); font-size: 15.5px; text-wrap: balance; }
.consent-head .lead span { display: inline-block; }
.lead strong { color: var(--text); }
.consent-head { text-align: center; margin: 0 0 24px; }
.consent-head h1 { font-size: 24px; }
.host {
  display: inline-flex;
  align-items: center;
  gap: 6px;
  max-width: 100%;
  margin: 4px 0 12px;
  padding: 4px 12px 4px 9px;
  border: 1px solid var(--border-strong);
  border-radius: 999px;
  background: var(--surface-2);
  font-family: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono",
    monospace;
  font-size: 13.5px;
  font-weight: 600;
}
.host .i { width: 16px; height: 16px; color: var(--muted); }
.facts {
  list-style: none;
  margin: 0 0 24px;
  padding: 0;
  border: 1px solid var(--border);
  border-radius: 12px;
  font-size: 14px;
}
.facts li { display: flex; gap: 12px; padding: 12px 14px; }
.facts li + li { border-top: 1px solid var(--border); }
.facts .i { margin-top: 1px; color: var(--muted); }
.facts .ok .i { color: var(--ok); }
.facts .warn { background: var(--warn-bg); }
.facts .warn .i { color: var(--warn); }
.facts li:first-child { border-radius: 11px 11px 0 0; }
.facts li:last-child { border-radius: 0 0 11px 11px; }
.facts li:only-child { border-radius: 11px; }
.note { display: block; margin-top: 2px; color: var(--muted); font-size: 13px; }
.section-title { margin: 0 0 10px; font-size: 14px; font-weight: 600; }
.scopes { list-style: none; margin: 0 0 28px; padding: 0; }
.scopes li { display: flex; gap: 10px; padding: 6px 0; }
.scopes .i { margin-top: 2px; color: var(--ok); }
.scopes code { display: block; color: var(--subtle); }
.actions { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; }
.switch {
  display: flex;
  flex-wrap: wrap;
  justify-content: center;
  gap: 4px 6px;
  margin: 20px 0 0;
  padding: 16px 0 0;
  border-top: 1px solid var(--border);
  color: var(--muted);
  font-size: 13px;
}
.switch .link { font-size: 13px; }
.client-id { margin: 16px 0 0; text-align: center; }
.page-head { margin: 0 0 20px; }
.page-head .sub { margin: 0; }
.apps { list-style: none; margin: 0; padding: 0; }
.app {
  display: grid;
  grid-template-columns: auto minmax(0, 1fr) auto;
  gap: 0 16px;
  align-items: start;
  padding: 20px 0;
  border-top: 1px solid var(--border);
}
.app .avatar { width: 40px; height: 40px; margin: 0; border-radius: 12px; font-size: 17px; }
.app form { grid-column: 3; grid-row: 1; }
.app .mono { color: var(--subtle); }
.app .scopes { margin: 10px 0 0; font-size: 14px; }
.app .scopes li { padding: 3px 0; }
.app .scopes .i { width: 16px; height: 16px; }
.app .scopes code { display: inline; }
/* One date a line: the separator between them (a text node) is set to size 0. */
.meta { margin: 10px 0 0; color: var(--muted); font-size: 0; }
.meta span { display: block; font-size: 13px; }
.empty {
  margin: 0 0 20px;
  padding: 32px 16px;
  border: 1px dashed var(--border-strong);
  border-radius: 12px;
  text-align: center;
  color: var(--muted);
}
.empty strong { display: block; margin-bottom: 4px; color: var(--text); }
.account {
  display: flex;
  flex-wrap: wrap;
  align-items: center;
  justify-content: space-between;
  gap: 12px;
  margin: 4px 0 0;
  padding: 20px 0 0;
  border-top: 1px solid var(--border);
  font-size: 14px;
  color: var(--muted);
}
.status-icon {
  display: grid;
  place-items: center;
  width: 48px;
  height: 48px;
  margin: 0 auto 16px;
  border-radius: 50%;
  background: var(--ok-bg);
  color: var(--ok);
}
.status-icon.error { background: var(--danger-bg); color: var(--danger); }
.status-icon .i { width: 24px; height: 24px; }
.message .detail { margin: 12px 0 0; }
.message .button { margin-top: 24px; }
@media (max-width: 480px) {
  body { padding: 24px 12px 16px; }
  main { padding: 24px 20px; border-radius: 14px; }
  .brand { margin-bottom: 16px; }
  .app { grid-template-columns: auto minmax(0, 1fr); }
  .app form { grid-column: 2; grid-row: auto; margin-top: 12px; }
  .app .scopes code { display: block; }
}
@media (prefers-reduced-motion: reduce) {
  * { transition: none !important; }
}
)css";

// Icons: 24x24, stroked with currentColor (class "i"); each is decorative (aria-hidden), the
// text beside it says the same. No xmlns: inline SVG in HTML needs none.
inline constexpr std::string_view kIconOpen =
    R"(<svg class="i" viewBox="0 0 24 24" aria-hidden="true" focusable="false">)";
inline constexpr std::string_view kIconCheckCircle =
    R"(<circle cx="12" cy="12" r="9"/><path d="m8 12.5 2.8 2.8L16 9.8"/>)";
inline constexpr std::string_view kIconAlertTriangle =
    R"(<path d="M10.3 4.2 2.6 17.5A2 2 0 0 0 4.3 20.5h15.4a2 2 0 0 0 1.7-3L13.7 4.2a2 2 0 0 0-3.4 0z"/><path d="M12 9.5v4M12 17h.01"/>)";
inline constexpr std::string_view kIconAlertCircle =
    R"(<circle cx="12" cy="12" r="9"/><path d="M12 7.5v5M12 16.5h.01"/>)";
inline constexpr std::string_view kIconReturn =
    R"(<path d="M20 4v7a4 4 0 0 1-4 4H5"/><path d="m9 11-4 4 4 4"/>)";
inline constexpr std::string_view kIconComputer =
    R"(<rect x="3" y="4" width="18" height="12" rx="2"/><path d="M8 20h8M12 16v4"/>)";
inline constexpr std::string_view kIconServer =
    R"(<rect x="3" y="4" width="18" height="7" rx="2"/><rect x="3" y="13" width="18" height="7" rx="2"/><path d="M7 7.5h.01M7 16.5h.01"/>)";
inline constexpr std::string_view kIconCheck = R"(<path d="m5 12.5 4.5 4.5L19 7.5"/>)";
inline constexpr std::string_view kIconClose = "</svg>";

// The logo mark: a shield with a tick on an accent tile.
inline constexpr std::string_view kLogoMark =
    R"(<svg class="mark" viewBox="0 0 32 32" aria-hidden="true" focusable="false">)"
    R"(<rect class="mark-bg" width="32" height="32" rx="8"/>)"
    R"(<path class="mark-fg" d="M16 6.5 8.5 9.6v5.6c0 4.8 3.2 8.9 7.5 10.3 4.3-1.4 7.5-5.5 7.5-10.3V9.6z"/>)"
    R"(<path class="mark-tick" d="m12.6 16 2.4 2.4 4.4-4.6"/></svg>)";

}  // namespace mcpauth::oauth::pages_detail
