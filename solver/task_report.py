"""The report of one task: its status, what each expert proposed, and how long each phase took.

`solve_task` builds it; the supervisor writes it (OUT/reports/<id>.json, report.json, the
journal) as `to_dict()`, a flat JSON object whose keys have not changed since the first
runs; the report page and a resumed run read it back with `from_dict`.

`from_dict` accepts any JSON object: reports of older versions (fewer keys, status
"solved"), of other experts, or hand-edited. A key it knows with a value of the wrong type,
and any key it does not know, is kept untouched in `extra`; a key the writer always sets
(a candidate's confidence, program and votes, the last loss, the status) that a report
lacks is not added when it is written back, so a report reads and rewrites to the same
JSON but for an old status name ("solved" is written "done").
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeGuard

# Statuses. DONE: the experts ran to the end (whether or not they found an answer).
DONE, FAILED, INVALID, TIMEOUT, PENDING = "done", "failed", "invalid", "timeout", "pending"
STATUSES = (DONE, FAILED, INVALID, TIMEOUT, PENDING)
RENAMED_STATUSES = {"solved": DONE}  # written before the statuses said what they mean

JsonObject = dict[str, Any]


def is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> TypeGuard[int | float]:
    """A finite int or float (not a bool, not NaN)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def is_text(value: Any) -> TypeGuard[str]:
    return isinstance(value, str)


def is_flag(value: Any) -> TypeGuard[bool]:
    return isinstance(value, bool)


def is_object(value: Any) -> TypeGuard[dict]:
    return isinstance(value, dict)


def list_of(item: Callable[[Any], bool]) -> Callable[[Any], bool]:
    return lambda value: isinstance(value, list) and all(item(v) for v in value)


def is_grid(value: Any) -> bool:
    """Rows of integer cells, as grid_to_list writes them (the page checks shape and colours)."""
    return list_of(list_of(is_int))(value)


class Fields:
    """Takes typed values out of a JSON object; what is not taken is the caller's `extra`."""

    def __init__(self, document: JsonObject):
        self.rest = dict(document)

    def take(self, key: str, accepts: Callable[[Any], bool], nullable: bool = False) -> Any:
        """The value under `key` if `accepts` it (or it is null and may be), else None (and it stays in `rest`)."""
        if key in self.rest and (accepts(self.rest[key]) or (nullable and self.rest[key] is None)):
            return self.rest.pop(key)
        return None

    def take_objects(self, key: str) -> list[JsonObject] | None:
        return self.take(key, list_of(is_object))


def without_none(pairs: dict[str, Any], extra: JsonObject) -> JsonObject:
    return {**{k: v for k, v in pairs.items() if v is not None}, **extra}


def as_read(document: JsonObject, absent: frozenset[str], filled: JsonObject) -> JsonObject:
    """`document` less each key in `absent` (keys the report read lacked) still holding the value `filled` for it."""
    return {k: v for k, v in document.items() if not (k in absent and k in filled and v == filled[k])}


def absent_from(document: JsonObject, keys: JsonObject) -> frozenset[str]:
    return frozenset(key for key in keys if key not in document)


@dataclass
class CandidateReport:
    """One distinct grid proposed for a test input, and who proposed it."""

    grid: list[list[int]] | None
    experts: list[str] | None = None  # None in reports written before there were two experts
    votes: int = 0  # TRM votes: de-augmented predictions equal to the grid
    confidence: float | None = None  # TRM mean halting confidence
    program: str | None = None  # the search program that makes it
    extra: JsonObject = field(default_factory=dict)
    absent: frozenset[str] = field(default=frozenset(), compare=False)  # of ALWAYS_WRITTEN, lacked by the JSON read

    # Written even at these values (null: no confidence, no program), unless the JSON read lacked them.
    ALWAYS_WRITTEN: ClassVar[JsonObject] = {"votes": 0, "confidence": None, "program": None}

    def to_dict(self) -> JsonObject:
        document = without_none({"grid": self.grid, "experts": self.experts, "votes": self.votes}, {})
        document = {**document, "confidence": self.confidence, "program": self.program}
        return {**as_read(document, self.absent, self.ALWAYS_WRITTEN), **self.extra}

    @classmethod
    def from_dict(cls, document: JsonObject) -> CandidateReport:
        absent = absent_from(document, cls.ALWAYS_WRITTEN)
        fields = Fields(document)
        votes = fields.take("votes", is_int)
        return cls(
            grid=fields.take("grid", is_grid),
            experts=fields.take("experts", list_of(is_text)),
            votes=0 if votes is None else votes,
            confidence=fields.take("confidence", is_number, nullable=True),
            program=fields.take("program", is_text, nullable=True),
            extra=fields.rest,
            absent=absent,
        )


@dataclass
class TestReport:
    """One test input: its best candidates, and the TRM's vote when it ran."""

    __test__ = False  # a report, not a test class: pytest must not collect it where a test module imports it
    top: list[CandidateReport] | None = None  # best first, at most solve_task.REPORTED_CANDIDATES
    candidates: int | None = None  # TRM: de-augmented predictions voted on
    sup_steps_run: int | None = None  # TRM: candidates x supervision steps run
    distinct: int | None = None  # TRM: distinct grids among its predictions
    vote_sequence: list[int] | None = None  # TRM: each prediction's index in `top` (-1: not listed)
    extra: JsonObject = field(default_factory=dict)

    def to_dict(self) -> JsonObject:
        return without_none(
            {
                "candidates": self.candidates,
                "sup_steps_run": self.sup_steps_run,
                "distinct": self.distinct,
                "top": None if self.top is None else [c.to_dict() for c in self.top],
                "vote_sequence": self.vote_sequence,
            },
            self.extra,
        )

    @classmethod
    def from_dict(cls, document: JsonObject) -> TestReport:
        fields = Fields(document)
        top = fields.take_objects("top")
        return cls(
            top=None if top is None else [CandidateReport.from_dict(c) for c in top],
            candidates=fields.take("candidates", is_int),
            sup_steps_run=fields.take("sup_steps_run", is_int),
            distinct=fields.take("distinct", is_int),
            vote_sequence=fields.take("vote_sequence", list_of(is_int)),
            extra=fields.rest,
        )


@dataclass
class TrmFigures:
    """The TRM's fine-tuning and inference on one task (flat in the JSON, beside the other keys)."""

    canvas_side: int | None = None
    # The recursion this run used (h_cycles, l_cycles, finetune_sup_steps, inference_sup_steps:
    # SolveConfig.recursion over the model's own) and where new task embeddings started.
    recursion: JsonObject | None = None
    embedding_init: str | None = None
    finetune_steps: int | None = None
    finetune_seconds: float | None = None
    finetune_last_loss: float | None = None  # None when not one step ran
    finetune_batch: int | None = None  # after any out-of-memory back-off
    finetune_losses: list[float] | None = None  # every step's loss, a few significant digits
    inference_seconds: float | None = None
    absent: frozenset[str] = field(default=frozenset(), compare=False)  # of ALWAYS_WRITTEN, lacked by the JSON read

    ALWAYS_WRITTEN: ClassVar[JsonObject] = {"finetune_last_loss": None}  # null: not one step ran

    def to_dict(self) -> JsonObject:
        document = {name: getattr(self, name) for name in TRM_FIELDS}
        document = {k: v for k, v in document.items() if v is not None or k in self.ALWAYS_WRITTEN}
        return as_read(document, self.absent, self.ALWAYS_WRITTEN)

    @classmethod
    def take(cls, fields: Fields) -> TrmFigures | None:
        """The TRM's figures among a report's keys; None when the TRM did not run."""
        if not any(key in fields.rest for key in TRM_FIELDS):
            return None
        absent = absent_from(fields.rest, cls.ALWAYS_WRITTEN)
        return cls(
            **{
                name: fields.take(name, accepts, nullable=name in cls.ALWAYS_WRITTEN)
                for name, accepts in TRM_FIELDS.items()
            },
            absent=absent,
        )


TRM_FIELDS: dict[str, Callable[[Any], bool]] = {  # TrmFigures' keys in the JSON, in order, and their types
    "canvas_side": is_int,
    "recursion": is_object,
    "embedding_init": is_text,
    "finetune_steps": is_int,
    "finetune_seconds": is_number,
    "finetune_last_loss": is_number,
    "finetune_batch": is_int,
    "finetune_losses": list_of(is_number),
    "inference_seconds": is_number,
}


@dataclass
class TaskReport:
    status: str = PENDING  # one of STATUSES, or whatever another writer put there
    experts: list[str] | None = None  # the experts the run asked
    plan: JsonObject | None = None  # solver.run.budget.TaskPlan.to_dict()
    search: JsonObject | None = None  # the search's statistics (solver.search.SearchResult.stats), JSON-ready
    trm: TrmFigures | None = None  # None when the TRM did not run
    tests: list[TestReport] | None = None  # one per test input; None when the task did not finish
    seconds: float | None = None  # the whole task, in its worker
    error: str | None = None  # why the task has fallback attempts (failed, invalid, timeout)
    resumed: bool | None = None  # True: taken from the journal of an interrupted run
    correct: list[bool] | None = None  # per test input, when solutions are known
    extra: JsonObject = field(default_factory=dict)
    absent: frozenset[str] = field(default=frozenset(), compare=False)  # of ALWAYS_WRITTEN, lacked by the JSON read

    ALWAYS_WRITTEN: ClassVar[JsonObject] = {"status": PENDING}

    def to_dict(self) -> JsonObject:
        trm = self.trm.to_dict() if self.trm else {}  # its nulls are kept: TrmFigures chose them
        document = {
            "status": self.status,
            "experts": self.experts,
            "plan": self.plan,
            "search": self.search,
            **trm,
            "tests": None if self.tests is None else [t.to_dict() for t in self.tests],
            "seconds": self.seconds,
            "error": self.error,
            "resumed": self.resumed,
            "correct": self.correct,
        }
        document = {k: v for k, v in document.items() if v is not None or k in trm}
        return {**as_read(document, self.absent, self.ALWAYS_WRITTEN), **self.extra}

    @classmethod
    def from_dict(cls, document: JsonObject) -> TaskReport:
        """Never raises for a JSON object; see the module's docstring."""
        absent = absent_from(document, cls.ALWAYS_WRITTEN)
        fields = Fields(document)
        status = fields.take("status", is_text)
        tests = fields.take_objects("tests")
        return cls(
            status=PENDING if status is None else RENAMED_STATUSES.get(status, status),
            experts=fields.take("experts", list_of(is_text)),
            plan=fields.take("plan", is_object),
            search=fields.take("search", is_object),
            trm=TrmFigures.take(fields),
            tests=None if tests is None else [TestReport.from_dict(t) for t in tests],
            seconds=fields.take("seconds", is_number),
            error=fields.take("error", is_text),
            resumed=fields.take("resumed", is_flag),
            correct=fields.take("correct", list_of(is_flag)),
            extra=fields.rest,
            absent=absent,
        )

    @property
    def search_seconds(self) -> float | None:
        seconds = (self.search or {}).get("seconds")
        return float(seconds) if is_number(seconds) else None

    def search_phase_cpu(self) -> dict[str, float]:
        """The search's CPU seconds by phase kind (enumeration, fitting, pieces, setup, ranking),
        summed over its passes; {} for a report without per-phase timers (solver.search.timing)."""
        phases = (self.search or {}).get("phase_cpu_s")
        kinds: dict[str, float] = {}
        if not isinstance(phases, dict):
            return kinds
        for name, seconds in phases.items():
            if is_number(seconds):
                kind = str(name).rsplit(".", 1)[-1]  # "<pass>.<phase>", or a phase of its own
                kinds[kind] = kinds.get(kind, 0.0) + float(seconds)
        return kinds

    def phase_seconds(self) -> dict[str, float]:
        """Seconds per phase that ran: fine-tuning, inference, search."""
        trm = self.trm or TrmFigures()
        phases = {
            "fine-tuning": trm.finetune_seconds,
            "inference": trm.inference_seconds,
            "search": self.search_seconds,
        }
        return {name: float(seconds) for name, seconds in phases.items() if seconds is not None}
