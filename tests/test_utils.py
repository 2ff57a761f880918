"""Unit tests of the helper package: environment, datasets, plots, callbacks."""

import matplotlib

matplotlib.use("Agg")

import keras  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from utils import callbacks, datasets, environment, plots  # noqa: E402


@pytest.mark.parametrize("text, expected", [("2.16.1", (2, 16, 1)), ("3.13.2", (3, 13, 2)),
                                            ("2.21.0rc1", (2, 21, 0)), ("1.26", (1, 26)), ("dev", ())])
def test_version_tuple(text, expected):
    assert environment.version_tuple(text) == expected


def test_version_problems_name_the_package_and_what_is_needed():
    assert environment.version_problems() == []
    too_old = environment.version_problems({"numpy": "999.0"})
    assert len(too_old) == 1 and "numpy" in too_old[0] and "999.0" in too_old[0]
    missing = environment.version_problems({"no-such-package-xyz": "1.0"})
    assert "not installed" in missing[0]
    assert "Python" in environment.version_problems({}, python=(99, 0))[0]


def test_tensorflow_cpu_counts_as_tensorflow():
    assert environment.installed_version("tensorflow") is not None


def test_setup_seeds_everything_and_reports(capsys):
    environment.setup(seed=7)
    first = (np.random.rand(), keras.random.uniform((1,)).numpy()[0])
    environment.setup(seed=7)
    second = (np.random.rand(), keras.random.uniform((1,)).numpy()[0])
    assert first == second
    report = capsys.readouterr().out.strip().splitlines()[-1]
    assert report.startswith("Python ") and "TensorFlow" in report and "Keras" in report and "seed 7" in report


def test_noisy_line_is_reproducible_and_follows_its_line():
    x, y = datasets.noisy_line(n=400, slope=-1.5, intercept=2.0, noise=0.1, seed=3)
    again = datasets.noisy_line(n=400, slope=-1.5, intercept=2.0, noise=0.1, seed=3)
    assert np.array_equal(x, again[0]) and np.array_equal(y, again[1])
    slope, intercept = np.polyfit(x, y, 1)
    assert slope == pytest.approx(-1.5, abs=0.05) and intercept == pytest.approx(2.0, abs=0.05)


def test_noisy_linear_shapes_and_truth():
    X, Y, W, b = datasets.noisy_linear(n=50, n_inputs=4, n_outputs=3, noise=0.0, seed=1)
    assert X.shape == (50, 4) and Y.shape == (50, 3) and W.shape == (4, 3) and b.shape == (3,)
    assert np.allclose(Y, X @ W + b)


def test_xor_data():
    X, y = datasets.xor_truth_table()
    assert np.array_equal(y, np.logical_xor(X[:, 0], X[:, 1]).astype(float))
    cloud, labels = datasets.noisy_xor(n_per_corner=30, spread=0.1, seed=0)
    assert cloud.shape == (120, 2)
    assert np.array_equal(labels, np.logical_xor(cloud[:, 0] > 0.5, cloud[:, 1] > 0.5).astype(float))


def test_palette_is_distinct_and_applied():
    assert len(set(plots.COLORS)) == len(plots.COLORS)
    plots.apply_style()
    assert matplotlib.rcParams["axes.prop_cycle"].by_key()["color"][:2] == plots.COLORS[:2]


def test_loss_curves_and_history():
    ax = plots.loss_curves({"a": [1.0, 0.5, 0.2], "b": [2.0, 1.0, 0.1]})
    assert len(ax.lines) == 2 and ax.get_yscale() == "log" and ax.get_legend() is not None
    ax = plots.history_curves({"loss": [1.0, 0.5], "val_loss": [1.1, 0.7]})
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["training", "validation"]
    plt.close("all")


def test_contour_and_paths():
    ax = plots.loss_contour(lambda w, b: w**2 + b**2, (-1, 1), (-1, 1))
    plots.parameter_paths({"run": np.array([[1.0, 1.0], [0.5, 0.5], [0.0, 0.0]])}, ax=ax, optimum=(0, 0))
    assert ax.get_xlabel() == "$w$" and len(ax.lines) >= 3
    plt.close("all")


def test_decision_boundary_of_function_and_model():
    X, y = datasets.noisy_xor(n_per_corner=10, seed=1)
    ax = plots.decision_boundary(lambda p: (p[:, 0] > 0.5).astype(float), X, y, resolution=50)
    assert len(ax.collections) >= 3  # shading, boundary line, two classes of points
    model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1, activation="sigmoid")])
    ax = plots.decision_boundary(model, X, y, resolution=30, colorbar=True)
    assert ax.get_title() == "Decision boundary"
    plt.close("all")


def test_live_loss_plot_records_history_and_draws_in_place(monkeypatch):
    shown = []

    class Handle:
        def update(self, figure):
            shown.append(("update", figure))

    def fake_display(figure, display_id=False):
        shown.append(("display", figure))
        return Handle()

    monkeypatch.setattr(callbacks, "_in_notebook", lambda: True)
    monkeypatch.setattr("IPython.display.display", fake_display)
    model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse")
    live = callbacks.LiveLossPlot(refresh_seconds=0.0)
    x = np.linspace(-1, 1, 32)[:, None]
    model.fit(x, 3 * x, epochs=4, validation_split=0.25, verbose=0, callbacks=[live])
    assert len(live.logs["loss"]) == 4 and len(live.logs["val_loss"]) == 4
    assert [kind for kind, _ in shown] == ["display"] + ["update"] * 4, "one display, then updates in place"
    assert "epoch 4" in live.figure().axes[0].get_title()
    plt.close("all")


def test_live_loss_plot_is_silent_outside_notebooks():
    live = callbacks.LiveLossPlot()
    live.on_train_begin()
    live.on_epoch_end(0, {"loss": 1.0})
    live.on_train_end()
    assert live.logs == {"loss": [1.0]}


@pytest.mark.parametrize("limits, expected", [
    ((0.012, 0.25), {"0.02", "0.05", "0.1", "0.2"}),
    ((0.15, 0.9), {"0.2", "0.3", "0.5"}),
    ((1e-4, 1.0), {"0.0001", "0.001", "0.01", "0.1", "1"}),
])
def test_log_axis_labels_enough_ticks_to_read_values(limits, expected):
    import matplotlib.pyplot as plt

    figure, ax = plt.subplots()
    ax.plot([1, 2], limits)
    plots.log_axis(ax, "y")
    ax.set_ylim(*limits)
    figure.canvas.draw()
    ticks = ax.yaxis.get_major_ticks() + ax.yaxis.get_minor_ticks()
    shown = {tick.label1.get_text() for tick in ticks if limits[0] <= tick.get_loc() <= limits[1]}
    plt.close(figure)
    assert shown - {""} == expected
