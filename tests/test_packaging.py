"""The two ways to set up (pip + pyproject.toml, conda + environment.yml) agree."""

import importlib
import pathlib
try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]
EXTRAS_IN_CONDA = ("cpu", "jax", "notebooks", "docs", "test")


def pyproject_requirements():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = list(project["dependencies"])
    for extra in EXTRAS_IN_CONDA:
        requirements += project["optional-dependencies"][extra]
    return requirements


def conda_pip_requirements():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_sections = [d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d]
    assert len(pip_sections) == 1, "environment.yml should have one pip: section"
    return [r for r in pip_sections[0] if not r.startswith("-e")], pip_sections[0]


def test_environment_yml_matches_pyproject():
    conda, _ = conda_pip_requirements()
    assert sorted(conda) == sorted(pyproject_requirements())


def test_environment_yml_installs_the_package_itself():
    _, raw = conda_pip_requirements()
    assert "-e ." in raw


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "bash scripts/test.sh" in readme
    assert "bash scripts/run-notebooks.sh" in readme
    assert "scripts/test.sh" in ci


def test_every_public_module_is_exported_by_its_package():
    """`rnn_keras.data` names every data module, `rnn_keras.models` every builder module's builders."""
    import inspect
    import pkgutil

    import rnn_keras.data
    import rnn_keras.models

    data_modules = {m.name for m in pkgutil.iter_modules(rnn_keras.data.__path__)
                    if not m.name.startswith("_") and m.name not in ("errors", "sources")}
    assert data_modules <= set(rnn_keras.data.__all__), data_modules - set(rnn_keras.data.__all__)
    for info in pkgutil.iter_modules(rnn_keras.models.__path__):
        if info.name == "common":
            continue
        module = importlib.import_module(f"rnn_keras.models.{info.name}")
        public = {name for name, f in inspect.getmembers(module, inspect.isfunction)
                  if f.__module__ == module.__name__ and not name.startswith("_")}
        assert public <= set(rnn_keras.models.__all__), (info.name, public)
        for name in public:
            assert getattr(rnn_keras.models, name) is getattr(module, name)
