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
