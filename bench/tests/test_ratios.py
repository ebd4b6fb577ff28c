"""How bench/run.py turns wrk's runs into ratios to the ceiling."""

from bench.run import results, verdicts

PLANNED = {
    name: {"title": name, "queries": ["SELECT 1"]}
    for name in ("ceiling", "actions", "journal-5000", "journal-50")
}


def run(rps: float, seconds: float = 2) -> dict:
    return {
        "requests": int(rps * seconds),
        "duration_us": int(seconds * 1e6),
        "rps": rps,
        "p50_us": 1000,
        "p99_us": 5000,
        "status_errors": 0,
        "socket_errors": 0,
    }


def measured(endpoint: list[float], ceilings: list[float]) -> dict:
    """Rounds of one endpoint; ceilings[i] and ceilings[i + 1] ran either side of
    round i, as bench/run.py's measure() records them."""
    beside = []
    for number in range(len(endpoint)):
        beside += [run(ceilings[number]), run(ceilings[number + 1])]
    return {
        "runs": {"actions": [run(rps) for rps in endpoint]},
        "ceilings": {"actions": beside},
    }


def ratio(rows, name="actions"):
    return next(row["ratio"] for row in rows if row["name"] == name)


def test_a_machine_that_speeds_up_midway_does_not_move_the_ratio():
    # Half the ceiling's speed in every round, while the machine doubles its speed.
    ceilings = [1000, 1000, 1000, 2000, 2000, 2000]
    endpoint = [500, 500, 750, 1000, 1000]

    rows = results(measured(endpoint, ceilings), PLANNED)

    assert ratio(rows) == 0.5
    # The ceiling's own row is its rate over all its runs.
    assert abs(rows[0]["rps"] - 1500) < 1


def test_one_disturbed_round_does_not_move_the_ratio():
    # Over all the runs together, the endpoint would be at 0.5.
    rows = results(measured([600, 600, 100, 600, 600], [1000] * 6), PLANNED)

    assert ratio(rows) == 0.6


def test_a_target_missed_is_a_failed_verdict():
    rows = results(measured([590] * 3, [1000] * 4), PLANNED)

    [check] = verdicts(rows)

    assert check["measured"] == "0.59"
    assert check["ok"] is False
