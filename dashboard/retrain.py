"""Retrain the NLU model from the dashboard: one run at a time, in the background.

A run exports the new annotations, trains a model in a child process (`hubbot nlu train`,
so the dashboard's event loop stays free and stopping the dashboard stops the training),
measures the held-out accuracy of the served model and of the new one (served for the
purpose on a free port), and hot-loads the new one only if it is not worse. Each step is
written to `retrain_runs`, so a page reload shows where it stands.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
import time
from pathlib import Path

import httpx
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.measure import all_held_out, mean_accuracy, predict
from bot.nlu_model import model_paths
from bot.nlu_server import configured_client, started_server
from bot.services.intent_search import Example
from bot.services.nlu import NluClient, NluUnavailable
from dashboard import annotation, audit
from dashboard.cli import export_detail
from db.base import utcnow
from db.models import RetrainRun, RetrainStatus

logger = logging.getLogger(__name__)

ACTOR = "retraining"
# Error codes stored on a failed run; dashboard.labels names them for people.
NLU_UNREACHABLE = "nlu_unreachable"
TRAINING_FAILED = "training_failed"
INTERRUPTED = "interrupted"
UNEXPECTED = "unexpected_error"


class RunFailed(Exception):
    """A step failed in a way the page explains with a code."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class Retrainer:
    """Starts retraining runs and remembers the one in progress."""

    def __init__(self, settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._settings = settings
        self._sessionmaker = sessionmaker
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None

    @property
    def config(self) -> Path:
        """Return the pipeline a run trains."""
        return self._settings.retrain_config or self._settings.nlu_data_dir / "config.yml"

    async def start(self, *, staff_id: int | None) -> RetrainRun | None:
        """Start a run in the background; None while another one runs."""
        async with self._lock, self._sessionmaker() as session:
            running = await session.scalar(
                select(RetrainRun.id).where(RetrainRun.status == RetrainStatus.RUNNING)
            )
            if running is not None:
                return None
            run = RetrainRun(staff_id=staff_id)
            session.add(run)
            await session.commit()
        self._task = asyncio.create_task(self._run(run.id), name=f"retrain-{run.id}")
        return run

    async def recover(self) -> None:
        """Mark runs a stopped dashboard left behind as failed (at start)."""
        async with self._sessionmaker() as session:
            await session.execute(
                update(RetrainRun)
                .where(RetrainRun.status == RetrainStatus.RUNNING)
                .values(status=RetrainStatus.FAILED, error=INTERRUPTED, finished_at=utcnow())
            )
            await session.commit()

    async def stop(self) -> None:
        """Stop the run in progress (its training process too)."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def wait(self) -> None:
        """Wait for the run in progress to end (for tests and the CLI)."""
        if self._task is not None:
            await asyncio.shield(self._task)

    async def _run(self, run_id: int) -> None:
        try:
            await self._steps(run_id)
        except RunFailed as failed:
            await self._finish(run_id, RetrainStatus.FAILED, error=failed.code)
        except asyncio.CancelledError:
            await asyncio.shield(self._finish(run_id, RetrainStatus.FAILED, error=INTERRUPTED))
            raise
        except Exception:
            logger.exception("Retraining run %d failed", run_id)
            await self._finish(run_id, RetrainStatus.FAILED, error=UNEXPECTED)

    async def _steps(self, run_id: int) -> None:
        settings = self._settings
        timings: dict[str, float] = {}
        async with httpx.AsyncClient() as http:
            served = configured_client(settings, http, timeout_s=30.0)
            if not await served.is_reachable():
                raise RunFailed(NLU_UNREACHABLE)
            await self._update(run_id, step="exporting")
            async with self._sessionmaker() as session:
                report = await annotation.export_pending(
                    session, nlu_data_dir=settings.nlu_data_dir
                )
                audit.record(
                    session, actor=ACTOR, action="annotations.export", detail=export_detail(report)
                )
                await session.commit()
            paths = await asyncio.to_thread(model_paths, settings, self.config)
            await self._update(
                run_id, step="training", model_name=paths.name, examples_added=len(report.written)
            )
            started = time.monotonic()
            await self._train()
            if not paths.path.exists():  # noqa: ASYNC240
                raise RunFailed(TRAINING_FAILED)
            timings["train_s"] = time.monotonic() - started
            await self._update(run_id, step="evaluating")
            started = time.monotonic()
            held_out = await asyncio.to_thread(all_held_out, settings.nlu_data_dir / "tests")
            old = await self._accuracy(served, held_out)
            async with started_server(settings, http, model=paths.path) as candidate:
                new = await self._accuracy(candidate, held_out)
            timings["evaluate_s"] = time.monotonic() - started
            await self._update(run_id, step="loading", old_accuracy=old, new_accuracy=new)
            status = RetrainStatus.KEPT
            if new >= old:
                try:
                    await served.load_model(str(paths.path.resolve()))
                except NluUnavailable as error:
                    logger.warning("Could not hot-load %s: %s", paths.path, error)
                    raise RunFailed(NLU_UNREACHABLE) from error
                status = RetrainStatus.LOADED
        await self._finish(run_id, status, timings=timings)

    async def _accuracy(self, client: NluClient, held_out: dict[str, list[Example]]) -> float:
        try:
            pairs = await predict(client, held_out)
        except NluUnavailable as error:
            logger.warning("The NLU server failed during the evaluation: %s", error)
            raise RunFailed(NLU_UNREACHABLE) from error
        return mean_accuracy(pairs)

    async def _train(self) -> None:
        """Run `hubbot nlu train --config ...` with these settings in a child process."""
        settings = self._settings
        env = dict(os.environ)
        env.update(
            {
                "NLU_DATA_DIR": str(settings.nlu_data_dir),
                "MODELS_DIR": str(settings.models_dir),
                "NLU_MODEL_CACHE": str(settings.nlu_model_cache),
                "NLU_VENV": str(settings.nlu_venv),
            }
        )
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.cli",
            "nlu",
            "train",
            "--config",
            str(self.config),
            env=env,
            cwd=settings.nlu_data_dir,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
            # Its own process group, so stopping the run stops rasa too.
            start_new_session=True,
        )
        try:
            _out, err = await process.communicate()
        except asyncio.CancelledError:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            await process.wait()
            raise
        if process.returncode != 0:
            logger.warning("Training failed: %s", err.decode(errors="replace")[-2000:])
            raise RunFailed(TRAINING_FAILED)

    async def _update(self, run_id: int, **values: object) -> None:
        async with self._sessionmaker() as session:
            await session.execute(update(RetrainRun).where(RetrainRun.id == run_id).values(values))
            await session.commit()

    async def _finish(
        self,
        run_id: int,
        status: RetrainStatus,
        *,
        error: str | None = None,
        timings: dict[str, float] | None = None,
    ) -> None:
        async with self._sessionmaker() as session:
            run = await session.get(RetrainRun, run_id)
            if run is None:
                return
            run.status = status
            run.error = error
            run.finished_at = utcnow()
            audit.record(
                session,
                actor=ACTOR,
                action="nlu.retrain.done",
                target=run.model_name,
                detail={
                    "run": run_id,
                    "status": status.value,
                    "error": error,
                    "old_accuracy": run.old_accuracy,
                    "new_accuracy": run.new_accuracy,
                    **{name: round(value, 1) for name, value in (timings or {}).items()},
                },
            )
            await session.commit()
        logger.info("Retraining run %d: %s %s", run_id, status, error or "")


async def latest_runs(session: AsyncSession, *, limit: int = 10) -> list[RetrainRun]:
    """Return the newest retraining runs."""
    query = select(RetrainRun).order_by(RetrainRun.started_at.desc(), RetrainRun.id.desc())
    return list((await session.scalars(query.limit(limit))).all())
