"""Structure of every committed notebook: headers, exercises, checks, no leaked solutions."""

import re

import nbformat
import pytest

from conftest import calls_a_check, check_outputs_not_done, raised_not_implemented
from utils.build import (
    BEGIN_MARKER,
    END_MARKER,
    EXERCISE_HEADING,
    HEADER_TAG,
    RAISES_TAG,
    ROOT,
    SETUP_TAG,
    load_settings,
    setup_cell,
)

NAMES = sorted(path.stem for path in (ROOT / "solutions").glob("[0-9][0-9]_*.ipynb"))


def read(folder, name):
    return nbformat.read(ROOT / folder / f"{name}.ipynb", as_version=4)


def tags(cell):
    return cell.metadata.get("tags", [])


CURRICULUM = ["00_start_here", "01_gradient_descent", "02_xor", "03_activations", "04_initialization",
              "05_backpropagation", "06_optimizers", "07_classification_vs_regression", "08_universal_approximation",
              "09_overfitting_and_validation", "10_regularization", "11_playground", "12_vanilla_dnn_physics",
              "13_convolutions", "14_cnn_ising", "15_air_showers", "16_uncertainty_and_interpretability",
              "17_unsupervised_phases", "18_generative_ising"]


def test_every_curriculum_notebook_exists_in_both_folders():
    assert NAMES == CURRICULUM
    assert NAMES == sorted(path.stem for path in (ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("name", NAMES)
def test_notebook_ends_with_takeaways_and_a_link_to_the_next_one(name):
    markdown = "\n".join(c.source for c in read("solutions", name).cells if c.cell_type == "markdown")
    assert "## Key takeaways" in markdown
    if name != NAMES[-1]:
        following = NAMES[NAMES.index(name) + 1]
        assert f"({following}.ipynb)" in markdown, f"{name} should link to {following}.ipynb"


@pytest.mark.parametrize("folder", ["solutions", "notebooks"])
@pytest.mark.parametrize("name", NAMES)
def test_header_badge_points_at_this_file_and_setup_cell_is_shared(folder, name):
    notebook = read(folder, name)
    badge, title, setup = notebook.cells[:3]
    settings = load_settings()
    assert HEADER_TAG in tags(badge)
    assert f"]({settings.colab_url(f'{folder}/{name}.ipynb')})" in badge.source
    assert "colab-badge.svg" in badge.source
    assert re.match(rf"# {name[:2]} · \S", title.source), "title cell: '# NN · Topic'"
    assert "**Time:**" in title.source and "**After this notebook you can**" in title.source
    assert SETUP_TAG in tags(setup) and setup.source == setup_cell(settings).source
    assert "pip install" not in setup.source


@pytest.mark.parametrize("name", NAMES)
def test_learners_answer_at_least_three_written_questions(name):
    answers = [c for c in read("solutions", name).cells if c.cell_type == "markdown" and "solution" in tags(c)]
    assert len(answers) >= 3, f"{name}: {len(answers)} written answers (solution-tagged markdown cells), need 3"
    exercise = read("notebooks", name)
    assert sum("*Your answer:*" in c.source for c in exercise.cells if c.cell_type == "markdown") == len(answers)


@pytest.mark.parametrize("name", NAMES)
def test_training_data_is_never_tiled(name):
    """Honest epochs: fit(dataset, epochs=N), not copies of the data with epochs=1 (learners copy what they see)."""
    code = "\n".join(c.source for c in read("solutions", name).cells if c.cell_type == "code")
    assert "np.tile(" not in code and "numpy.tile(" not in code, f"{name} tiles arrays"


@pytest.mark.parametrize("name", NAMES)
def test_every_exercise_has_a_code_cell_and_a_check(name):
    notebook = read("solutions", name)
    exercises = []
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            exercises += [[heading, []] for heading in EXERCISE_HEADING.findall(cell.source)]
        elif exercises:
            exercises[-1][1].append(cell.source)
    assert exercises, f"{name} has no exercises"
    for heading, code in exercises:
        joined = "\n".join(code)
        assert BEGIN_MARKER in joined, f"{heading}: no solution region"
        assert calls_a_check(joined), f"{heading}: no self-check"


@pytest.mark.parametrize("name", NAMES)
def test_solutions_are_executed_without_errors(name):
    for cell in read("solutions", name).cells:
        if cell.cell_type == "code":
            assert cell.execution_count is not None, f"not executed: {cell.source[:60]!r}"
            assert not any(out.output_type == "error" for out in cell.outputs), cell.source[:60]
            assert RAISES_TAG not in tags(cell)
            assert "❌" not in str(cell.outputs) and "⏳" not in str(cell.outputs)


@pytest.mark.parametrize("name", NAMES)
def test_exercise_notebooks_leak_no_solution_and_have_no_outputs(name):
    solution_lines = set()
    for cell in read("solutions", name).cells:
        inside = False
        for line in cell.source.splitlines():
            if line.strip() in (BEGIN_MARKER, END_MARKER):
                inside = line.strip() == BEGIN_MARKER
            elif inside and len(line.strip()) > 8 and not re.match(r"#|return \w+$", line.strip()):
                solution_lines.add(line.strip())
    exercise = read("notebooks", name)
    exercise_lines = {line.strip() for cell in exercise.cells for line in cell.source.splitlines()}
    assert not solution_lines & exercise_lines, f"solution lines in the exercise: {solution_lines & exercise_lines}"
    for cell in exercise.cells:
        assert BEGIN_MARKER not in cell.source and END_MARKER not in cell.source
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
            if "NotImplementedError" in cell.source or RAISES_TAG in tags(cell):
                assert "Exercise" in cell.source or RAISES_TAG in tags(cell)


def test_raises_exception_rule_accepts_only_not_implemented_error():
    error = {"output_type": "error", "ename": "NotImplementedError", "evalue": "Exercise 1.1: x"}
    assert raised_not_implemented([error]) is None
    assert "ran without error" in raised_not_implemented([{"output_type": "stream", "text": "hi"}])
    assert "TypeError" in raised_not_implemented([{**error, "ename": "TypeError", "evalue": "bad"}])


def test_untouched_exercise_checks_must_say_not_done():
    def stream(text):
        return [{"output_type": "stream", "name": "stdout", "text": text}]
    assert check_outputs_not_done(stream("⏳ Exercise 1.1 (x): not done yet"))
    assert not check_outputs_not_done(stream("✅ Exercise 1.1 (x): correct."))
    assert not check_outputs_not_done(stream("❌ Exercise 1.1 (x): wrong sign."))
    assert not check_outputs_not_done([])
