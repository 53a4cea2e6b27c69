#include "ensemble.hpp"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <system_error>

#include "nn/trainer.hpp"
#include "orrery/atomic_file.hpp"
#include "orrery/error.hpp"

namespace orrery::nde {

namespace {

constexpr int kEnsembleFormatVersion = 1;
constexpr const char* kEnsembleFile = "ensemble.txt";

std::filesystem::path member_dir(const std::filesystem::path& dir, std::size_t k) {
  return dir / ("member-" + std::to_string(k));
}

Eigen::MatrixXd gather_columns(const Eigen::Ref<const Eigen::MatrixXd>& x, const std::vector<Eigen::Index>& columns) {
  Eigen::MatrixXd out(x.rows(), static_cast<Eigen::Index>(columns.size()));
  for (std::size_t j = 0; j < columns.size(); ++j) out.col(static_cast<Eigen::Index>(j)) = x.col(columns[j]);
  return out;
}

}  // namespace

Schema Ensemble::options() {
  using namespace orrery::option;
  return {reference_list("members", Kind::DensityEstimator).required()
              .doc("the density estimators to combine (\"@name\", \"library.component\" or inline tables)"),
          real("validation_fraction").default_value(0.1).greater_than(0.0).less_than(1.0)
              .doc("fraction of the pairs held out from the members' training to weight them")};
}

Ensemble::Ensemble(Context& ctx) : members_(ctx.refs<DensityEstimator>("members")) {
  if (members_.empty())
    throw ConfigError(ctx.options().location("members"),
                      "component '" + ctx.name() + "', option 'members': expected at least one density estimator");
  validation_fraction_ = ctx.options().real("validation_fraction");
}

bool Ensemble::fitted() const {
  if (weights_.size() == 0) return false;
  for (const DensityEstimator* m : members_)
    if (!m->fitted()) return false;
  return true;
}

bool Ensemble::has_gradient() const {
  for (const DensityEstimator* m : members_)
    if (!m->has_gradient()) return false;
  return true;
}

void Ensemble::require_fitted(const char* what) const {
  if (!fitted()) throw Error(std::string("nde.ensemble: ") + what + " called before fit() or load()");
}

void Ensemble::fit(const Eigen::Ref<const Eigen::MatrixXd>& a, const Eigen::Ref<const Eigen::MatrixXd>& b,
                   Context& ctx) {
  if (a.cols() != b.cols())
    throw Error("nde.ensemble: fit needs as many b columns as a columns, found " + std::to_string(a.cols()) +
                " and " + std::to_string(b.cols()));
  weights_.resize(0);
  validation_mean_.resize(0);
  // A stream of its own for the split, so it does not depend on what the
  // members draw from ctx.rng() (members are fitted in order, so the whole
  // fit is deterministic for a given seed).
  const nn::DataSplit split = nn::split_rows(a.cols(), validation_fraction_, ctx.rng().split("nde.ensemble split"));
  const Eigen::MatrixXd a_train = gather_columns(a, split.train), b_train = gather_columns(b, split.train);
  const Eigen::MatrixXd a_val = gather_columns(a, split.validation), b_val = gather_columns(b, split.validation);
  const auto k_count = static_cast<Eigen::Index>(members_.size());
  Eigen::VectorXd total(k_count);
  validation_mean_.resize(k_count);
  Eigen::VectorXd lq(a_val.cols());
  for (Eigen::Index k = 0; k < k_count; ++k) {
    DensityEstimator& m = *members_[static_cast<std::size_t>(k)];
    m.fit(a_train, b_train, ctx);
    m.log_prob(a_val, b_val, lq);
    total(k) = lq.sum();
    if (!std::isfinite(total(k))) total(k) = -std::numeric_limits<double>::infinity();
    validation_mean_(k) = total(k) / static_cast<double>(lq.size());
  }
  const double top = total.maxCoeff();
  if (!std::isfinite(top))
    throw Error("nde.ensemble: every member gave a non-finite validation log-likelihood");
  Eigen::VectorXd w = (total.array() - top).exp().matrix();
  weights_ = w / w.sum();
  for (Eigen::Index k = 0; k < k_count; ++k) {
    char line[160];
    std::snprintf(line, sizeof line, "nde.ensemble: member %lld weight %.6g (validation mean log q %.6g on %lld pairs)",
                  static_cast<long long>(k), weights_(k), validation_mean_(k), static_cast<long long>(a_val.cols()));
    ctx.logger().info(line);
  }
}

void Ensemble::member_log_probs(const Eigen::Ref<const Eigen::MatrixXd>& a, const Eigen::Ref<const Eigen::MatrixXd>& b,
                                Eigen::MatrixXd& lq) const {
  lq.setConstant(static_cast<Eigen::Index>(members_.size()), a.cols(), -std::numeric_limits<double>::infinity());
  Eigen::VectorXd row(a.cols());
  for (std::size_t k = 0; k < members_.size(); ++k) {
    const auto i = static_cast<Eigen::Index>(k);
    if (weights_(i) <= 0.0) continue;  // contributes nothing; skipped (its log q may be −∞ or NaN)
    members_[k]->log_prob(a, b, row);
    lq.row(i) = row.transpose().array() + std::log(weights_(i));
  }
}

void Ensemble::log_prob(const Eigen::Ref<const Eigen::MatrixXd>& a, const Eigen::Ref<const Eigen::MatrixXd>& b,
                        Eigen::Ref<Eigen::VectorXd> out) const {
  require_fitted("log_prob");
  Eigen::MatrixXd lq;
  member_log_probs(a, b, lq);
  for (Eigen::Index i = 0; i < a.cols(); ++i) {
    const double top = lq.col(i).maxCoeff();
    out(i) = std::isfinite(top) ? top + std::log((lq.col(i).array() - top).exp().sum()) : top;
  }
}

void Ensemble::log_prob_gradient(const Eigen::Ref<const Eigen::MatrixXd>& a, const Eigen::Ref<const Eigen::MatrixXd>& b,
                                 Eigen::Ref<Eigen::VectorXd> out, Eigen::Ref<Eigen::MatrixXd> grad_a,
                                 Eigen::Ref<Eigen::MatrixXd> grad_b) const {
  require_fitted("log_prob_gradient");
  if (!has_gradient()) throw Error("nde.ensemble: log_prob_gradient: a member has no gradient");
  const auto k_count = static_cast<Eigen::Index>(members_.size());
  const Eigen::Index n = a.cols();
  Eigen::MatrixXd lq = Eigen::MatrixXd::Constant(k_count, n, -std::numeric_limits<double>::infinity());
  std::vector<Eigen::MatrixXd> ga(members_.size()), gb(members_.size());
  Eigen::VectorXd row(n);
  for (Eigen::Index k = 0; k < k_count; ++k) {
    if (weights_(k) <= 0.0) continue;
    const auto s = static_cast<std::size_t>(k);
    ga[s].resize(a.rows(), n);
    gb[s].resize(b.rows(), n);
    members_[s]->log_prob_gradient(a, b, row, ga[s], gb[s]);
    lq.row(k) = row.transpose().array() + std::log(weights_(k));
  }
  grad_a.setZero();
  grad_b.setZero();
  for (Eigen::Index i = 0; i < n; ++i) {
    const double top = lq.col(i).maxCoeff();
    out(i) = std::isfinite(top) ? top + std::log((lq.col(i).array() - top).exp().sum()) : top;
    if (!std::isfinite(out(i))) continue;
    // Responsibilities r_k = w_k q_k / q.
    for (Eigen::Index k = 0; k < k_count; ++k) {
      if (weights_(k) <= 0.0) continue;
      const double r = std::exp(lq(k, i) - out(i));
      grad_a.col(i) += r * ga[static_cast<std::size_t>(k)].col(i);
      grad_b.col(i) += r * gb[static_cast<std::size_t>(k)].col(i);
    }
  }
}

void Ensemble::sample(const Eigen::Ref<const Eigen::VectorXd>& b, RandomStream& rng,
                      Eigen::Ref<Eigen::MatrixXd> out) const {
  require_fitted("sample");
  // Choose every column's member first, draw each member's share in one
  // call, then deal the draws back in column order: the columns stay
  // independent and identically distributed.
  std::vector<std::size_t> choice(static_cast<std::size_t>(out.cols()));
  std::vector<Eigen::Index> counts(members_.size(), 0);
  for (auto& c : choice) {
    double u = rng.uniform();
    std::size_t k = 0;
    while (k + 1 < members_.size() && u >= weights_(static_cast<Eigen::Index>(k))) u -= weights_(static_cast<Eigen::Index>(k++));
    // Round-off may land on a zero-weight tail member: step back to a weighted one.
    while (weights_(static_cast<Eigen::Index>(k)) <= 0.0) --k;
    c = k;
    ++counts[k];
  }
  std::vector<Eigen::MatrixXd> draws(members_.size());
  for (std::size_t k = 0; k < members_.size(); ++k) {
    if (counts[k] == 0) continue;
    draws[k].resize(out.rows(), counts[k]);
    members_[k]->sample(b, rng, draws[k]);
  }
  std::vector<Eigen::Index> used(members_.size(), 0);
  for (std::size_t i = 0; i < choice.size(); ++i)
    out.col(static_cast<Eigen::Index>(i)) = draws[choice[i]].col(used[choice[i]]++);
}

void Ensemble::save(const std::filesystem::path& dir) const {
  require_fitted("save");
  for (std::size_t k = 0; k < members_.size(); ++k) {
    std::filesystem::create_directories(member_dir(dir, k));
    members_[k]->save(member_dir(dir, k));
  }
  // Written last (temporary name, then rename): its presence means the
  // members' files are complete.
  write_file_atomically(
      dir / kEnsembleFile,
      [&](std::ostream& out) {
        out << "orrery-nde-ensemble " << kEnsembleFormatVersion << "\nmembers " << members_.size() << "\nweights";
        char buffer[32];
        for (Eigen::Index k = 0; k < weights_.size(); ++k) {
          std::snprintf(buffer, sizeof buffer, " %.17g", weights_(k));
          out << buffer;
        }
        out << "\n";
      },
      "nde.ensemble");
}

void Ensemble::load(const std::filesystem::path& dir) {
  const auto path = dir / kEnsembleFile;
  std::ifstream in(path);
  if (!in) throw Error("nde.ensemble: no saved ensemble in '" + dir.string() + "' (cannot open '" + path.string() + "')");
  std::string key;
  int version = 0;
  std::size_t count = 0;
  if (!(in >> key >> version) || key != "orrery-nde-ensemble")
    throw Error(path.string() + ":1: not an Orrery nde.ensemble file (expected 'orrery-nde-ensemble <version>')");
  if (version != kEnsembleFormatVersion)
    throw Error(path.string() + ":1: ensemble format version " + std::to_string(version) +
                ", this build reads version " + std::to_string(kEnsembleFormatVersion));
  if (!(in >> key >> count) || key != "members") throw Error(path.string() + ":2: expected 'members <count>'");
  if (count != members_.size())
    throw Error(path.string() + ":2: saved with " + std::to_string(count) + " members but this nde.ensemble has " +
                std::to_string(members_.size()));
  Eigen::VectorXd w(static_cast<Eigen::Index>(count));
  if (!(in >> key) || key != "weights") throw Error(path.string() + ":3: expected 'weights <values>'");
  for (Eigen::Index k = 0; k < w.size(); ++k)
    if (!(in >> w(k))) throw Error(path.string() + ":3: expected " + std::to_string(count) + " weights");
  for (std::size_t k = 0; k < members_.size(); ++k) members_[k]->load(member_dir(dir, k));
  weights_ = w;
  validation_mean_.resize(0);
}

}  // namespace orrery::nde
