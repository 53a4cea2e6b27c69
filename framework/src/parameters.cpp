#include "parameters.hpp"

#include <algorithm>

#include "config.hpp"

namespace orrery::kernel {
namespace {

const std::vector<std::string> kReserved = {"prior", "value", "fiducial", "truth", "latex", "shape"};

Eigen::VectorXd read_values(const Value& v, std::size_t size, const std::string& param, const std::string& key) {
  if (v.is_number()) return Eigen::VectorXd::Constant(static_cast<Eigen::Index>(size), v.as_real());
  if (v.is_list() && v.as_list().size() == size) {
    Eigen::VectorXd out(static_cast<Eigen::Index>(size));
    for (std::size_t i = 0; i < size; ++i) {
      if (!v.as_list()[i].is_number())
        throw ConfigError(v.as_list()[i].where(), "parameter '" + param + "', " + key + ": expected numbers");
      out[static_cast<Eigen::Index>(i)] = v.as_list()[i].as_real();
    }
    return out;
  }
  throw ConfigError(v.where(), "parameter '" + param + "', " + key + ": expected a number" +
                                   (size > 1 ? " (applied to every element) or a list of " + std::to_string(size) : std::string()));
}

}  // namespace

std::vector<ParameterDecl> read_parameters(const Value& section) {
  std::vector<ParameterDecl> out;
  for (const auto& [name, v] : section.as_table()) {
    if (!is_safe_name(name) || name.find('.') != std::string::npos)
      throw ConfigError(v.where(), "parameter name '" + name + "' must use only letters, digits, '-' and '_'");
    ParameterDecl d;
    d.name = name;
    d.where = v.where();
    if (v.is_number()) {
      d.fixed = true;
      d.value = Eigen::VectorXd::Constant(1, v.as_real());
      out.push_back(std::move(d));
      continue;
    }
    if (!v.is_table())
      throw ConfigError(v.where(), "parameter '" + name + "': expected a number (fixed value) or a table such as "
                                   "{ prior = \"uniform\", min = 0, max = 1 }");
    if (const Value* s = v.find("shape")) {
      if (!s->is_list() || s->as_list().empty()) throw ConfigError(s->where(), "parameter '" + name + "', shape: expected a list of sizes, e.g. [64, 64]");
      for (const Value& e : s->as_list()) {
        if (!e.is_integer() || e.as_integer() < 1)
          throw ConfigError(e.where(), "parameter '" + name + "', shape: sizes must be positive integers");
        d.shape.push_back(static_cast<std::size_t>(e.as_integer()));
      }
    }
    const std::size_t size = shape_size(d.shape);
    if (const Value* l = v.find("latex")) {
      if (!l->is_string()) throw ConfigError(l->where(), "parameter '" + name + "', latex: expected a string");
      d.latex = l->as_string();
    }
    if (const Value* x = v.find("value")) {
      d.fixed = true;
      d.value = read_values(*x, size, name, "value");
    }
    if (const Value* x = v.find("fiducial")) d.fiducial = read_values(*x, size, name, "fiducial");
    if (const Value* x = v.find("truth")) d.truth = read_values(*x, size, name, "truth");
    if (const Value* p = v.find("prior")) {
      if (!p->is_string() || p->as_string().empty())
        throw ConfigError(p->where(), "parameter '" + name + "', prior: expected a prior name such as \"uniform\" or a reference \"@component\"");
      if (d.fixed) throw ConfigError(p->where(), "parameter '" + name + "' has both a fixed value and a prior; remove one");
      d.prior = p->as_string();
      d.prior_where = p->where();
    }
    ValueTable rest;
    for (const auto& [k, x] : v.as_table())
      if (std::find(kReserved.begin(), kReserved.end(), k) == kReserved.end()) rest.emplace_back(k, x);
    if (!rest.empty() && (!d.has_prior() || d.prior_is_reference()))
      throw ConfigError(rest.front().second.where(),
                        "parameter '" + name + "': unknown key '" + rest.front().first +
                            "' (keys: prior, value, fiducial, truth, latex, shape, and the options of a named prior)");
    d.prior_options = Value(std::move(rest), v.where());
    out.push_back(std::move(d));
  }
  return out;
}

ParameterSpace full_space(const std::vector<ParameterDecl>& decls) {
  ParameterSpace space;
  for (const auto& d : decls) {
    ParameterBlock b;
    b.name = d.name;
    b.shape = d.shape;
    b.latex = d.latex;
    b.fixed = d.fixed;
    b.fiducial = d.fixed ? d.value : d.fiducial;
    b.truth = d.truth;
    space.add(std::move(b));
  }
  return space;
}

}  // namespace orrery::kernel
