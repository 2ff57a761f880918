"""The build tool: placeholders, stamping, generation, and the --check that guards against drift."""

import shutil

import nbformat
import pytest

from utils import build
from utils.build import (
    CALLS_EXERCISE_TAG,
    RAISES_TAG,
    Settings,
    load_settings,
    make_exercise,
    placeholder_for_values,
    replace_solutions,
    stamp_headers,
)

SETTINGS = Settings("https://github.com/example-org/example-course", "main")


def test_committed_notebooks_are_what_the_build_writes():
    assert build.check() == []


def test_check_command_exit_codes(capsys):
    assert build.main(["--check"]) == 0
    assert "up to date" in capsys.readouterr().out


def test_function_region_becomes_not_implemented_error():
    source = ("def f(x):\n    \"\"\"Doc.\"\"\"\n"
              "    ### BEGIN SOLUTION\n    y = x + 1\n    return y\n    ### END SOLUTION\n")
    result = replace_solutions(source, "Exercise 1.3: the gradient", "cell")
    assert "x + 1" not in result and "BEGIN" not in result
    assert '    raise NotImplementedError("Exercise 1.3: the gradient")' in result
    assert '"""Doc."""' in result
    compile(result, "cell", "exec")


def test_value_region_becomes_ellipsis_and_dicts_keep_their_keys():
    source = "### BEGIN SOLUTION\nrates = {\"small\": 0.1, \"big\": 1.0}\nn = 3\n### END SOLUTION"
    result = replace_solutions(source, "Exercise 1.5: rates", "cell")
    assert "rates = {'small': ..., 'big': ...}" in result
    assert "# Exercise 1.5: replace each ... with your value.\nrates = {" in result
    assert "\nn = ..." in result
    assert "0.1" not in result
    assert placeholder_for_values("print(1)", "Exercise 1.1: x") is None


def test_top_level_code_region_raises_too():
    region = "### BEGIN SOLUTION\nfor i in range(3):\n    print(i)\n### END SOLUTION"
    result = replace_solutions(region, "Exercise 2.1: x", "c")
    assert 'raise NotImplementedError("Exercise 2.1: x")' in result


@pytest.mark.parametrize("source, exercise, message", [
    ("### BEGIN SOLUTION\nx = 1\n", "Exercise 1.1: a", "without"),
    ("x = 1\n### END SOLUTION\n", "Exercise 1.1: a", "without"),
    ("### BEGIN SOLUTION\nx = 1\n### END SOLUTION", None, "before any"),
])
def test_malformed_regions_are_reported_with_their_place(source, exercise, message):
    with pytest.raises(SystemExit, match=message):
        replace_solutions(source, exercise, "solutions/x.ipynb, cell 3")


def _toy_solution():
    """A small solution notebook with every kind of cell the build treats specially."""
    cells = [
        nbformat.v4.new_markdown_cell("# 99 · Toy\nGoals.", id="title"),
        nbformat.v4.new_markdown_cell("### Exercise 9.1: double", id="ex"),
        nbformat.v4.new_code_cell("def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION",
                                  id="code"),
        nbformat.v4.new_code_cell("print(double(2))", id="use"),
        nbformat.v4.new_markdown_cell("Because it doubles.", id="why"),
    ]
    cells[3].metadata = {"tags": [CALLS_EXERCISE_TAG]}
    cells[3].outputs = [nbformat.v4.new_output("stream", text="4\n")]
    cells[3].execution_count = 3
    cells[4].metadata = {"tags": ["solution"]}
    return nbformat.v4.new_notebook(cells=cells)


def test_stamped_solution_and_generated_exercise():
    solution = stamp_headers(_toy_solution(), SETTINGS, "solutions", "99_toy.ipynb")
    assert [c.id for c in solution.cells[:3]] == ["course-header", "title", "course-setup"]
    assert "blob/main/solutions/99_toy.ipynb" in solution.cells[0].source
    assert 'COURSE_REPOSITORY = "https://github.com/example-org/example-course"' in solution.cells[2].source
    exercise = make_exercise(solution, SETTINGS, "99_toy.ipynb")
    sources = [c.source for c in exercise.cells]
    assert "blob/main/notebooks/99_toy.ipynb" in sources[0]
    assert "2 * x" not in "".join(sources) and "Because it doubles" not in "".join(sources)
    assert "*Your answer:*" in sources
    use = next(c for c in exercise.cells if c.id == "use")
    assert use.metadata["tags"] == [RAISES_TAG] and use.outputs == [] and use.execution_count is None
    assert stamp_headers(solution, SETTINGS, "solutions", "99_toy.ipynb") == solution, "stamping is idempotent"


def test_stamping_keeps_setup_outputs_only_if_the_setup_did_not_change():
    solution = stamp_headers(_toy_solution(), SETTINGS, "solutions", "99_toy.ipynb")
    solution.cells[2].outputs = [nbformat.v4.new_output("stream", text="report\n")]
    assert stamp_headers(solution, SETTINGS, "solutions", "99_toy.ipynb").cells[2].outputs
    moved = Settings("https://github.com/other/place", "dev")
    assert stamp_headers(solution, moved, "solutions", "99_toy.ipynb").cells[2].outputs == []


def test_title_must_come_first():
    notebook = _toy_solution()
    notebook.cells = notebook.cells[1:]
    with pytest.raises(SystemExit, match="title"):
        stamp_headers(notebook, SETTINGS, "solutions", "99_toy.ipynb")


def test_settings_parse_github_addresses_and_reject_others():
    assert Settings("https://github.com/a-b/c.d.git", "main").github_path == "a-b/c.d"
    assert SETTINGS.folder == "example-course"
    with pytest.raises(SystemExit, match="GitHub address"):
        _ = Settings("https://gitlab.com/a/b", "main").github_path
    assert load_settings().repository.startswith("https://github.com/")


@pytest.fixture()
def course_copy(tmp_path):
    """A copy of the course's notebooks and settings to damage safely."""
    for folder in ("solutions", "notebooks"):
        shutil.copytree(build.ROOT / folder, tmp_path / folder)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(build.ROOT / name, tmp_path / name)
    return tmp_path


def test_check_names_the_notebook_and_cell_edited_by_hand(course_copy):
    path = course_copy / "notebooks" / "01_gradient_descent.ipynb"
    notebook = nbformat.read(path, as_version=4)
    notebook.cells[7].source += "\n# my own edit"
    nbformat.write(notebook, path)
    problems = build.check(course_copy)
    assert len(problems) == 1
    assert problems[0].startswith("notebooks/01_gradient_descent.ipynb: cell 7")


def test_check_finds_stale_and_missing_notebooks(course_copy):
    (course_copy / "notebooks" / "00_start_here.ipynb").rename(course_copy / "notebooks" / "99_old.ipynb")
    problems = build.check(course_copy)
    assert "notebooks/00_start_here.ipynb: missing" in problems
    assert any(p.startswith("notebooks/99_old.ipynb: has no solution") for p in problems)


def test_changing_the_repository_address_is_one_setting(course_copy):
    pyproject = course_copy / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace(load_settings().repository,
                                                       "https://github.com/new-home/course"))
    assert build.check(course_copy), "the old badges are now out of date"
    build.build(course_copy)
    assert build.check(course_copy) == []
    for path in (course_copy / "notebooks").glob("*.ipynb"):
        text = path.read_text()
        assert "github/new-home/course/blob/main/notebooks/" in text
        assert 'COURSE_REPOSITORY = \\"https://github.com/new-home/course\\"' in text
    readme = (course_copy / "README.md").read_text()
    assert "github/new-home/course/blob/main/solutions/02_xor.ipynb" in readme
    assert "dl-physics-school" not in readme.split("<!-- notebooks:start -->")[1].split("<!-- notebooks:end -->")[0]


def test_readme_table_lists_every_notebook_with_both_badges():
    readme = (build.ROOT / "README.md").read_text()
    table = readme.split("<!-- notebooks:start -->")[1].split("<!-- notebooks:end -->")[0]
    settings = load_settings()
    for path in sorted((build.ROOT / "solutions").glob("[0-9][0-9]_*.ipynb")):
        for folder in ("notebooks", "solutions"):
            assert settings.colab_url(f"{folder}/{path.name}") in table


def test_readme_without_table_markers_is_reported(course_copy):
    readme = course_copy / "README.md"
    readme.write_text(readme.read_text().replace("<!-- notebooks:end -->", ""))
    with pytest.raises(SystemExit, match="must frame"):
        build.check(course_copy)


def test_ci_runs_the_readme_test_command():
    ci = (build.ROOT / ".ci" / "run").read_text()
    readme = (build.ROOT / "README.md").read_text()
    command = readme.split("<!-- test-command -->")[1].split("```bash\n")[1].split("\n")[0]
    assert command.startswith("python3 -m venv .venv") and command.endswith("python -m pytest")
    assert "<!-- test-command -->" in ci


def test_consecutive_prints_are_merged_per_stream():
    cell = nbformat.v4.new_code_cell("print(1); print(2)")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="1\n"),
                    nbformat.v4.new_output("stream", name="stdout", text="2\n"),
                    nbformat.v4.new_output("stream", name="stderr", text="warning\n"),
                    nbformat.v4.new_output("stream", name="stdout", text="3\n")]
    merged = build.merge_streams(nbformat.v4.new_notebook(cells=[cell])).cells[0].outputs
    assert [(out.name, out.text) for out in merged] == [("stdout", "1\n2\n"), ("stderr", "warning\n"),
                                                         ("stdout", "3\n")]
