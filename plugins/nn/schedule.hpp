// Learning-rate schedules: a function from the optimiser's step index
// (0 for the first step) to the learning rate used by that step. Any callable
// works; these are the common ones.
#pragma once

#include <cstdint>
#include <functional>

#include "orrery/error.hpp"

namespace orrery::nn {

using LearningRateSchedule = std::function<double(std::int64_t step)>;

/// `rate` at every step.
LearningRateSchedule constant_schedule(double rate);
/// Half a cosine from `rate` at step 0 down to `final_rate` at `total_steps`, constant after.
/// Throws orrery::Error if total_steps is not positive.
LearningRateSchedule cosine_schedule(double rate, std::int64_t total_steps, double final_rate = 0.0);
/// `rate · factor^⌊step / every⌋`. Throws orrery::Error if every is not positive.
LearningRateSchedule step_schedule(double rate, std::int64_t every, double factor);

}  // namespace orrery::nn
