"""PDF rendering benchmark: the seed invoice (one page) and a 200-line invoice, next to a bare typst compile.

    .venv/bin/python bench/pdf.py [--rounds 40]

Every round changes the document number, so neither typst's memoisation nor si-mcp's PDF cache can answer;
the times are the full uncached path (view with babel + typst PDF/A-3b compile). The bare compile is a
one-line typst document with the same fonts, compiled in the same process: the floor on this machine.
Target: one-page p50 <= 30 ms.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from copy import deepcopy
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TARGET_MS = 30.0


def _seed() -> tuple[dict[str, Any], Any]:
    from si_mcp.models import Organization, wirejson

    document = wirejson.loads((ROOT / "tests" / "fixtures" / "seed_document.json").read_text())
    organization = Organization.model_validate(
        wirejson.loads((ROOT / "tests" / "fixtures" / "seed_organization.json").read_text())
    )
    return document, organization


def _long(document: dict[str, Any], lines: int) -> dict[str, Any]:
    long = deepcopy(document)
    template = long["_documentItems"][0]
    long["_documentItems"] = [
        dict(template, id=f"line-{i}", name=f"Spare part {i}", description="Titanium bolt, 12 mm", quantity=i % 7 + 1)
        for i in range(lines)
    ]
    return long


def _p50(run: Callable[[int], object], rounds: int) -> float:
    run(-1)  # warm-up: font loading, babel locale data
    times = []
    for i in range(rounds):
        start = time.perf_counter()
        run(i)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    import io

    import pypdf
    import typst

    from si_mcp.local.pdf import PdfRenderer
    from si_mcp.local.pdf.renderer import noto_sans_dir
    from si_mcp.models import Document

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=40)
    rounds = parser.parse_args().rounds

    seed, organization = _seed()
    long = _long(seed, 200)
    renderer = PdfRenderer()

    def render(body: dict[str, Any]) -> Callable[[int], object]:
        def once(i: int) -> object:
            return renderer.render_sync(Document.model_validate(dict(body, number=f"2023-{i + 2:05d}")), organization)

        return once

    fonts = typst.Fonts(include_system_fonts=False, font_paths=[str(noto_sans_dir())])
    bare_compiler = typst.Compiler(b"", font_paths=fonts, ignore_system_fonts=True)

    def source(i: int) -> bytes:
        return f'#set text(font: "Noto Sans")\nHello {i}'.encode()

    def bare(i: int) -> object:
        return bare_compiler.compile(input=source(i), format="pdf", pdf_standards="a-3b")

    def bare_fresh(i: int) -> object:
        return typst.compile(source(i), font_paths=fonts, ignore_system_fonts=True, pdf_standards="a-3b")

    seed_model = Document.model_validate(seed)
    long_model = Document.model_validate(long)

    def cached(model: Document) -> Callable[[int], object]:
        return lambda i: renderer.render_sync(model, organization)

    long_rounds = max(5, rounds // 4)
    bare_ms = _p50(bare, rounds)
    fresh_ms = _p50(bare_fresh, rounds)
    one_ms = _p50(render(seed), rounds)
    long_ms = _p50(render(long), long_rounds)
    one_hit_ms = _p50(cached(seed_model), rounds)
    long_hit_ms = _p50(cached(long_model), rounds)
    pages = len(pypdf.PdfReader(io.BytesIO(renderer.render_sync(long_model, organization))).pages)

    print(f"rounds: {rounds} (200-line invoice: {long_rounds})")
    print(f"{'case':<40}{'p50 ms':>9}{'x bare':>9}{'x fresh':>9}")
    rows = [
        ("bare typst compile, reused compiler", bare_ms),
        ("bare typst.compile(), fresh each time", fresh_ms),
        ("seed invoice, 1 page", one_ms),
        (f"200-line invoice, {pages} pages", long_ms),
        ("seed invoice again (cache hit)", one_hit_ms),
        ("200-line invoice again (cache hit)", long_hit_ms),
    ]
    for name, ms in rows:
        print(f"{name:<40}{ms:>9.1f}{ms / bare_ms:>9.1f}{ms / fresh_ms:>9.1f}")
    print(f"one-page target <= {TARGET_MS:.0f} ms: {'met' if one_ms <= TARGET_MS else 'MISSED'}")


if __name__ == "__main__":
    main()
