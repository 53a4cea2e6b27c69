#include "nuts_sampler.hpp"

#include <array>
#include <cmath>
#include <deque>
#include <limits>
#include <memory>
#include <vector>

#include "draw_store.hpp"
#include "gradient_chain.hpp"
#include "leapfrog_kernels.hpp"
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

struct Transition {
  double accept_stat = 0.0;
  int depth = 0;
  std::uint64_t n_leapfrog = 0;
  bool divergent = false;
  double energy = 0.0;
};

/// A leaf of the trajectory: its phase point, its Hamiltonian and, with a
/// dense metric, its velocity M⁻¹p (a diagonal metric's m ∘ p is formed
/// where it is needed, which saves a vector per leaf).
struct Leaf {
  Leaf(Eigen::Index d, bool dense) : z(d), v(dense ? d : 0) {}
  PhasePoint z;
  Eigen::VectorXd v;
  double h = 0.0;
};

/// Leaves held by reference count. The tree refers to leaves by handle, so a
/// leaf becoming a proposal, a subtree's end or the sample costs no copy;
/// storage is allocated on first use and then recycled (no allocation once a
/// chain has built its deepest tree).
class LeafPool {
 public:
  LeafPool(Eigen::Index d, bool dense) : d_(d), dense_(dense) {}
  /// A free leaf, held once.
  int acquire() {
    if (free_.empty()) {
      leaves_.emplace_back(d_, dense_);
      held_.push_back(0);
      free_.push_back(static_cast<int>(leaves_.size()) - 1);
    }
    const int i = free_.back();
    free_.pop_back();
    held_[static_cast<std::size_t>(i)] = 1;
    return i;
  }
  int retain(int i) {
    ++held_[static_cast<std::size_t>(i)];
    return i;
  }
  void release(int i) {
    if (--held_[static_cast<std::size_t>(i)] == 0) free_.push_back(i);
  }
  Leaf& operator[](int i) { return leaves_[static_cast<std::size_t>(i)]; }

 private:
  Eigen::Index d_;
  bool dense_;
  std::deque<Leaf> leaves_;  // a deque: references stay valid as it grows
  std::vector<int> held_;
  std::vector<int> free_;
};

/// A finished subtree: its first and last leaves in the order they were
/// built, its multinomial proposal (each held once by this struct), its log
/// total weight and its momentum sum rho (a leaf's p, or a level's buffer).
struct Subtree {
  int first = -1, last = -1, proposal = -1;
  double log_sum_weight = -kInf;
  const Eigen::VectorXd* rho = nullptr;
};

/// One chain's NUTS: Stan's multinomial NUTS with the generalised U-turn
/// criterion and its extra checks across subtree seams, on handles to
/// recycled leaves.
class NutsKernel {
 public:
  NutsKernel(Hamiltonian& system, Eigen::Index d, int max_depth)
      : system_(system), max_depth_(max_depth), pool_(d, system.shape() == MetricShape::Dense),
        rho_trajectory_{Eigen::VectorXd(d), Eigen::VectorXd(d)} {
    rho_levels_.reserve(static_cast<std::size_t>(max_depth));
    for (int i = 0; i < max_depth; ++i) rho_levels_.push_back({Eigen::VectorXd(d), Eigen::VectorXd(d)});
  }

  /// One transition from `current` (position, log-density, gradient), which
  /// is overwritten with the new state.
  Transition transition(PhasePoint& current, double epsilon, orrery::RandomStream& rng) {
    rng_ = &rng;
    epsilon_ = epsilon;
    n_leapfrog_ = 0;
    sum_metro_prob_ = 0.0;
    divergent_ = false;

    const int start = pool_.acquire();
    {
      Leaf& leaf = pool_[start];
      leaf.z.swap(current);  // `current` holds scratch until the sample is swapped back
      system_.sample_momentum(leaf.z, rng);
      leaf.h = system_.hamiltonian(leaf.z);
      if (system_.shape() == MetricShape::Dense) system_.velocity(leaf.z.p, leaf.v);
      h0_ = leaf.h;
    }
    // The trajectory: its backward and forward ends, the sample, and rho.
    int backward = start, forward = pool_.retain(start), sample = pool_.retain(start);
    const Eigen::VectorXd* rho = &pool_[start].z.p;
    int rho_buffer = 0;
    double log_sum_weight = 0.0;
    int depth = 0;

    while (depth < max_depth_) {
      const bool extend_forward = rng.uniform() > 0.5;
      const double sign = extend_forward ? 1.0 : -1.0;
      Subtree grown;
      if (!build_tree(depth, extend_forward ? forward : backward, sign, 0, grown)) break;
      ++depth;

      // Biased progressive sampling: the new subtree's proposal replaces the
      // sample with probability min(1, its weight / the old trajectory's).
      if (grown.log_sum_weight > log_sum_weight || rng.uniform() < std::exp(grown.log_sum_weight - log_sum_weight)) {
        pool_.release(sample);
        sample = pool_.retain(grown.proposal);
      }
      log_sum_weight = log_sum_exp(log_sum_weight, grown.log_sum_weight);

      // Join old and new in time order: a runs backward ... forward of b.
      Eigen::VectorXd& rho_joined = rho_trajectory_[static_cast<std::size_t>(rho_buffer)];
      bool persist;
      if (extend_forward) {
        persist = join(backward, forward, *rho, grown.first, grown.last, *grown.rho, rho_joined);
        pool_.release(forward);
        forward = pool_.retain(grown.last);
      } else {
        persist = join(grown.last, grown.first, *grown.rho, backward, forward, *rho, rho_joined);
        pool_.release(backward);
        backward = pool_.retain(grown.last);
      }
      release(grown);
      rho = &rho_joined;
      rho_buffer = 1 - rho_buffer;
      if (!persist) break;
    }

    Transition t;
    t.depth = depth;
    t.n_leapfrog = n_leapfrog_;
    t.divergent = divergent_;
    t.accept_stat = n_leapfrog_ > 0 ? sum_metro_prob_ / static_cast<double>(n_leapfrog_) : 0.0;
    t.energy = pool_[sample].h;
    current.swap(pool_[sample].z);
    pool_.release(backward);
    pool_.release(forward);
    pool_.release(sample);
    return t;
  }

 private:
  /// The generalised U-turn checks for subtree a (leaves a_first .. a_last,
  /// momentum sum rho_a) followed in time by b; writes rho_a + rho_b.
  bool join(int a_first, int a_last, const Eigen::VectorXd& rho_a, int b_first, int b_last,
            const Eigen::VectorXd& rho_b, Eigen::VectorXd& rho_out) {
    // A diagonal metric's velocities are formed from the momenta (see Leaf).
    const bool diagonal = system_.shape() == MetricShape::Diagonal;
    const double* m = diagonal ? system_.inverse_metric_diagonal_ref().data() : nullptr;
    auto v = [&](int leaf) { return diagonal ? pool_[leaf].z.p.data() : pool_[leaf].v.data(); };
    if (a_first == a_last && b_first == b_last)  // two leaves: the seam checks repeat the first
      return kernels::join_leaves_without_u_turn(rho_out.size(), m, v(a_first), rho_a.data(), v(b_first),
                                                 rho_b.data(), rho_out.data());
    return kernels::join_without_u_turn(rho_out.size(), m, v(a_first), v(a_last), pool_[a_last].z.p.data(),
                                        rho_a.data(), v(b_first), pool_[b_first].z.p.data(), v(b_last), rho_b.data(),
                                        rho_out.data());
  }
  void release(const Subtree& t) {
    pool_.release(t.first);
    pool_.release(t.last);
    pool_.release(t.proposal);
  }

  /// Builds a subtree of 2^depth leaves from leaf `from` in direction `sign`
  /// into `out`; its rho goes to rho_levels_[depth - 1][slot]. False (and
  /// `out` empty) on a divergence or a U-turn inside.
  bool build_tree(int depth, int from, double sign, int slot, Subtree& out) {
    if (depth == 0) return leaf(from, sign, out);

    Subtree init;
    if (!build_tree(depth - 1, from, sign, 0, init)) return false;
    Subtree final;
    if (!build_tree(depth - 1, init.last, sign, 1, final)) {
      release(init);
      return false;
    }

    // Multinomial sample between the two halves.
    out.log_sum_weight = log_sum_exp(init.log_sum_weight, final.log_sum_weight);
    const bool take_final = final.log_sum_weight > out.log_sum_weight ||
                            rng_->uniform() < std::exp(final.log_sum_weight - out.log_sum_weight);
    out.proposal = pool_.retain(take_final ? final.proposal : init.proposal);

    Eigen::VectorXd& rho = rho_levels_[static_cast<std::size_t>(depth - 1)][static_cast<std::size_t>(slot)];
    const bool persist = join(init.first, init.last, *init.rho, final.first, final.last, *final.rho, rho);
    out.first = pool_.retain(init.first);
    out.last = pool_.retain(final.last);
    out.rho = &rho;
    release(init);
    release(final);
    if (!persist) {
      release(out);
      return false;
    }
    return true;
  }

  /// One leapfrog step from leaf `from`: a subtree of one leaf.
  bool leaf(int from, double sign, Subtree& out) {
    const int i = pool_.acquire();
    Leaf& next = pool_[i];
    const double step = sign * epsilon_;
    system_.kick_drift(pool_[from].z, next.z, 0.5 * step, step);
    system_.evaluate_unchecked(next.z);
    ++n_leapfrog_;
    // +inf unless log-density, gradient and momentum are finite.
    next.h = next.z.finite ? system_.kick_velocity(next.z, 0.5 * step, next.v) : kInf;
    const double h = next.h;
    if (h - h0_ > NutsSampler::kMaxEnergyError || !std::isfinite(h)) divergent_ = true;
    if (std::isfinite(h)) sum_metro_prob_ += h0_ - h > 0.0 ? 1.0 : std::exp(h0_ - h);
    if (divergent_) {
      pool_.release(i);
      return false;
    }
    out.log_sum_weight = h0_ - h;
    out.first = i;
    out.last = pool_.retain(i);
    out.proposal = pool_.retain(i);
    out.rho = &next.z.p;
    return true;
  }

  Hamiltonian& system_;
  int max_depth_;
  orrery::RandomStream* rng_ = nullptr;
  double epsilon_ = 1.0;
  double h0_ = 0.0;
  std::uint64_t n_leapfrog_ = 0;
  double sum_metro_prob_ = 0.0;
  bool divergent_ = false;
  LeafPool pool_;
  std::array<Eigen::VectorXd, 2> rho_trajectory_;                // the whole trajectory's rho, double-buffered
  std::vector<std::array<Eigen::VectorXd, 2>> rho_levels_;       // per depth: the init and final halves' rho
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
  return HamiltonianOptions::schema({integer("max_depth").default_value(10).range(1, 30).doc(
                                         "maximum tree depth (at most 2^max_depth leapfrog steps)")},
                                    "target mean acceptance statistic of the step-size adaptation");
}

NutsSampler::NutsSampler(orrery::Context& ctx) : target_(ctx) {
  const orrery::Options& options = ctx.options();
  require_gradient(ctx, target_.constrained(), "NUTS");
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
  const DriveResult driven = drive(ctx, "nuts", "samplers.nuts/2", states, settings_.length);

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
