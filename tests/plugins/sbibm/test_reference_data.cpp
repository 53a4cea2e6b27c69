// The reader of sbibm's stored references: every task's observation 1 loads
// with sbibm's dimensions and 10,000 finite posterior samples (inside the
// prior box for the uniform-prior tasks); the gaussian_linear samples have the
// analytic posterior mean x_o/2 and variance 0.05 (4 MCSE), which also shows
// that 0.1 is a variance; errors name the file (missing, corrupt .bz2,
// malformed CSV) and suggest task names.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "reference_data.hpp"
#include "sbibm_test_support.hpp"
#include "support/numerics.hpp"

using orrery::sbibm::read_reference;
using orrery::sbibm::ReferenceObservation;
using orrery::sbibm::test::kValidationDir;

TEST_CASE("sbibm references load with sbibm's dimensions") {
  const std::map<std::string, std::pair<Eigen::Index, Eigen::Index>> dims = {
      {"two_moons", {2, 2}},    {"gaussian_linear", {10, 10}}, {"gaussian_linear_uniform", {10, 10}},
      {"slcp", {5, 8}},         {"gaussian_mixture", {2, 2}},  {"bernoulli_glm", {10, 10}},
      {"sir", {2, 10}},         {"lotka_volterra", {4, 20}}};
  const std::map<std::string, double> box = {{"two_moons", 1.0}, {"gaussian_linear_uniform", 1.0},
                                             {"slcp", 3.0},      {"gaussian_mixture", 10.0}};
  CHECK(orrery::sbibm::reference_tasks().size() == dims.size());
  for (const std::string& task : orrery::sbibm::reference_tasks()) {
    INFO(task);
    const ReferenceObservation ref = read_reference(kValidationDir, task, 1);
    CHECK(ref.task == task);
    CHECK(ref.number == 1);
    CHECK(ref.true_parameters.size() == dims.at(task).first);
    CHECK(static_cast<Eigen::Index>(ref.parameter_names.size()) == dims.at(task).first);
    CHECK(ref.observation.size() == dims.at(task).second);
    CHECK(ref.posterior_samples.rows() == 10000);
    CHECK(ref.posterior_samples.cols() == dims.at(task).first);
    CHECK(ref.posterior_samples.allFinite());
    if (box.count(task)) CHECK(ref.posterior_samples.cwiseAbs().maxCoeff() <= box.at(task));
  }
  const ReferenceObservation sir = read_reference(kValidationDir, "sir", 3, false);
  CHECK(sir.parameter_names == std::vector<std::string>{"$\\beta$", "$\\gamma$"});
  CHECK(sir.posterior_samples.size() == 0);
}

TEST_CASE("gaussian_linear reference samples follow the analytic posterior") {
  // Posterior N(x_o / 2, 0.05 I): the prior and the noise both have variance 0.1.
  const ReferenceObservation ref = read_reference(kValidationDir, "gaussian_linear", 2);
  for (Eigen::Index i = 0; i < 10; ++i) {
    const Eigen::VectorXd column = ref.posterior_samples.col(i);
    const orrery::test::Estimate m = orrery::test::iid_mean(column);
    CHECK(std::abs(m.value - ref.observation[i] / 2.0) <= 4.0 * m.standard_error);
    const Eigen::VectorXd sq = (column.array() - ref.observation[i] / 2.0).square();
    const orrery::test::Estimate v = orrery::test::iid_mean(sq);
    CHECK(std::abs(v.value - 0.05) <= 4.0 * v.standard_error);
  }
}

TEST_CASE("sbibm reference reader errors name the file") {
  CHECK_THROWS_WITH(read_reference(kValidationDir, "two_moon", 1), Catch::Contains("did you mean 'two_moons'"));
  CHECK_THROWS_WITH(read_reference(kValidationDir, "sir", 11), Catch::Contains("1..10"));
  CHECK_THROWS_WITH(read_reference("/nonexistent", "sir", 1),
                    Catch::Contains("missing file") && Catch::Contains("num_observation_1/true_parameters.csv"));

  // One folder per process: other build trees may run this test at the same time.
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("orrery_sbibm_reader_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::filesystem::path corrupt = dir / "corrupt.csv.bz2";
  std::ofstream(corrupt) << "this is not bzip2 data\n";
  CHECK_THROWS_WITH(orrery::sbibm::read_csv(corrupt), Catch::Contains("corrupt.csv.bz2") && Catch::Contains("bzip2"));
  std::filesystem::remove_all(dir);

  CHECK_THROWS_WITH(orrery::sbibm::parse_csv("a,b\n1,2\n3,x\n", "table.csv"),
                    Catch::Contains("table.csv:3") && Catch::Contains("'x'"));
  CHECK_THROWS_WITH(orrery::sbibm::parse_csv("a,b\n1,2,3\n", "table.csv"), Catch::Contains("table.csv:2"));
  const orrery::sbibm::CsvTable t = orrery::sbibm::parse_csv("a, b\r\n1,2\r\n\r\n3.5,-4e-3\r\n", "crlf.csv");
  CHECK(t.header == std::vector<std::string>{"a", "b"});
  REQUIRE(t.rows.rows() == 2);
  CHECK(t.rows(1, 1) == -4e-3);
}
