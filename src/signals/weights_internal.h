// The rule every composite weight set keeps, whoever supplies it
// (RANKING_COMPOSITE_STRATEGY_WEIGHTS, the config file, MaterializeOptions).
#ifndef RS_SIGNALS_WEIGHTS_INTERNAL_H_
#define RS_SIGNALS_WEIGHTS_INTERNAL_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace rs::signals::internal {

// Each weight finite and >= 0, and their sum finite and > 0: a negative
// weight would push composites outside [0, 1] and an infinite sum makes them
// NaN or 0. `what` names the set in the message ("weights", "the weights of
// the strategies present"). Errors (InvalidArgument) name the strategy.
[[nodiscard]] Status CheckWeights(const std::vector<std::pair<std::string, double>>& weights,
                                  std::string_view what);

}  // namespace rs::signals::internal

#endif  // RS_SIGNALS_WEIGHTS_INTERNAL_H_
