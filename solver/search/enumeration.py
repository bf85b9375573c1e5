"""One pass of the search: breadth-first over the transform library, shortest programs first.

A state is one value per example (every train input and every test input, in that order)
plus the program that made it. The search grows programs one transform at a time; a new
state whose values on ALL examples equal an earlier state's is dropped (the earlier one is
shorter or as short, and among programs of one length, the one built from earlier library
ops: the library's order decides which program wins a duplicate). That pruning is what
keeps depth 3 affordable. Each new image state is read as the outputs and fitted
(`readings`) or kept as a piece (`pieces`). On the last level, where most of the work is, a
step stops after its first example when that image cannot be read as the first output: such
a state could give neither a fit nor a piece (icecuber prunes by the output's size likewise).

Every loop checks the deadline; the number of stored states and their bytes are capped.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from . import kernels as K
from .canvas import fit_size_rule, sizes_by_rule
from .compiled import CompiledLevels
from .compiled.batch import TwinResults
from .compiled.opcodes import LEVEL_TWINS, compiled_ops
from .image import Img, Value, value_key
from .near_fits import NearFits
from .ops import IMAGE, LIST, Transform, build_library, joins_of, picks_of
from .outer_products import outer_product_fits
from .pieces import Pieces
from .ranking import COSTS, Fit
from .readings import Examples, final_step_fits, readings, screen
from .replace import fit_object_replacement
from .settings import SearchSettings
from .third_level_lists import grow_third_level_lists
from .timing import OutOfTime, PhaseTimes

PYTHON_DEPTH = 2  # levels the whole library runs in Python; deeper ones run the compiled ops
LISTS_SHARE = 0.5  # of the pass's time left after the compiled levels, for the third level's list programs
# Depth-2 image states, nearest the outputs first, that the image ops the compiled levels leave
# out (rays, slides, symmetry completion...) end when no pass found a program (`end_with_untwinned_ops`).
UNTWINNED_ENDS_STATES = 200
NO_DISTANCE = 1 << 30  # a state with no reading as the outputs


@dataclass
class State:
    values: tuple  # one Value per example
    kind: str  # IMAGE or LIST
    program: str
    depth: int
    distance: int = NO_DISTANCE  # wrong output cells on the demonstrations (a guide for ordering)


def _promising_first(states: list[State]) -> list[State]:
    """The states sorted by (kind is not LIST, distance), ties in their order: lists (few), then
    the images with a reading nearest first, then the others. Of the images only those with a
    reading are sorted (most have none: a key per state cost the Python levels 2%)."""
    lists = sorted((s for s in states if s.kind == LIST), key=lambda s: s.distance)
    images = [s for s in states if s.kind != LIST]
    read = sorted((s for s in images if s.distance < NO_DISTANCE), key=lambda s: s.distance)
    return lists + read + [s for s in images if s.distance >= NO_DISTANCE]


class Enumeration:
    """One pass over one task: `run()` fills `fits` with the programs that reproduce every
    demonstration. `name` prefixes its phases in `times` ("plain", "normalised", ...)."""

    def __init__(
        self,
        name: str,
        train,
        test_inputs,
        settings: SearchSettings,
        deadline: float,
        stats: dict,
        times: PhaseTimes,
        first_pass: bool = False,
    ):
        self.phase = {p: f"{name}.{p}" for p in ("setup", "enumeration", "compiled", "fitting", "pieces", "ends")}
        self.times = times
        times.switch(self.phase["setup"])
        self.settings = settings
        self.deadline = deadline
        self.stats = stats
        inputs = [i for i, _ in train] + list(test_inputs)
        targets = [o for _, o in train]
        colours = sorted({int(c) for g in inputs + targets for c in np.unique(g)})
        out_shapes = {t.shape for t in targets}
        size_rule = fit_size_rule(train)
        fixed_shape = out_shapes.pop() if len(out_shapes) == 1 else None
        self.library: list[Transform] = build_library(colours, fixed_shape, size_rule)
        # The library's ops with a compiled twin, run in one call per state of the Python levels.
        self.twins = TwinResults(compiled_ops(self.library), self.library, len(inputs))
        self.picks = picks_of(self.library)  # list -> one element (`third_level_lists`)
        self.joins = joins_of(self.library)  # list -> one image made of them all (`third_level_lists`)
        # The canvas each example's answer is laid on: the outputs', then the tests' predicted.
        test_sizes = sizes_by_rule(size_rule, test_inputs)
        canvas_shapes = None if test_sizes is None else [t.shape for t in targets] + test_sizes
        target_flat = np.concatenate([t.ravel() for t in targets])
        self.ex = Examples(inputs, targets, canvas_shapes, target_flat)
        self.seen: dict[bytes, int] = {}
        self.bytes_stored = 0
        self.fits: list[Fit] = []
        # Programs missing one demonstration: answers when nothing fits (kept by the plain pass).
        self.near_fits = NearFits(len(targets)) if first_pass else None
        self.pieces = Pieces(target_flat) if settings.use_pieces else None
        self.tried = 0  # transforms applied to a state
        self.first_pass = first_pass  # only it keeps near fits and grows the third level's lists
        # What `end_with_untwinned_ops` ends: part of the first pass's depth-2 frontier, kept once
        # the compiled levels and the third level's lists have run (none when time cut them).
        self.states_to_end: list[State] = []

    def check_time(self) -> None:
        if time.perf_counter() > self.deadline:
            raise OutOfTime

    def apply(self, t: Transform, state: State, last: bool) -> tuple | None:
        """t on every example of the state, or None when it fails on one. On the last step
        an image that cannot be read as the first demonstration's output ends it early: the
        state would have no reading (most of the work of a level is its last step)."""
        out: list[Value] = []
        for value, ctx in zip(state.values, self.ex.inputs):
            if time.perf_counter() > self.deadline:  # many large pairs: check between examples too
                raise OutOfTime
            r = t.fn(value, ctx)
            if r is None:
                return None
            if last and not out and isinstance(r, Img) and not self.ex.readable_first(r):
                return None
            out.append(r)
        return tuple(out)

    def at_state_cap(self) -> bool:
        """Whether the stored states or their bytes have reached the search's memory caps."""
        return len(self.seen) >= self.settings.max_states or self.bytes_stored >= self.settings.max_state_bytes

    def untwinned_ops(self) -> list[Transform]:
        """The library's image -> image ops the compiled levels do not run, in the library's order."""
        return [t for t in self.library if t.takes == IMAGE and t.gives == IMAGE and t.name not in LEVEL_TWINS]

    def store(self, values: tuple, kind: str, program: str, depth: int, key: bytes | None = None) -> State | None:
        """The new state, or None when it repeats one or the caps are reached. key: the state's
        key when the caller has it (`TwinResults.key`)."""
        if key is None:
            key = kind.encode() + b"".join(value_key(v) for v in values)
        if key in self.seen:
            return None
        if self.at_state_cap():
            self.stats["state_cap_hit"] = True
            return None
        self.seen[key] = len(self.seen)
        self.bytes_stored += len(key)
        return State(values, kind, program, depth)

    def step(
        self, t: Transform, state: State, depth: int, last: bool, twins: TwinResults | None = None
    ) -> State | None:
        """t on the state: the new state of this depth, stored and considered, or None (t failed,
        the state repeats one already reached, or the state cap is hit). twins: the state's
        compiled results (`batch`), which hold t's when it has a compiled twin."""
        self.check_time()
        self.tried += 1
        key = None
        if twins is None or not twins.has(t):
            values = self.apply(t, state, last)
        else:
            key = twins.key(t)
            if key is None or key in self.seen:
                return None  # failed, or a repeat, which `store` would drop: no images made
            values = twins.values(t)
            if values is not None and last and not self.ex.readable_first(values[0]):
                values = None  # as `apply` stops such a last step
        if values is None:
            return None
        new = self.store(values, t.gives, f"{t.name}({state.program})", depth, key)
        if new is not None:
            self.consider(new)
        return new

    def consider(self, state: State) -> None:
        """Record the fits this image state makes, or keep it as a piece."""
        if state.kind != IMAGE or not self.ex.readable_first(state.values[0]):
            return  # a state with no reading (`readings`) skips two switches' clock reads
        previous = self.times.switch(self.phase["fitting"])
        expanded = state.depth < self.settings.max_depth  # only then does its distance order anything
        try:
            for reading in readings(state.values, state.program, self.ex):
                screened = screen(reading.results, self.ex)
                if expanded:
                    state.distance = min(state.distance, sum(screened.wrong))
                fits, settled = final_step_fits(reading, state.depth, self.ex, screened)
                self.fits.extend(fits)
                if not fits and self.near_fits is not None:
                    self.near_fits.offer(screened.wrong, reading.tests, reading.program, state.depth, reading.cost)
                # Checked here too (and in `offer`): most states are no piece, and skip the phase switch.
                if not settled and self.pieces is not None and screened.could(K.COULD_BE_PIECE):
                    self.times.switch(self.phase["pieces"])
                    self.pieces.offer(reading, state.depth, screened)
                    self.times.switch(self.phase["fitting"])
        finally:
            self.times.switch(previous)

    def run(self) -> None:
        root_values = tuple(Img(np.ascontiguousarray(g, dtype=np.uint8)) for g in self.ex.inputs)
        root = self.store(root_values, IMAGE, "input", 0)
        assert root is not None  # the first state is always new
        self.consider(root)
        self.times.switch(self.phase["fitting"])
        n_train = self.ex.n_train
        replaced = fit_object_replacement(
            [v.a for v in root_values[:n_train]], self.ex.targets, [v.a for v in root_values[n_train:]]
        )
        if replaced is not None:
            grids, variant = replaced
            self.fits.append(Fit(f"replace_objects[{variant}](input)", 0, 1, False, grids, COSTS.replacement))
        self.times.switch(self.phase["enumeration"])
        try:
            self._grow(root)
        except OutOfTime:
            self.stats["timed_out"] = True
        self.stats["programs_tried"] = self.stats.get("programs_tried", 0) + self.tried
        self.stats["states"] = self.stats.get("states", 0) + len(self.seen)
        if self.pieces is not None:
            self.times.switch(self.phase["pieces"])
            try:
                cover = self.pieces.cover(self.check_time)
            except OutOfTime:
                self.stats["timed_out"] = True
                cover = None
            if cover is not None:
                self.fits.append(cover)

    def _grow(self, root: State) -> None:
        """Level by level: every library transform on every state of the frontier, to
        PYTHON_DEPTH; then the outer products, the compiled levels to the search's depth, and
        the third level's list programs (`third_level_lists`)."""
        frontier = [root]
        image_states = [root]  # every stored image state: for outer products, and the compiled levels' repeats
        python_depth = min(self.settings.max_depth, PYTHON_DEPTH)
        first_level: list[State] = []
        for depth in range(1, python_depth + 1):
            last = depth == self.settings.max_depth
            nxt = []
            for state in frontier:
                self.check_time()
                twins = self.twins if state.kind == IMAGE and self.twins.compute(state.values) else None
                for t in self.library:
                    if t.takes != state.kind:
                        continue
                    # A list must end as an image: do not open a list on the last Python step.
                    if depth == python_depth and t.gives == LIST:
                        continue
                    new = self.step(t, state, depth, last, twins)
                    if new is None:
                        continue
                    nxt.append(new)
                    if new.kind == IMAGE:
                        image_states.append(new)
            self.stats["depth_reached"] = max(self.stats.get("depth_reached", 0), depth)
            # When time runs out mid-level, the expanded part should be the promising one:
            # lists first (few transforms take them), then images nearest the outputs.
            frontier = _promising_first(nxt)
            if depth == 1:
                first_level = frontier
            if not frontier:
                break  # nothing new to grow; the states found so far still make outer products
        self._outer_products(image_states)  # before the compiled levels, which may use the rest of the time
        if self.settings.max_depth > python_depth:
            if frontier:
                self._grow_compiled(image_states, [s for s in frontier if s.kind == IMAGE], python_depth)
            if self.first_pass:  # the later passes' lists are mostly the same parts, flipped or recoloured
                self._grow_lists_in_part_of_the_time(first_level)
                self._keep_states_to_end(frontier)

    def _outer_products(self, image_states: list[State]) -> None:
        """The fits made as products of two of the Python levels' image states (`outer_products`),
        those found before the deadline."""
        previous = self.times.switch(self.phase["fitting"])
        try:
            for fit in outer_product_fits(image_states, self.ex.targets, self.check_time):
                self.fits.append(fit)
        finally:
            self.times.switch(previous)

    def _grow_lists_in_part_of_the_time(self, first_level: list[State]) -> None:
        """The third level's list programs (`third_level_lists`), within a share of the pass's
        time left, so that the pieces after them still run when they are cut."""
        deadline = self.deadline
        now = time.perf_counter()
        self.deadline = now + max(0.0, deadline - now) * LISTS_SHARE  # what `check_time` reads
        try:
            grow_third_level_lists(self, first_level)
        except OutOfTime:
            self.stats["lists_cut"] = True
        finally:
            self.deadline = deadline

    def _keep_states_to_end(self, frontier: list[State]) -> None:
        """Keep, for `end_with_untwinned_ops`, the UNTWINNED_ENDS_STATES image states of the
        frontier nearest the outputs (it comes in that order) that have a reading as them."""
        with_reading = [s for s in frontier if s.kind == IMAGE and s.distance < NO_DISTANCE]
        self.states_to_end = with_reading[:UNTWINNED_ENDS_STATES]

    def end_with_untwinned_ops(self, deadline: float) -> list[Fit]:
        """For a task no pass found a program for: every image op the compiled levels leave out ends
        the first pass's depth-2 states kept by `_keep_states_to_end` (the compiled level ran
        only its own ops; all the ops on every state would cost more than the rest of the search);
        then, when they made new pieces, the pieces' cover is tried again. Returns the new fits,
        found before `deadline`. Being verified, they rank above the near fits and repeated
        outputs. Run on every task, such programs also outranked answers of other kinds and lost
        arc1/eval two outputs for a third more CPU (docs/RESULTS.md, "tenth session")."""
        if not self.states_to_end or self.at_state_cap():
            return []  # nothing to end, or no new state could be stored
        self.deadline = deadline  # what `check_time` reads
        found, tried, stored = len(self.fits), self.tried, len(self.seen)
        pieces_before = len(self.pieces.kept) if self.pieces is not None else 0
        ops = self.untwinned_ops()
        batched = TwinResults(compiled_ops(ops), ops, len(self.ex.inputs))  # those `batch_only` runs
        previous = self.times.switch(self.phase["ends"])
        try:
            for state in self.states_to_end:
                self.check_time()
                twins = batched if batched.compute(state.values) else None
                for t in ops:
                    self.step(t, state, state.depth + 1, last=True, twins=twins)
            if len(self.fits) == found and self.pieces is not None and len(self.pieces.kept) > pieces_before:
                self.times.switch(self.phase["pieces"])
                cover = self.pieces.cover(self.check_time)
                if cover is not None:
                    self.fits.append(cover)
        except OutOfTime:
            self.stats["timed_out"] = True
        finally:
            self.times.switch(previous)
            self.stats["programs_tried"] = self.stats.get("programs_tried", 0) + self.tried - tried
            self.stats["states"] = self.stats.get("states", 0) + len(self.seen) - stored
        return self.fits[found:]

    def _grow_compiled(self, image_states: list[State], frontier: list[State], python_depth: int) -> None:
        """The levels past Python's (`compiled`): the compiled ops on the image frontier."""
        previous = self.times.switch(self.phase["compiled"])
        max_depth = self.settings.max_depth
        stores = max_depth > python_depth + 1  # only a level before the last keeps its states
        levels = CompiledLevels(
            self.library,
            self.ex.inputs,
            self.ex.targets,
            image_states,
            frontier,
            room_states=max(0, self.settings.max_states - len(self.seen)) if stores else 0,
            room_bytes=max(0, self.settings.max_state_bytes - self.bytes_stored) if stores else 0,
            want_pieces=self.pieces is not None,
        )
        try:
            for depth in range(python_depth + 1, max_depth + 1):
                finished = levels.run_level(
                    depth,
                    depth == max_depth,
                    self.check_time,
                    lambda fit: self.consider(State(fit.values, IMAGE, fit.program, fit.depth)),
                )
                self.stats["state_cap_hit"] = self.stats["state_cap_hit"] or levels.cap_hit
                if not finished:
                    break
                self.stats["depth_reached"] = max(self.stats.get("depth_reached", 0), depth)
                if levels.frontier[0] == levels.frontier[1]:
                    break  # nothing was kept to expand further
        finally:
            if self.pieces is not None:
                self.pieces.offer_compiled(levels, [t.shape for t in self.ex.targets])
            self.tried += levels.tried
            self.stats["compiled_states"] = self.stats.get("compiled_states", 0) + levels.added_states
            self.times.switch(previous)
