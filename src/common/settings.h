// The one grammar for settings given as text (environment variables, the
// config file, connection strings): booleans and bounded whole numbers.
// docs/operations.md documents it for operators.
//
//   boolean  true/false, 1/0, yes/no, y/n, on/off, in any case; surrounding
//            blanks (space, tab, CR, LF) are trimmed; anything else, the
//            empty value included, is an error.
//   integer  an optional '-' and decimal digits, surrounding blanks trimmed,
//            from `min` to `max` inclusive; anything else is an error.
//
// Errors are InvalidArgument and name the setting and the value as given:
//   "RANKING_THREADS='300' is not a whole number from 0 to 256"
// A secret must never be parsed here: the value is echoed.
//
// Whether an unset setting takes a default is the caller's decision; these
// functions see only settings that are set.
//
// Thread-safety: pure functions.
#ifndef RS_COMMON_SETTINGS_H_
#define RS_COMMON_SETTINGS_H_

#include <cstdint>
#include <string_view>

#include "common/status.h"

namespace rs {

Result<bool> ParseBool(std::string_view name, std::string_view value);

// REQUIRES: min <= max.
Result<int64_t> ParseInt(std::string_view name, std::string_view value, int64_t min, int64_t max);

}  // namespace rs

#endif  // RS_COMMON_SETTINGS_H_
