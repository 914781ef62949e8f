"""Train and serve the Rasa NLU model in its own environment (`.venv-nlu`).

The app never imports rasa: it runs the `rasa` command of the NLU environment. A model is
named by the hash of everything that shapes it, so training runs only when nlu_data/ or its
config changed, and a model trained once on a machine (by any checkout or CI run) is reused
from the cache.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from bot.config import Settings

# Held-out tests do not shape the model, so editing them needs no retraining.
MODEL_INPUT_GLOBS = (
    "config.yml",
    "domain.yml",
    "requirements.txt",
    "data/**/*.yml",
    "components/*.py",
)


class NluSetupError(RuntimeError):
    """The NLU environment is missing or training failed."""


@dataclass(frozen=True, slots=True)
class ModelPaths:
    """Where a model of the current inputs lives."""

    name: str
    path: Path
    cached: Path


def input_hash(nlu_data_dir: Path, config: Path | None = None) -> str:
    """Hash the files that shape the model, by relative path and content."""
    digest = hashlib.sha256()
    files = sorted({path for pattern in MODEL_INPUT_GLOBS for path in nlu_data_dir.glob(pattern)})
    if config is not None:
        files = [path for path in files if path.name != "config.yml"] + [config]
    for path in files:
        # A config from elsewhere (RETRAIN_CONFIG) counts by name and content.
        inside = path.is_relative_to(nlu_data_dir)
        digest.update((path.relative_to(nlu_data_dir).as_posix() if inside else path.name).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def model_paths(settings: Settings, config: Path | None = None, prefix: str = "nlu") -> ModelPaths:
    """Return where the model of the current inputs is, or will be."""
    name = f"{prefix}-{input_hash(settings.nlu_data_dir, config)}"
    return ModelPaths(
        name=name,
        path=settings.models_dir / f"{name}.tar.gz",
        cached=settings.nlu_model_cache / f"{name}.tar.gz",
    )


def rasa_command(settings: Settings) -> Path:
    """Return the `rasa` executable of the NLU environment."""
    rasa = settings.nlu_venv / "bin" / "rasa"
    if not rasa.exists():
        raise NluSetupError(f"{rasa} is missing: run `make install` to create .venv-nlu")
    return rasa


def rasa_environment(settings: Settings) -> dict[str, str]:
    """Return the environment the rasa command runs in."""
    env = dict(os.environ)
    # Rasa phones home and checks for updates unless told not to; there is no internet here.
    env.update(
        {
            "RASA_TELEMETRY_ENABLED": "false",
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "PYTHONPATH": str(settings.nlu_data_dir),
            # Rasa caches training steps in ./.rasa by default, i.e. inside the checkout.
            "RASA_CACHE_DIRECTORY": str(settings.nlu_model_cache / "rasa-cache"),
            # The e5 engine's OpenMP threads spin while they wait for each other; on a busy
            # 2-core machine that burnt 20x the CPU and made a parse take 0.6 s, not 25 ms.
            "OMP_WAIT_POLICY": "PASSIVE",
        }
    )
    return env


def serving_environment(settings: Settings) -> dict[str, str]:
    """Return the environment the NLU server runs in: e5 on `NLU_THREADS` threads."""
    env = rasa_environment(settings)
    # One thread per parse: the bot, the database and the next parse need the other core.
    env["OMP_NUM_THREADS"] = str(settings.nlu_threads)
    return env


def ensure_model(
    settings: Settings,
    *,
    force: bool = False,
    config: Path | None = None,
    prefix: str = "nlu",
) -> ModelPaths:
    """Return the current model, training it only when its inputs changed."""
    config = config or settings.nlu_data_dir / "config.yml"
    paths = model_paths(settings, config, prefix)
    if paths.path.exists() and not force:
        return paths
    settings.models_dir.mkdir(parents=True, exist_ok=True)
    if paths.cached.exists() and not force:
        shutil.copy2(paths.cached, paths.path)
        return paths
    command = [
        str(rasa_command(settings)),
        "train",
        "nlu",
        "--config",
        str(config),
        "--nlu",
        str(settings.nlu_data_dir / "data"),
        "--out",
        str(settings.models_dir),
        "--fixed-model-name",
        paths.name,
    ]
    result = subprocess.run(command, env=rasa_environment(settings), cwd=settings.nlu_data_dir)
    if result.returncode != 0 or not paths.path.exists():
        raise NluSetupError(f"rasa train nlu failed with exit code {result.returncode}")
    settings.nlu_model_cache.mkdir(parents=True, exist_ok=True)
    shutil.copy2(paths.path, paths.cached)
    return paths


def serve_command(settings: Settings, model: Path, token: str) -> list[str]:
    """Return the command that serves a model over HTTP on the configured address."""
    host_port = settings.nlu_url.split("://", 1)[-1].rstrip("/")
    host, _, port = host_port.partition(":")
    return [
        str(rasa_command(settings)),
        "run",
        "--enable-api",
        "--model",
        str(model),
        "--interface",
        host or "127.0.0.1",
        "--port",
        port or "5005",
        # One argument, not two: a token starting with "-" (token_urlsafe makes one in 64)
        # would otherwise read to argparse as another option, and rasa would exit.
        f"--auth-token={token}",
        "--cors",
        "null",
    ]


def serve(settings: Settings, token: str) -> int:
    """Train if needed, then become the NLU server (signals reach rasa itself)."""
    paths = ensure_model(settings)
    command = serve_command(settings, paths.path, token)
    os.chdir(settings.nlu_data_dir)
    os.execve(command[0], command, serving_environment(settings))
