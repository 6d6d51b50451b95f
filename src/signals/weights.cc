// ParseWeights(): RANKING_COMPOSITE_STRATEGY_WEIGHTS, parsed without
// exceptions (nlohmann's non-throwing parse), so nothing escapes the module.
#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "signals/ranking.h"

namespace rs::signals {

namespace {
constexpr const char* kVar = "RANKING_COMPOSITE_STRATEGY_WEIGHTS";
}  // namespace

Result<std::map<std::string, double>> ParseWeights(const std::string& json) {
  std::map<std::string, double> weights;
  if (json.find_first_not_of(" \t\r\n") == std::string::npos) return weights;
  nlohmann::json doc = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    return Status::InvalidArgument(fmt::format(
        "{}: invalid JSON '{}'; expected an object such as {{\"Momentum_60D\": 2, "
        "\"Value_PE\": 1}}",
        kVar, json));
  }
  if (!doc.is_object()) {
    return Status::InvalidArgument(fmt::format(
        "{}: expected a JSON object mapping strategy names to numbers, got {}", kVar,
        doc.type_name()));
  }
  double sum = 0;
  for (const auto& [name, value] : doc.items()) {
    if (!value.is_number() || !std::isfinite(value.get<double>())) {
      return Status::InvalidArgument(fmt::format(
          "{}: weight of strategy '{}' is {}, expected a finite number", kVar, name,
          value.dump()));
    }
    weights[name] = value.get<double>();
    sum += weights[name];
  }
  if (!(sum > 0)) {
    return Status::InvalidArgument(
        fmt::format("{}: weights sum to {}, they must sum to more than 0", kVar, sum));
  }
  return weights;
}

}  // namespace rs::signals
