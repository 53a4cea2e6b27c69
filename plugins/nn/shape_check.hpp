// Shape checks shared by the layers: a mismatch is a programming error in the
// caller, reported as orrery::Error with the layer and both shapes.
#pragma once

#include <string>

#include "nn/matrix.hpp"
#include "orrery/error.hpp"

namespace orrery::nn::detail {

inline void check_columns(const std::string& layer, const char* what, Index expected, Index rows, Index cols) {
  if (cols != expected)
    throw Error("nn: " + layer + ": " + what + " has " + std::to_string(rows) + "x" + std::to_string(cols) +
                ", expected " + std::to_string(expected) + " columns");
}

inline void check_same_shape(const std::string& layer, const char* what, Index rows, Index cols, Index expected_rows,
                             Index expected_cols) {
  if (rows != expected_rows || cols != expected_cols)
    throw Error("nn: " + layer + ": " + what + " is " + std::to_string(rows) + "x" + std::to_string(cols) +
                ", expected " + std::to_string(expected_rows) + "x" + std::to_string(expected_cols) +
                " (the shape of the last forward's output)");
}

}  // namespace orrery::nn::detail
