#include <catch2/catch.hpp>

#include <orrery/suggest.hpp>

using namespace orrery;

TEST_CASE("edit distance counts insertions, deletions, substitutions and swaps", "[suggest]") {
  CHECK(edit_distance("steps", "steps") == 0);
  CHECK(edit_distance("stpes", "steps") == 1);  // adjacent swap
  CHECK(edit_distance("step", "steps") == 1);
  CHECK(edit_distance("sigma8", "omega_m") > 3);
}

TEST_CASE("did_you_mean proposes close names only", "[suggest]") {
  const std::vector<std::string> names = {"steps", "chains", "warmup", "target"};
  CHECK(did_you_mean("stpes", names) == " (did you mean 'steps'?)");
  CHECK(did_you_mean("completely_different", names).empty());
  CHECK(closest_names("gaussian", {"core.gaussian_likelihood", "core.uniform"}) ==
        std::vector<std::string>{"core.gaussian_likelihood"});
}
