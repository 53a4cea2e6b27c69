#!/usr/bin/env python3
"""bench/sbibm: NPE and NLE on the sbibm benchmark, scored by C2ST against the reference posteriors.

For every task, method and observation this writes an analysis config (the task's simulator and prior from
the sbibm plugin, the stored observation, sbi.npe or sbi.nle, and diagnostics.c2st against sbibm's 10 000
reference draws), runs it with the orrery CLI, and reads the C2ST and the timings from summary.json. It prints
the mean C2ST over the observations next to the mean sbi obtained at the same simulation budget
(shared/validation/sbibm/main_paper_results.csv: NPE = neural spline flow, NLE = MAF + slice MCMC), and the
wall time of the pipeline.

Our set-up mirrors sbi's: NPE uses nde.maf with rational-quadratic spline transforms (sbi's NSF), NLE uses
nde.maf with affine transforms (sbi's MAF); both z-score, train with Adam (lr 5e-4, batch 200, 10 % validation,
patience 20); NPE draws 10 000 posterior samples, rejecting those outside the prior; NLE samples
prior x learned likelihood with samplers.nuts (10 chains x 1000 draws; unimodal tasks) or samplers.ensemble
(128 walkers, 2000 warm-up and 1000 kept steps; multimodal ones). C2ST uses all sampler draws thinned evenly to 10 000.

Usage: sbibm.py [--quick] [--tasks t1,t2] [--methods npe,nle] [--observations 1-10]
                [--simulations N] [--orrery PATH] [--threads N] [--validation DIR] [--keep DIR]
  --quick   two_moons, NPE only, observation 1, 2000 simulations (a smoke run, ~10 s)
"""
import argparse
import csv
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

# dim θ, the [parameters] block (sbibm's prior), extra components (the GLM's correlated prior).
TASKS = {
    "gaussian_linear": (10, 'theta = { shape = [10], prior = "normal", mean = 0.0, sd = 0.31622776601683794 }', ""),
    "gaussian_linear_uniform": (10, 'theta = { shape = [10], prior = "uniform", min = -1.0, max = 1.0 }', ""),
    "two_moons": (2, 'theta = { shape = [2], prior = "uniform", min = -1.0, max = 1.0 }', ""),
    "slcp": (5, 'theta = { shape = [5], prior = "uniform", min = -3.0, max = 3.0 }', ""),
    "gaussian_mixture": (2, 'theta = { shape = [2], prior = "uniform", min = -10.0, max = 10.0 }', ""),
    "bernoulli_glm": (10, 'theta = { shape = [10], prior = "@glm_prior" }',
                      '[components.glm_prior]\nplugin = "sbibm.bernoulli_glm_prior"\n'),
    "sir": (2, 'beta = { prior = "lognormal", mu = -0.916290731874155, sigma = 0.5 }\n'
               'gamma = { prior = "lognormal", mu = -2.0794415416798357, sigma = 0.2 }', ""),
    "lotka_volterra": (4, 'alpha = { prior = "lognormal", mu = -0.125, sigma = 0.5 }\n'
                          'beta = { prior = "lognormal", mu = -3.0, sigma = 0.5 }\n'
                          'gamma = { prior = "lognormal", mu = -0.125, sigma = 0.5 }\n'
                          'delta = { prior = "lognormal", mu = -3.0, sigma = 0.5 }', ""),
}
# NLE's MCMC: NUTS (10 chains, using the learned likelihood's gradient) where the posterior is unimodal; the
# affine-invariant ensemble, whose walkers spread over several modes, where it is not.
UNIMODAL = {"gaussian_linear", "gaussian_linear_uniform", "bernoulli_glm"}
DEFAULT_TASKS = ["gaussian_linear", "two_moons", "slcp", "gaussian_mixture", "bernoulli_glm"]


def method_block(method, simulations, dim, task):
    if method == "npe":
        return f"""[components.inference]
plugin = "sbi.npe"
simulator = "@sim"
estimator = {{ plugin = "nde.maf", transform = "spline" }}
simulations = {simulations}
samples = 10000
"""
    if task in UNIMODAL:
        sampler = """plugin = "samplers.nuts"
target = "@posterior"
chains = 10
warmup = 500
steps = 1000
"""
    else:
        # Many walkers: they start spread over the prior, so every mode keeps some (SLCP has four).
        walkers = max(128, 4 * dim)
        sampler = f"""plugin = "samplers.ensemble"
target = "@posterior"
walkers = {walkers}
warmup = 2000
steps = 1000
"""
    return f"""[components.nle]
plugin = "sbi.nle"
simulator = "@sim"
estimator = {{ plugin = "nde.maf" }}
simulations = {simulations}

[components.inference]
{sampler}"""


def write_config(folder, task, method, observation, simulations, validation):
    dim, parameters, extra = TASKS[task]
    obs_dir = os.path.join(validation, "sbibm", task, f"num_observation_{observation}")
    with open(os.path.join(obs_dir, "observation.csv")) as f:
        rows = list(csv.reader(f))
    with open(os.path.join(folder, "observation.txt"), "w") as f:
        f.write(" ".join(rows[1]) + "\n")
    config = f"""[analysis]
name = "{task}_{method}_{observation}"
seed = {observation}

[parameters]
{parameters}

{extra}
[components.sim]
plugin = "sbibm.{task}"

{method_block(method, simulations, dim, task)}
[observation]
file = "observation.txt"

[components.c2st]
plugin = "diagnostics.c2st"
samples = "@inference"
reference = "{os.path.join(obs_dir, 'reference_posterior_samples.csv.bz2')}"
"""
    path = os.path.join(folder, "analysis.toml")
    with open(path, "w") as f:
        f.write(config)
    return path


def published(validation, task, method):
    """sbi's mean C2ST at 10⁴ simulations over the 10 observations (None if absent)."""
    values = []
    with open(os.path.join(validation, "sbibm", "main_paper_results.csv")) as f:
        for row in csv.DictReader(f):
            if row["task"] == task and row["algorithm"] == method.upper() and row["num_simulations"] == "10⁴":
                values.append(float(row["C2ST"]))
    return statistics.mean(values) if values else None


def run_one(orrery, folder, threads):
    start = time.time()
    command = [orrery, "run", "analysis.toml", "-q", "--force"]
    if threads:
        command += ["--threads", str(threads)]
    done = subprocess.run(command, cwd=folder, capture_output=True, text=True)
    wall = time.time() - start
    if done.returncode != 0:
        raise RuntimeError(f"orrery failed in {folder}:\n{done.stderr[-3000:]}")
    runs = os.path.join(folder, "runs")
    name = [d for d in os.listdir(runs) if not d.startswith(".")][0]
    summary = json.load(open(os.path.join(runs, name, "summary.json")))
    manifest = json.load(open(os.path.join(runs, name, "manifest.json")))
    c2st = float(summary["tasks"]["c2st"]["report"]["c2st"])
    timings = manifest["timings"]
    c2st_s = timings["run_s"].get("c2st", 0.0)
    return c2st, wall, wall - c2st_s, timings


def parse_range(text):
    if "-" in text:
        a, b = text.split("-")
        return list(range(int(a), int(b) + 1))
    return [int(x) for x in text.split(",")]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true")
    p.add_argument("--tasks", default=",".join(DEFAULT_TASKS))
    p.add_argument("--methods", default="npe,nle")
    p.add_argument("--observations", default="1-10")
    p.add_argument("--simulations", type=int, default=10000)
    p.add_argument("--orrery", default=os.path.join(REPO, "scripts", "orrery"))
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--validation", default=os.environ.get("ORRERY_VALIDATION_DIR",
                                                           os.path.join(REPO, "..", "shared", "validation")))
    p.add_argument("--keep", default="", help="keep the run folders under this directory")
    a = p.parse_args()
    if a.quick:
        a.tasks, a.methods, a.observations, a.simulations = "two_moons", "npe", "1", 2000
    if not os.path.exists(os.path.join(a.validation, "sbibm", "README.md")):
        print(f"sbibm reference data not found in {a.validation}: set --validation or ORRERY_VALIDATION_DIR")
        return 0 if a.quick else 1
    tasks, methods, observations = a.tasks.split(","), a.methods.split(","), parse_range(a.observations)
    base = a.keep or tempfile.mkdtemp(prefix="orrery-bench-sbibm-")
    print(f"sbibm: {a.simulations} simulations, observations {observations}, orrery {a.orrery}")
    print(f"{'task':24s} {'method':6s} {'C2ST mean (sd)':>16s} {'sbi 10^4':>9s} {'pipeline s':>11s} {'c2st s':>7s}")
    rows = []
    try:
        for task in tasks:
            for method in methods:
                values, pipeline, c2st_time = [], [], []
                for k in observations:
                    folder = os.path.join(base, f"{task}_{method}_{k}")
                    os.makedirs(folder, exist_ok=True)
                    write_config(folder, task, method, k, a.simulations, a.validation)
                    c2st, wall, without_c2st, timings = run_one(a.orrery, folder, a.threads)
                    values.append(c2st)
                    pipeline.append(without_c2st)
                    c2st_time.append(wall - without_c2st)
                    print(f"  {task} {method} observation {k}: C2ST {c2st:.4f}, pipeline {without_c2st:.1f} s",
                          flush=True)
                ref = published(a.validation, task, method)
                sd = statistics.stdev(values) if len(values) > 1 else float("nan")
                line = (f"{task:24s} {method:6s} {statistics.mean(values):9.3f} ({sd:.3f}) "
                        f"{(ref if ref is not None else math.nan):9.3f} {statistics.mean(pipeline):11.1f} "
                        f"{statistics.mean(c2st_time):7.1f}")
                rows.append(line)
                print(line, flush=True)
    finally:
        if not a.keep:
            shutil.rmtree(base, ignore_errors=True)
    print("\nsummary (pipeline: simulate + train + draw/sample, without the C2ST itself):")
    for line in rows:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
