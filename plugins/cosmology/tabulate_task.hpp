// TabulateTask ("cosmology.tabulate"): writes the background, growth and
// matter power spectra of a cosmology.limber_cl model's fiducial cosmology
// (see LimberClModel::fiducial_point), with the model's own transfer function
// or P(k) table and non-linear setting, for inspection and plotting.
//
// Files (each written under a temporary name, then renamed):
//   background.txt       z, chi [Mpc], D_A [Mpc], D_L [Mpc], mu [mag], H [km/s/Mpc], D (D(0) = 1), f = dlnD/dlna,
//                        at z_points redshifts evenly spaced from 0 to z_max (mu = -inf at z = 0)
//   power_linear.txt     k [1/Mpc], then P_lin(k, z) [Mpc^3] for each z of `z`, at k_points
//                        wavenumbers spaced logarithmically from k_min to k_max
//   power_nonlinear.txt  the same for halofit's P_nl (only if the model uses halofit)
#pragma once

#include <string>
#include <vector>

#include <orrery/context.hpp>
#include <orrery/schema.hpp>
#include <orrery/task.hpp>

namespace orrery::cosmology {

class LimberClModel;

class TabulateTask final : public orrery::Task {
 public:
  static orrery::Schema options();
  explicit TabulateTask(orrery::Context& ctx);

  orrery::Report run(orrery::Context& ctx) override;

 private:
  const LimberClModel& model_;
  std::vector<double> z_power_;
  double k_min_, k_max_;
  int k_points_;
  double z_max_;
  int z_points_;
};

}  // namespace orrery::cosmology
