// Shared set-up for the cosmology plugin's tests: parameter spaces with
// fiducial values, small but complete model configurations, and finite
// differences of a model.
#pragma once

#include <Eigen/Core>
#include <filesystem>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>

#include <orrery/model.hpp>

#include "limber_cl_model.hpp"
#include "support/test_context.hpp"

namespace orrery::cosmology::test {

/// How a parameter is declared in [parameters].
enum class Declared { fiducial, fixed, truth, prior_only };

struct ParameterSpec {
  std::string name;
  double value = 0.0;
  Declared how = Declared::fiducial;
};

inline ParameterSpace space(std::initializer_list<ParameterSpec> specs) {
  ParameterSpace out;
  for (const ParameterSpec& s : specs) {
    ParameterBlock b;
    b.name = s.name;
    const Eigen::VectorXd v = Eigen::VectorXd::Constant(1, s.value);
    if (s.how == Declared::fixed) {
      b.fixed = true;
      b.fiducial = v;
    } else if (s.how == Declared::fiducial) {
      b.fiducial = v;
    } else if (s.how == Declared::truth) {
      b.truth = v;
    }
    out.add(std::move(b));
  }
  return out;
}

/// The four parameters of the target Fisher forecast.
inline ParameterSpace fisher_space() {
  return space({{"omega_c", 0.25}, {"sigma8", 0.8}, {"w0", -1.0}, {"wa", 0.0}});
}

/// { smail = [2, 1.5, 0.3] } shear in `bins` bins, plus optional counts.
inline Value shear_tracers(int bins = 2, bool with_counts = false) {
  ValueList list;
  list.emplace_back(ValueTable{{"kind", "shear"},
                               {"nz", ValueTable{{"smail", orrery::test::real_list({2.0, 1.5, 0.3})}}},
                               {"bins", bins},
                               {"photoz_sigma", 0.05},
                               {"n_eff", 10.0},
                               {"sigma_e", 0.26}});
  if (with_counts)
    list.emplace_back(ValueTable{{"kind", "counts"},
                                 {"nz", ValueTable{{"gaussian", orrery::test::real_list({0.6, 0.15})}}},
                                 {"n_eff", 1.0},
                                 {"bias", 1.5}});
  return Value(std::move(list));
}

/// A small model: 2 shear bins (+ counts), 6 multipoles, a coarse redshift grid.
inline ValueTable small_model_options(bool with_counts = false, const std::string& nonlinear = "halofit") {
  return {{"tracers", shear_tracers(2, with_counts)},
          {"ell", ValueTable{{"log", orrery::test::real_list({20.0, 1000.0, 6.0})}}},
          {"z_intervals", 128},
          {"f_sky", 0.3},
          {"nonlinear", nonlinear}};
}

inline orrery::test::Built<LimberClModel> build_model(ValueTable options, ParameterSpace parameters) {
  return orrery::test::build<LimberClModel>(std::move(options), std::move(parameters));
}

/// Fourth-order central difference of model.evaluate in column i of θ, step h.
inline Eigen::VectorXd model_derivative(const orrery::Model& model, const Eigen::VectorXd& theta, Eigen::Index i,
                                        double h) {
  const auto n = static_cast<Eigen::Index>(model.output_size());
  auto at = [&](double step) {
    Eigen::VectorXd t = theta, out(n);
    t[i] += step;
    model.evaluate(t, out);
    return out;
  };
  return (8.0 * (at(h) - at(-h)) - (at(2 * h) - at(-2 * h))) / (12.0 * h);
}

/// A fresh, empty scratch folder under the system temp dir, removed when the object dies.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& name)
      : dir_(std::filesystem::temp_directory_path() / ("orrery-cosmology-test-" + name)) {
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  [[nodiscard]] std::filesystem::path operator/(const std::string& name) const { return dir_ / name; }

 private:
  std::filesystem::path dir_;
};

inline void write_text(const std::filesystem::path& file, const std::string& content) {
  std::ofstream(file) << content;
}

/// y = A θ with covariance C, for the generic-model paths (F = Aᵀ C⁻¹ A exactly).
class LinearModel final : public orrery::Model {
 public:
  LinearModel(Eigen::MatrixXd a, Eigen::MatrixXd c) : a_(std::move(a)), c_(std::move(c)) {}
  orrery::Shape output_shape() const override { return {static_cast<std::size_t>(a_.rows())}; }
  void evaluate(const Eigen::Ref<const Eigen::VectorXd>& theta, Eigen::Ref<Eigen::VectorXd> out) const override {
    out = a_ * theta;
  }
  bool has_jacobian() const override { return true; }
  void evaluate_with_jacobian(const Eigen::Ref<const Eigen::VectorXd>& theta, Eigen::Ref<Eigen::VectorXd> out,
                              Eigen::Ref<Eigen::MatrixXd> jac) const override {
    out = a_ * theta;
    jac = a_;
  }
  bool has_covariance() const override { return true; }
  void covariance(const Eigen::Ref<const Eigen::VectorXd>&, Eigen::Ref<Eigen::MatrixXd> cov) const override { cov = c_; }

 private:
  Eigen::MatrixXd a_, c_;
};

}  // namespace orrery::cosmology::test
