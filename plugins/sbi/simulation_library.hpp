// The shared simulation library (plugins/simulation: campaigns, their .npy
// store, the free ↔ full parameter map) as the sbi components use it: its
// names are visible in orrery::sbi.
#pragma once

#include "simulation/npy_file.hpp"
#include "simulation/parameter_map.hpp"
#include "simulation/simulation_campaign.hpp"
#include "simulation/simulation_store.hpp"

namespace orrery::sbi {
using namespace orrery::simulation;
}  // namespace orrery::sbi
