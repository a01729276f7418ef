"""Time the scheduler on a large event: 2,000 participants, 20 rooms, 6 rounds.

    .venv/bin/python bench/scheduler.py [--runs 5]

Prints the median and worst time of `suggest` (pure algorithm, no database), and
the clash counts before and after. Deterministic input (seeded).
"""

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from agenda.scheduler import Cell, Problem, clash_count, suggest  # noqa: E402


def large_problem(people=2000, rooms=20, slots=6, topics=120, signups=10_000, seed=7) -> Problem:
    rng = random.Random(seed)
    room_ids = list(range(1, rooms + 1))
    slot_ids = list(range(1, slots + 1))
    topic_ids = list(range(1, topics + 1))
    # Popularity is skewed, as at real events: a few topics draw most people.
    weights = [1 / (rank + 1) ** 0.8 for rank in range(topics)]
    wanted: dict[int, set[int]] = {t: set() for t in topic_ids}
    for _ in range(signups):
        topic = rng.choices(topic_ids, weights)[0]
        wanted[topic].add(rng.randrange(people))
    # Half the topics arrive placed by their conveners (first come, first served), half unplaced.
    cells = [Cell(r, s) for s in slot_ids for r in room_ids]
    rng.shuffle(cells)
    placement = {t: (cells[i] if i % 2 == 0 else None) for i, t in enumerate(topic_ids)}
    return Problem(
        rooms=room_ids,
        slots=slot_ids,
        capacity={r: rng.choice([8, 15, 20, 30, 40, None]) for r in room_ids},
        topics=topic_ids,
        people={t: frozenset(p) for t, p in wanted.items()},
        conveners={t: rng.randrange(people) for t in topic_ids},
        placement=placement,
        locked=frozenset(t for t in topic_ids if t % 10 == 0),
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    problem = large_problem()
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        result = suggest(problem)
        times.append(time.perf_counter() - start)
    print("scheduler: 2,000 participants, 20 rooms x 6 rounds, 120 topics, ~10,000 sign-ups")
    print(
        f"  runs: {args.runs}  median: {statistics.median(times) * 1000:.0f} ms  "
        f"worst: {max(times) * 1000:.0f} ms"
    )
    # A baseline: the unplaced topics put in the free cells in grid order, no thought.
    naive = dict(problem.placement)
    taken = {c for c in naive.values() if c}
    free = iter(c for s in problem.slots for r in problem.rooms if (c := Cell(r, s)) not in taken)
    for topic in problem.topics:
        if naive[topic] is None:
            naive[topic] = next(free, None)
    print(f"  clashes with the unplaced put in free cells in order: {clash_count(problem, naive)}")
    print(
        f"  clashes: {result.clashes_before} -> {result.clashes_after}; convener conflicts: "
        f"{result.convener_conflicts_before} -> {result.convener_conflicts_after}; "
        f"moves: {len(result.moves)}"
    )


if __name__ == "__main__":
    main()
