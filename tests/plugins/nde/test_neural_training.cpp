// Threads, concurrency and checkpoints of the network estimators' fit():
// results must not depend on the thread count, concurrent evaluations must
// agree with serial ones, and an interrupted fit resumed from its checkpoint
// must end with exactly the weights of an uninterrupted one.
#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "estimator_checks.hpp"
#include "masked_autoregressive_flow.hpp"
#include "mixture_density_network.hpp"
#include "orrery/checkpoint.hpp"

using namespace orrery;
using namespace orrery::nde::test;
using orrery::test::build;

namespace {

// An in-memory CheckpointStore: always due; optionally "crashes" (throws) on
// the save after `crash_after` successful ones.
class MemoryStore final : public CheckpointStore {
 public:
  struct Crash {};
  std::optional<std::string> saved;  // what the interrupted run left
  std::optional<std::string> last;   // the latest save of this run
  int saves = 0;
  int crash_after = -1;

  [[nodiscard]] std::optional<std::string> saved_state() const override { return saved; }
  [[nodiscard]] bool due() const override { return true; }
  void save(std::string_view bytes) override {
    if (saves == crash_after) throw Crash{};
    last = std::string(bytes);
    ++saves;
  }
};

ValueTable maf_options(const char* precision, std::int64_t epochs) {
  return {{"transforms", Value(std::int64_t{2})}, {"hidden", Value(std::int64_t{16})},
          {"max_epochs", Value(epochs)},          {"patience", Value(std::int64_t{1000})},
          {"batch_size", Value(std::int64_t{250})}, {"precision", Value(std::string(precision))}};
}

}  // namespace

TEST_CASE("maf fit and log_prob are identical on one and three threads") {
  for (const char* precision : {"float32", "float64"}) {
    INFO(precision);
    check_thread_independent<nde::MaskedAutoregressiveFlow>(maf_options(precision, 4), 3, 5, 1300,
                                                             /*compare_validation_loss=*/true);
  }
}

TEST_CASE("mdn fit is identical on one and two threads") {
  const ValueTable options = {{"components", Value(std::int64_t{3})}, {"hidden", Value(std::int64_t{16})},
                              {"max_epochs", Value(std::int64_t{3})}, {"batch_size", Value(std::int64_t{300})}};
  check_thread_independent<nde::MixtureDensityNetwork>(options, 2, 6, 700, /*compare_validation_loss=*/false);
}

TEST_CASE("concurrent log_prob and gradient calls agree with serial ones") {
  auto q = build<nde::MaskedAutoregressiveFlow>(maf_options("float32", 3));
  fit_gaussian(*q, *q.context, 600, 8);
  constexpr int kThreads = 4;
  constexpr Eigen::Index kPairs = 300;
  std::vector<Eigen::MatrixXd> as(kThreads), bs(kThreads);
  std::vector<Eigen::VectorXd> serial(kThreads), concurrent(kThreads, Eigen::VectorXd(kPairs));
  std::vector<Eigen::MatrixXd> grad_serial(kThreads), grad_concurrent(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    RandomStream rng(100 + static_cast<std::uint64_t>(t));
    ConditionalGaussian::draw(kPairs, rng, as[t], bs[t]);
    serial[t].resize(kPairs);
    q->log_prob(as[t], bs[t], serial[t]);
    Eigen::VectorXd lq(kPairs);
    Eigen::MatrixXd gb(1, kPairs);
    grad_serial[t].resize(2, kPairs);
    q->log_prob_gradient(as[t], bs[t], lq, grad_serial[t], gb);
  }
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int repeat = 0; repeat < 20; ++repeat) {
        q->log_prob(as[t], bs[t], concurrent[t]);
        Eigen::VectorXd lq(kPairs);
        Eigen::MatrixXd gb(1, kPairs);
        grad_concurrent[t].resize(2, kPairs);
        q->log_prob_gradient(as[t], bs[t], lq, grad_concurrent[t], gb);
      }
    });
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) {
    CHECK((serial[t].array() == concurrent[t].array()).all());
    CHECK((grad_serial[t].array() == grad_concurrent[t].array()).all());
  }
}

TEST_CASE("an interrupted fit resumed from its checkpoint ends with identical weights") {
  for (const char* precision : {"float32", "float64"}) {
    INFO(precision);
    // Uninterrupted reference, checkpointing as it goes.
    MemoryStore reference_store;
    auto reference = build<nde::MaskedAutoregressiveFlow>(maf_options(precision, 6));
    reference.context->set_checkpoint_store(&reference_store);
    fit_gaussian(*reference, *reference.context, 800, 9);
    CHECK(reference_store.saves == 6);  // one per epoch: the store is always due

    // The same fit, crashing on its fourth save (after three epochs were saved).
    MemoryStore crashed_store;
    crashed_store.crash_after = 3;
    auto crashed = build<nde::MaskedAutoregressiveFlow>(maf_options(precision, 6));
    crashed.context->set_checkpoint_store(&crashed_store);
    CHECK_THROWS_AS(fit_gaussian(*crashed, *crashed.context, 800, 9), MemoryStore::Crash);
    CHECK_FALSE(crashed->fitted());

    // A new process: a fresh estimator finds the checkpoint and continues.
    MemoryStore resumed_store;
    resumed_store.saved = crashed_store.last;
    auto resumed = build<nde::MaskedAutoregressiveFlow>(maf_options(precision, 6));
    resumed.context->set_checkpoint_store(&resumed_store);
    fit_gaussian(*resumed, *resumed.context, 800, 9);
    CHECK(resumed->training_report().resumed);
    CHECK(resumed->training_report().epochs == 6);
    CHECK(resumed_store.saves == 3);  // epochs 4, 5 and 6
    const Eigen::VectorXd want = log_prob_on_fresh_pairs(*reference, 200);
    const Eigen::VectorXd got = log_prob_on_fresh_pairs(*resumed, 200);
    CHECK((want.array() == got.array()).all());
  }
}

TEST_CASE("a checkpoint written for other training data is ignored") {
  MemoryStore first;
  auto q = build<nde::MaskedAutoregressiveFlow>(maf_options("float32", 2));
  q.context->set_checkpoint_store(&first);
  fit_gaussian(*q, *q.context, 500, 10);

  MemoryStore other;
  other.saved = first.last;
  auto fresh = build<nde::MaskedAutoregressiveFlow>(maf_options("float32", 2));
  fresh.context->set_checkpoint_store(&other);
  fit_gaussian(*fresh, *fresh.context, 500, 11);  // other pairs
  CHECK_FALSE(fresh->training_report().resumed);
  bool warned = false;
  for (const auto& [level, message] : fresh.context->log().messages())
    warned = warned || (level == LogLevel::Warning && message.find("other training data") != std::string::npos);
  CHECK(warned);

  auto plain = build<nde::MaskedAutoregressiveFlow>(maf_options("float32", 2));
  fit_gaussian(*plain, *plain.context, 500, 11);
  CHECK((log_prob_on_fresh_pairs(*fresh, 100).array() == log_prob_on_fresh_pairs(*plain, 100).array()).all());
}
