// bench/nde: nde.maf (affine, and in full mode with transform = "spline",
// reported as "nsf") and nde.mdn against the same networks written in PyTorch,
// trained on the same pairs in the same run.
//
// Problem: neural posterior estimation q(θ | y) with dim θ = 5 (a) and dim y = 8
// (b). θ ~ U(−1, 1)⁵ and y is a fixed nonlinear function of θ plus Gaussian noise
// whose sd depends on θ (simulate() below); 10 000 training pairs (10 %
// validation, the split nn::split_rows makes for our estimators, passed to the
// peer row by row) and 100 000 fresh test pairs, all generated here with a fixed
// seed and written to a temporary binary file the Python peer reads.
//
// Peer: sbi is not installed, so the peer is a hand-written PyTorch (1.13)
// mirror of our models (the embedded script below): the same masks, degrees,
// order reversals, affine transform u = (a − μ)·exp(−α), for nsf the
// rational-quadratic spline of nflows' unconstrained_rational_quadratic_spline
// with linear tails (K = 10 bins on [−3, 3], minimum bin width/height/slope
// 1e-3, raw widths and heights divided by √hidden, variable-major MADE outputs,
// head bias at the identity spline; nflows itself is not installed), mixture head with
// upper-triangular precision factors, initialisation scales, z-scoring with the
// training rows only (sample sd), Adam (lr 5e-4, β = 0.9/0.999, ε = 1e-8),
// batch 200, global gradient-norm clip 5, a reshuffle per epoch, validation
// after every epoch and restore of the best epoch's weights. Both train for a
// FIXED number of epochs: patience is set above the epoch count, so early
// stopping never fires. Torch runs in float32 (what a user gets by default) and,
// for reference, in float64; ours runs in the same precisions.
//
// Reported per model: training wall time (ours: fit(), including z-scoring and
// initialisation; torch: the epoch loop), the best validation −log q and the
// mean −log q on the 100 000 test pairs, both in ORIGINAL units (nats per pair,
// log q of θ, including −Σ log sd_θ), and log_prob throughput on the 10⁵ test
// pairs in one batch (ours: DensityEstimator::log_prob; torch: the same forward
// under no_grad, including standardisation). Ours is single-threaded; torch is
// measured with torch.set_num_threads(1) and (full mode) 2.
//
// Usage: nde [--quick] [--epochs N]
//   --quick: 500 pairs, 2 epochs, 1 000 test pairs, float32 on 1 thread, maf
//   and mdn only; prints "peer unavailable" and exits 0 when torch cannot be imported.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unistd.h>
#include <vector>

#include <orrery/context.hpp>

#include "bench_services.hpp"
#include "services.hpp"  // kernel::ThreadExecutor
#include "masked_autoregressive_flow.hpp"
#include "mixture_density_network.hpp"
#include "nn/trainer.hpp"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

constexpr Eigen::Index kDimTheta = 5;
constexpr Eigen::Index kDimY = 8;
constexpr std::uint64_t kSeed = 20261126;

// ---------------------------------------------------------------- data

/// One draw of y | θ: eight smooth nonlinear summaries with heteroscedastic noise,
/// so that the posterior is non-Gaussian and its width depends on θ.
void simulate(const double* t, orrery::RandomStream& rng, double* y) {
  const double mean[kDimY] = {t[0] + t[1] * t[1],
                              std::sin(2.0 * t[1]) + t[2],
                              t[2] * t[3],
                              std::exp(0.5 * t[3]) - t[4],
                              t[4] * t[4] * t[4] + t[0],
                              std::tanh(t[0] + t[2]),
                              t[1] - t[3] * t[3],
                              (t[0] + t[1] + t[2] + t[3] + t[4]) / std::sqrt(5.0)};
  for (Eigen::Index j = 0; j < kDimY; ++j) y[j] = mean[j] + (0.05 + 0.1 * std::abs(t[j % kDimTheta])) * rng.normal();
}

struct Pairs {
  Eigen::MatrixXd theta;  // 5×n (DensityEstimator's layout: one pair per column)
  Eigen::MatrixXd y;      // 8×n
};

Pairs generate(Eigen::Index n, orrery::RandomStream rng) {
  Pairs p{Eigen::MatrixXd(kDimTheta, n), Eigen::MatrixXd(kDimY, n)};
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index j = 0; j < kDimTheta; ++j) p.theta(j, i) = rng.uniform(-1.0, 1.0);
    simulate(p.theta.col(i).data(), rng, p.y.col(i).data());
  }
  return p;
}

/// Raw little-endian doubles, one row per pair: θ (5), y (8), then for the
/// training file a validation flag (1) — the layout the Python script reads.
void write_pairs(const fs::path& file, const Pairs& p, const std::vector<bool>* validation) {
  std::ofstream out(file, std::ios::binary);
  for (Eigen::Index i = 0; i < p.theta.cols(); ++i) {
    out.write(reinterpret_cast<const char*>(p.theta.col(i).data()), kDimTheta * sizeof(double));
    out.write(reinterpret_cast<const char*>(p.y.col(i).data()), kDimY * sizeof(double));
    if (validation) {
      const double flag = (*validation)[static_cast<std::size_t>(i)] ? 1.0 : 0.0;
      out.write(reinterpret_cast<const char*>(&flag), sizeof(double));
    }
  }
  if (!out) throw orrery::Error("bench/nde: cannot write " + file.string());
}

// ---------------------------------------------------------------- a minimal Context

using orrery::bench::NoCache;
using orrery::bench::NoProgress;
using orrery::bench::SilentLogger;

/// Just enough Context to construct and fit an estimator: every option given
/// explicitly (the Options object does not fill schema defaults), `threads` threads.
class BenchContext final : public orrery::Context {
 public:
  BenchContext(std::string plugin, orrery::ValueTable options, std::size_t threads)
      : plugin_(std::move(plugin)), table_(std::move(options)), options_(table_, "bench"), rng_(kSeed),
        executor_(threads) {}
  [[nodiscard]] const std::string& name() const override { return name_; }
  [[nodiscard]] const std::string& plugin() const override { return plugin_; }
  [[nodiscard]] const orrery::Options& options() const override { return options_; }
  [[nodiscard]] const orrery::ParameterSpace& parameters() const override { return space_; }
  orrery::Component& reference(std::string_view key, std::size_t /*index*/) override {
    throw orrery::Error("bench/nde: no reference '" + std::string(key) + "'");
  }
  [[nodiscard]] std::size_t reference_count(std::string_view /*key*/) const override { return 0; }
  orrery::RandomStream& rng() override { return rng_; }
  orrery::Logger& logger() override { return logger_; }
  std::unique_ptr<orrery::Progress> progress(std::string_view /*label*/, std::uint64_t /*total*/) override {
    return std::make_unique<NoProgress>();
  }
  orrery::Executor& executor() override { return executor_; }
  orrery::ArtifactCache& cache() override { return cache_; }
  [[nodiscard]] fs::path output_dir() const override { throw orrery::Error("no output folder in the benchmark"); }
  [[nodiscard]] const orrery::Array* observation() const override { return nullptr; }

 private:
  std::string name_ = "estimator";
  std::string plugin_;
  orrery::Value table_;
  orrery::Options options_;
  orrery::ParameterSpace space_;
  orrery::RandomStream rng_;
  SilentLogger logger_;
  orrery::kernel::ThreadExecutor executor_;
  NoCache cache_;
};

/// Training options shared by both estimators: sbi's defaults, except that
/// patience exceeds the epoch count so exactly `epochs` epochs run.
orrery::ValueTable training_options(int epochs, const std::string& precision) {
  return {{"learning_rate", 5e-4}, {"batch_size", 200}, {"validation_fraction", 0.1},
          {"patience", epochs + 1}, {"clip_norm", 5.0},  {"max_epochs", epochs},
          {"precision", precision}};
}

// ---------------------------------------------------------------- ours

struct Result {
  double train_s = 0.0;
  double val_nll = 0.0;   // best-epoch validation −log q, original units (nats/pair)
  double test_nll = 0.0;  // mean −log q on the test pairs, original units
  double logprob_s = 0.0; // one log_prob call on all test pairs
  int epochs = 0;
};

double mean_nll(const orrery::DensityEstimator& est, const Eigen::MatrixXd& theta, const Eigen::MatrixXd& y,
                double* seconds) {
  Eigen::VectorXd lq(theta.cols());
  const auto start = Clock::now();
  est.log_prob(theta, y, lq);
  if (seconds) *seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return -lq.mean();
}

Result run_ours(const std::string& model, const std::string& precision, int threads, int epochs, const Pairs& train,
                const std::vector<bool>& is_val, const Pairs& test) {
  orrery::ValueTable options = training_options(epochs, precision);
  std::unique_ptr<orrery::nde::NeuralEstimator> est;
  std::unique_ptr<BenchContext> ctx;
  if (model == "maf" || model == "nsf") {
    options.emplace_back("transforms", 5);
    options.emplace_back("hidden", 50);
    options.emplace_back("layers", 2);
    options.emplace_back("activation", "tanh");
    options.emplace_back("transform", model == "nsf" ? "spline" : "affine");
    options.emplace_back("bins", 10);
    options.emplace_back("tail_bound", 3.0);
    ctx = std::make_unique<BenchContext>("nde.maf", std::move(options), static_cast<std::size_t>(threads));
    est = std::make_unique<orrery::nde::MaskedAutoregressiveFlow>(*ctx);
  } else {
    options.emplace_back("components", 10);
    options.emplace_back("hidden", 50);
    options.emplace_back("layers", 2);
    options.emplace_back("activation", "relu");
    ctx = std::make_unique<BenchContext>("nde.mdn", std::move(options), static_cast<std::size_t>(threads));
    est = std::make_unique<orrery::nde::MixtureDensityNetwork>(*ctx);
  }
  Result r;
  const auto start = Clock::now();
  est->fit(train.theta, train.y, *ctx);
  r.train_s = std::chrono::duration<double>(Clock::now() - start).count();
  r.epochs = static_cast<int>(est->training_report().epochs);

  // Validation −log q in original units from log_prob on the validation columns
  // (the trainer's own figure is in standardised units).
  std::vector<Eigen::Index> cols;
  for (std::size_t i = 0; i < is_val.size(); ++i)
    if (is_val[i]) cols.push_back(static_cast<Eigen::Index>(i));
  Eigen::MatrixXd vt(kDimTheta, static_cast<Eigen::Index>(cols.size())), vy(kDimY, vt.cols());
  for (std::size_t k = 0; k < cols.size(); ++k) {
    vt.col(static_cast<Eigen::Index>(k)) = train.theta.col(cols[k]);
    vy.col(static_cast<Eigen::Index>(k)) = train.y.col(cols[k]);
  }
  r.val_nll = mean_nll(*est, vt, vy, nullptr);
  r.test_nll = mean_nll(*est, test.theta, test.y, &r.logprob_s);
  return r;
}

// ---------------------------------------------------------------- the PyTorch peer

// Mirrors plugins/nde/maf_model.cpp, spline_step.cpp, rq_spline.cpp,
// mdn_model.cpp, training.cpp and nn::Trainer. Prints one "RESULT model dtype threads epochs train_s val test
// logprob_s" line per run, or "peer unavailable".
const char* kScript = R"PY(
import sys, math, time
try:
    import numpy as np
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except Exception as e:
    print("peer unavailable:", e)
    sys.exit(0)

train_file, test_file, epochs = sys.argv[1], sys.argv[2], int(sys.argv[3])
runs = [r.split(":") for r in sys.argv[4].split(",")]   # model:dtype:threads
DT, DY = 5, 8
raw = np.fromfile(train_file, dtype="<f8").reshape(-1, DT + DY + 1)
test = np.fromfile(test_file, dtype="<f8").reshape(-1, DT + DY)
is_val = raw[:, -1] > 0.5
train_rows = np.nonzero(~is_val)[0]
val_rows = np.nonzero(is_val)[0]

# z-scoring with the training rows only, sample sd (ddof 1), sd 1 if degenerate
def zscore(x):
    m = x[train_rows].mean(0)
    s = x[train_rows].std(0, ddof=1)
    s[~(s > 0)] = 1.0
    return m, s
ma, sa = zscore(raw[:, :DT])
mb, sb = zscore(raw[:, DT:DT + DY])
log_sd_a = float(np.log(sa).sum())

class MaskedLinear(nn.Module):
    # y = x (W * M) + b; mask from degrees (strict for the output layer); glorot
    # uniform over the full matrix, then masked; bias 0
    def __init__(self, din, dout, strict):
        super().__init__()
        din, dout = np.array(din), np.array(dout)
        m = (dout[:, None] > din[None, :]) if strict else (dout[:, None] >= din[None, :])
        self.lin = nn.Linear(len(din), len(dout))
        nn.init.xavier_uniform_(self.lin.weight)
        nn.init.zeros_(self.lin.bias)
        self.register_buffer("mask", torch.tensor(m.astype(np.float64)))
        with torch.no_grad():
            self.lin.weight.mul_(self.mask)
    def forward(self, x):
        return F.linear(x, self.lin.weight * self.mask, self.lin.bias)

def var_degrees(D, t):
    return list(range(1, D + 1)) if t % 2 == 0 else list(range(D, 0, -1))

class MAF(nn.Module):
    def __init__(self, D, B, transforms=5, hidden=50, layers=2):
        super().__init__()
        self.D = D
        hid = [1 + j % (D - 1) if D > 1 else 0 for j in range(hidden)]
        self.mades = nn.ModuleList()
        for t in range(transforms):
            mods, din = [], var_degrees(D, t) + [0] * B
            for _ in range(layers):
                mods += [MaskedLinear(din, hid, False), nn.Tanh()]
                din = hid
            head = MaskedLinear(din, var_degrees(D, t) * 2, True)
            with torch.no_grad():
                head.lin.weight.mul_(0.01)
            mods.append(head)
            self.mades.append(nn.Sequential(*mods))
    def forward(self, a, b):
        z, logq = a, 0.0
        for made in self.mades:
            out = made(torch.cat([z, b], 1))
            mu, alpha = out[:, :self.D], out[:, self.D:]
            z = (z - mu) * torch.exp(-alpha)
            logq = logq - alpha.sum(1)
        return logq - 0.5 * self.D * math.log(2 * math.pi) - 0.5 * (z * z).sum(1)

def rq_spline(x, uw, uh, ud, bound, min_w=1e-3, min_h=1e-3, min_d=1e-3):
    # nflows' unconstrained_rational_quadratic_spline, tails="linear": identity outside
    # [-bound, bound], boundary slopes 1; torch.where on clamped inputs instead of boolean
    # indexing (the same values and gradients)
    K = uw.shape[-1]
    inside = (x >= -bound) & (x <= bound)
    xc = x.clamp(-bound, bound)
    def knots(u, m):
        s = m + (1 - m * K) * torch.softmax(u, -1)
        c = F.pad(torch.cumsum(s, -1), (1, 0)) * (2 * bound) - bound
        c = torch.cat([torch.full_like(c[..., :1], -bound), c[..., 1:-1], torch.full_like(c[..., :1], bound)], -1)
        return c, c[..., 1:] - c[..., :-1]
    cw, w = knots(uw, min_w)
    ch, h = knots(uh, min_h)
    one = torch.ones_like(ud[..., :1])
    d = torch.cat([one, min_d + F.softplus(ud), one], -1)
    k = torch.searchsorted(cw[..., 1:-1].contiguous(), xc[..., None], right=True)
    g = lambda t: t.gather(-1, k)[..., 0]
    xk, wk, yk, hk, d0, d1 = g(cw), g(w), g(ch), g(h), g(d), g(d[..., 1:])
    s = hk / wk
    xi = (xc - xk) / wk
    tau = xi * (1 - xi)
    den = s + (d0 + d1 - 2 * s) * tau
    y = yk + hk * (s * xi * xi + d0 * tau) / den
    ld = torch.log(s * s * (d1 * xi * xi + 2 * s * tau + d0 * (1 - xi) ** 2)) - 2 * torch.log(den)
    return torch.where(inside, y, x), torch.where(inside, ld, torch.zeros_like(ld))

class NSF(nn.Module):
    # the MAF above with P = 3K - 1 raw spline numbers per variable (variable-major, each with
    # its variable's degree) instead of (mu, alpha); output weights x0.01, bias 0 for widths and
    # heights and log(e^(1 - 1e-3) - 1) for the interior slopes (the identity spline)
    def __init__(self, D, B, transforms=5, hidden=50, layers=2, bins=10, bound=3.0):
        super().__init__()
        self.D, self.K, self.P, self.bound = D, bins, 3 * bins - 1, bound
        self.scale = 1.0 / math.sqrt(hidden)
        hid = [1 + j % (D - 1) if D > 1 else 0 for j in range(hidden)]
        self.mades = nn.ModuleList()
        for t in range(transforms):
            mods, din = [], var_degrees(D, t) + [0] * B
            for _ in range(layers):
                mods += [MaskedLinear(din, hid, False), nn.Tanh()]
                din = hid
            head = MaskedLinear(din, [d for d in var_degrees(D, t) for _ in range(self.P)], True)
            with torch.no_grad():
                head.lin.weight.mul_(0.01)
                head.lin.bias.view(D, self.P)[:, 2 * bins:] = math.log(math.expm1(1.0 - 1e-3))
            mods.append(head)
            self.mades.append(nn.Sequential(*mods))
    def forward(self, a, b):
        n, K = a.shape[0], self.K
        z, logq = a, 0.0
        for made in self.mades:
            o = made(torch.cat([z, b], 1)).view(n, self.D, self.P)
            z, ld = rq_spline(z, o[..., :K] * self.scale, o[..., K:2 * K] * self.scale, o[..., 2 * K:], self.bound)
            logq = logq + ld.sum(1)
        return logq - 0.5 * self.D * math.log(2 * math.pi) - 0.5 * (z * z).sum(1)

class MDN(nn.Module):
    def __init__(self, D, B, K=10, hidden=50, layers=2):
        super().__init__()
        self.D, self.K = D, K
        mods, din = [], B
        for _ in range(layers):
            lin = nn.Linear(din, hidden)
            nn.init.kaiming_normal_(lin.weight, nonlinearity="relu")   # sd sqrt(2/fan_in)
            nn.init.zeros_(lin.bias)
            mods += [lin, nn.ReLU()]
            din = hidden
        head = nn.Linear(din, K + K * D + K * D * (D + 1) // 2)
        nn.init.xavier_uniform_(head.weight)
        nn.init.zeros_(head.bias)
        with torch.no_grad():
            head.weight.mul_(0.1)
        self.net = nn.Sequential(*mods, head)
        iu = torch.triu_indices(D, D, offset=1)   # row by row, j < l
        self.register_buffer("iu0", iu[0])
        self.register_buffer("iu1", iu[1])
    def forward(self, a, b):
        n, D, K = a.shape[0], self.D, self.K
        o = self.net(b)
        logits = o[:, :K]
        means = o[:, K:K + K * D].reshape(n, K, D)
        f = o[:, K + K * D:].reshape(n, K, D * (D + 1) // 2)
        rawd, off = f[..., :D], f[..., D:]
        U = torch.zeros(n, K, D, D, dtype=a.dtype)
        U[..., self.iu0, self.iu1] = off
        U = U + torch.diag_embed(torch.exp(rawd))
        z = (U @ (a[:, None, :] - means).unsqueeze(-1)).squeeze(-1)
        lk = (torch.log_softmax(logits, 1) - 0.5 * D * math.log(2 * math.pi)
              + rawd.sum(-1) - 0.5 * (z * z).sum(-1))
        return torch.logsumexp(lk, 1)

def run(model_name, dtype_name, threads):
    dtype = torch.float32 if dtype_name == "float32" else torch.float64
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    A = torch.tensor((raw[:, :DT] - ma) / sa, dtype=dtype)
    Bm = torch.tensor((raw[:, DT:DT + DY] - mb) / sb, dtype=dtype)
    tr = torch.tensor(train_rows)
    model = {"maf": MAF, "nsf": NSF, "mdn": MDN}[model_name](DT, DY).to(dtype)
    opt = torch.optim.Adam(model.parameters(), lr=5e-4, betas=(0.9, 0.999), eps=1e-8)
    best, best_state = float("inf"), None
    t0 = time.perf_counter()
    for epoch in range(epochs):
        model.train()
        perm = tr[torch.randperm(len(tr))]
        for s in range(0, len(perm), 200):
            idx = perm[s:s + 200]
            loss = -model(A[idx], Bm[idx]).mean()
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            opt.step()
        # validation in chunks of the batch size, weighted by chunk size
        with torch.no_grad():
            tot = 0.0
            for s in range(0, len(val_rows), 200):
                idx = torch.tensor(val_rows[s:s + 200])
                tot += float(-model(A[idx], Bm[idx]).sum())
            val = tot / len(val_rows)
        if val < best:
            best = val
            best_state = {k: v.clone() for k, v in model.state_dict().items()}
    model.load_state_dict(best_state)
    train_s = time.perf_counter() - t0
    with torch.no_grad():
        t1 = time.perf_counter()
        at = torch.tensor(test[:, :DT], dtype=dtype)
        bt = torch.tensor(test[:, DT:], dtype=dtype)
        lq = model((at - torch.tensor(ma, dtype=dtype)) / torch.tensor(sa, dtype=dtype),
                   (bt - torch.tensor(mb, dtype=dtype)) / torch.tensor(sb, dtype=dtype)) - log_sd_a
        logprob_s = time.perf_counter() - t1
        test_nll = float(-lq.double().mean())
    print("RESULT", model_name, dtype_name, threads, epochs, train_s, best + log_sd_a, test_nll, logprob_s,
          flush=True)

for m, d, t in runs:
    run(m, d, int(t))
)PY";

struct PeerResult {
  std::string model, dtype;
  int threads = 0;
  Result r;
};

/// Runs the script; returns false (and prints why) if the peer is unavailable.
bool run_peer(const fs::path& train_file, const fs::path& test_file, int epochs, const std::string& runs,
              std::vector<PeerResult>& results) {
  const fs::path script_file = train_file.string() + ".py";
  std::ofstream(script_file) << kScript;
  const std::string command = "/usr/bin/python3 '" + script_file.string() + "' '" + train_file.string() + "' '" +
                              test_file.string() + "' " + std::to_string(epochs) + " " + runs + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  bool unavailable = pipe == nullptr;
  char line[1024];
  while (pipe && std::fgets(line, sizeof line, pipe)) {
    char model[16], dtype[16];
    PeerResult p;
    if (std::sscanf(line, "RESULT %15s %15s %d %d %lf %lf %lf %lf", model, dtype, &p.threads, &p.r.epochs,
                    &p.r.train_s, &p.r.val_nll, &p.r.test_nll, &p.r.logprob_s) == 8) {
      p.model = model;
      p.dtype = dtype;
      results.push_back(p);
    } else {
      if (std::strncmp(line, "peer unavailable", 16) == 0) unavailable = true;
      std::printf("  python: %s", line);  // errors and warnings stay visible
    }
  }
  if (pipe) ::pclose(pipe);
  fs::remove(script_file);
  if (unavailable || results.empty()) {
    std::printf("peer unavailable (PyTorch for /usr/bin/python3); orrery numbers only\n");
    return false;
  }
  return true;
}

void print_row(const char* who, const Result& r, Eigen::Index n_test) {
  std::printf("  %-22s train %8.3f s (%d epochs)   val -log q %8.4f   test -log q %8.4f   log_prob %9.3g pts/s\n",
              who, r.train_s, r.epochs, r.val_nll, r.test_nll, static_cast<double>(n_test) / r.logprob_s);
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false;
  int epochs = -1;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0) {
      quick = true;
    } else if (std::strcmp(argv[i], "--epochs") == 0 && i + 1 < argc) {
      epochs = std::atoi(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: nde [--quick] [--epochs N]\n");
      return 2;
    }
  }
  if (epochs < 1) epochs = quick ? 2 : 100;
  const Eigen::Index n_train = quick ? 500 : 10000;
  const Eigen::Index n_test = quick ? 1000 : 100000;

  const orrery::RandomStream root(kSeed);
  const Pairs train = generate(n_train, root.split("train"));
  const Pairs test = generate(n_test, root.split("test"));
  // The split our estimators make inside fit() (NeuralEstimator: split_rows with
  // ctx.rng().split(1), which depends only on the context's seed), so the peer
  // trains and validates on exactly the same rows.
  const orrery::nn::DataSplit split = orrery::nn::split_rows(n_train, 0.1, orrery::RandomStream(kSeed).split(1));
  std::vector<bool> is_val(static_cast<std::size_t>(n_train), false);
  for (Eigen::Index i : split.validation) is_val[static_cast<std::size_t>(i)] = true;

  std::printf("q(theta | y), dim theta = %ld, dim y = %ld, %ld pairs (%zu validation), %d epochs (fixed), "
              "%ld test pairs%s\n",
              static_cast<long>(kDimTheta), static_cast<long>(kDimY), static_cast<long>(n_train),
              split.validation.size(), epochs, static_cast<long>(n_test), quick ? " (quick)" : "");
  std::printf("-log q in nats per pair, original units of theta\n");

  const fs::path base = fs::temp_directory_path() / ("orrery-bench-nde-" + std::to_string(::getpid()));
  const fs::path train_file = base.string() + "-train.bin", test_file = base.string() + "-test.bin";
  write_pairs(train_file, train, &is_val);
  write_pairs(test_file, test, nullptr);

  // Configurations "dtype:threads", each run by both sides.
  const std::vector<std::string> configs =
      quick ? std::vector<std::string>{"float32:1"} : std::vector<std::string>{"float32:1", "float32:2", "float64:1"};
  std::map<std::string, Result> ours;  // key "model:dtype:threads"
  std::string runs;
  const std::vector<std::string> models =
      quick ? std::vector<std::string>{"maf", "mdn"} : std::vector<std::string>{"maf", "nsf", "mdn"};
  for (const std::string& model : models) {
    for (const std::string& c : configs) {
      const std::string dtype = c.substr(0, c.find(':'));
      const int threads = std::atoi(c.substr(c.find(':') + 1).c_str());
      const std::string key = model + ":" + c;
      ours[key] = run_ours(model, dtype, threads, epochs, train, is_val, test);
      runs += (runs.empty() ? "" : ",") + key;
    }
  }
  std::vector<PeerResult> peer;
  const bool have_peer = run_peer(train_file, test_file, epochs, runs, peer);
  fs::remove(train_file);
  fs::remove(test_file);

  for (const std::string& model : models) {
    const char* title = model == "nsf" ? "nsf (maf with transform = \"spline\", 10 bins, tail bound 3)" : model.c_str();
    std::printf("%s:\n", title);
    for (const std::string& c : configs) {
      const std::string who = "orrery (" + c.substr(0, c.find(':')) + ", " + c.substr(c.find(':') + 1) + " thr)";
      print_row(who.c_str(), ours[model + ":" + c], n_test);
    }
    for (const PeerResult& p : peer) {
      if (p.model != model) continue;
      const std::string who = "torch (" + p.dtype + ", " + std::to_string(p.threads) + " thr)";
      print_row(who.c_str(), p.r, n_test);
    }
  }
  if (!have_peer) return 0;
  std::printf("ratios at equal precision and threads (torch / orrery: >1 means orrery is faster; d(-log q) = orrery "
              "- torch, <= 0 is as good or better):\n");
  for (const PeerResult& p : peer) {
    const Result& o = ours[p.model + ":" + p.dtype + ":" + std::to_string(p.threads)];
    std::printf("  %s %s %d thr: training time %.2fx, log_prob throughput %.2fx, d val -log q %+.4f, "
                "d test -log q %+.4f\n",
                p.model.c_str(), p.dtype.c_str(), p.threads, p.r.train_s / o.train_s, p.r.logprob_s / o.logprob_s,
                o.val_nll - p.r.val_nll, o.test_nll - p.r.test_nll);
  }
  return 0;
}
