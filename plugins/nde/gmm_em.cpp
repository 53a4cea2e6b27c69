#include "gmm_em.hpp"

#include <armadillo>
#include <string>

#include "orrery/error.hpp"

namespace orrery::nde {

JointMixture fit_mixture_em(const Eigen::MatrixXd& x, const EmSettings& settings) {
  const auto k = static_cast<arma::uword>(settings.components);
  if (x.cols() < static_cast<Eigen::Index>(k))
    throw Error("nde.gmm: " + std::to_string(x.cols()) + " pairs cannot fit " + std::to_string(k) +
                " mixture components");
  // Copy into Armadillo's own column-major storage (both are column-major
  // doubles, but arma::mat needs its own buffer to stay independent of Eigen's).
  arma::mat data(static_cast<arma::uword>(x.rows()), static_cast<arma::uword>(x.cols()));
  for (Eigen::Index c = 0; c < x.cols(); ++c)
    for (Eigen::Index r = 0; r < x.rows(); ++r)
      data(static_cast<arma::uword>(r), static_cast<arma::uword>(c)) = x(r, c);

  arma::arma_rng::set_seed(static_cast<arma::arma_rng::seed_type>(settings.seed));
  arma::gmm_full model;
  const bool ok = model.learn(data, k, arma::maha_dist, arma::random_subset,
                              static_cast<arma::uword>(settings.kmeans_iterations),
                              static_cast<arma::uword>(settings.em_iterations), settings.variance_floor, false);
  if (!ok) throw Error("nde.gmm: Armadillo's gmm_full EM failed (" + std::to_string(k) + " components on " +
                       std::to_string(x.cols()) + " pairs); try fewer components or a larger variance_floor");

  JointMixture out;
  const Eigen::Index d = x.rows();
  out.weights.resize(static_cast<Eigen::Index>(k));
  for (arma::uword j = 0; j < k; ++j) {
    out.weights(static_cast<Eigen::Index>(j)) = model.hefts(j);
    Eigen::VectorXd mean(d);
    Eigen::MatrixXd cov(d, d);
    for (Eigen::Index r = 0; r < d; ++r) {
      mean(r) = model.means(static_cast<arma::uword>(r), j);
      for (Eigen::Index c = 0; c < d; ++c)
        cov(r, c) = model.fcovs(static_cast<arma::uword>(r), static_cast<arma::uword>(c), j);
    }
    out.means.push_back(std::move(mean));
    // Symmetrise: EM accumulations can leave round-off asymmetry.
    out.covariances.push_back(0.5 * (cov + cov.transpose()));
  }
  out.weights /= out.weights.sum();
  return out;
}

}  // namespace orrery::nde
