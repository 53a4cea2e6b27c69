// Option parsing of the cosmology plugin: multipole binnings, tracer lists and
// their n(z), and the data-vector reader.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <fstream>

#include "cosmo_core/gaussian_covariance.hpp"
#include "cosmology_fixtures.hpp"
#include "data_files.hpp"
#include "ell_binning.hpp"
#include "tracer_options.hpp"

using orrery::Options;
using orrery::Value;
using orrery::ValueList;
using orrery::ValueTable;
using orrery::cosmology::EllBinning;
using orrery::cosmology::parse_ell_option;
using orrery::cosmology::parse_tracers;
using orrery::test::config_error_message;
using orrery::test::real_list;
namespace fs = std::filesystem;
namespace ct = orrery::cosmology::test;

namespace {

EllBinning ell_of(Value spec, double minimum = 2.0) {
  const Value table(ValueTable{{"ell", std::move(spec)}});
  const Options options(table, "cells");
  return parse_ell_option(options, "ell", minimum);
}

std::string ell_error(Value spec, double minimum = 2.0) {
  return config_error_message([&] { (void)ell_of(std::move(spec), minimum); });
}

orrery::cosmology::TracerSet tracers_of(Value list) {
  const Value table(ValueTable{{"tracers", std::move(list)}});
  const Options options(table, "cells");
  return parse_tracers(options, "tracers");
}

std::string tracer_error(ValueTable entry) {
  return config_error_message([&] { (void)tracers_of(Value(ValueList{Value(std::move(entry))})); });
}

Value nz_file(const fs::path& path) { return ValueTable{{"file", path.string()}}; }

}  // namespace

TEST_CASE("log, linear and explicit multipoles, with numpy.gradient band widths", "[cosmology][options]") {
  const EllBinning log = ell_of(ValueTable{{"log", real_list({20, 2000, 3})}});
  REQUIRE(log.ell.size() == 3);
  CHECK(log.ell[0] == 20.0);
  CHECK(log.ell[1] == Approx(200.0).epsilon(1e-14));
  CHECK(log.ell[2] == 2000.0);
  CHECK(log.delta_ell[0] == Approx(180.0));
  CHECK(log.delta_ell[1] == Approx(990.0));   // (2000 - 20) / 2
  CHECK(log.delta_ell[2] == Approx(1800.0));

  const EllBinning linear = ell_of(ValueTable{{"linear", real_list({10, 20, 11})}});
  CHECK(linear.ell.size() == 11);
  for (double d : linear.delta_ell) CHECK(d == Approx(1.0));

  const EllBinning rounded = ell_of(ValueTable{{"log", real_list({2, 10, 8})}, {"round", true}});
  for (std::size_t i = 0; i < rounded.ell.size(); ++i) {
    CHECK(rounded.ell[i] == std::round(rounded.ell[i]));
    if (i > 0) CHECK(rounded.ell[i] > rounded.ell[i - 1]);
  }
  CHECK(rounded.ell.front() == 2.0);
  CHECK(rounded.ell.back() == 10.0);

  const EllBinning list = ell_of(real_list({100, 200, 400}));
  CHECK(list.ell == std::vector<double>{100, 200, 400});
  CHECK(list.delta_ell == std::vector<double>{100, 150, 200});
  CHECK(ell_of(real_list({300})).delta_ell == std::vector<double>{1.0});
}

TEST_CASE("bad multipole specifications are refused with the option named", "[cosmology][options]") {
  CHECK_THAT(ell_error(ValueTable{{"log", real_list({20, 2000})}}), Catch::Contains("'ell.log'") && Catch::Contains("[min, max, n]"));
  CHECK_THAT(ell_error(ValueTable{{"log", real_list({2000, 20, 5})}}), Catch::Contains("max must be greater"));
  CHECK_THAT(ell_error(ValueTable{{"log", real_list({20, 2000, 2.5})}}), Catch::Contains("whole number"));
  CHECK_THAT(ell_error(ValueTable{{"logg", real_list({20, 2000, 5})}}), Catch::Contains("did you mean 'log'"));
  CHECK_THAT(ell_error(ValueTable{{"log", real_list({20, 2000, 5})}, {"linear", real_list({20, 2000, 5})}}),
             Catch::Contains("exactly one"));
  CHECK_THAT(ell_error(real_list({1, 10, 100})), Catch::Contains(">= 2") && Catch::Contains("shear"));
  CHECK(ell_error(real_list({1, 10, 100}), 1.0).empty());
  CHECK_THAT(ell_error(real_list({10, 10, 100})), Catch::Contains("increase strictly"));
  CHECK_THAT(ell_error(Value("many")), Catch::Contains("expected { log"));
}

TEST_CASE("tracer tables give tomographic bins, names and noise", "[cosmology][options]") {
  const auto set = tracers_of(ct::shear_tracers(3, true));
  REQUIRE(set.tracers.size() == 4);
  CHECK(set.names == std::vector<std::string>{"shear0", "shear1", "shear2", "counts0"});
  CHECK(set.any_shear);
  // 10 galaxies/arcmin² over three bins; shape noise σ_e² / n per steradian.
  const double n_sr = orrery::cosmo::per_arcmin2_to_per_sr(10.0 / 3.0);
  CHECK(set.noise[0] == Approx(0.26 * 0.26 / n_sr).epsilon(1e-14));
  CHECK(set.noise[3] == Approx(1.0 / orrery::cosmo::per_arcmin2_to_per_sr(1.0)).epsilon(1e-14));
  CHECK(set.tracers[3].kind == orrery::cosmo::Tracer::Kind::Counts);
  CHECK(set.tracers[3].bias == 1.5);
  // Equal-number bins in increasing redshift.
  CHECK(set.tracers[0].nz.mean() < set.tracers[1].nz.mean());
  CHECK(set.tracers[1].nz.mean() < set.tracers[2].nz.mean());

  ValueTable per_bin{{"kind", "shear"},
                     {"nz", ValueTable{{"gaussian", real_list({1.0, 0.2})}}},
                     {"bins", 2},
                     {"m", real_list({0.01, -0.02})},
                     {"ia", ValueTable{{"amplitude", 1.0}, {"eta", 0.5}}}};
  const auto biased = tracers_of(Value(ValueList{Value(per_bin)}));
  CHECK(biased.tracers[1].multiplicative_bias == -0.02);
  CHECK(biased.tracers[0].ia_amplitude == 1.0);
  CHECK(biased.tracers[0].ia_eta == 0.5);
  CHECK(biased.noise[0] == 0.0);  // no n_eff: noiseless

  const auto delta = tracers_of(Value(ValueList{Value(ValueTable{{"kind", "shear"}, {"nz", ValueTable{{"delta", 1.0}}}})}));
  CHECK(delta.tracers[0].nz.is_delta());
}

TEST_CASE("bad tracer tables are refused at the offending key", "[cosmology][options]") {
  const Value smail = ValueTable{{"smail", real_list({2.0, 1.5, 0.3})}};
  CHECK_THAT(tracer_error({{"kind", "sheer"}, {"nz", smail}}), Catch::Contains("did you mean 'shear'"));
  CHECK_THAT(tracer_error({{"kind", "shear"}}), Catch::Contains("missing `nz`"));
  CHECK_THAT(tracer_error({{"kind", "shear"}, {"nz", smail}, {"nbins", 3}}),
             Catch::Contains("'tracers[0]'") && Catch::Contains("did you mean 'bins'"));
  CHECK_THAT(tracer_error({{"kind", "shear"}, {"nz", ValueTable{{"smail", real_list({2.0, 1.5})}}}}),
             Catch::Contains("'tracers[0].nz.smail'") && Catch::Contains("[alpha, beta, z0]"));
  CHECK_THAT(tracer_error({{"kind", "shear"}, {"nz", ValueTable{{"smail", real_list({2.0, 1.5, -0.3})}}}}),
             Catch::Contains("z0 must be > 0"));
  CHECK_THAT(tracer_error({{"kind", "shear"}, {"nz", ValueTable{{"delta", 1.0}}}, {"bins", 3}}),
             Catch::Contains("cannot be split"));
  CHECK_THAT(tracer_error({{"kind", "counts"}, {"nz", ValueTable{{"delta", 1.0}}}}), Catch::Contains("extended n(z)"));
  CHECK_THAT(tracer_error({{"kind", "shear"}, {"nz", smail}, {"bias", 2.0}}), Catch::Contains("counts tracers only"));
  CHECK_THAT(tracer_error({{"kind", "counts"}, {"nz", smail}, {"m", 0.1}}), Catch::Contains("shear tracers only"));
  CHECK_THAT(tracer_error({{"kind", "shear"}, {"nz", smail}, {"bins", 2}, {"m", real_list({0.1, 0.1, 0.1})}}),
             Catch::Contains("one per bin (2)"));
  CHECK_THAT(tracer_error({{"kind", "shear"}, {"nz", smail}, {"n_eff", -3.0}}), Catch::Contains("must be >= 0"));
  CHECK_THAT(tracer_error({{"kind", "shear"}, {"nz", ValueTable{{"smail", real_list({2, 1.5, 0.3})}, {"delta", 1.0}}}}),
             Catch::Contains("exactly one"));
  CHECK_THAT(config_error_message([] { (void)tracers_of(Value(ValueList{})); }), Catch::Contains("non-empty list"));
}

TEST_CASE("n(z) files: read relative to the config, and unreadable, negative or empty ones refused", "[cosmology][options]") {
  const ct::ScratchDir dir("nz");
  ct::write_text(dir / "good.txt", "# z n\n0.0 0.0\n0.5 1.0\n1.0 2.0\n1.5 0.5\n2.0 0.0\n");
  ct::write_text(dir / "negative.txt", "0.0 0.0\n0.5 1.0\n1.0 -2.0\n1.5 0.0\n");
  ct::write_text(dir / "empty.txt", "# nothing here\n\n");
  ct::write_text(dir / "words.txt", "0.0 zero\n");
  fs::create_directories(dir / "folder");

  const auto good = tracers_of(Value(ValueList{Value(ValueTable{{"kind", "counts"}, {"nz", nz_file(dir / "good.txt")}})}));
  CHECK(good.tracers[0].nz.z_max() == 2.0);

  // A relative path is taken from the folder of the file the value was written in.
  Value relative("good.txt", orrery::SourceLocation{(dir / "analysis.toml").string(), 3, 1});
  const auto resolved = tracers_of(Value(ValueList{Value(ValueTable{{"kind", "counts"}, {"nz", ValueTable{{"file", relative}}}})}));
  CHECK(resolved.tracers[0].nz.z_max() == 2.0);

  CHECK_THAT(tracer_error({{"kind", "shear"}, {"nz", nz_file(dir / "missing.txt")}}),
             Catch::Contains("'tracers[0].nz.file'") && Catch::Contains("does not exist"));
  CHECK_THAT(tracer_error({{"kind", "shear"}, {"nz", nz_file(dir / "folder")}}), Catch::Contains("not a regular file"));
  CHECK_THAT(tracer_error({{"kind", "shear"}, {"nz", nz_file(dir / "negative.txt")}}), Catch::Contains("negative n(z)"));
  CHECK_THAT(tracer_error({{"kind", "shear"}, {"nz", nz_file(dir / "empty.txt")}}), Catch::Contains("holds no data"));
  CHECK_THAT(tracer_error({{"kind", "shear"}, {"nz", nz_file(dir / "words.txt")}}), Catch::Contains("line 1: 'zero' is not a number"));
}

TEST_CASE("data vectors are read from text and .npy files", "[cosmology][options]") {
  const ct::ScratchDir dir("data");
  ct::write_text(dir / "d.txt", "# C_ell\n1.5e-9, 2.5e-9\n3.0e-9 # last\n");
  const Eigen::VectorXd text = orrery::cosmology::read_data_vector(dir / "d.txt");
  REQUIRE(text.size() == 3);
  CHECK(text[2] == 3.0e-9);

  // A float64 array of shape (2, 2), written as NumPy 1.0 would.
  std::string header = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }";
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::ofstream out(dir / "d.npy", std::ios::binary);
  out.write("\x93NUMPY\x01\x00", 8);
  const auto len = static_cast<unsigned char>(header.size());
  out.put(static_cast<char>(len));
  out.put(0);
  out << header;
  const double values[4] = {1.0, 2.0, 3.0, 4.5};
  out.write(reinterpret_cast<const char*>(values), sizeof values);
  out.close();
  const Eigen::VectorXd npy = orrery::cosmology::read_data_vector(dir / "d.npy");
  REQUIRE(npy.size() == 4);
  CHECK(npy[3] == 4.5);

  ct::write_text(dir / "bad.txt", "1.0 two\n");
  CHECK_THROWS_WITH(orrery::cosmology::read_data_vector(dir / "bad.txt"), Catch::Contains("line 1") && Catch::Contains("'two'"));
  ct::write_text(dir / "empty.txt", "# nothing\n");
  CHECK_THROWS_WITH(orrery::cosmology::read_data_vector(dir / "empty.txt"), Catch::Contains("no values"));
  CHECK_THROWS_WITH(orrery::cosmology::read_data_vector(dir / "missing.txt"), Catch::Contains("not a readable file"));
}
