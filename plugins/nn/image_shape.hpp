// ImageShape: how the convolutional layers read images out of a batch Matrix.
//
// Layout: images travel in the ordinary batch-first Matrix<T>, one example per
// row. Each row is the image of shape (channels, height, width) flattened in C
// order, so element (c, h, w) of example i is
//     x(i, (c · height + h) · width + w).
// This is PyTorch's NCHW layout with the batch as the matrix row, so a row can
// be copied to and from a contiguous NCHW tensor unchanged. A convolutional
// layer is constructed knowing its input (channels, height, width) and checks
// that the row length equals channels · height · width; the rows carry no
// shape of their own. A Dense layer placed after a convolution simply sees the
// flattened C·H·W features.
//
// Because channels vary slowest, concatenating two images of the same height
// and width along the channel axis is concatenating their rows (SkipConcat).
#pragma once

#include <string>

#include "nn/matrix.hpp"
#include "orrery/error.hpp"

namespace orrery::nn {

struct ImageShape {
  Index channels = 0;
  Index height = 0;
  Index width = 0;

  [[nodiscard]] Index pixels() const { return height * width; }
  /// The row length of one example: channels · height · width.
  [[nodiscard]] Index size() const { return channels * height * width; }
  /// "CxHxW", as used in layer descriptions.
  [[nodiscard]] std::string str() const {
    return std::to_string(channels) + "x" + std::to_string(height) + "x" + std::to_string(width);
  }
  friend bool operator==(const ImageShape&, const ImageShape&) = default;
};

namespace detail {

/// Throws orrery::Error naming `layer` unless every dimension of `shape` is positive.
inline void check_image_shape(const std::string& layer, const ImageShape& shape) {
  if (shape.channels <= 0 || shape.height <= 0 || shape.width <= 0)
    throw Error("nn: " + layer + " needs a positive input shape (channels, height, width), got " +
                std::to_string(shape.channels) + "x" + std::to_string(shape.height) + "x" +
                std::to_string(shape.width));
}

}  // namespace detail

}  // namespace orrery::nn
