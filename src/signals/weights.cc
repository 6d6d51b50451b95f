// ParseWeights(): RANKING_COMPOSITE_STRATEGY_WEIGHTS, parsed without
// exceptions (nlohmann's non-throwing parse), so nothing escapes the module.
#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "signals/ranking.h"
#include "signals/weights_internal.h"

namespace rs::signals {

namespace internal {

Status CheckWeights(const std::vector<std::pair<std::string, double>>& weights,
                    std::string_view what) {
  double sum = 0;
  for (const auto& [name, w] : weights) {
    if (!std::isfinite(w) || w < 0) {
      return Status::InvalidArgument(fmt::format(
          "weight of strategy '{}' is {}: a weight must be a finite number >= 0", name, w));
    }
    sum += w;
  }
  if (!std::isfinite(sum) || !(sum > 0)) {
    return Status::InvalidArgument(fmt::format(
        "{} sum to {}: the sum must be a finite number greater than 0", what, sum));
  }
  return Status::OK();
}

}  // namespace internal

Result<std::map<std::string, double>> ParseWeights(const std::string& json) {
  std::map<std::string, double> weights;
  if (json.find_first_not_of(" \t\r\n") == std::string::npos) return weights;
  nlohmann::json doc = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    return Status::InvalidArgument(fmt::format(
        "invalid JSON '{}'; expected an object such as {{\"Momentum_60D\": 2, "
        "\"Value_PE\": 1}}",
        json));
  }
  if (!doc.is_object()) {
    return Status::InvalidArgument(fmt::format(
        "expected a JSON object mapping strategy names to numbers, got {}", doc.type_name()));
  }
  for (const auto& [name, value] : doc.items()) {
    if (!value.is_number() || !std::isfinite(value.get<double>())) {
      return Status::InvalidArgument(fmt::format(
          "weight of strategy '{}' is {}, expected a finite number >= 0", name, value.dump()));
    }
    weights[name] = value.get<double>();
  }
  RS_RETURN_IF_ERROR(internal::CheckWeights({weights.begin(), weights.end()}, "weights"));
  return weights;
}

}  // namespace rs::signals
