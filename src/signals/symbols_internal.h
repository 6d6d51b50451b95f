// The rules a symbol keeps to be ranked and served (docs/operations.md,
// "Input rules"): what SIGNALS.md leaves open ("non-empty"), chosen so that
// every symbol Delta accepts can also be stored and indexed by PostgreSQL.
#ifndef RS_SIGNALS_SYMBOLS_INTERNAL_H_
#define RS_SIGNALS_SYMBOLS_INTERNAL_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace rs::signals::internal {

// Instrument ids are a few dozen bytes (ISIN 12, FIGI 12, exchange tickers
// with suffixes under 40); 256 leaves room for any of them while staying far
// below PostgreSQL's B-tree limit (8191 bytes / 3 = 2730 bytes per index
// tuple, reached with about 2.7 KB of incompressible text).
inline constexpr size_t kMaxSymbolBytes = 256;

// The rule `symbol` breaks, as a predicate ("has 300 bytes (...)"), or nullopt: valid UTF-8; no
// control character (U+0000..U+001F, U+007F: PostgreSQL text cannot hold NUL, and the others break
// logs and CSV exports); at most kMaxSymbolBytes bytes. An empty symbol is an invalid row
// (SIGNALS.md), judged by the caller.
std::optional<std::string> BrokenSymbolRule(std::string_view symbol);

// `symbol` for a message: printable ASCII as is, other bytes as \xNN, cut
// after 40 bytes with the total length.
std::string ShowSymbol(std::string_view symbol);

}  // namespace rs::signals::internal

#endif  // RS_SIGNALS_SYMBOLS_INTERNAL_H_
