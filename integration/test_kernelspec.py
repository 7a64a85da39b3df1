"""The installed kernelspec matches DESIGN.md and carries the logos from kernelspec/."""
import json
import subprocess

from conftest import ROOT


def test_kernel_json_fields(installed_kernel):
    spec = json.loads((installed_kernel / "kernel.json").read_text())
    assert spec["display_name"] == "RapidEELS (Swift)"
    assert spec["language"] == "swift"
    assert spec["interrupt_mode"] == "message"
    assert spec["argv"][1:] == ["--connection-file", "{connection_file}"]
    assert spec["argv"][0].endswith("rapideels-kernel")


def test_logos_are_the_files_in_kernelspec(installed_kernel):
    for name in ["logo-32x32.png", "logo-64x64.png", "logo-svg.svg"]:
        assert (installed_kernel / name).read_bytes() == (ROOT / "kernelspec" / name).read_bytes(), (
            f"{name} differs from kernelspec/{name}: run kernelspec/embed.sh and rebuild"
        )


def test_install_with_name_and_prefix(installed_kernel, tmp_path):
    binary = json.loads((installed_kernel / "kernel.json").read_text())["argv"][0]
    out = subprocess.run([binary, "install", "--prefix", str(tmp_path), "--name", "other"],
                         capture_output=True, text=True, check=True)
    assert "installed kernelspec other" in out.stdout
    spec = json.loads((tmp_path / "share/jupyter/kernels/other/kernel.json").read_text())
    assert spec["argv"][0] == binary


def test_install_rejects_two_scopes(installed_kernel, tmp_path):
    binary = json.loads((installed_kernel / "kernel.json").read_text())["argv"][0]
    out = subprocess.run([binary, "install", "--user", "--prefix", str(tmp_path)], capture_output=True, text=True)
    assert out.returncode != 0
    assert "choose one of --user, --sys-prefix and --prefix" in out.stderr


def test_bad_connection_file_is_a_clear_error(installed_kernel, tmp_path):
    binary = json.loads((installed_kernel / "kernel.json").read_text())["argv"][0]
    bad = tmp_path / "bad.json"
    bad.write_text('{"shell_port": 1}')
    out = subprocess.run([binary, "--connection-file", str(bad)], capture_output=True, text=True, timeout=10)
    assert out.returncode != 0
    assert 'connection file lacks "iopub_port"' in out.stderr


def kernel_binary(installed_kernel):
    return json.loads((installed_kernel / "kernel.json").read_text())["argv"][0]


def test_run_prints_outputs_and_the_result(installed_kernel, tmp_path):
    script = tmp_path / "ok.swift"
    script.write_text('let x = 6 * 7\nprint("x is \\(x)")\nprintError("to stderr")\nx + 1\n')
    out = subprocess.run([kernel_binary(installed_kernel), "run", str(script)], capture_output=True, text=True,
                         timeout=30)
    assert out.returncode == 0, out.stderr
    assert out.stdout == "x is 42\n43\n"
    assert out.stderr == "to stderr\n"


def test_run_exits_1_with_the_error_on_stderr(installed_kernel, tmp_path):
    script = tmp_path / "bad.swift"
    script.write_text('print("before")\nlet y = undefinedThing + 1\nprint("after")\n')
    out = subprocess.run([kernel_binary(installed_kernel), "run", str(script)], capture_output=True, text=True,
                         timeout=30)
    assert out.returncode == 1
    assert out.stdout == "before\n"
    assert "NameError" in out.stderr and "undefinedThing" in out.stderr
    assert "\x1b[" not in out.stderr, "a traceback written to a pipe must not carry terminal colour codes"
    assert "^" in out.stderr, "the caret under the error's column is kept"


def test_run_missing_file_is_a_clear_error(installed_kernel, tmp_path):
    out = subprocess.run([kernel_binary(installed_kernel), "run", str(tmp_path / "none.swift")],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode != 0
    assert "cannot read" in out.stderr and "none.swift" in out.stderr


def test_version(installed_kernel):
    out = subprocess.run([kernel_binary(installed_kernel), "version"], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0
    assert out.stdout.startswith("rapideels-kernel ") and "Jupyter protocol 5.4" in out.stdout
