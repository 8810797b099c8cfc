"""Problems: one line each, the same problem once, and what fails a note."""

from __future__ import annotations

from schemas.problems import Problem, Severity, fails, value_at


def _problem(severity: Severity = Severity.ERROR, loc: tuple[str | int, ...] = ()) -> Problem:
    return Problem("schema.x", {"message": "bad"}, loc, severity, "house.yaml", 3, 1)


def test_a_problem_found_again_has_the_same_key() -> None:
    # A house's problem comes back with each of its notes; its field path may differ in form.
    assert _problem().key == _problem(loc=("name",)).key
    assert Problem("schema.x", {"message": "bad"}, path="a.md").key != _problem().key


def test_errors_fail_and_warnings_only_with_strict() -> None:
    warning = _problem(Severity.WARNING)
    assert fails([_problem()]) and not fails([warning]) and fails([warning], strict=True)
    assert not fails([], strict=True)


def test_a_problem_prints_on_one_line_whatever_it_quotes() -> None:
    problem = Problem(
        "schema.x", {"message": "bad\nvalue \u202e"}, ("analysts", 0, "sac"), path="n.md"
    )
    assert problem.text() == "n.md: error: analysts[0].sac: bad\\nvalue \\u202e [schema.x]"
    assert value_at({"a": [1]}, ("a", 3)) is None
