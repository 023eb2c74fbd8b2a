"""`--distribute` for real: two TF workers on 127.0.0.1, and JAX over two CPU devices.

Each trains the sentiment model on a review folder where the best possible
accuracy is about 0.85 (15% of reviews carry the other label's words), and
must reach the accuracy of one plain process within TOLERANCE.
"""

import json
import subprocess

import pytest

from helpers import driver_command
from helpers import driver_env
from helpers import free_port
from helpers import last_json
from helpers import write_reviews
from rnn_keras.experiments import sentiment

pytestmark = [pytest.mark.subprocess, pytest.mark.distributed]
TOLERANCE = 0.03  # test accuracy, 600 test reviews (one review = 0.0017)
EPOCHS = sentiment.SETTINGS["smoke"]["epochs"]


@pytest.fixture(scope="module")
def noisy_reviews(tmp_path_factory):
    return write_reviews(tmp_path_factory.mktemp("reviews"), flip=0.15)


def _single(tmp_path, data_dir, env):
    proc = subprocess.run(driver_command(tmp_path / "single", data_dir),
                          capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return last_json(proc.stdout)


@pytest.mark.slow
def test_two_tensorflow_workers_train_to_the_accuracy_of_one_process(tmp_path, noisy_reviews):
    env = driver_env(tmp_path)
    ports = [free_port(), free_port()]
    workers = []
    for index in range(2):
        tf_config = {"cluster": {"worker": [f"127.0.0.1:{p}" for p in ports]},
                     "task": {"type": "worker", "index": index}}
        log = open(tmp_path / f"worker{index}.log", "w")
        workers.append((subprocess.Popen(
            driver_command(tmp_path / f"worker{index}", noisy_reviews, ["--distribute"]),
            stdout=log, stderr=subprocess.STDOUT, env=dict(env, TF_CONFIG=json.dumps(tf_config))),
            log))
    for proc, log in workers:
        proc.wait(timeout=600)
        log.close()
    logs = [(tmp_path / f"worker{i}.log").read_text() for i in range(2)]
    for (proc, _), text in zip(workers, logs):
        assert proc.returncode == 0, text[-3000:]
    results = [last_json(text) for text in logs]
    single = _single(tmp_path, noisy_reviews, env)
    for result in results:
        assert result["replicas"] == 2
        assert result["epochs"] == EPOCHS
        assert abs(result["test_accuracy"] - single["test_accuracy"]) <= TOLERANCE, (results,
                                                                                   single)
    # synchronous data parallelism: both workers end with the same model
    assert results[0]["test_accuracy"] == results[1]["test_accuracy"]
    assert single["test_accuracy"] > 0.75


@pytest.mark.slow
def test_jax_data_parallel_over_two_cpu_devices(tmp_path, noisy_reviews):
    env = dict(driver_env(tmp_path), KERAS_BACKEND="jax",
               XLA_FLAGS="--xla_force_host_platform_device_count=2")
    proc = subprocess.run(driver_command(tmp_path / "parallel", noisy_reviews, ["--distribute"]),
                          capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    parallel = last_json(proc.stdout)
    single = _single(tmp_path, noisy_reviews, env)
    assert parallel["replicas"] == 2
    assert abs(parallel["test_accuracy"] - single["test_accuracy"]) <= TOLERANCE
    assert single["test_accuracy"] > 0.75


def test_distribute_with_a_broken_tf_config_exits_2_with_one_line(tmp_path, noisy_reviews):
    env = dict(driver_env(tmp_path), TF_CONFIG="{not json")
    proc = subprocess.run(driver_command(tmp_path / "out", noisy_reviews, ["--distribute"]),
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 2
    assert "TF_CONFIG is not valid JSON" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists()
