// bench/cosmology: speed of the differentiable cosmology core.
//
// 1. Comoving distance for 10 000 redshifts in a w0wa cosmology, against
//    astropy.cosmology.w0waCDM measured in the same run (Debian's
//    /usr/bin/python3 with python3-astropy). Both include building the
//    cosmology object; accuracy is the largest relative difference between
//    the two. Target: ≥ 20× faster at equal or better accuracy (aim 100×).
// 2. C_ell for 10 tracers (all 55 pairs) at 50 ell with Eisenstein–Hu and
//    halofit: value only (target ≤ 20 ms on one core) and with the full
//    Jacobian in all 8 cosmological parameters (target ≤ 10× the value time).
//
// Usage: cosmology [--quick]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

#include "cosmo_core/background.hpp"
#include "cosmo_core/dual.hpp"
#include "cosmo_core/growth.hpp"
#include "cosmo_core/halofit.hpp"
#include "cosmo_core/limber.hpp"
#include "cosmo_core/linear_power.hpp"

using namespace orrery::cosmo;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

namespace {

template <typename F>
double best_seconds(int repeats, F&& f) {
  double best = 1e300;
  for (int r = 0; r < repeats; ++r) {
    const auto start = Clock::now();
    f();
    best = std::min(best, std::chrono::duration<double>(Clock::now() - start).count());
  }
  return best;
}

void bench_distances(int repeats) {
  const int n = 10000;
  std::vector<double> z(n);
  for (int i = 0; i < n; ++i) z[i] = 3.0 * (i + 1) / n;
  CosmologyParams<double> p;
  p.omega_c = 0.25;
  p.omega_b = 0.05;
  p.h = 0.7;
  p.w0 = -0.9;
  p.wa = 0.1;
  p.T_cmb = 0.0;  // astropy with Tcmb0=0: no radiation on either side
  p.N_eff = 0.0;
  std::vector<double> ours(n);
  const double t_ours = best_seconds(repeats, [&] {
    const Background<double> bg(p);
    for (int i = 0; i < n; ++i) ours[i] = bg.comoving_radial_distance(1.0 / (1.0 + z[i]));
  });

  const fs::path out = fs::temp_directory_path() / ("orrery-bench-astropy-" + std::to_string(::getpid()) + ".txt");
  const std::string script =
      "import time, numpy as np\n"
      "from astropy.cosmology import w0waCDM\n"
      "z = 3.0 * np.arange(1, 10001) / 10000\n"
      "best = 1e300\n"
      "for _ in range(" + std::to_string(repeats) + "):\n"
      "    t = time.perf_counter()\n"
      "    c = w0waCDM(H0=70, Om0=0.3, Ode0=0.7, w0=-0.9, wa=0.1, Tcmb0=0)\n"
      "    d = c.comoving_distance(z).value\n"
      "    best = min(best, time.perf_counter() - t)\n"
      "np.savetxt('" + out.string() + "', d)\n"
      "print(best)\n";
  const fs::path script_file = out.string() + ".py";
  std::ofstream(script_file) << script;
  FILE* pipe = ::popen(("/usr/bin/python3 '" + script_file.string() + "' 2>/dev/null").c_str(), "r");
  double t_astropy = -1;
  if (pipe) {
    if (std::fscanf(pipe, "%lf", &t_astropy) != 1) t_astropy = -1;
    ::pclose(pipe);
  }
  fs::remove(script_file);
  if (t_astropy <= 0) {
    std::printf("comoving distance, 10000 z: ours %.3f ms; astropy unavailable (apt-get install python3-astropy)\n", 1e3 * t_ours);
    return;
  }
  std::ifstream in(out);
  double worst = 0;
  for (int i = 0; i < n; ++i) {
    double d = 0;
    in >> d;
    worst = std::max(worst, std::abs(ours[i] / d - 1));
  }
  fs::remove(out);
  std::printf("comoving distance, 10000 z (w0wa): ours %.3f ms, astropy %.1f ms, speed-up %.0fx (target >= 20x), "
              "max relative difference %.1e\n",
              1e3 * t_ours, 1e3 * t_astropy, t_astropy / t_ours, worst);
}

template <typename S>
Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic> lensing_spectra(const CosmologyParams<S>& p, const std::vector<Tracer>& tracers,
                                                                  const std::vector<double>& ells) {
  const Background<S> background(p);
  const Growth<S> growth(background);
  const LinearPower<S> linear(p, TransferModel::eisenstein_hu);
  const Limber<S> limber(background, growth, tracers);
  const HalofitPower<S> power(
      linear, limber.z_grid(), [&](double a) { return growth.growth_factor(a); },
      [&](double a) { return halofit_background(background, a); });
  return limber.spectra(ells, [&](const S& k, std::size_t i) { return power.p_nl(k, i); });
}

void bench_spectra(int repeats) {
  const auto bins = RedshiftDistribution::tomographic_bins(RedshiftDistribution::smail(2.0, 1.5, 0.3), 10, 0.05);
  std::vector<Tracer> tracers;
  for (const auto& b : bins) tracers.push_back(Tracer::shear(b));
  std::vector<double> ells(50);
  for (int i = 0; i < 50; ++i) ells[i] = 20.0 * std::pow(100.0, i / 49.0);

  CosmologyParams<double> p;
  double sink = 0;
  const double t_value = best_seconds(repeats, [&] { sink += lensing_spectra(p, tracers, ells)(0, 0); });

  using D = Dual<double, kParamCount>;
  CosmologyParams<D> pd;
  for (int i = 0; i < kParamCount; ++i) pd[static_cast<Param>(i)] = D::variable(p[static_cast<Param>(i)], i);
  const double t_jacobian = best_seconds(std::max(1, repeats / 2), [&] { sink += lensing_spectra(pd, tracers, ells)(0, 0).val; });
  std::printf("C_ell, 10 tracers (55 pairs) x 50 ell, EH + halofit: value %.2f ms (target <= 20 ms), "
              "with Jacobian in 8 parameters %.2f ms = %.1fx value (target <= 10x)%s\n",
              1e3 * t_value, 1e3 * t_jacobian, t_jacobian / t_value, sink == 42 ? " " : "");
}

}  // namespace

int main(int argc, char** argv) {
  const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  std::printf("cosmology%s (one thread)\n", quick ? " (quick mode)" : "");
  bench_distances(quick ? 1 : 7);
  bench_spectra(quick ? 1 : 5);
  return 0;
}
