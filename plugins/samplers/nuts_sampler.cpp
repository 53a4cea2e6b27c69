#include "nuts_sampler.hpp"

#include <cmath>
#include <limits>
#include <memory>
#include <vector>

#include "draw_store.hpp"
#include "gradient_chain.hpp"
#include "metric_adaptation.hpp"
#include "step_size_adaptation.hpp"

namespace orrery::samplers {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

double log_sum_exp(double a, double b) {
  if (a == -kInf) return b;
  if (b == -kInf) return a;
  const double m = a > b ? a : b;
  return m + std::log(std::exp(a - m) + std::exp(b - m));
}

/// Generalised U-turn criterion: both ends' velocities point along rho.
bool no_u_turn(const Eigen::VectorXd& p_sharp_minus, const Eigen::VectorXd& p_sharp_plus, const Eigen::VectorXd& rho) {
  return p_sharp_plus.dot(rho) > 0.0 && p_sharp_minus.dot(rho) > 0.0;
}
/// The same with rho = a + b, without forming the sum.
bool no_u_turn(const Eigen::VectorXd& p_sharp_minus, const Eigen::VectorXd& p_sharp_plus, const Eigen::VectorXd& a,
               const Eigen::VectorXd& b) {
  return p_sharp_plus.dot(a) + p_sharp_plus.dot(b) > 0.0 && p_sharp_minus.dot(a) + p_sharp_minus.dot(b) > 0.0;
}

/// Scratch vectors of one internal tree level, allocated once per chain.
struct Level {
  explicit Level(Eigen::Index d)
      : z_propose_final(d), p_init_end(d), p_sharp_init_end(d), rho_init(d), p_final_beg(d), p_sharp_final_beg(d),
        rho_final(d) {}
  PhasePoint z_propose_final;
  Eigen::VectorXd p_init_end, p_sharp_init_end, rho_init, p_final_beg, p_sharp_final_beg, rho_final;
};

struct Transition {
  double accept_stat = 0.0;
  int depth = 0;
  std::uint64_t n_leapfrog = 0;
  bool divergent = false;
  double energy = 0.0;
};

/// One chain's NUTS state: Stan's base_nuts with preallocated storage.
class NutsKernel {
 public:
  NutsKernel(Hamiltonian& system, Eigen::Index d, int max_depth)
      : system_(system), max_depth_(max_depth), z_(d), z_fwd_(d), z_bck_(d), z_sample_(d), z_propose_(d),
        p_fwd_fwd_(d), p_sharp_fwd_fwd_(d), p_fwd_bck_(d), p_sharp_fwd_bck_(d), p_bck_fwd_(d), p_sharp_bck_fwd_(d),
        p_bck_bck_(d), p_sharp_bck_bck_(d), rho_(d), rho_fwd_(d), rho_bck_(d) {
    levels_.reserve(static_cast<std::size_t>(max_depth) + 1);
    for (int i = 0; i <= max_depth; ++i) levels_.emplace_back(d);
  }

  /// One transition from `current` (position, log-density, gradient), which
  /// is overwritten with the new state.
  Transition transition(PhasePoint& current, double epsilon, orrery::RandomStream& rng) {
    rng_ = &rng;
    epsilon_ = epsilon;
    z_.assign(current);
    system_.sample_momentum(z_, rng);
    z_fwd_.assign(z_);
    z_bck_.assign(z_);
    z_sample_.assign(z_);
    z_propose_.assign(z_);

    p_fwd_fwd_ = z_.p;
    system_.velocity(z_.p, p_sharp_fwd_fwd_);
    p_fwd_bck_ = z_.p;
    p_sharp_fwd_bck_ = p_sharp_fwd_fwd_;
    p_bck_fwd_ = z_.p;
    p_sharp_bck_fwd_ = p_sharp_fwd_fwd_;
    p_bck_bck_ = z_.p;
    p_sharp_bck_bck_ = p_sharp_fwd_fwd_;
    rho_ = z_.p;

    double log_sum_weight = 0.0;
    h0_ = system_.hamiltonian(z_);
    n_leapfrog_ = 0;
    sum_metro_prob_ = 0.0;
    divergent_ = false;
    int depth = 0;

    while (depth < max_depth_) {
      rho_fwd_.setZero();
      rho_bck_.setZero();
      bool valid_subtree;
      double log_sum_weight_subtree = -kInf;
      if (rng.uniform() > 0.5) {
        // The old trajectory becomes the backward subtree: its forward end is
        // the old trajectory's forward end.
        z_.assign(z_fwd_);
        rho_bck_ = rho_;
        p_bck_fwd_ = p_fwd_fwd_;
        p_sharp_bck_fwd_ = p_sharp_fwd_fwd_;
        valid_subtree = build_tree(depth, z_propose_, p_sharp_fwd_bck_, p_sharp_fwd_fwd_, rho_fwd_, p_fwd_bck_,
                                   p_fwd_fwd_, 1.0, log_sum_weight_subtree);
        z_fwd_.assign(z_);
      } else {
        // The old trajectory becomes the forward subtree: its backward end is
        // the old trajectory's backward end.
        z_.assign(z_bck_);
        rho_fwd_ = rho_;
        p_fwd_bck_ = p_bck_bck_;
        p_sharp_fwd_bck_ = p_sharp_bck_bck_;
        valid_subtree = build_tree(depth, z_propose_, p_sharp_bck_fwd_, p_sharp_bck_bck_, rho_bck_, p_bck_fwd_,
                                   p_bck_bck_, -1.0, log_sum_weight_subtree);
        z_bck_.assign(z_);
      }
      if (!valid_subtree) break;
      ++depth;

      if (log_sum_weight_subtree > log_sum_weight) {
        z_sample_.assign(z_propose_);
      } else {
        const double accept_prob = std::exp(log_sum_weight_subtree - log_sum_weight);
        if (rng.uniform() < accept_prob) z_sample_.assign(z_propose_);
      }
      log_sum_weight = log_sum_exp(log_sum_weight, log_sum_weight_subtree);

      rho_ = rho_bck_ + rho_fwd_;
      bool persist = no_u_turn(p_sharp_bck_bck_, p_sharp_fwd_fwd_, rho_);
      persist = persist && no_u_turn(p_sharp_bck_bck_, p_sharp_fwd_bck_, rho_bck_, p_fwd_bck_);
      persist = persist && no_u_turn(p_sharp_bck_fwd_, p_sharp_fwd_fwd_, rho_fwd_, p_bck_fwd_);
      if (!persist) break;
    }

    Transition t;
    t.depth = depth;
    t.n_leapfrog = n_leapfrog_;
    t.divergent = divergent_;
    t.accept_stat = n_leapfrog_ > 0 ? sum_metro_prob_ / static_cast<double>(n_leapfrog_) : 0.0;
    t.energy = system_.hamiltonian(z_sample_);
    current.assign(z_sample_);
    return t;
  }

 private:
  bool build_tree(int depth, PhasePoint& z_propose, Eigen::VectorXd& p_sharp_beg, Eigen::VectorXd& p_sharp_end,
                  Eigen::VectorXd& rho, Eigen::VectorXd& p_beg, Eigen::VectorXd& p_end, double sign,
                  double& log_sum_weight) {
    if (depth == 0) {
      system_.leapfrog(z_, sign * epsilon_);
      ++n_leapfrog_;
      // +inf if anything is non-finite; p_sharp_beg = M⁻¹ p in the same pass.
      const double h = system_.hamiltonian_and_velocity(z_, p_sharp_beg);
      if (h - h0_ > NutsSampler::kMaxEnergyError || !std::isfinite(h)) divergent_ = true;
      if (std::isfinite(h)) {
        log_sum_weight = log_sum_exp(log_sum_weight, h0_ - h);
        sum_metro_prob_ += h0_ - h > 0.0 ? 1.0 : std::exp(h0_ - h);
      }
      if (divergent_) return false;
      z_propose.assign(z_);
      p_sharp_end = p_sharp_beg;
      rho += z_.p;
      p_beg = z_.p;
      p_end = p_beg;
      return true;
    }
    Level& level = levels_[static_cast<std::size_t>(depth)];

    // Initial subtree.
    double log_sum_weight_init = -kInf;
    level.rho_init.setZero();
    if (!build_tree(depth - 1, z_propose, p_sharp_beg, level.p_sharp_init_end, level.rho_init, p_beg,
                    level.p_init_end, sign, log_sum_weight_init))
      return false;

    // Final subtree.
    level.z_propose_final.assign(z_);
    double log_sum_weight_final = -kInf;
    level.rho_final.setZero();
    if (!build_tree(depth - 1, level.z_propose_final, level.p_sharp_final_beg, p_sharp_end, level.rho_final,
                    level.p_final_beg, p_end, sign, log_sum_weight_final))
      return false;

    // Multinomial sample from the two subtrees.
    const double log_sum_weight_subtree = log_sum_exp(log_sum_weight_init, log_sum_weight_final);
    log_sum_weight = log_sum_exp(log_sum_weight, log_sum_weight_subtree);
    if (log_sum_weight_final > log_sum_weight_subtree) {
      z_propose.assign(level.z_propose_final);
    } else {
      const double accept_prob = std::exp(log_sum_weight_final - log_sum_weight_subtree);
      if (rng_->uniform() < accept_prob) z_propose.assign(level.z_propose_final);
    }

    // rho_subtree = rho_init + rho_final; the caller's rho accumulates it.
    rho += level.rho_init;
    rho += level.rho_final;
    bool persist = no_u_turn(p_sharp_beg, p_sharp_end, level.rho_init, level.rho_final);
    persist = persist && no_u_turn(p_sharp_beg, level.p_sharp_final_beg, level.rho_init, level.p_final_beg);
    persist = persist && no_u_turn(level.p_sharp_init_end, p_sharp_end, level.rho_final, level.p_init_end);
    return persist;
  }

  Hamiltonian& system_;
  int max_depth_;
  orrery::RandomStream* rng_ = nullptr;
  double epsilon_ = 1.0;
  double h0_ = 0.0;
  std::uint64_t n_leapfrog_ = 0;
  double sum_metro_prob_ = 0.0;
  bool divergent_ = false;
  PhasePoint z_, z_fwd_, z_bck_, z_sample_, z_propose_;
  Eigen::VectorXd p_fwd_fwd_, p_sharp_fwd_fwd_, p_fwd_bck_, p_sharp_fwd_bck_, p_bck_fwd_, p_sharp_bck_fwd_,
      p_bck_bck_, p_sharp_bck_bck_, rho_, rho_fwd_, rho_bck_;
  std::vector<Level> levels_;
};

/// One NUTS chain as a resumable state (see chain_driver.hpp).
class NutsChain {
 public:
  NutsChain(const NutsSampler::Settings& settings, const orrery::Target& target, orrery::RandomStream rng,
            std::size_t index)
      : settings_(&settings), index_(index),
        core_(target, rng, settings.metric, settings.delta, settings.length.warmup),
        kernel_(core_.system, core_.dimension(), settings.max_depth),
        draws_(core_.dimension(), {"step_size", "tree_depth", "n_leapfrog", "divergent", "energy"}) {
    draws_.reserve(settings.length.steps);
  }

  void start() {
    core_.start(settings_->initial_step_size, "nuts '" + settings_->name + "'", index_, NutsSampler::kMaxInitialAttempts);
  }

  void iterate() {
    const Transition t = kernel_.transition(core_.current, core_.epsilon, core_.rng);
    if (t.divergent) ++core_.nonfinite;
    if (core_.warming_up()) {
      core_.adapt(t.accept_stat);
    } else {
      draws_.append(core_.current.q, core_.current.log_density,
                    {core_.epsilon, static_cast<double>(t.depth), static_cast<double>(t.n_leapfrog),
                     t.divergent ? 1.0 : 0.0, t.energy});
      core_.accept_sum += t.accept_stat;
      if (t.divergent) ++divergences_;
      if (t.depth >= settings_->max_depth) ++saturations_;
    }
    ++core_.iteration;
  }

  template <typename IO>
  void visit(IO& io) {
    core_.visit(io);
    io(divergences_);
    io(saturations_);
    draws_.visit(io);
  }

  void collect(std::vector<const DrawStore*>& out) const { out.push_back(&draws_); }

  struct Summary {
    double step_size, mean_depth, ebfmi;
    std::uint64_t divergences, saturations;
  };
  /// The chain's statistics; then moves its draws into `chain`.
  Summary finish(orrery::Chain& chain) {
    const Eigen::Index n = draws_.rows();
    const std::vector<double>& depth = draws_.statistic(1);
    const std::vector<double>& energy = draws_.statistic(4);
    double depth_sum = 0.0;
    for (double x : depth) depth_sum += x;
    const Summary s{core_.epsilon, depth_sum / static_cast<double>(n),
                    ebfmi(Eigen::Map<const Eigen::VectorXd>(energy.data(), n)), divergences_, saturations_};
    chain = draws_.to_chain();
    core_.report(chain, n);
    return s;
  }

 private:
  const NutsSampler::Settings* settings_;
  std::size_t index_;
  GradientChainCore core_;
  NutsKernel kernel_;
  std::uint64_t divergences_ = 0, saturations_ = 0;
  DrawStore draws_;
};

}  // namespace

orrery::Schema NutsSampler::options() {
  using namespace orrery::option;
  orrery::Schema schema{
      reference("target", orrery::Kind::Target).default_value("@posterior").doc("the density to sample (needs a gradient)"),
      integer("chains").default_value(4).min(1).doc("number of independent chains"),
      integer("steps").default_value(1000).min(1).doc("draws per chain after warm-up (the most, with until_converged)"),
      integer("warmup").default_value(1000).min(0).doc("adaptation iterations per chain, discarded"),
      integer("max_depth").default_value(10).range(1, 30).doc("maximum tree depth (at most 2^max_depth leapfrog steps)"),
      real("delta").default_value(0.8).greater_than(0.0).less_than(1.0).doc("target mean acceptance statistic of the step-size adaptation"),
      real("initial_step_size").greater_than(0.0).doc("first step size; default: Stan's heuristic from 1"),
      string("metric").default_value("diag").choices({"diag", "dense"}).doc("inverse metric adapted during warm-up: diag (diagonal) or dense (full covariance)"),
      SamplingTarget::option()};
  for (orrery::OptionSpec& spec : RunLength::options()) schema.push_back(std::move(spec));
  return schema;
}

NutsSampler::NutsSampler(orrery::Context& ctx) : target_(ctx) {
  const orrery::Options& options = ctx.options();
  if (!target_.constrained().has_gradient())
    options.error("target", "the NUTS sampler needs a gradient; the target '" + target_label(ctx) +
                                "' has none (use a sampler that needs only densities, such as samplers.ensemble or samplers.metropolis)");
  const HamiltonianOptions shared = HamiltonianOptions::read(options);
  chains_ = shared.chains;
  settings_.name = ctx.name();
  settings_.length = shared.length;
  settings_.max_depth = static_cast<int>(count_option(options, "max_depth", 1));
  if (settings_.max_depth > 30) options.error("max_depth", "must be at most 30, found " + std::to_string(settings_.max_depth));
  settings_.delta = shared.delta;
  settings_.initial_step_size = shared.initial_step_size;
  settings_.metric = shared.metric;
  if (target_.constrained().space().dimension() == 0) options.error("target", "the target has no free parameters to sample");
}

orrery::SampleSet NutsSampler::run(orrery::Context& ctx) {
  std::vector<std::unique_ptr<NutsChain>> states;
  for (std::uint64_t i = 0; i < chains_; ++i)
    states.push_back(std::make_unique<NutsChain>(settings_, target_.sampled(), ctx.rng().split(i), i));
  const DriveResult driven = drive(ctx, "nuts", "samplers.nuts/1", states, settings_.length);

  orrery::SampleSet set;
  double acceptance = 0.0, step = 0.0, depth = 0.0, ebfmi_sum = 0.0;
  std::uint64_t divergences = 0, saturations = 0;
  for (auto& state : states) {
    orrery::Chain chain;
    const NutsChain::Summary s = state->finish(chain);
    target_.report(chain);
    acceptance += chain.acceptance_rate;
    step += s.step_size;
    depth += s.mean_depth;
    divergences += s.divergences;
    saturations += s.saturations;
    ebfmi_sum += s.ebfmi;
    set.chains.push_back(std::move(chain));
  }
  const double n = static_cast<double>(chains_);
  set.statistics.emplace_back("acceptance_rate", acceptance / n);
  set.statistics.emplace_back("step_size", step / n);
  set.statistics.emplace_back("tree_depth", depth / n);
  set.statistics.emplace_back("divergences", static_cast<double>(divergences));
  set.statistics.emplace_back("max_depth_saturations", static_cast<double>(saturations));
  set.statistics.emplace_back("ebfmi", ebfmi_sum / n);
  append_run_statistics(set, driven, settings_.length);
  return set;
}

}  // namespace orrery::samplers
