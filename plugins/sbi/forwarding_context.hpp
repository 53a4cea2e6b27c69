// ForwardingContext: the calling component's Context with its own random
// stream, handed to DensityEstimator::fit().
//
// An estimator's fit() draws its weights, shuffles and validation split from
// ctx.rng() (and advances it). Giving it a stream split off by name keeps the
// training reproducible and independent of whatever else the calling
// component does with its own stream. Everything else (options, logger,
// progress, executor, cache, checkpoints) is the parent's.
#pragma once

#include <orrery/context.hpp>

namespace orrery::sbi {

class ForwardingContext final : public Context {
 public:
  /// `parent` must outlive this object.
  ForwardingContext(Context& parent, RandomStream rng) : parent_(parent), rng_(rng) {}

  [[nodiscard]] const std::string& name() const override { return parent_.name(); }
  [[nodiscard]] const std::string& plugin() const override { return parent_.plugin(); }
  [[nodiscard]] const Options& options() const override { return parent_.options(); }
  [[nodiscard]] const ParameterSpace& parameters() const override { return parent_.parameters(); }
  Component& reference(std::string_view key, std::size_t index = 0) override { return parent_.reference(key, index); }
  [[nodiscard]] std::size_t reference_count(std::string_view key) const override {
    return parent_.reference_count(key);
  }
  RandomStream& rng() override { return rng_; }
  Logger& logger() override { return parent_.logger(); }
  std::unique_ptr<Progress> progress(std::string_view label, std::uint64_t total) override {
    return parent_.progress(label, total);
  }
  Executor& executor() override { return parent_.executor(); }
  ArtifactCache& cache() override { return parent_.cache(); }
  [[nodiscard]] std::filesystem::path output_dir() const override { return parent_.output_dir(); }
  [[nodiscard]] const Array* observation() const override { return parent_.observation(); }
  void* extension(std::string_view name) override { return parent_.extension(name); }

 private:
  Context& parent_;
  RandomStream rng_;
};

}  // namespace orrery::sbi
