#include "nn/schedule.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

#include "orrery/error.hpp"

namespace orrery::nn {

LearningRateSchedule constant_schedule(double rate) {
  return [rate](std::int64_t) { return rate; };
}

LearningRateSchedule cosine_schedule(double rate, std::int64_t total_steps, double final_rate) {
  if (total_steps <= 0)
    throw Error("nn: cosine_schedule needs total_steps > 0, got " + std::to_string(total_steps));
  return [=](std::int64_t step) {
    const double progress = static_cast<double>(std::clamp<std::int64_t>(step, 0, total_steps)) /
                            static_cast<double>(total_steps);
    return final_rate + 0.5 * (rate - final_rate) * (1.0 + std::cos(std::numbers::pi * progress));
  };
}

LearningRateSchedule step_schedule(double rate, std::int64_t every, double factor) {
  if (every <= 0) throw Error("nn: step_schedule needs every > 0, got " + std::to_string(every));
  return [=](std::int64_t step) {
    return rate * std::pow(factor, static_cast<double>(std::max<std::int64_t>(step, 0) / every));
  };
}

}  // namespace orrery::nn
