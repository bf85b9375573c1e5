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
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from solver.config import MAX_SEARCH_DEPTH, MAX_SEARCH_SECONDS, SolveConfig

from .blocks import fit_blocks
from .canvas import extend_periodic, fit_size_rule, sizes_by_rule
from .fitters import (
    LOCAL_FEATURE_SETS,
    fit_cell_rule,
    fit_colour_map,
    fit_rank_colour_map,
    rich_feature_sets,
    unseen_colours,
)
from .image import Img, value_key
from .lookup import repeated_outputs
from .normalize import normalise_task
from .replace import fit_object_replacement
from .transforms import IMAGE, LIST, Transform, build_library

COLOUR_MAP_PENALTY = 0.5  # a fitted colour map is a little less simple than none
RANK_MAP_PENALTY = 0.25  # on top of the colour-map penalty
UNSEEN_COLOUR_PENALTY = 1.0  # a colour map that must guess a colour the demonstrations never showed
PIECE_PENALTY = 1.0  # each extra overlaid piece costs like one more transform
# A fitted cell rule is flexible: rank it after exact programs of depth 2, and rules on
# more feature families after rules on fewer.
CELL_RULE_PENALTY = 2.5
CELL_RULE_FEATURE_PENALTY = 0.25  # per family beyond the first
CELL_RULE_MAX_DEPTH = 1  # cell rules on local neighbourhoods are fitted on states this shallow
RICH_RULE_MAX_DEPTH = 0  # rules on every feature family (slower): on states this shallow
RICH_FEATURE_SETS = rich_feature_sets()
FITTED_STEP = 1.0  # a step fitted to the outputs (block arrangement, periodic growth) ranks like one transform
REPLACEMENT_PENALTY = 2.5  # a learned object -> patch table is flexible, like a local rule
REPEATED_OUTPUT_PENALTY = 20.0  # a demonstration's output reused as the answer: below any program
MAX_PIECES = 4
MAX_PIECE_STATES = 20000  # piece candidates kept for the cover ...
MAX_PIECE_BYTES = 50_000_000  # ... and at most this many bytes of their cell masks
PLAIN_SHARE = 0.6  # of the time limit, for the plain task when other passes may follow
NORMALISED_SHARE = 0.8  # the colour-normalised pass ends by this share when the flipped one may follow


@dataclass(frozen=True)
class SearchSettings:
    time_limit_s: float = SolveConfig.search_seconds  # hard wall-clock cap for the whole task
    max_depth: int = SolveConfig.search_depth  # longest program, in transforms (3 rarely fits a CPU second)
    max_states: int = 100_000  # memory cap: stored states
    max_state_bytes: int = 200_000_000  # memory cap: bytes of stored grids
    max_candidates: int = 5  # per test input
    use_pieces: bool = True
    use_colour_normalisation: bool = True  # also search the task with colours renumbered by role
    use_transpose: bool = True  # also search the diagonally flipped task

    def __post_init__(self):
        if not (isinstance(self.time_limit_s, (int, float)) and 0 < self.time_limit_s < MAX_SEARCH_SECONDS):
            raise ValueError(f"time_limit_s must be a positive number, got {self.time_limit_s!r}")
        for name in ("max_depth", "max_states", "max_state_bytes", "max_candidates"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}")
        if self.max_depth > MAX_SEARCH_DEPTH:
            raise ValueError(f"max_depth must be at most {MAX_SEARCH_DEPTH}, got {self.max_depth}")


@dataclass(frozen=True)
class SearchCandidate:
    grid: np.ndarray  # (H, W) uint8
    program: str  # readable, e.g. "crop(largest[cells](objects8(input)))"
    score: float  # higher is better
    depth: int  # transforms in the program (pieces: the sum)
    pieces: int = 1  # overlaid partial programs
    colour_mapped: bool = False
    agreeing: int = 1  # fitting programs that gave this same grid
    verified: bool = True  # made by a program that reproduces every demonstration (else a reused output)


@dataclass
class SearchResult:
    per_test: list[list[SearchCandidate]]  # one list per test input, best first, distinct grids
    stats: dict = field(default_factory=dict)


@dataclass
class _State:
    values: tuple  # one Value per example
    kind: str  # IMAGE or LIST
    program: str
    depth: int
    distance: int = 1 << 30  # wrong output cells on the demonstrations (a guide for ordering)


@dataclass
class _Fit:
    program: str
    depth: int
    pieces: int
    colour_mapped: bool
    test_grids: list  # one (H, W) uint8 per test input
    penalty: float = 0.0
    verified: bool = True

    @property
    def score(self) -> float:
        return -(
            self.depth
            + (self.pieces - 1) * PIECE_PENALTY
            + (COLOUR_MAP_PENALTY if self.colour_mapped else 0.0)
            + self.penalty
        )


class _Reading(NamedTuple):
    """An image state read as the outputs: per demonstration and per test, shaped like the output."""

    results: list  # (H, W) uint8 per demonstration
    tests: list  # (H, W) uint8 per test input
    program: str
    on_canvas: bool = False  # laid on a blank canvas of the output's size
    cost: float = 0.0  # added to the program's length when ranking


class _Deadline(Exception):
    pass


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
        out_shapes = {t.shape for t in self.targets}
        size_rule = fit_size_rule(train)
        fixed_shape = out_shapes.pop() if len(out_shapes) == 1 else None
        self.library: list[Transform] = build_library(colours, fixed_shape, size_rule)
        self.seen: dict[bytes, int] = {}
        self.bytes_stored = 0
        self.fits: list[_Fit] = []
        self.pieces: list[tuple] = []  # (painted (N,), wrong (N,), test grids, program, depth)
        self.target_flat = np.concatenate([t.ravel() for t in self.targets])
        self.max_pieces = min(MAX_PIECE_STATES, MAX_PIECE_BYTES // max(1, 2 * self.target_flat.size))
        # The canvas each example's answer is laid on: the outputs', then the tests' predicted.
        test_sizes = sizes_by_rule(size_rule, test_inputs)
        self.canvas_shapes = None if test_sizes is None else [t.shape for t in self.targets] + test_sizes

    # -- helpers
    def _check_time(self):
        if time.perf_counter() > self.deadline:
            raise _Deadline

    def _apply(self, t: Transform, state: _State) -> tuple | None:
        out = []
        for value, ctx in zip(state.values, self.inputs):
            if time.perf_counter() > self.deadline:  # many large pairs: check between examples too
                raise _Deadline
            r = t.fn(value, ctx)
            if r is None:
                return None
            out.append(r)
        return tuple(out)

    def _on_target_canvas(self, state: _State) -> list[_Reading]:
        """Ways to read this image state as the outputs, simplest first.

        An image of another size than the output is laid on a blank canvas of the
        output's size (the test's predicted by `canvas`): at its own position (an object
        cut out and kept in place), or as a pattern repeated from its smallest period.
        Outputs made of rotated or reflected copies are fitted by `blocks`.
        """
        results = [v.a for v in state.values[: self.n_train]]
        if all(r.shape == t.shape for r, t in zip(results, self.targets)):
            return [_Reading(results, [v.a for v in state.values[self.n_train :]], state.program)]
        found = []
        tests = [v.a for v in state.values[self.n_train :]]
        blocks = fit_blocks(results, self.targets, tests)
        if blocks is not None:  # the arrangement is fitted to the outputs, so they match
            found.append(_Reading(self.targets, blocks[0], f"blocks[{blocks[1]}]({state.program})", cost=FITTED_STEP))
        if self.canvas_shapes is None:
            return found
        placed = []
        for v, shape in zip(state.values, self.canvas_shapes):
            h, w = v.a.shape
            if v.y < 0 or v.x < 0 or v.y + h > shape[0] or v.x + w > shape[1]:
                break
            canvas = np.zeros(shape, dtype=np.uint8)
            canvas[v.y : v.y + h, v.x : v.x + w] = v.a
            placed.append(canvas)
        else:
            program = f"place_on_blank({state.program})"
            found.append(_Reading(placed[: self.n_train], placed[self.n_train :], program, on_canvas=True))
        first, target = results[0], self.targets[0]
        (h, w), (th, tw) = first.shape, target.shape
        # Cheap tests on the first demonstration before extending every example: a grown
        # pattern starts with the image itself.
        if (
            h <= th
            and w <= tw
            and fit_colour_map([first], [np.ascontiguousarray(target[:h, :w])]) is not None
            and fit_colour_map([extend_periodic(first, target.shape)], [target]) is not None
        ):
            grown = [extend_periodic(v.a, shape) for v, shape in zip(state.values, self.canvas_shapes)]
            program = f"extend_periodic({state.program})"
            found.append(_Reading(grown[: self.n_train], grown[self.n_train :], program, True, FITTED_STEP))
        return found

    def _consider(self, state: _State):
        """Record a fit or a piece if this image state is one."""
        if state.kind != IMAGE:
            return
        for reading in self._on_target_canvas(state):
            self._consider_reading(state, reading)

    def _consider_reading(self, state: _State, reading: _Reading):
        results, tests, program, cost = reading.results, reading.tests, reading.program, reading.cost
        state.distance = min(state.distance, sum(int(np.count_nonzero(r != t)) for r, t in zip(results, self.targets)))
        if all(np.array_equal(r, t) for r, t in zip(results, self.targets)):
            self.fits.append(_Fit(program, state.depth, 1, False, tests, cost))
            return
        cmap = fit_colour_map(results, self.targets)
        if cmap is not None:
            guess = UNSEEN_COLOUR_PENALTY if unseen_colours(results, tests) else 0.0
            mapped = [cmap[g] for g in tests]
            self.fits.append(_Fit(f"recolour({program})", state.depth, 1, True, mapped, guess + cost))
            if not guess:
                return
        ranked = fit_rank_colour_map(
            results, self.targets, self.inputs[: self.n_train], tests, self.inputs[self.n_train :]
        )
        if ranked is not None:
            self.fits.append(
                _Fit(f"recolour_by_rank({program})", state.depth, 1, True, ranked, RANK_MAP_PENALTY + cost)
            )
            return
        if state.depth <= CELL_RULE_MAX_DEPTH and not reading.on_canvas:
            sets = RICH_FEATURE_SETS if state.depth <= RICH_RULE_MAX_DEPTH else LOCAL_FEATURE_SETS
            rule = fit_cell_rule(results, self.targets, tests, sets)
            if rule is not None:
                penalty = CELL_RULE_PENALTY + CELL_RULE_FEATURE_PENALTY * (len(rule.features) - 1)
                name = f"cell_rule[{','.join(rule.features)}]({program})"
                self.fits.append(_Fit(name, state.depth, 1, False, rule.test_grids, penalty + cost))
        if self.settings.use_pieces and len(self.pieces) < self.max_pieces:
            flat = np.concatenate([r.ravel() for r in results])
            painted = flat != 0
            wrong = painted & (flat != self.target_flat)
            if (painted & ~wrong).any():
                self.pieces.append((painted, wrong, tests, program, state.depth))

    def _store(self, values: tuple, kind: str, program: str, depth: int) -> _State | None:
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
        assert root is not None  # the first state is always new
        self._consider(root)
        replaced = fit_object_replacement(
            [v.a for v in root_values[: self.n_train]], self.targets, [v.a for v in root_values[self.n_train :]]
        )
        if replaced is not None:
            grids, variant = replaced
            self.fits.append(_Fit(f"replace_objects[{variant}](input)", 0, 1, False, grids, REPLACEMENT_PENALTY))
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
                self.stats["depth_reached"] = max(self.stats.get("depth_reached", 0), depth)
                # When time runs out mid-level, the expanded part should be the promising one:
                # lists first (few transforms take them), then images nearest the outputs.
                order = sorted(range(len(nxt)), key=lambda i: (nxt[i].kind != LIST, nxt[i].distance, i))
                frontier = [nxt[i] for i in order]
                if not frontier:
                    break
        except _Deadline:
            self.stats["timed_out"] = True
        self.stats["programs_tried"] = self.stats.get("programs_tried", 0) + tried
        self.stats["states"] = self.stats.get("states", 0) + len(self.seen)
        if self.settings.use_pieces:
            self._cover()

    def _cover(self):
        """Greedy, top layer first: overlay pieces until every non-zero output cell is explained.

        A layer may be wrong only under cells that the layers above it already paint; each
        step takes the allowed piece that paints the most new cells (ties: the earlier,
        shorter program).
        """
        need = self.target_flat != 0
        if not need.any() or not self.pieces:
            return
        try:
            self._check_time()
            painted = np.stack([p[0] for p in self.pieces])  # (P, N) bool
            self._check_time()
            wrong = np.stack([p[1] for p in self.pieces])  # (P, N) bool
            covered = np.zeros_like(need)
            chosen = []
            for _ in range(MAX_PIECES):
                self._check_time()
                free = ~covered
                allowed = ~(wrong & free).any(axis=1)
                gain = np.where(allowed, (painted & free).sum(axis=1), 0)
                best = int(np.argmax(gain))
                if gain[best] == 0:
                    return
                chosen.append(best)
                covered |= painted[best]
                if covered[need].all():
                    break
        except _Deadline:
            self.stats["timed_out"] = True
            return
        if not covered[need].all() or len(chosen) < 2:
            return
        layers = [self.pieces[i] for i in chosen]
        tests = []
        for k in range(len(self.inputs) - self.n_train):
            grids = [layer[2][k] for layer in layers]
            if any(g.shape != grids[0].shape for g in grids):
                return
            out = np.zeros_like(grids[0])
            for g in grids[::-1]:  # bottom layer first; the first chosen ends on top
                np.copyto(out, g, where=g != 0)
            tests.append(out)
        program = "overlay(" + ", ".join(layer[3] for layer in layers) + ")"
        self.fits.append(_Fit(program, sum(layer[4] for layer in layers), len(layers), False, tests))


def _search_normalised(train, test_inputs, settings: SearchSettings, start: float, deadline: float, stats: dict):
    """Fits of the colour-normalised task, their test grids mapped back to each test's colours."""
    task = normalise_task(train, test_inputs)
    if task is None:
        return []
    stats["colour_normalised"] = True
    own_deadline = deadline if not settings.use_transpose else start + settings.time_limit_s * NORMALISED_SHARE
    s = _Search(task.train, task.test_inputs, settings, own_deadline, stats)
    s.run()
    return [
        _Fit(
            f"normalised_colours[{f.program}]",
            f.depth + 1,
            f.pieces,
            f.colour_mapped,
            [p.invert(g) for p, g in zip(task.test_permutations, f.test_grids)],
            f.penalty,
            f.verified,
        )
        for f in s.fits
    ]


def _transpose_task(train, test_inputs):
    return ([(i.T.copy(), o.T.copy()) for i, o in train], [t.T.copy() for t in test_inputs])


def search_task(
    train: Sequence[tuple[np.ndarray, np.ndarray]],
    test_inputs: Sequence[np.ndarray],
    settings: SearchSettings = SearchSettings(),
) -> SearchResult:
    """Search programs that map every demonstration input to its output.

    train: (input, output) pairs of (H, W) uint8 grids. test_inputs: (H, W) uint8 grids.
    Returns, per test input, up to `settings.max_candidates` distinct grids made by
    programs that fit every demonstration, best first; when the demonstrations' outputs
    repeat, those outputs follow, marked `verified=False` (no program made them).
    """
    start = time.perf_counter()
    cpu_start = time.process_time()
    deadline = start + settings.time_limit_s
    train = [(np.asarray(i, dtype=np.uint8), np.asarray(o, dtype=np.uint8)) for i, o in train]
    test_inputs = [np.asarray(t, dtype=np.uint8) for t in test_inputs]
    stats: dict = {"timed_out": False, "state_cap_hit": False, "depth_reached": 0}
    fits: list[_Fit] = []
    if train and test_inputs:
        # Later passes run only when the earlier ones found nothing (running the colour-normalised
        # one always cost 28% more median CPU for one more task of arc1/train). The plain task may
        # use 60% of the limit, the colour-normalised one up to 80%, the flipped one the rest.
        later_passes = settings.use_colour_normalisation or settings.use_transpose
        plain_deadline = start + settings.time_limit_s * PLAIN_SHARE if later_passes else deadline
        s = _Search(train, test_inputs, settings, plain_deadline, stats)
        s.run()
        fits.extend(s.fits)
        if settings.use_colour_normalisation and not fits and time.perf_counter() < deadline:
            fits.extend(_search_normalised(train, test_inputs, settings, start, deadline, stats))
        if settings.use_transpose and not fits and time.perf_counter() < deadline:
            ttrain, ttest = _transpose_task(train, test_inputs)
            st = _Search(ttrain, ttest, settings, deadline, stats)
            st.run()
            for f in st.fits:
                fits.append(
                    _Fit(
                        f"transposed_task[{f.program}]",
                        f.depth + 1,
                        f.pieces,
                        f.colour_mapped,
                        [g.T.copy() for g in f.test_grids],
                        f.penalty,
                    )
                )
        fits.extend(_repeated_output_fits(train, test_inputs))
    per_test = _rank(fits, len(test_inputs), settings.max_candidates)
    stats["fitting_programs"] = len(fits)
    stats["seconds"] = round(time.perf_counter() - start, 4)
    stats["cpu_seconds"] = round(time.process_time() - cpu_start, 4)
    return SearchResult(per_test, stats)


def _repeated_output_fits(train, test_inputs) -> list[_Fit]:
    """The demonstrations' outputs, when they repeat, as answers ranked below every program."""
    per_test = [repeated_outputs(train, t) for t in test_inputs]
    fits = []
    for rank in range(min(len(answers) for answers in per_test)):
        grids = [answers[rank][0] for answers in per_test]
        reasons = sorted({answers[rank][1] for answers in per_test})
        fits.append(_Fit("|".join(reasons), 0, 1, False, grids, REPEATED_OUTPUT_PENALTY + rank, verified=False))
    return fits


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
            cands.append(
                SearchCandidate(
                    grid=f.test_grids[k].copy(),
                    program=f.program,
                    score=f.score,
                    depth=f.depth,
                    pieces=f.pieces,
                    colour_mapped=f.colour_mapped,
                    agreeing=len(ids),
                    verified=f.verified,
                )
            )
        per_test.append(cands)
    return per_test
