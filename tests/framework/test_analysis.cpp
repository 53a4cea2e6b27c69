// The kernel's pieces together, without the CLI: plugin catalog, graph,
// construction and the composed posterior.
#include <Eigen/Dense>
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <numbers>

#include <orrery/target.hpp>

#include "analysis.hpp"

using namespace orrery;
using namespace orrery::kernel;
namespace fs = std::filesystem;

namespace {
fs::path write_config(const std::string& name, const std::string& text) {
  const fs::path dir = fs::temp_directory_path() / "orrery-analysis-tests";
  fs::create_directories(dir);
  const fs::path file = dir / name;
  std::ofstream(file) << "[plugins]\npaths = [\"" << ORRERY_FIXTURE_PLUGINS << "\"]\n" << text;
  return file;
}

double normal_logpdf(double x, double mean, double sd) {
  return -0.5 * std::pow((x - mean) / sd, 2) - std::log(sd) - 0.5 * std::log(2 * std::numbers::pi);
}
}  // namespace

TEST_CASE("the catalog loads plugins, reads manifests and refuses other ABIs", "[catalog]") {
  const PluginCatalog catalog({ORRERY_FIXTURE_PLUGINS, ORRERY_BADABI_PLUGINS});
  REQUIRE(catalog.libraries().count("testing") == 1);
  const auto entry = catalog.find("testing.echo_task", {});
  CHECK(entry.info->kind == Kind::Task);
  CHECK(entry.qualified_name() == "testing.echo_task");
  REQUIRE(catalog.broken().size() == 1);
  CHECK(catalog.broken()[0].library == "badabi");
  CHECK_THAT(catalog.broken()[0].reason, Catch::Contains("ABI 999"));
  CHECK_THROWS_WITH(catalog.find("badabi.noop", {}), Catch::Contains("ABI 999"));
  CHECK_THROWS_WITH(catalog.find("testing.echo", {}), Catch::Contains("did you mean 'testing.echo_task'"));
}

TEST_CASE("the graph orders components, names inline ones and wires the posterior", "[graph]") {
  const fs::path file = write_config("graph.toml", R"(
[parameters]
a = { prior = "normal", mean = 0.0, sd = 1.0 }
b = 2.0
[components.like]
plugin = "core.gaussian_likelihood"
mean = [0.0]
cov = [[1.0]]
[components.sampler]
plugin = "samplers.metropolis"
[components.report]
plugin = "testing.echo_task"
after = { plugin = "testing.echo_task", message = "inner" }
)");
  Analysis analysis(file, {});
  const Graph& g = analysis.graph();
  const auto position = [&](const std::string& name) {
    const auto node = g.find(name);
    REQUIRE(node);
    return std::find(g.order.begin(), g.order.end(), *node) - g.order.begin();
  };
  CHECK(position("parameters.a") < position("posterior"));
  CHECK(position("like") < position("posterior"));
  CHECK(position("posterior") < position("sampler"));
  CHECK(position("report.after") < position("report"));
  CHECK(g.nodes[*g.find("report.after")].origin == Node::Origin::Inline);
  std::vector<std::string> runnables;
  for (std::size_t i : g.terminal_runnables()) runnables.push_back(g.nodes[i].name);
  CHECK(runnables == std::vector<std::string>{"sampler", "report"});
  CHECK(analysis.parameters().dimension() == 2);
  CHECK(analysis.parameters().block("b").fixed);
}

TEST_CASE("the composed posterior is prior plus likelihood, with fixed parameters filled in", "[posterior]") {
  const fs::path file = write_config("posterior.toml", R"(
[parameters]
x = { prior = "normal", mean = 0.5, sd = 2.0 }
fixed = 3.0
y = { prior = "uniform", min = -1.0, max = 4.0 }
[components.like]
plugin = "core.gaussian_likelihood"
parameters = ["x", "fixed", "y"]
mean = [1.0, 2.5, 0.0]
cov = [[1.0, 0.3, 0.1], [0.3, 2.0, 0.2], [0.1, 0.2, 0.5]]
[components.sampler]
plugin = "samplers.metropolis"
)");
  Analysis analysis(file, {});
  analysis.construct();
  const auto& posterior = static_cast<const Target&>(analysis.instance(*analysis.graph().find("posterior")));
  REQUIRE(posterior.space().dimension() == 2);
  CHECK(posterior.space().blocks()[1].name == "y");
  CHECK(posterior.space().blocks()[1].lower == -1.0);
  CHECK(posterior.space().blocks()[1].upper == 4.0);

  Eigen::Matrix3d cov;
  cov << 1.0, 0.3, 0.1, 0.3, 2.0, 0.2, 0.1, 0.2, 0.5;
  const Eigen::Vector3d mean(1.0, 2.5, 0.0);
  auto expected = [&](double x, double y) {
    const Eigen::Vector3d r = Eigen::Vector3d(x, 3.0, y) - mean;
    const double like = -0.5 * r.dot(cov.inverse() * r) - 1.5 * std::log(2 * std::numbers::pi) - 0.5 * std::log(cov.determinant());
    return normal_logpdf(x, 0.5, 2.0) - std::log(5.0) + like;
  };
  Eigen::VectorXd p(2);
  p << 0.7, 1.2;
  CHECK(posterior.log_density(p) == Approx(expected(0.7, 1.2)).epsilon(1e-12));
  p << 0.7, 4.5;  // outside the uniform prior
  CHECK(posterior.log_density(p) == -std::numeric_limits<double>::infinity());

  REQUIRE(posterior.has_gradient());
  p << -0.4, 2.2;
  Eigen::VectorXd grad(2);
  const double value = posterior.log_density_gradient(p, grad);
  CHECK(value == Approx(expected(-0.4, 2.2)).epsilon(1e-12));
  const double h = 1e-6;
  CHECK(grad[0] == Approx((expected(-0.4 + h, 2.2) - expected(-0.4 - h, 2.2)) / (2 * h)).epsilon(1e-6));
  CHECK(grad[1] == Approx((expected(-0.4, 2.2 + h) - expected(-0.4, 2.2 - h)) / (2 * h)).epsilon(1e-6));
}

TEST_CASE("cache keys follow everything upstream and nothing else", "[cache]") {
  auto keys = [](const std::string& options, const std::vector<std::string>& overrides = {}) {
    const fs::path file = write_config("cache.toml", "[parameters]\nx = { prior = \"normal\", sd = 1.0, latex = \"x\" }\n"
                                                     "[components.job]\nplugin = \"testing.cached_task\"\n" + options +
                                                     "\n[components.other]\nplugin = \"testing.echo_task\"\n");
    AnalysisSettings settings;
    settings.overrides = overrides;
    Analysis analysis(file, settings);
    return std::make_pair(analysis.cache_key(*analysis.graph().find("job")),
                          analysis.cache_key(*analysis.graph().find("other")));
  };
  const auto base = keys("value = 1.0");
  CHECK(keys("value = 1.0") == base);
  CHECK(keys("value = 2.0").first != base.first);
  CHECK(keys("value = 2.0").second == base.second);  // an unrelated component keeps its key
  CHECK(keys("value = 1.0", {"analysis.seed=3"}).first != base.first);
  CHECK(keys("value = 1.0", {"parameters.x.sd=2.0"}).first != base.first);
  CHECK(keys("value = 1.0", {"parameters.x.latex=\"\\\\xi\""}).first == base.first);  // labels do not matter
}
