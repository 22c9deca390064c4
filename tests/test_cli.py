"""The ``gradgate`` command: main job, draw, train, bench, the safe expression parser and
exit codes — in-process through ``gradgate.main`` and as a subprocess (``python -m gradgate``).
"""

from __future__ import annotations

import ast
import builtins
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gradgate as cli
import layers

ROOT = Path(__file__).resolve().parent.parent
ACCURACY = re.compile(r"test accuracy of the digits CNN: ([\d.]+)%")
needs_digits = pytest.mark.skipif(
    __import__("importlib").util.find_spec("sklearn") is None,
    reason="the digits need scikit-learn")


def listed_files(stdout: str) -> list[Path]:
    """The paths of the 'files written' list the command prints."""
    lines = stdout.split("files written", 1)[1].splitlines()[1:]
    return [Path(line.split()[0]) for line in lines if line.startswith("  ")]


def run_cli(*args: str, cwd: Path, env: dict[str, str] | None = None
            ) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **(env or {})}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    return subprocess.run([sys.executable, "-m", "gradgate", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


# ------------------------------------------------------------------ the main job
@needs_digits
def test_main_job_in_process(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "results"
    assert cli.main(["--out", str(out), "--epochs", "3", "--no-progress"]) == 0
    stdout = capsys.readouterr().out
    accuracy = float(ACCURACY.search(stdout).group(1))
    assert 60.0 < accuracy <= 100.0
    assert "∂f/∂x = -8, ∂f/∂y = 6, ∂f/∂z = 2, ∂f/∂w = 0" in stdout
    files = listed_files(stdout)
    names = {p.name for p in files}
    assert {"circuit.gv", "circuit.svg", "circuit-backward.html", "mlp.svg", "training.html",
            "digits-cnn.npz", "digits-cnn-history.csv", "digits-cnn.svg",
            "digits-cnn-gradflow.svg"} <= names
    assert sorted(p.name for p in out.iterdir()) == sorted(names)  # every file is listed
    for p in files:
        assert p.is_file() and p.stat().st_size > 0, p
    for svg in out.glob("*.svg"):
        assert "<svg" in svg.read_text(encoding="utf-8")[:500]
    html = (out / "circuit-backward.html").read_text(encoding="utf-8")
    assert "<html" in html.lower() and "mul gate" in html
    training = (out / "training.html").read_text(encoding="utf-8")
    assert "3 · update" in training and '<canvas class="gg-boundary"' in training
    assert "recorded 20 SGD steps of a fresh MLP 2→8→8→2" in stdout
    history = (out / "digits-cnn-history.csv").read_text().splitlines()
    assert history[0] == "epoch,train_loss,train_acc,lr" and len(history) == 4
    net = layers.lenet_digits().float()
    layers.load(net, out / "digits-cnn.npz")  # the weights load back into the builder


@needs_digits
def test_main_job_as_subprocess(tmp_path: Path) -> None:
    done = run_cli("--epochs", "1", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert ACCURACY.search(done.stdout)
    assert "epoch 1/1" in done.stderr  # the tqdm progress bar
    assert (tmp_path / "gradgate-out" / "circuit.svg").is_file()  # default --out
    assert all((tmp_path / p).is_file() for p in listed_files(done.stdout))


def test_missing_dot_writes_sources_and_succeeds(tmp_path: Path, capsys:
                                                 pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))  # Graphviz's `dot` cannot be found
    target, player = tmp_path / "f.svg", tmp_path / "f.html"
    assert cli.main(["draw", "x*y", "--set", "x=3", "y=-4", "--out", str(target),
                     "--player", str(player)]) == 0
    stdout = capsys.readouterr().out
    assert (tmp_path / "f.gv").read_text().startswith("digraph")
    assert not target.exists() and not player.exists()
    notes = [line for line in stdout.splitlines() if "Graphviz" in line]
    assert len(notes) == 1 and "install Graphviz" in notes[0]


@needs_digits
def test_main_job_without_dot(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                              monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    out = tmp_path / "out"
    assert cli.main(["--out", str(out), "--epochs", "1", "--no-progress"]) == 0
    stdout = capsys.readouterr().out
    assert ACCURACY.search(stdout)
    assert sum("install Graphviz" in line for line in stdout.splitlines()) == 1
    assert sorted(p.suffix for p in out.iterdir()) == [".csv", ".gv", ".gv", ".gv", ".gv",
                                                       ".npz"]


# ------------------------------------------------------------------ draw
def test_draw_prints_values_gradients_and_writes_files(tmp_path: Path, capsys:
                                                       pytest.CaptureFixture[str]) -> None:
    target, player = tmp_path / "circuit.svg", tmp_path / "step.html"
    code = cli.main(["draw", "2*(x*y + max(z, w))", "--set", "x=3", "y=-4", "z=2", "w=-1",
                     "--backward", "--out", str(target), "--player", str(player)])
    assert code == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:5] == ["f = 2*(x*y + max(z, w)) = -20.00", "∂f/∂x = -8.00", "∂f/∂y = 6.00",
                         "∂f/∂z = 2.00", "∂f/∂w = 0.00"]
    svg = target.read_text(encoding="utf-8")
    assert "<svg" in svg and "maximum" in svg and "grad &#45;8.00" in svg
    assert "add gate" in player.read_text(encoding="utf-8")


def test_draw_tensors_and_formats(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "m.gv"
    assert cli.main(["draw", "sum(relu(W @ v))", "--set", "W=[[1, -2], [3, 4]]", "v=[1, 1]",
                     "--backward", "--out", str(target)]) == 0
    out = capsys.readouterr().out
    assert "f = sum(relu(W @ v)) = 7.00" in out
    assert "∂f/∂W = [[0. 0.]\n [1. 1.]]" in out and "∂f/∂v = [3. 4.]" in out
    assert target.read_text().startswith("digraph") and not (tmp_path / "m.svg").exists()


def test_draw_never_calls_eval(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                               capsys: pytest.CaptureFixture[str]) -> None:
    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("eval/exec/compile of user text")

    for name in ("eval", "exec"):
        monkeypatch.setattr(builtins, name, forbidden)
    assert cli.main(["draw", "exp(x) / (1 + exp(x))", "--set", "x=0", "--format", "none"]) == 0
    assert capsys.readouterr().out.strip() == "f = exp(x) / (1 + exp(x)) = 0.500"


@pytest.mark.parametrize("text, words", [
    ("__import__('os')", "calling '__import__'"),
    ("__import__('os').system('echo hacked')", "calling anything but a named function"),
    ("x.__class__", "attribute access"),
    ("x.real", "attribute access"),
    ("().__class__.__bases__", "attribute access"),
    ("open('/etc/passwd')", "calling 'open'"),
    ("eval('1')", "calling 'eval'"),
    ("(lambda: 1)()", "calling anything but a named function"),
    ("x[0]", "indexing"),
    ("'abc'", "the constant 'abc'"),
    ("x if x else x", "'x if c else y'"),
    ("x < 1", "comparisons"),
    ("x and x", "'and' / 'or'"),
    ("x % 2", "the operator Mod"),
    ("~x", "the operator Invert"),
    ("[x, x]", "lists"),
    ("__builtins__", "the name '__builtins__'"),
    ("max(x, y=1)", "keyword arguments"),
    ("exp(x, x)", "exp takes 1 argument, got 2"),
    ("max + 1", "'max' is a function"),
    ("x +", "cannot parse"),
    ("", "empty"),
    ("1" + "+1" * 1500, "the limit is 2000"),
    ("(" * 300 + "x" + ")" * 300, "cannot parse"),
])
def test_parser_refuses(text: str, words: str) -> None:
    with pytest.raises(cli.ExpressionError) as err:
        cli.parse_expression(text)
    assert words in str(err.value)


def test_parser_accepts_the_whitelist() -> None:
    tree = cli.parse_expression("-a ** 2 + b @ c - d / 2 * +e + relu(f) + tanh(g) + sigmoid(h)"
                                " + exp(i) + log(j) + maximum(k, 1.5) + max(1, l) + mean(m)")
    assert cli.expression_names(tree) == list("abcdefghijklm")


operand = st.sampled_from(["x", "y", "2", "0.5", "3"])


@st.composite
def expressions(draw: st.DrawFn, depth: int = 3) -> str:
    if depth == 0 or draw(st.booleans()):
        return draw(operand)
    kind = draw(st.sampled_from(["+", "-", "*", "neg", "max", "tanh"]))
    a = draw(expressions(depth=depth - 1))
    if kind == "neg":
        return f"-({a})"
    if kind == "tanh":
        return f"tanh({a})"
    b = draw(expressions(depth=depth - 1))
    return f"max({a}, {b})" if kind == "max" else f"({a} {kind} {b})"


def reference(node: ast.AST, env: dict[str, float]) -> float:
    """Plain-float value of a whitelisted expression tree (the test's own evaluator)."""
    if isinstance(node, ast.Expression):
        return reference(node.body, env)
    if isinstance(node, ast.Constant):
        return float(node.value)
    if isinstance(node, ast.Name):
        return env[node.id]
    if isinstance(node, ast.UnaryOp):
        return -reference(node.operand, env)
    if isinstance(node, ast.Call):
        args = [reference(a, env) for a in node.args]
        return max(args) if node.func.id == "max" else math.tanh(args[0])
    ops = {ast.Add: float.__add__, ast.Sub: float.__sub__, ast.Mult: float.__mul__}
    return ops[type(node.op)](reference(node.left, env), reference(node.right, env))


@settings(max_examples=40, deadline=None)
@given(expressions(), st.floats(-3, 3), st.floats(-3, 3))
def test_traced_expression_matches_plain_arithmetic(text: str, x: float, y: float) -> None:
    env = {"x": x, "y": y}
    tree = cli.parse_expression(text)
    if not cli.expression_names(tree):
        return  # a constant: refused by build_expression, covered below
    f, _ = cli.build_expression(text, env)
    assert f.data == pytest.approx(reference(tree, env), rel=1e-12, abs=1e-12)


def test_build_expression_errors() -> None:
    with pytest.raises(cli.UsageError, match="no value for 'w'; give it with --set w=NUMBER"):
        cli.build_expression("x + w", {"x": 1.0})
    with pytest.raises(cli.ExpressionError, match="is a constant"):
        cli.build_expression("2 * 3", {})
    with pytest.raises(cli.ExpressionError, match="cannot evaluate 'log\\(x\\)'"):
        cli.build_expression("log(x)", {"x": -1.0})
    with pytest.raises(cli.ExpressionError, match="overflows|produced inf"):
        cli.build_expression("2 ** x", {"x": 1e6})


@pytest.mark.parametrize("item, words", [
    ("x3", "expects NAME=NUMBER"), ("x=abc", "expected a number or a list"),
    ("x=1e999", "must be finite"), ("x=inf", "expected a number"),
    ("x=[1, 'a']", "expected a number or a list"),
    ("_x=1", "expects NAME=NUMBER"), ("exp=1", "is a function name"),
    ("x=__import__('os')", "expected a number or a list"),
])
def test_set_refuses(item: str, words: str) -> None:
    with pytest.raises(cli.UsageError, match=re.escape(words)):
        cli.parse_assignments([item])


def test_set_parses_numbers_and_nested_lists() -> None:
    values = cli.parse_assignments(["x=-4", "W=[[1, 2.5], [-3, 4e-1]]"])
    assert values["x"] == -4.0
    np.testing.assert_array_equal(values["W"], [[1.0, 2.5], [-3.0, 0.4]])


# ------------------------------------------------------------------ exit codes
@pytest.mark.parametrize("argv, words", [
    (["frobnicate"], "invalid choice: 'frobnicate'"),
    (["--epochs", "0"], "argument --epochs: expected a positive whole number, got '0'"),
    (["--lr", "-1"], "argument --lr: expected a positive number"),
    (["train", "--model", "vgg"], "--model vgg expects 32×32 colour images"),
    (["train", "--model", "lenet", "--dataset", "moons"], "--model lenet is a CNN"),
    (["train", "--dataset", "cifar10"], "--dataset cifar10 needs --data DIR"),
    (["train", "--dataset", "cifar10", "--make-data"], "--make-data writes CIFAR-10-format"),
    (["train", "--make-data", "--data", "x"], "it needs --dataset cifar10 and --data DIR"),
    (["train", "--hidden", "8,x"], "expected sizes like 32,32"),
    (["draw", "x + y", "--set", "x=1"], "no value for 'y'"),
    (["draw", "__import__('os')"], "calling '__import__' is not allowed"),
    (["draw", "x.y", "--set", "x=1"], "attribute access (a.b) is not allowed"),
    (["draw", "v", "--set", "v=[1, 2]", "--backward"], "--backward needs a single-number"),
    (["draw"], "the following arguments are required: expression"),
    (["bench", "--only", "nothing-matches-this"], "no bench script matches"),
])
def test_bad_arguments_give_one_line_and_exit_2(argv: list[str], words: str,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert err.startswith("gradgate") and ": error: " in err and words in err


def test_bad_arguments_exit_2_as_subprocess(tmp_path: Path) -> None:
    done = run_cli("draw", "__import__('os').system('touch hacked')", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("gradgate draw: error:")
    assert not (tmp_path / "hacked").exists()
    assert run_cli("--epochs", "zero", cwd=tmp_path).returncode == 2


def test_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: gradgate")
    for words in ("draw", "train", "bench", "--out DIR", "--epochs", "examples:"):
        assert words in out
    assert cli.main(["train", "--help"]) == 0
    assert "--model {linear,mlp,lenet,alexnet,vgg,resnet}" in capsys.readouterr().out


# ------------------------------------------------------------------ train and bench
def test_train_mlp_on_moons(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["train", "--model", "mlp", "--dataset", "moons", "--epochs", "20",
                     "--hidden", "16,16", "--no-progress", "--out", str(tmp_path)])
    assert code == 0
    out = capsys.readouterr().out
    assert "training mlp (354 parameters) on moons (400 train / 100 test samples)" in out
    accuracy = float(re.search(r"test accuracy: ([\d.]+)%", out).group(1))
    assert accuracy > 80.0
    rows = (tmp_path / "mlp-moons-history.csv").read_text().splitlines()
    assert len(rows) == 21
    net = cli.build_model("mlp", "moons", (2,), 2, [16, 16])
    layers.load(net, tmp_path / "mlp-moons.npz")


@needs_digits
def test_train_lenet_on_digits_as_subprocess(tmp_path: Path) -> None:
    done = run_cli("train", "--model", "lenet", "--epochs", "1", "--limit", "400",
                   cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "training lenet (1898 parameters) on digits (400 train / 360 test samples)" \
        in done.stdout
    assert re.search(r"test accuracy: [\d.]+%", done.stdout)
    assert (tmp_path / "gradgate-out" / "lenet-digits.npz").is_file()


def test_bench_quick(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["bench", "--quick", "--repeats", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["workload", "median"]
    assert any(line.startswith("scalar MLP") for line in lines)
    assert all(re.search(r"\d (s|ms|µs)$", line) for line in lines[1:])


def test_bench_runs_scripts_and_reports_failures(tmp_path: Path, monkeypatch:
                                                 pytest.MonkeyPatch,
                                                 capfd: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "bench_good.py").write_text("print('good ran')\n")
    (tmp_path / "bench_failing.py").write_text("raise SystemExit(3)\n")
    monkeypatch.setattr(cli.bench, "_bench_dir", lambda: tmp_path)
    assert cli.main(["bench", "--only", "good"]) == 0
    captured = capfd.readouterr()
    assert "good ran" in captured.out and "bench_failing" not in captured.out
    assert cli.main(["bench"]) == 1
    captured = capfd.readouterr()
    assert "== bench_failing.py" in captured.out and "== bench_good.py" in captured.out
    assert "failed: bench_failing.py (exit 3)" in captured.err


def test_bench_scripts_given_as_a_path(tmp_path: Path, capfd: pytest.CaptureFixture[str]
                                       ) -> None:
    (tmp_path / "bench_here.py").write_text("print('here ran')\n")
    assert cli.main(["bench", "--path", str(tmp_path)]) == 0
    assert "== bench_here.py" in capfd.readouterr().out
    assert cli.main(["bench", "--path", str(tmp_path / "nowhere")]) == 2
    err = capfd.readouterr().err
    assert err.startswith("gradgate bench: error: --path") and "no such folder" in err


def test_bench_found_from_a_checkout_subfolder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capfd: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "bench").mkdir()
    (tmp_path / "bench" / "bench_found.py").write_text("print('found ran')\n")
    (tmp_path / "notebooks").mkdir()
    monkeypatch.chdir(tmp_path / "notebooks")
    assert cli.main(["bench", "--only", "found"]) == 0
    assert "found ran" in capfd.readouterr().out


def test_missing_scikit_learn_fails_clearly_before_writing(tmp_path: Path, monkeypatch:
                                                           pytest.MonkeyPatch, capsys:
                                                           pytest.CaptureFixture[str]) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *args: None if name == "sklearn" else real(name, *args))
    assert cli.main(["--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "scikit-learn is not installed" in err and "pip install 'gradgate[digits]'" in err
    assert not (tmp_path / "out").exists()
    assert cli.main(["train", "--dataset", "digits"]) == 1


@pytest.fixture
def tiny_cifar(tmp_path: Path) -> Path:
    """A CIFAR-10 folder in the binary format with 8 random images per file."""
    rng = np.random.default_rng(0)
    folder = tmp_path / "cifar-10-batches-bin"
    folder.mkdir()
    for name in [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]:
        records = rng.integers(0, 256, size=(8, 1 + 3 * 32 * 32), dtype=np.uint8)
        records[:, 0] = rng.integers(0, 10, size=8)
        records.tofile(folder / name)
    return tmp_path


@pytest.mark.parametrize("model", ["lenet", "alexnet", "vgg", "resnet"])
def test_train_image_models_on_cifar_format(model: str, tiny_cifar: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["train", "--model", model, "--dataset", "cifar10", "--data",
                     str(tiny_cifar), "--limit", "16", "--epochs", "1", "--optimizer", "adam",
                     "--no-progress", "--out", str(tiny_cifar / "out")])
    assert code == 0
    out = capsys.readouterr().out
    params = cli.build_model(model, "cifar10", (3, 32, 32), 10, []).num_parameters()
    assert (f"training {model} ({params} parameters) on cifar10 (16 train / 8 test samples) "
            "for 1 epoch, adam lr=0.001") in out
    assert re.search(r"test accuracy: [\d.]+%", out)
    assert (tiny_cifar / "out" / f"{model}-cifar10.npz").is_file()


def test_train_on_a_generated_cifar_format_data_set(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "cifar"
    code = cli.main(["train", "--model", "vgg", "--dataset", "cifar10", "--data", str(data),
                     "--make-data", "--limit", "32", "--epochs", "1", "--no-progress",
                     "--out", str(tmp_path / "out")])
    assert code == 0
    sizes = {p.name: p.stat().st_size for p in (data / "cifar-10-batches-bin").iterdir()}
    assert sizes["data_batch_1.bin"] == 10_000 * 3073 and sizes["test_batch.bin"] == 10_000 * 3073
    out = capsys.readouterr().out
    assert f"writing a synthetic CIFAR-10-format data set into {data}" in out
    assert "on cifar10 (32 train / 32 test samples)" in out


def test_train_cifar_with_a_wrong_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                         ) -> None:
    assert cli.main(["train", "--dataset", "cifar10", "--data", str(tmp_path)]) == 2
    assert "missing" in capsys.readouterr().err


def test_export_writes_an_onnx_model_that_onnxruntime_agrees_with(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ort = pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")
    out = tmp_path / "out"
    assert cli.main(["train", "--model", "mlp", "--dataset", "moons", "--hidden", "8",
                     "--epochs", "2", "--no-progress", "--out", str(out)]) == 0
    onnx_path = tmp_path / "mlp.onnx"
    assert cli.main(["export", "--model", "mlp", "--dataset", "moons", "--hidden", "8",
                     "--weights", str(out / "mlp-moons.npz"), "--onnx", str(onnx_path)]) == 0
    assert (f"wrote {onnx_path}: mlp for moons (42 parameters), input 'input' of shape "
            "(batch, 2), output 'output' of 2 scores, opset 17") in capsys.readouterr().out
    net = cli.build_model("mlp", "moons", (2,), 2, [8])
    layers.load(net, out / "mlp-moons.npz")
    points = np.random.default_rng(0).normal(size=(5, 2)).astype(np.float32)
    session = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    (scores,) = session.run(None, {"input": points})
    np.testing.assert_allclose(scores, net(points).data, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("extra, words", [
    (["--weights", "missing.npz"], "--weights: load: no checkpoint file at 'missing.npz'"),
    (["--hidden", "4"], "size mismatch for"),
    (["--onnx", "FILE/m.onnx"], "FILE: cannot write there (a file, not a folder)"),
])
def test_export_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                          extra: list[str], words: str) -> None:
    out = tmp_path / "out"
    assert cli.main(["train", "--model", "mlp", "--dataset", "moons", "--hidden", "8",
                     "--epochs", "1", "--no-progress", "--out", str(out)]) == 0
    argv = {"--model": "mlp", "--dataset": "moons", "--hidden": "8",
            "--weights": str(out / "mlp-moons.npz"), "--onnx": str(tmp_path / "m.onnx")}
    (tmp_path / "FILE").write_text("a file, not a folder")
    argv.update({k: v.replace("FILE", str(tmp_path / "FILE")) for k, v in
                 zip(extra[::2], extra[1::2])})
    capsys.readouterr()
    assert cli.main(["export", *(x for kv in argv.items() for x in kv)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and words.replace("FILE", str(tmp_path / "FILE")) in err
    assert err.startswith("gradgate export: error:")


@pytest.mark.parametrize("expression, value", [
    ("+".join(["x"] * 999), "999.00"),          # 999 terms: nests past Python's recursion
    ("x+" + "-" * 990 + "x", "2.00"),            # 990 unary minus signs
])
def test_draw_evaluates_expressions_nested_a_thousand_deep(
        expression: str, value: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["draw", expression, "--set", "x=1", "--format", "none"]) == 0
    assert capsys.readouterr().out.splitlines()[0].endswith(f"= {value}")


def test_set_with_a_number_beyond_float_range_is_one_line(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["draw", "x", "--set", "x=1" + "0" * 400]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--set x: values must be finite" in err


@pytest.mark.parametrize("argv", [
    ["--out", "FILE/sub"],
    ["draw", "x*y", "--set", "x=1", "y=2", "--out", "FILE/e.svg"],
    ["draw", "x*y", "--set", "x=1", "y=2", "--format", "none", "--player", "FILE/p.html"],
    ["draw", "x*y", "--set", "x=1", "y=2", "--player", "DIR"],
    ["train", "--dataset", "moons", "--epochs", "1", "--out", "FILE"],
])
def test_unwritable_outputs_fail_in_one_line_before_any_work(
        argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "FILE").write_text("a file, not a folder")
    argv = [a.replace("FILE", str(tmp_path / "FILE")).replace("DIR", str(tmp_path))
            for a in argv]
    assert cli.main(argv) == 2
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1
    assert "cannot write there" in captured.err or "is a folder; give a file name" in captured.err
    assert "training" not in captured.out and "f = " not in captured.out
