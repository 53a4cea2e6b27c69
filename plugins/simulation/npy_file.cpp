#include "simulation/npy_file.hpp"

#include <string>

#include <orrery/error.hpp>

namespace orrery::simulation {

void write_npy_columns(const std::filesystem::path& path, const Eigen::Ref<const Eigen::MatrixXd>& columns) {
  Array a;
  a.shape = {static_cast<std::size_t>(columns.cols()), static_cast<std::size_t>(columns.rows())};
  a.values = Eigen::Map<const Eigen::VectorXd>(Eigen::MatrixXd(columns).data(), columns.size());
  write_npy(path, a);
}

Eigen::MatrixXd read_npy_columns(const std::filesystem::path& path, Eigen::Index rows, const char* what) {
  const Array a = read_npy(path);
  const bool empty_ok = a.shape.size() == 2 && a.shape[0] == 0 && a.shape[1] == static_cast<std::size_t>(rows);
  if (!empty_ok && (a.shape.size() != 2 || a.shape[1] != static_cast<std::size_t>(rows)))
    throw Error("NumPy file '" + path.string() + "': expected " + std::string(what) + " as a 2-D array (n, " +
                std::to_string(rows) + "), found shape " + shape_string(a.shape));
  const auto n = static_cast<Eigen::Index>(a.shape[0]);
  return Eigen::Map<const Eigen::MatrixXd>(a.values.data(), rows, n);
}

}  // namespace orrery::simulation
