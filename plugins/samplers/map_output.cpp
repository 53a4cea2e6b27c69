#include "map_output.hpp"

#include <cmath>
#include <cstdio>
#include <sstream>

#include <orrery/atomic_file.hpp>
#include <orrery/error.hpp>

namespace orrery::samplers {
namespace {

/// Round-trip precision; JSON has no inf or NaN, so those become null.
std::string number(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string vector(const Eigen::VectorXd& v) {
  std::string out = "[";
  for (Eigen::Index i = 0; i < v.size(); ++i) out += (i ? ", " : "") + number(v[i]);
  return out + "]";
}

std::string matrix(const Eigen::MatrixXd& m, const std::string& indent) {
  std::string out = "[";
  for (Eigen::Index r = 0; r < m.rows(); ++r)
    out += (r ? ",\n" + indent + " " : "") + vector(m.row(r).transpose());
  return out + "]";
}

std::string strings(const std::vector<std::string>& names) {
  std::string out = "[";
  for (std::size_t i = 0; i < names.size(); ++i) out += (i ? ", " : "") + quoted(names[i]);
  return out + "]";
}

}  // namespace

void write_map_json(const std::filesystem::path& dir, const MapOutcome& o) {
  const MapStart& best = o.starts.at(o.best);
  std::ostringstream j;
  j << "{\n";
  j << "  \"status\": " << quoted(o.status) << ",\n";
  j << "  \"method\": " << quoted(o.method) << ",\n";
  j << "  \"gradient\": " << quoted(o.gradient) << ",\n";
  j << "  \"parameters\": " << strings(o.names) << ",\n";
  j << "  \"optimum\": " << vector(best.x) << ",\n";
  j << "  \"log_density\": " << number(best.log_density) << ",\n";
  j << "  \"optimiser_status\": " << quoted(stop_label(best.reason)) << ",\n";
  j << "  \"converged\": " << (converged(best.reason) ? "true" : "false") << ",\n";
  j << "  \"iterations\": " << best.iterations << ",\n";
  std::uint64_t evaluations = 0;
  for (const MapStart& s : o.starts) evaluations += s.evaluations;
  j << "  \"evaluations\": " << evaluations << ",\n";
  j << "  \"best_start\": " << o.best << ",\n";
  j << "  \"starts_agreeing\": " << o.agreeing << ",\n";
  j << "  \"agreement_tolerance\": " << number(o.agreement_tolerance) << ",\n";
  j << "  \"at_bound\": [";
  for (std::size_t i = 0; i < o.at_bound.size(); ++i) {
    const BoundHit& b = o.at_bound[i];
    j << (i ? ", " : "") << "{\"parameter\": " << quoted(o.names.at(static_cast<std::size_t>(b.index)))
      << ", \"side\": " << quoted(b.upper ? "upper" : "lower") << ", \"bound\": " << number(b.bound)
      << ", \"distance\": " << number(b.distance) << "}";
  }
  j << "],\n";
  j << "  \"laplace\": {\n    \"status\": " << quoted(o.laplace_status);
  if (o.laplace) {
    const LaplaceResult& l = *o.laplace;
    const bool ok = l.status == LaplaceResult::Status::PositiveDefinite;
    j << ",\n    \"positive_definite\": " << (ok ? "true" : "false");
    j << ",\n    \"sd\": " << (ok ? vector(l.covariance.diagonal().cwiseSqrt()) : "null");
    j << ",\n    \"covariance\": " << (ok ? matrix(l.covariance, "    ") : "null");
    j << ",\n    \"hessian\": " << matrix(l.hessian, "    ");
    j << ",\n    \"steps\": " << vector(l.steps);
    j << ",\n    \"eigenvalue_range\": [" << number(l.min_eigenvalue) << ", " << number(l.max_eigenvalue) << "]";
    j << ",\n    \"evaluations\": " << l.evaluations;
    j << ",\n    \"used_gradient\": " << (l.used_gradient ? "true" : "false");
  }
  j << "\n  },\n";
  j << "  \"starts\": [";
  for (std::size_t i = 0; i < o.starts.size(); ++i) {
    const MapStart& s = o.starts[i];
    j << (i ? ",\n" : "\n") << "    {\"start\": " << i << ", \"status\": " << quoted(stop_label(s.reason))
      << ", \"log_density\": " << number(s.log_density) << ", \"iterations\": " << s.iterations
      << ", \"evaluations\": " << s.evaluations << ", \"gradient_norm\": " << number(s.gradient_norm)
      << ", \"agrees\": " << (s.agrees ? "true" : "false") << ", \"optimum\": " << vector(s.x) << "}";
  }
  j << "\n  ]\n}\n";
  write_file_atomically(dir / "map.json", j.str());
}

void write_covariance(const std::filesystem::path& dir, const std::vector<std::string>& names,
                      const Eigen::MatrixXd& covariance) {
  std::ostringstream out;
  out << "#";
  for (const std::string& n : names) out << ' ' << n;
  out << '\n';
  for (Eigen::Index r = 0; r < covariance.rows(); ++r) {
    for (Eigen::Index c = 0; c < covariance.cols(); ++c) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.16e", covariance(r, c));
      out << (c ? " " : "") << buf;
    }
    out << '\n';
  }
  write_file_atomically(dir / "map_covariance.txt", out.str());
}

}  // namespace orrery::samplers
