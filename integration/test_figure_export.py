"""fig.save picks the format from the extension: SVG as it is, PNG (with dpi or width) and PDF through librsvg."""
import struct

from test_execution import execute

CELL = 'let fig = plot(simulatePaperDataset(seed: 3, scale: 0.02).test[0].spectrum(row: 0, column: 0))\n'


def png_size(path):
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG: {head[:8]!r}"
    return struct.unpack(">II", head[16:24])


def run(kc, code):
    reply, messages = execute(kc, code, timeout=60)
    return reply, [m["content"] for _, m in messages if m["msg_type"] == "error"]


def test_svg_png_pdf_by_extension_with_dpi_and_width(kernel, tmp_path):
    _, kc = kernel
    paths = {ext: tmp_path / f"fig.{ext}" for ext in ["svg", "png", "pdf"]}
    reply, errors = run(kc, CELL + "\n".join([
        f'fig.save("{paths["svg"]}")', f'fig.save("{paths["png"]}")', f'fig.save("{paths["pdf"]}")',
        f'fig.save("{tmp_path / "fig2x.png"}", dpi: 192)', f'fig.save("{tmp_path / "fig300.png"}", width: 300)']))
    assert reply["status"] == "ok", errors
    assert paths["svg"].read_text().lstrip().startswith(("<svg", "<?xml"))
    assert paths["pdf"].read_bytes()[:5] == b"%PDF-"
    w1, h1 = png_size(paths["png"])
    w2, h2 = png_size(tmp_path / "fig2x.png")
    assert (abs(w2 - 2 * w1) <= 1 and abs(h2 - 2 * h1) <= 1), ((w1, h1), (w2, h2))
    assert png_size(tmp_path / "fig300.png")[0] == 300


def test_unknown_extension_is_an_error_and_the_session_survives(kernel, tmp_path):
    _, kc = kernel
    reply, errors = run(kc, CELL + f'fig.save("{tmp_path / "fig.bmp"}")')
    assert reply["status"] == "error"
    assert ".svg, .png or .pdf" in reply["evalue"], reply["evalue"]
    assert not (tmp_path / "fig.bmp").exists()
    reply, _ = run(kc, "fig")
    assert reply["status"] == "ok"


def test_a_single_series_keeps_the_label_it_was_given(kernel):
    _, kc = kernel
    reply, messages = execute(kc, CELL.replace("let fig = plot(", "plot(").rstrip()[:-1] + ', labels: ["pixel 0,0"])')
    assert reply["status"] == "ok"
    svgs = [m["content"]["data"]["image/svg+xml"] for _, m in messages if m["msg_type"] == "execute_result"]
    assert svgs and "pixel 0,0" in svgs[0]


def test_pca_shows_a_scree_plot_and_labels_loadings(kernel):
    _, kc = kernel
    reply, messages = execute(kc, "pca(simulatePaperDataset(seed: 3, scale: 0.02).test[0], components: 3)", timeout=60)
    assert reply["status"] == "ok"
    svg = [m["content"]["data"]["image/svg+xml"] for _, m in messages if m["msg_type"] == "execute_result"][0]
    assert "Explained variance ratio" in svg and "scree" in svg
    assert "Loading" in svg and "Counts" not in svg
