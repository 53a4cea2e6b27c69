// cosmology.fisher: the Fisher matrix from exact derivatives against one from
// fourth-order finite differences of evaluate(), the files it writes, the
// figures of merit and ellipses against their definitions, f_sky scaling, a
// linear model with a closed-form Fisher matrix, and refused configurations.
#include <catch2/catch.hpp>

#include <Eigen/Cholesky>
#include <Eigen/LU>
#include <cmath>
#include <fstream>
#include <sstream>

#include "cosmology_fixtures.hpp"
#include "fisher_task.hpp"

using orrery::ValueTable;
using orrery::cosmology::FisherResult;
using orrery::cosmology::FisherTask;
using orrery::cosmology::LimberClModel;
using orrery::cosmology::test::LinearModel;
using orrery::test::TestContext;
namespace ct = orrery::cosmology::test;
namespace fs = std::filesystem;

namespace {

struct Setup {
  std::unique_ptr<TestContext> context;
  std::unique_ptr<FisherTask> task;
};

Setup make_task(orrery::Model& model, const orrery::ParameterSpace& space, ValueTable options = {},
                const std::string& name = "fisher") {
  Setup s;
  options.emplace_back("model", "@cells");
  s.context = std::make_unique<TestContext>(std::move(options), space, 1, name);
  s.context->apply_schema(FisherTask::options());
  s.context->add_reference("model", model);
  s.task = std::make_unique<FisherTask>(*s.context);
  return s;
}

/// Rows of numbers in a text file, skipping '#' lines; the first column may be a name.
std::vector<std::vector<std::string>> read_rows(const fs::path& file) {
  std::ifstream in(file);
  REQUIRE(in.good());
  std::vector<std::vector<std::string>> rows;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ls(line);
    std::vector<std::string> row;
    for (std::string t; ls >> t;) row.push_back(t);
    rows.push_back(row);
  }
  return rows;
}

}  // namespace

TEST_CASE("the Fisher matrix from exact derivatives equals the finite-difference Fisher matrix", "[cosmology][fisher]") {
  const auto parameters = ct::space({{"omega_c", 0.25},
                                     {"omega_b", 0.05},
                                     {"h", 0.7},
                                     {"n_s", 0.96},
                                     {"sigma8", 0.8},
                                     {"w0", -1.0},
                                     {"wa", 0.0},
                                     {"omega_k", 0.0, ct::Declared::fixed}});
  const auto model = ct::build_model(ct::small_model_options(true), parameters);
  const Setup s = make_task(*model, parameters, {{"f_sky", 0.2}});
  const FisherResult r = s.task->compute();
  REQUIRE(r.parameters == std::vector<std::string>{"omega_c", "omega_b", "h", "n_s", "sigma8", "w0", "wa"});

  // Independent route: J by 4th-order central differences of evaluate(), C the
  // model's dense covariance rescaled from its f_sky (0.3) to the task's (0.2).
  const Eigen::VectorXd theta = model->fiducial_point();
  const auto n = static_cast<Eigen::Index>(model->output_size());
  Eigen::MatrixXd jac(n, 7);
  for (Eigen::Index i = 0; i < 7; ++i) {
    const double h = 2e-3 * std::max(0.05, std::abs(theta[i]));
    jac.col(i) = ct::model_derivative(*model, theta, i, h);
  }
  Eigen::MatrixXd cov(n, n);
  model->covariance(theta, cov);
  cov *= 0.3 / 0.2;
  const Eigen::MatrixXd fd = jac.transpose() * cov.llt().solve(jac);
  double worst = 0.0;
  for (Eigen::Index i = 0; i < 7; ++i)
    for (Eigen::Index j = 0; j < 7; ++j) {
      const double err = std::abs(r.fisher(i, j) - fd(i, j)) / std::sqrt(fd(i, i) * fd(j, j));
      worst = std::max(worst, err);
      INFO("F(" << r.parameters[i] << ", " << r.parameters[j] << ") = " << r.fisher(i, j) << " vs " << fd(i, j));
      CHECK(err < 1e-7);
    }
  const Eigen::VectorXd fd_marginal = fd.inverse().diagonal().cwiseSqrt();
  double worst_sigma = 0.0;
  for (Eigen::Index i = 0; i < 7; ++i) {
    worst_sigma = std::max(worst_sigma, std::abs(r.marginal[i] / fd_marginal[i] - 1.0));
    CHECK(r.marginal[i] == Approx(fd_marginal[i]).epsilon(1e-5));
    CHECK(r.conditional[i] == Approx(1.0 / std::sqrt(fd(i, i))).epsilon(1e-7));
    CHECK(r.marginal[i] >= r.conditional[i]);
  }
  WARN("exact vs finite-difference Fisher: worst |ΔF_ij|/sqrt(F_ii F_jj) = " << worst
       << ", worst relative difference of marginalised errors = " << worst_sigma);
}

TEST_CASE("fisher writes its matrix, errors, figures of merit and ellipses", "[cosmology][fisher][files]") {
  const auto parameters = ct::fisher_space();
  const auto model = ct::build_model(ct::small_model_options(), parameters);
  Setup s = make_task(*model, parameters, {}, "fisher-files");
  const fs::path dir = s.context->output_dir();
  fs::remove_all(dir);
  const orrery::Report report = s.task->run(*s.context);
  const FisherResult r = s.task->compute();
  REQUIRE(s.task->f_sky() == 0.3);  // the model's

  std::vector<std::string> expected = {"fisher.txt", "fisher_inverse.txt", "errors.txt", "figures_of_merit.txt"};
  for (const char* pair : {"omega_c-sigma8", "omega_c-w0", "omega_c-wa", "sigma8-w0", "sigma8-wa", "w0-wa"})
    expected.push_back(std::string("ellipse_") + pair + ".txt");
  CHECK(report.files == expected);
  for (const auto& f : expected) CHECK(fs::exists(dir / f));
  for (const auto& entry : fs::directory_iterator(dir)) CHECK(entry.path().filename().string()[0] != '.');  // no temporaries

  const auto fisher = read_rows(dir / "fisher.txt");
  REQUIRE(fisher.size() == 4);
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) CHECK(std::stod(fisher[i][j]) == r.fisher(i, j));
  const auto errors = read_rows(dir / "errors.txt");
  REQUIRE(errors.size() == 4);
  CHECK(errors[3][0] == "wa");
  CHECK(std::stod(errors[1][2]) == r.marginal[1]);

  // DETF figures of merit by their definitions.
  const Eigen::MatrixXd cov = r.fisher.inverse();
  const double fom_w = 1.0 / std::sqrt(cov(2, 2) * cov(3, 3) - cov(2, 3) * cov(2, 3));
  CHECK(r.fom_w0_wa == Approx(fom_w).epsilon(1e-8));
  // Omega_m = omega_c + omega_b with omega_b fixed here: the (omega_c, sigma8) block.
  CHECK(r.fom_omega_m_sigma8 == Approx(1.0 / std::sqrt(cov(0, 0) * cov(1, 1) - cov(0, 1) * cov(0, 1))).epsilon(1e-8));
  const auto foms = read_rows(dir / "figures_of_merit.txt");
  CHECK(foms[0][0] == "fom_w0_wa");
  CHECK(std::stod(foms[0][1]) == r.fom_w0_wa);

  // Every ellipse point lies at Δχ² = 2.30 (1σ) or 6.18 (2σ) of the marginalised pair.
  CHECK(orrery::cosmology::two_parameter_delta_chi2(1.0) == Approx(2.2957).epsilon(1e-4));
  CHECK(orrery::cosmology::two_parameter_delta_chi2(2.0) == Approx(6.1801).epsilon(1e-4));
  const auto ellipse = read_rows(dir / "ellipse_w0-wa.txt");
  REQUIRE(ellipse.size() == 129);
  Eigen::Matrix2d sub;
  sub << cov(2, 2), cov(2, 3), cov(3, 2), cov(3, 3);
  const Eigen::Matrix2d precision = sub.inverse();
  for (const auto& row : ellipse) {
    const Eigen::Vector2d d1(std::stod(row[0]) + 1.0, std::stod(row[1]) - 0.0);
    const Eigen::Vector2d d2(std::stod(row[2]) + 1.0, std::stod(row[3]) - 0.0);
    CHECK(d1.dot(precision * d1) == Approx(2.2957).epsilon(1e-4));
    CHECK(d2.dot(precision * d2) == Approx(6.1801).epsilon(1e-4));
  }
  CHECK(ellipse.front() == ellipse.back());  // closed

  bool reported = false;
  for (const auto& [label, value] : report.entries) reported = reported || label == "FoM(w0, wa)";
  CHECK(reported);
  fs::remove_all(dir);
}

TEST_CASE("the Fisher matrix scales with f_sky, and Omega_m includes omega_b when both vary", "[cosmology][fisher]") {
  const auto parameters = ct::space({{"omega_c", 0.25}, {"omega_b", 0.05}, {"sigma8", 0.8}});
  const auto model = ct::build_model(ct::small_model_options(), parameters);
  const FisherResult a = make_task(*model, parameters, {{"f_sky", 0.4}}).task->compute();
  const FisherResult b = make_task(*model, parameters, {{"f_sky", 0.1}}).task->compute();
  CHECK((a.fisher - 4.0 * b.fisher).norm() < 1e-12 * a.fisher.norm());
  // Var(Ω_m) = Var(Ω_c) + Var(Ω_b) + 2 Cov(Ω_c, Ω_b).
  const Eigen::MatrixXd& c = a.covariance;
  const double var_m = c(0, 0) + c(1, 1) + 2 * c(0, 1), cov_ms = c(0, 2) + c(1, 2);
  CHECK(a.fom_omega_m_sigma8 == Approx(1.0 / std::sqrt(var_m * c(2, 2) - cov_ms * cov_ms)).epsilon(1e-8));
  CHECK(std::isnan(a.fom_w0_wa));
}

TEST_CASE("a generic model: F = A^T C^-1 A for a linear model", "[cosmology][fisher]") {
  Eigen::MatrixXd a(3, 2), c(3, 3);
  a << 1.0, 0.5, -0.3, 2.0, 0.7, 0.1;
  c << 2.0, 0.3, 0.0, 0.3, 1.0, 0.2, 0.0, 0.2, 0.5;
  LinearModel model(a, c);
  const auto parameters = ct::space({{"x", 1.0}, {"y", 2.0}});
  const FisherResult r = make_task(model, parameters).task->compute();
  const Eigen::MatrixXd expected = a.transpose() * c.inverse() * a;
  CHECK((r.fisher - expected).norm() < 1e-12 * expected.norm());
  CHECK((r.covariance - expected.inverse()).norm() < 1e-12 * expected.inverse().norm());

  CHECK_THAT(orrery::test::config_error_message([&] { (void)make_task(model, parameters, {{"f_sky", 0.5}}); }),
             Catch::Contains("option 'f_sky'") && Catch::Contains("cosmology.limber_cl"));
  // Degenerate columns: singular.
  Eigen::MatrixXd degenerate(3, 2);
  degenerate << 1.0, 2.0, 0.5, 1.0, -1.0, -2.0;
  LinearModel flat(degenerate, c);
  CHECK_THROWS_WITH(make_task(flat, parameters).task->compute(), Catch::Contains("singular"));
  Eigen::MatrixXd zero = a;
  zero.col(1).setZero();
  LinearModel blind(zero, c);
  CHECK_THROWS_WITH(make_task(blind, parameters).task->compute(), Catch::Contains("parameter 'y' does not change"));
}

TEST_CASE("fisher refuses parameters it cannot vary", "[cosmology][fisher][errors]") {
  const auto parameters = ct::space({{"omega_c", 0.25}, {"sigma8", 0.8}, {"nuisance", 1.0}, {"h", 0.7, ct::Declared::fixed}});
  const auto model = ct::build_model(ct::small_model_options(), parameters);
  auto error = [&](ValueTable options) {
    return orrery::test::config_error_message([&] { (void)make_task(*model, parameters, std::move(options)); });
  };
  CHECK_THAT(error({}), Catch::Contains("parameter 'nuisance' is not read by the cosmology.limber_cl model"));
  CHECK(error({{"parameters", orrery::test::string_list({"omega_c", "sigma8"})}}).empty());
  CHECK(error({{"parameters", orrery::test::string_list({"omega_c", "h"})}}).empty());  // a fixed one may be varied
  CHECK_THAT(error({{"parameters", orrery::test::string_list({"omega_c", "sigma_8"})}}),
             Catch::Contains("did you mean 'sigma8'"));
  CHECK_THAT(error({{"parameters", orrery::test::string_list({"sigma8", "sigma8"})}}), Catch::Contains("more than once"));

  const auto fixed_only = ct::space({{"h", 0.7, ct::Declared::fixed}});
  const auto fixed_model = ct::build_model(ct::small_model_options(), fixed_only);
  CHECK_THAT(orrery::test::config_error_message([&] { (void)make_task(*fixed_model, fixed_only); }),
             Catch::Contains("no free parameters"));
}
