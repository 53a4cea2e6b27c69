#include "fitted_model.hpp"

#include <mutex>
#include <vector>

#include "estimator_file.hpp"
#include "nn/serialization.hpp"
#include "row_chunks.hpp"

namespace orrery::nde {

namespace {

template <typename T>
class FittedModelT final : public FittedModel {
 public:
  using Model = ConditionalModel<T>;
  using Mat = MatrixT<T>;
  using Vec = VectorT<T>;

  FittedModelT(std::unique_ptr<Model> model, const ModelFactory& factory, ZScore za, ZScore zb, Executor* executor)
      : FittedModel(std::move(za), std::move(zb)), trained_(std::move(model)), factory_(factory),
        executor_(executor) {}

  void log_prob(const Eigen::Ref<const Eigen::MatrixXd>& a, const Eigen::Ref<const Eigen::MatrixXd>& b,
                Eigen::Ref<Eigen::VectorXd> out) const override {
    const double log_jacobian = za_.log_jacobian();
    for_chunks(a.cols(), [&](Eigen::Index begin, Eigen::Index size) {
      Lease lease(*this);
      Scratch& s = lease.scratch();
      standardise(a.middleCols(begin, size), b.middleCols(begin, size), s);
      lease.model().forward(s.a, s.b, s.log_q);
      out.segment(begin, size) = s.log_q.template cast<double>().array() + log_jacobian;
    });
  }

  void log_prob_gradient(const Eigen::Ref<const Eigen::MatrixXd>& a, const Eigen::Ref<const Eigen::MatrixXd>& b,
                         Eigen::Ref<Eigen::VectorXd> out, Eigen::Ref<Eigen::MatrixXd> grad_a,
                         Eigen::Ref<Eigen::MatrixXd> grad_b) const override {
    const double log_jacobian = za_.log_jacobian();
    for_chunks(a.cols(), [&](Eigen::Index begin, Eigen::Index size) {
      Lease lease(*this);
      Scratch& s = lease.scratch();
      standardise(a.middleCols(begin, size), b.middleCols(begin, size), s);
      Model& m = lease.model();
      m.forward(s.a, s.b, s.log_q);
      s.w.setOnes(size);
      m.backward(s.w, s.grad_a, s.grad_b);
      m.zero_grad();  // parameter gradients are a by-product here; keep the replica clean
      out.segment(begin, size) = s.log_q.template cast<double>().array() + log_jacobian;
      grad_a.middleCols(begin, size) =
          (s.grad_a.transpose().template cast<double>().array().colwise() / za_.sd.array()).matrix();
      grad_b.middleCols(begin, size) =
          (s.grad_b.transpose().template cast<double>().array().colwise() / zb_.sd.array()).matrix();
    });
  }

  void sample(const Eigen::Ref<const Eigen::VectorXd>& b, RandomStream& rng,
              Eigen::Ref<Eigen::MatrixXd> out) const override {
    Lease lease(*this);
    Scratch& s = lease.scratch();
    s.b = ((b - zb_.mean).array() / zb_.sd.array()).matrix().transpose().template cast<T>();
    s.a.resize(out.cols(), out.rows());
    lease.model().sample(s.b, rng, s.a);
    out = (s.a.transpose().template cast<double>().array().colwise() * za_.sd.array()).matrix().colwise() + za_.mean;
  }

  void save(const std::filesystem::path& dir, const std::string& estimator) const override {
    std::lock_guard lock(mutex_);
    const auto nets = trained_->networks();
    for (std::size_t i = 0; i < nets.size(); ++i) nn::save_weights(*nets[i], network_file(dir, i));
    write_header(dir, {estimator, trained_->describe(), nets.size(), za_, zb_});
  }

 private:
  // A replica and its buffers, owned by the pool between calls.
  struct Scratch {
    Mat a, b, grad_a, grad_b;
    Vec log_q, w;
  };
  struct Replica {
    std::unique_ptr<Model> model;
    Scratch scratch;
  };

  // Takes a replica from the pool (building one if none is free) and gives it back.
  class Lease {
   public:
    explicit Lease(const FittedModelT& owner) : owner_(owner), replica_(owner.acquire()) {}
    ~Lease() { owner_.release(std::move(replica_)); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Model& model() { return *replica_->model; }
    Scratch& scratch() { return replica_->scratch; }

   private:
    const FittedModelT& owner_;
    std::unique_ptr<Replica> replica_;
  };

  std::unique_ptr<Replica> acquire() const {
    std::lock_guard lock(mutex_);
    if (!free_.empty()) {
      auto r = std::move(free_.back());
      free_.pop_back();
      return r;
    }
    auto r = std::make_unique<Replica>();
    RandomStream unused(0);  // weights are copied from the trained model
    const auto dim_a = static_cast<Eigen::Index>(za_.mean.size()), dim_b = static_cast<Eigen::Index>(zb_.mean.size());
    r->model = factory_.make<T>(dim_a, dim_b, unused);
    r->model->copy_parameters_from(*trained_);
    return r;
  }
  void release(std::unique_ptr<Replica> r) const {
    std::lock_guard lock(mutex_);
    free_.push_back(std::move(r));
  }

  void standardise(const Eigen::Ref<const Eigen::MatrixXd>& a, const Eigen::Ref<const Eigen::MatrixXd>& b,
                   Scratch& s) const {
    s.a = ((a.colwise() - za_.mean).array().colwise() / za_.sd.array()).matrix().transpose().template cast<T>();
    s.b = ((b.colwise() - zb_.mean).array().colwise() / zb_.sd.array()).matrix().transpose().template cast<T>();
  }

  // Calls body(begin, size) for each fixed chunk of n columns, in parallel when there are several.
  template <typename Body>
  void for_chunks(Eigen::Index n, const Body& body) const {
    const RowChunks chunks(n, kEvaluationChunkRows);
    if (executor_ == nullptr || chunks.count == 1) {
      for (Eigen::Index k = 0; k < chunks.count; ++k) body(chunks.begin(k), chunks.size(k));
      return;
    }
    executor_->parallel_for(static_cast<std::size_t>(chunks.count), [&](std::size_t k) {
      const auto kk = static_cast<Eigen::Index>(k);
      body(chunks.begin(kk), chunks.size(kk));
    });
  }

  std::unique_ptr<Model> trained_;  // read only (its weights are copied into replicas)
  const ModelFactory& factory_;
  Executor* executor_;
  mutable std::mutex mutex_;
  mutable std::vector<std::unique_ptr<Replica>> free_;
};

}  // namespace

template <typename T>
std::unique_ptr<FittedModel> make_fitted_model(std::unique_ptr<ConditionalModel<T>> model,
                                               const ModelFactory& factory, ZScore za, ZScore zb,
                                               Executor* executor) {
  return std::make_unique<FittedModelT<T>>(std::move(model), factory, std::move(za), std::move(zb), executor);
}

template std::unique_ptr<FittedModel> make_fitted_model<float>(std::unique_ptr<ConditionalModel<float>>,
                                                               const ModelFactory&, ZScore, ZScore, Executor*);
template std::unique_ptr<FittedModel> make_fitted_model<double>(std::unique_ptr<ConditionalModel<double>>,
                                                                const ModelFactory&, ZScore, ZScore, Executor*);

}  // namespace orrery::nde
