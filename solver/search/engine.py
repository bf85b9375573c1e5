"""Breadth-first program search over the transform library.

A state is one value per example (every train input and every test input, in that order)
plus the program that made it. Search grows programs one transform at a time, shortest
first; a new state whose values on ALL examples equal an earlier state's is dropped (the
earlier one is shorter or as short), which is what keeps depth 3 affordable.

An image state fits when, on every demonstration, it equals the output exactly, or does so
after one colour map that is the same for all demonstrations. States that fit no
demonstration alone can still be "pieces": on every demonstration each of their non-zero
cells is right. A greedy cover overlays pieces until every non-zero output cell is
explained (icecuber's trick: wide instead of deep).

Every loop checks the deadline; the number of stored states and their bytes are capped.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Optional, Sequence

import numpy as np

from .image import Img, Value, value_key
from .transforms import IMAGE, LIST, Transform, build_library

NO_MAP = -1
COLOUR_MAP_PENALTY = 0.5   # a fitted colour map is a little less simple than none
PIECE_PENALTY = 1.0        # each extra overlaid piece costs like one more transform
MAX_PIECES = 4
MAX_PIECE_STATES = 20000   # piece candidates kept for the cover ...
MAX_PIECE_BYTES = 50_000_000  # ... and at most this many bytes of their cell masks


@dataclass(frozen=True)
class SearchSettings:
    time_limit_s: float = 10.0     # hard wall-clock cap for the whole task
    max_depth: int = 3             # longest program, in transforms
    max_states: int = 100_000      # memory cap: stored states
    max_state_bytes: int = 400_000_000  # memory cap: bytes of stored grids
    max_candidates: int = 5        # per test input
    use_pieces: bool = True
    use_transpose: bool = True     # also search the diagonally flipped task

    def __post_init__(self):
        if not (isinstance(self.time_limit_s, (int, float)) and 0 < self.time_limit_s < 1e6):
            raise ValueError(f"time_limit_s must be a positive number, got {self.time_limit_s!r}")
        for name in ("max_depth", "max_states", "max_state_bytes", "max_candidates"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}")
        if self.max_depth > 6:
            raise ValueError(f"max_depth must be at most 6, got {self.max_depth}")


@dataclass(frozen=True)
class SearchCandidate:
    grid: np.ndarray     # (H, W) uint8
    program: str         # readable, e.g. "crop(largest[cells](objects8(input)))"
    score: float         # higher is better
    depth: int           # transforms in the program (pieces: the sum)
    pieces: int = 1      # overlaid partial programs
    colour_mapped: bool = False
    agreeing: int = 1    # fitting programs that gave this same grid


@dataclass
class SearchResult:
    per_test: list[list[SearchCandidate]]  # one list per test input, best first, distinct grids
    stats: dict = field(default_factory=dict)


@dataclass
class _State:
    values: tuple      # one Value per example
    kind: str          # IMAGE or LIST
    program: str
    depth: int


@dataclass
class _Fit:
    program: str
    depth: int
    pieces: int
    colour_mapped: bool
    test_grids: list   # one (H, W) uint8 per test input

    @property
    def score(self) -> float:
        return -(self.depth + (self.pieces - 1) * PIECE_PENALTY
                 + (COLOUR_MAP_PENALTY if self.colour_mapped else 0.0))


class _Deadline(Exception):
    pass


def _fit_colour_map(results: list[np.ndarray], targets: list[np.ndarray]) -> Optional[np.ndarray]:
    """A (10,) map m with m[result] == target on every demonstration, or None.

    Colours that never occur in a result map to themselves.
    """
    m = np.full(10, NO_MAP, dtype=np.int64)
    for r, t in zip(results, targets):
        if r.shape != t.shape:
            return None
        codes = np.unique(r.astype(np.int64) * 10 + t)
        src, dst = codes // 10, codes % 10
        for s, d in zip(src, dst):
            if m[s] == NO_MAP:
                m[s] = d
            elif m[s] != d:
                return None
    identity = np.arange(10)
    return np.where(m == NO_MAP, identity, m).astype(np.uint8)


class _Search:
    def __init__(self, train, test_inputs, settings: SearchSettings, deadline: float, stats: dict):
        self.train = train
        self.targets = [o for _, o in train]
        self.inputs = [i for i, _ in train] + list(test_inputs)
        self.n_train = len(train)
        self.settings = settings
        self.deadline = deadline
        self.stats = stats
        colours = sorted({int(c) for g in self.inputs + self.targets for c in np.unique(g)})
        self.library: list[Transform] = build_library(colours)
        self.seen: dict[bytes, int] = {}
        self.bytes_stored = 0
        self.fits: list[_Fit] = []
        self.pieces: list[tuple[np.ndarray, np.ndarray, _State]] = []  # (covered, wrong-free) states
        self.target_flat = np.concatenate([t.ravel() for t in self.targets])
        self.max_pieces = min(MAX_PIECE_STATES, MAX_PIECE_BYTES // max(1, self.target_flat.size))

    # -- helpers
    def _check_time(self):
        if time.perf_counter() > self.deadline:
            raise _Deadline

    def _apply(self, t: Transform, state: _State) -> Optional[tuple]:
        out = []
        for value, ctx in zip(state.values, self.inputs):
            if time.perf_counter() > self.deadline:  # many large pairs: check between examples too
                raise _Deadline
            r = t.fn(value, ctx)
            if r is None:
                return None
            out.append(r)
        return tuple(out)

    def _consider(self, state: _State):
        """Record a fit or a piece if this image state is one."""
        if state.kind != IMAGE:
            return
        results = [v.a for v in state.values[: self.n_train]]
        if any(r.shape != t.shape for r, t in zip(results, self.targets)):
            return
        tests = [v.a for v in state.values[self.n_train:]]
        if all(np.array_equal(r, t) for r, t in zip(results, self.targets)):
            self.fits.append(_Fit(state.program, state.depth, 1, False, tests))
            return
        cmap = _fit_colour_map(results, self.targets)
        if cmap is not None:
            self.fits.append(_Fit(f"recolour({state.program})", state.depth, 1, True, [cmap[g] for g in tests]))
            return
        if self.settings.use_pieces and len(self.pieces) < self.max_pieces:
            flat = np.concatenate([r.ravel() for r in results])
            painted = flat != 0
            if painted.any() and not (painted & (flat != self.target_flat)).any():
                self.pieces.append((painted, state))

    def _store(self, values: tuple, kind: str, program: str, depth: int) -> Optional[_State]:
        key = kind.encode() + b"".join(value_key(v) for v in values)
        if key in self.seen:
            return None
        if len(self.seen) >= self.settings.max_states or self.bytes_stored >= self.settings.max_state_bytes:
            self.stats["state_cap_hit"] = True
            return None
        self.seen[key] = len(self.seen)
        self.bytes_stored += len(key)
        return _State(values, kind, program, depth)

    # -- the search
    def run(self):
        root_values = tuple(Img(np.ascontiguousarray(g, dtype=np.uint8)) for g in self.inputs)
        root = self._store(root_values, IMAGE, "input", 0)
        self._consider(root)
        frontier = [root]
        tried = 0
        try:
            for depth in range(1, self.settings.max_depth + 1):
                nxt = []
                for state in frontier:
                    for t in self.library:
                        if t.takes != state.kind:
                            continue
                        # A list must end as an image: do not open a list on the last step.
                        if depth == self.settings.max_depth and t.gives == LIST:
                            continue
                        self._check_time()
                        tried += 1
                        values = self._apply(t, state)
                        if values is None:
                            continue
                        new = self._store(values, t.gives, f"{t.name}({state.program})", depth)
                        if new is None:
                            continue
                        self._consider(new)
                        nxt.append(new)
                self.stats["depth_reached"] = depth
                frontier = nxt
                if not frontier:
                    break
        except _Deadline:
            self.stats["timed_out"] = True
        self.stats["programs_tried"] = self.stats.get("programs_tried", 0) + tried
        self.stats["states"] = self.stats.get("states", 0) + len(self.seen)
        if self.settings.use_pieces and not self.fits:
            self._cover()

    def _cover(self):
        """Greedy: overlay pieces until every non-zero output cell is explained."""
        need = self.target_flat != 0
        if not need.any() or not self.pieces:
            return
        covered = np.zeros_like(need)
        chosen = []
        try:
            for _ in range(MAX_PIECES):
                self._check_time()
                best, best_gain = None, 0
                for i, (painted, state) in enumerate(self.pieces):
                    if i % 256 == 0:
                        self._check_time()
                    gain = int(np.count_nonzero(painted & need & ~covered))
                    if gain > best_gain:  # ties: the earlier (shorter) program
                        best, best_gain = i, gain
                if best is None:
                    return
                chosen.append(best)
                covered |= self.pieces[best][0]
                if covered[need].all():
                    break
        except _Deadline:
            self.stats["timed_out"] = True
            return
        if not covered[need].all() or len(chosen) < 2:
            return
        states = [self.pieces[i][1] for i in chosen]
        tests = []
        for k in range(len(self.inputs) - self.n_train):
            grids = [s.values[self.n_train + k].a for s in states]
            if any(g.shape != grids[0].shape for g in grids):
                return
            out = grids[-1].copy()
            for g in grids[-2::-1]:  # the first chosen (largest) piece ends on top
                np.copyto(out, g, where=g != 0)
            tests.append(out)
        program = "overlay(" + ", ".join(s.program for s in states) + ")"
        self.fits.append(_Fit(program, sum(s.depth for s in states), len(states), False, tests))


def _transpose_task(train, test_inputs):
    return ([(i.T.copy(), o.T.copy()) for i, o in train], [t.T.copy() for t in test_inputs])


def search_task(train: Sequence[tuple[np.ndarray, np.ndarray]], test_inputs: Sequence[np.ndarray],
                settings: SearchSettings = SearchSettings()) -> SearchResult:
    """Search programs that map every demonstration input to its output.

    train: (input, output) pairs of (H, W) uint8 grids. test_inputs: (H, W) uint8 grids.
    Returns, per test input, up to `settings.max_candidates` distinct grids made by
    programs that fit every demonstration, best first.
    """
    start = time.perf_counter()
    cpu_start = time.process_time()
    deadline = start + settings.time_limit_s
    train = [(np.asarray(i, dtype=np.uint8), np.asarray(o, dtype=np.uint8)) for i, o in train]
    test_inputs = [np.asarray(t, dtype=np.uint8) for t in test_inputs]
    stats: dict = {"timed_out": False, "state_cap_hit": False, "depth_reached": 0}
    fits: list[_Fit] = []
    if train and test_inputs:
        # The flipped task gets what time the plain one leaves, at most half of the limit.
        plain_deadline = deadline if not settings.use_transpose else start + settings.time_limit_s * 0.6
        s = _Search(train, test_inputs, settings, plain_deadline, stats)
        s.run()
        fits.extend(s.fits)
        if settings.use_transpose and not s.fits and time.perf_counter() < deadline:
            ttrain, ttest = _transpose_task(train, test_inputs)
            st = _Search(ttrain, ttest, settings, deadline, stats)
            st.run()
            for f in st.fits:
                fits.append(_Fit(f"transpose({f.program} on transposed task)", f.depth + 1, f.pieces,
                                 f.colour_mapped, [g.T.copy() for g in f.test_grids]))
    per_test = _rank(fits, len(test_inputs), settings.max_candidates)
    stats["fitting_programs"] = len(fits)
    stats["seconds"] = round(time.perf_counter() - start, 4)
    stats["cpu_seconds"] = round(time.process_time() - cpu_start, 4)
    return SearchResult(per_test, stats)


def _rank(fits: list[_Fit], n_test: int, max_candidates: int) -> list[list[SearchCandidate]]:
    """Per test input: distinct grids, best score first, then more agreeing programs,
    then program text (a total, hash-free order)."""
    order = sorted(range(len(fits)), key=lambda i: (-fits[i].score, fits[i].program))
    per_test = []
    for k in range(n_test):
        groups: dict[bytes, list[int]] = {}
        for i in order:
            g = fits[i].test_grids[k]
            key = bytes(g.shape) + g.tobytes()
            groups.setdefault(key, []).append(i)
        ranked = sorted(groups.values(), key=lambda ids: (-fits[ids[0]].score, -len(ids), fits[ids[0]].program))
        cands = []
        for ids in ranked[:max_candidates]:
            f = fits[ids[0]]
            cands.append(SearchCandidate(grid=f.test_grids[k].copy(), program=f.program, score=f.score,
                                         depth=f.depth, pieces=f.pieces, colour_mapped=f.colour_mapped,
                                         agreeing=len(ids)))
        per_test.append(cands)
    return per_test
