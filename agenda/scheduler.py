"""Suggest where topics go so that as few people as possible face a clash.

A clash is one person signed up for two sessions in the same round. The
suggestion also keeps every convener in one place at a time (a hard rule) and
prefers bigger rooms for sessions with more interest. Locked topics stay put.

The algorithm works on plain data (no ORM), is deterministic for the same input
and bounded in work:
1. Greedy: unplaced topics, most interest first, go to the free cell that adds
   the fewest clashes (ties: the room whose capacity fits best, then the spread).
2. Local search: moves and swaps of unlocked topics that lower the cost, in a
   fixed order, for a bounded number of passes (equal gains: the spread).
Cost = 1000 × convener conflicts + clashes + a small capacity misfit term.

The spread settles what the cost leaves open, which is most of it when no room has
a capacity: the round with the fewest sessions so far, then the room with the
fewest, then a diagonal (round n starts looking at the n-th room). Without it every
tie went to the first free cell: round 1 filled while later rounds stayed empty,
and sessions kept apart by a clash all went into room A.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field

CONVENER_WEIGHT = 1000
MAX_PASSES = 4


@dataclass(frozen=True)
class Cell:
    room: int
    slot: int


@dataclass
class Problem:
    rooms: list[int]  # in grid order
    slots: list[int]  # in time order
    capacity: dict[int, int | None]  # room id -> seats (None: as many as needed)
    topics: list[int]  # in a stable order
    people: dict[int, frozenset[int]]  # topic id -> participant ids signed up
    conveners: dict[int, int | None]  # topic id -> convener participant id
    placement: dict[int, Cell | None]  # current cell of each topic
    locked: frozenset[int] = frozenset()


@dataclass
class Suggestion:
    placement: dict[int, Cell | None]
    clashes_before: int
    clashes_after: int
    convener_conflicts_before: int
    convener_conflicts_after: int
    moves: list[tuple[int, Cell | None, Cell | None]] = field(default_factory=list)


def _round_members(problem: Problem, placement: dict[int, Cell | None]) -> dict[int, list[int]]:
    rounds: dict[int, list[int]] = {slot: [] for slot in problem.slots}
    for topic, cell in placement.items():
        if cell is not None:
            rounds[cell.slot].append(topic)
    return rounds


def clash_count(problem: Problem, placement: dict[int, Cell | None]) -> int:
    """People counted once for every extra session they want in the same round."""
    total = 0
    for topics in _round_members(problem, placement).values():
        seen: Counter[int] = Counter()
        for topic in topics:
            seen.update(problem.people.get(topic, ()))
        total += sum(count - 1 for count in seen.values() if count > 1)
    return total


def convener_conflicts(problem: Problem, placement: dict[int, Cell | None]) -> int:
    total = 0
    for topics in _round_members(problem, placement).values():
        conveners = Counter(problem.conveners.get(t) for t in topics if problem.conveners.get(t))
        total += sum(count - 1 for count in conveners.values() if count > 1)
    return total


def _misfit(problem: Problem, topic: int, cell: Cell | None) -> float:
    if cell is None:
        return 0.0
    capacity = problem.capacity.get(cell.room)
    interest = len(problem.people.get(topic, ()))
    if capacity is None:
        return 0.0
    over = max(0, interest - capacity)
    spare = max(0, capacity - interest)
    # Overfull rooms cost much; empty seats in a big room cost a little (keep big rooms free).
    return over * 0.5 + spare * 0.001


def cost(problem: Problem, placement: dict[int, Cell | None]) -> float:
    return (
        CONVENER_WEIGHT * convener_conflicts(problem, placement)
        + clash_count(problem, placement)
        + sum(_misfit(problem, t, c) for t, c in placement.items())
    )


class _State:
    """Incremental bookkeeping: who is wanted in each round, and which cells are taken."""

    def __init__(self, problem: Problem, placement: dict[int, Cell | None]):
        self.problem = problem
        self.placement = dict(placement)
        self.wanted: dict[int, Counter[int]] = {slot: Counter() for slot in problem.slots}
        self.convening: dict[int, Counter[int]] = {slot: Counter() for slot in problem.slots}
        self.occupant: dict[Cell, int] = {}
        self.slot_load: Counter[int] = Counter()  # sessions per round
        self.room_load: Counter[int] = Counter()  # sessions per room, over the day
        self.slot_index = {slot: n for n, slot in enumerate(problem.slots)}
        self.room_index = {room: n for n, room in enumerate(problem.rooms)}
        for topic, cell in self.placement.items():
            if cell is not None:
                self._add(topic, cell)

    def _add(self, topic: int, cell: Cell) -> None:
        self.wanted[cell.slot].update(self.problem.people.get(topic, ()))
        convener = self.problem.conveners.get(topic)
        if convener:
            self.convening[cell.slot][convener] += 1
        self.occupant[cell] = topic
        self.slot_load[cell.slot] += 1
        self.room_load[cell.room] += 1

    def _remove(self, topic: int, cell: Cell) -> None:
        wanted = self.wanted[cell.slot]
        for person in self.problem.people.get(topic, ()):
            wanted[person] -= 1
        convener = self.problem.conveners.get(topic)
        if convener:
            self.convening[cell.slot][convener] -= 1
        del self.occupant[cell]
        self.slot_load[cell.slot] -= 1
        self.room_load[cell.room] -= 1

    def spread(self, cell: Cell) -> tuple[int, int, int]:
        """How crowded a cell's round and room are: lower spreads the grid more."""
        diagonal = (self.room_index[cell.room] - self.slot_index[cell.slot]) % len(
            self.problem.rooms
        )
        return self.slot_load[cell.slot], self.room_load[cell.room], diagonal

    def delta_in(self, topic: int, cell: Cell, minus: int | None = None) -> float:
        """What placing `topic` (not placed now) into `cell` adds to the cost,
        as if topic `minus` were not in the grid."""
        return self.clash_cost(topic, cell.slot, minus) + _misfit(self.problem, topic, cell)

    def clash_cost(self, topic: int, slot: int, minus: int | None = None) -> int:
        wanted = self.wanted[slot].get
        people = self.problem.people.get(topic, ())
        if minus is None:
            clashes = sum(1 for person in people if wanted(person, 0) > 0)
        else:
            gone = self.problem.people.get(minus, frozenset())
            clashes = sum(1 for person in people if wanted(person, 0) - (person in gone) > 0)
        convener = self.problem.conveners.get(topic)
        conflict = 0
        if convener:
            count = self.convening[slot].get(convener, 0)
            if minus is not None and self.problem.conveners.get(minus) == convener:
                count -= 1
            conflict = 1 if count > 0 else 0
        return CONVENER_WEIGHT * conflict + clashes

    def place(self, topic: int, cell: Cell | None) -> None:
        old = self.placement.get(topic)
        if old is not None:
            self._remove(topic, old)
        self.placement[topic] = cell
        if cell is not None:
            self._add(topic, cell)


def suggest(problem: Problem) -> Suggestion:
    cells = [Cell(room, slot) for slot in problem.slots for room in problem.rooms]
    state = _State(problem, problem.placement)
    movable = [t for t in problem.topics if t not in problem.locked]

    # 1. Greedy placement of unplaced topics, most interest first.
    unplaced = sorted(
        (t for t in movable if state.placement.get(t) is None),
        key=lambda t: (-len(problem.people.get(t, ())), problem.topics.index(t)),
    )
    for topic in unplaced:
        free = [cell for cell in cells if cell not in state.occupant]
        if not free:
            break
        best = min(
            free, key=lambda cell: (round(state.delta_in(topic, cell), 9), state.spread(cell))
        )
        state.place(topic, best)

    # 2. Local search: move to a free cell, or swap with another movable topic.
    for _pass in range(MAX_PASSES):
        improved = False
        for topic in movable:
            here = state.placement.get(topic)
            if here is None:
                continue
            state.place(topic, None)
            stay = state.delta_in(topic, here)
            if stay < 1:  # no clash and no conflict here: nothing to win by moving it
                state.place(topic, here)
                continue
            best_cell, best_gain, partner = here, 0.0, None
            best_spread = None
            # Only rounds where this topic would clash less are worth trying.
            slot_cost = {slot: state.clash_cost(topic, slot) for slot in problem.slots}
            for cell in cells:
                if cell == here:
                    continue
                other = state.occupant.get(cell)
                if other is not None and other in problem.locked:
                    continue
                if cell.slot != here.slot and slot_cost[cell.slot] >= stay:
                    continue
                if other is None:
                    gain = stay - slot_cost[cell.slot] - _misfit(problem, topic, cell)
                elif cell.slot == here.slot:  # same round: only the room sizes change
                    gain = (
                        _misfit(problem, topic, here)
                        + _misfit(problem, other, cell)
                        - _misfit(problem, topic, cell)
                        - _misfit(problem, other, here)
                    )
                else:
                    # Swap: the other leaves its round (minus=other) and joins ours.
                    before = stay + state.delta_in(other, cell, minus=other)
                    after = state.delta_in(topic, cell, minus=other) + state.delta_in(other, here)
                    gain = before - after
                if gain < best_gain - 1e-9 or gain < 1e-9:
                    continue
                # A swap leaves every round and room as full as it was; a move to a
                # free cell is as good as that cell's round and room are empty.
                spread = state.spread(here if other is not None else cell)
                if gain > best_gain + 1e-9 or best_spread is None or spread < best_spread:
                    best_cell, best_gain, partner, best_spread = cell, gain, other, spread
            if partner is not None:
                state.place(partner, None)
                state.place(topic, best_cell)
                state.place(partner, here)
            else:
                state.place(topic, best_cell)
            improved = improved or best_cell != here
        if not improved:
            break

    after = state.placement
    moves = [
        (topic, problem.placement.get(topic), after.get(topic))
        for topic in problem.topics
        if problem.placement.get(topic) != after.get(topic)
    ]
    return Suggestion(
        placement=after,
        clashes_before=clash_count(problem, problem.placement),
        clashes_after=clash_count(problem, after),
        convener_conflicts_before=convener_conflicts(problem, problem.placement),
        convener_conflicts_after=convener_conflicts(problem, after),
        moves=moves,
    )


def fingerprint(problem: Problem) -> str:
    """Identifies the grid and interest a suggestion was made from."""
    parts = [
        f"{t}:{c.room if c else '-'}/{c.slot if c else '-'}:{sorted(problem.people.get(t, ()))}"
        for t, c in sorted(problem.placement.items())
    ]
    parts.append(f"locked={sorted(problem.locked)};rooms={problem.rooms};slots={problem.slots}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]
