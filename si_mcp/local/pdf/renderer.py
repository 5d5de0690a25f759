"""Render documents to PDF/A-3b (and PNG previews) with typst, off the event loop, with a cache.

* The template is a ``.typ`` file: the packaged ``templates/invoice.typ`` or ``Settings.pdf_template``.
  Its folder is typst's ``root``, so the template can read files next to it (``logo.png``) and
  nothing else.
* Fonts: Noto Sans from the ``fontpkg-noto-sans`` dependency, extra folders from
  ``Settings.font_dirs``, typst's bundled fonts as fallback, and never the host's fonts, so a PDF
  looks the same on every machine.
* PDF/A-3b makes typst refuse characters no font has; that becomes a :class:`MissingGlyphError`
  naming them instead of a blank in the PDF.
* ``typst.Compiler`` objects are not thread-safe, so a small pool hands one to each worker thread.
* The cache key is a hash of everything that decides the output (view, template file, fonts), so an
  unchanged document is rendered once and any change renders again. Entries live in memory (LRU)
  and, when ``cache_dir`` is set, as files that survive restarts.

typst and babel are imported inside functions: importing this module stays cheap.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import queue
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from si_mcp.models import Document, Organization
from si_mcp.models.labels import resolve_language

from .errors import PdfError, TemplateError, template_error
from .view import build_view

if TYPE_CHECKING:
    import typst

    from si_mcp.settings import Settings

__all__ = ["DEFAULT_TEMPLATE", "PdfRenderer", "RenderStats"]

logger = logging.getLogger(__name__)

DEFAULT_TEMPLATE = Path(__file__).parent / "templates" / "invoice.typ"
FONT_FAMILIES = ("Noto Sans", "Libertinus Serif", "New Computer Modern", "DejaVu Sans Mono")
_LOGO_NAMES = ("logo.svg", "logo.png", "logo.jpg", "logo.jpeg")
_CACHE_VERSION = "1"
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass
class RenderStats:
    """How often typst actually compiled, and how often the cache answered."""

    renders: int = 0
    memory_hits: int = 0
    disk_hits: int = 0


def noto_sans_dir() -> Path:
    """The folder of the Noto Sans files shipped by the ``fontpkg-noto-sans`` dependency."""
    import fontpkg_noto_sans

    return Path(fontpkg_noto_sans.ROOT) / "files"


class PdfRenderer:
    """Renders :class:`Document` + :class:`Organization` to PDF bytes.

    Usage::

        renderer = PdfRenderer.from_settings(settings)
        pdf = await renderer.render(document, organization, language="nl")
    """

    def __init__(
        self,
        *,
        template: Path | None = None,
        font_dirs: Sequence[Path] = (),
        cache_dir: Path | None = None,
        cache_entries: int = 64,
        pool_size: int = 2,
    ) -> None:
        self.template = (template or DEFAULT_TEMPLATE).resolve()
        self.font_dirs = tuple(font_dirs)
        self.cache_dir = cache_dir
        self.cache_entries = cache_entries
        self.stats = RenderStats()
        self._pool_size = pool_size
        self._created = 0
        self._idle: queue.LifoQueue[typst.Compiler] = queue.LifoQueue()
        self._lock = threading.Lock()
        self._memory: OrderedDict[str, bytes] = OrderedDict()
        self._seen: OrderedDict[str, str] = OrderedDict()  # input hash -> output cache key
        self._fonts: typst.Fonts | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> PdfRenderer:
        return cls(
            template=settings.pdf_template,
            font_dirs=settings.font_dirs,
            cache_dir=settings.data_dir / "pdf-cache",
        )

    # ------------------------------------------------------------ public API

    async def render(
        self, document: Document, organization: Organization, *, language: str | None = None, logo: bytes | None = None
    ) -> bytes:
        """PDF/A-3b bytes of ``document``, rendered in a worker thread (typst releases the GIL); ``logo`` (PNG, JPEG
        or SVG bytes, checked by ``engine.images``) is printed above the issuer."""
        import anyio.to_thread

        return await anyio.to_thread.run_sync(
            lambda: self.render_sync(document, organization, language=language, logo=logo)
        )

    def render_sync(
        self, document: Document, organization: Organization, *, language: str | None = None, logo: bytes | None = None
    ) -> bytes:
        """Like :meth:`render`, in the calling thread. Raises :class:`PdfError` subclasses."""
        # Fast path: the very same input as before needs neither the view (babel) nor typst.
        seen = self._input_key(document, organization, language, logo)
        with self._lock:
            known = self._seen.get(seen)
        cached = self._cached(known) if known is not None else None
        if cached is not None:
            return cached
        view = build_view(document, organization, resolve_language(language, document.locale or organization.locale))
        if logo:
            view["logoSha256"] = hashlib.sha256(logo).hexdigest()  # a new logo is a new PDF (the cache key)
        timestamp = _timestamp(document)
        key = self._cache_key(view, timestamp)
        with self._lock:
            self._seen[seen] = key
            while len(self._seen) > 4 * self.cache_entries:
                self._seen.popitem(last=False)
        cached = self._cached(key)
        if cached is not None:
            return cached
        pdf = self.compile_view(view, timestamp=timestamp, logo=logo)
        self._store(key, pdf)
        return pdf

    def render_png(
        self,
        document: Document,
        organization: Organization,
        *,
        language: str | None = None,
        ppi: float = 96,
        logo: bytes | None = None,
    ) -> bytes:
        """A PNG of the first page (not cached): previews and the README picture."""
        view = build_view(document, organization, resolve_language(language, document.locale or organization.locale))
        return self.compile_view(view, output="png", ppi=ppi, timestamp=_timestamp(document), logo=logo)

    def compile_view(
        self,
        view: dict[str, Any],
        *,
        output: Literal["pdf", "png"] = "pdf",
        ppi: float | None = None,
        timestamp: datetime = _EPOCH,
        logo: bytes | None = None,
    ) -> bytes:
        """Compile a ready view with the template. No cache; counts in :attr:`stats`."""
        import typst

        inputs = self._inputs(view, logo)
        compiler = self._acquire()
        try:
            if output == "pdf":
                result = compiler.compile(format="pdf", pdf_standards="a-3b", sys_inputs=inputs, timestamp=timestamp)
            else:
                result = compiler.compile(format="png", ppi=ppi, sys_inputs=inputs, timestamp=timestamp)
        except typst.TypstError as exc:
            raise template_error(exc.message, exc.diagnostic, self.template) from None
        finally:
            self._idle.put(compiler)
        with self._lock:
            self.stats.renders += 1
        pages = result if isinstance(result, list) else [result]
        if not pages or pages[0] is None:
            raise PdfError("typst produced no output")
        return pages[0]

    # ------------------------------------------------------------ typst plumbing

    def _inputs(self, view: dict[str, Any], logo: bytes | None = None) -> dict[str, str]:
        inputs = {
            "data": json.dumps(view, ensure_ascii=False, separators=(",", ":")),
            "fonts": ",".join(FONT_FAMILIES),
            "logo": self._logo(),
        }
        if logo:
            # typst's inputs are strings: the bytes travel as a JSON array the template turns back into bytes.
            inputs["logo-data"] = json.dumps(list(logo), separators=(",", ":"))
        return inputs

    def _logo(self) -> str:
        folder = self.template.parent
        return next((name for name in _LOGO_NAMES if (folder / name).is_file()), "")

    def _font_book(self) -> typst.Fonts:
        import typst

        if self._fonts is None:
            folders = [str(noto_sans_dir())]
            for folder in self.font_dirs:
                if folder.is_dir():
                    folders.append(str(folder))
                else:
                    logger.warning("font folder %s does not exist; ignoring it", folder)
            self._fonts = typst.Fonts(include_system_fonts=False, font_paths=folders)
        return self._fonts

    def _acquire(self) -> typst.Compiler:
        """An idle compiler, a new one while the pool is not full, else wait for one."""
        import typst

        if not self.template.is_file():
            raise TemplateError(f"template file not found: {self.template}")
        with self._lock:
            if self._idle.empty() and self._created < self._pool_size:
                self._created += 1
                fonts = self._font_book()
                return typst.Compiler(
                    str(self.template), root=str(self.template.parent), font_paths=fonts, ignore_system_fonts=True
                )
        return self._idle.get()

    # ------------------------------------------------------------ cache

    def _template_stamp(self) -> str:
        try:
            stat = self.template.stat()
        except OSError:
            return "missing"
        return f"{self.template}:{stat.st_mtime_ns}:{stat.st_size}:{self._logo()}"

    def _input_key(
        self, document: Document, organization: Organization, language: str | None, logo: bytes | None = None
    ) -> str:
        digest = hashlib.sha256()
        for part in (
            document.model_dump_json(by_alias=True),
            organization.model_dump_json(by_alias=True),
            language or "",
            hashlib.sha256(logo).hexdigest() if logo else "",
            self._template_stamp(),
        ):
            digest.update(part.encode())
            digest.update(b"\0")
        return digest.hexdigest()

    def _cache_key(self, view: dict[str, Any], timestamp: datetime) -> str:
        digest = hashlib.sha256()
        for part in (
            _CACHE_VERSION,
            json.dumps(view, ensure_ascii=False, sort_keys=True),
            timestamp.isoformat(),
            self._template_stamp(),
            "|".join(str(f) for f in self.font_dirs),
        ):
            digest.update(part.encode())
            digest.update(b"\0")
        return digest.hexdigest()

    def _cached(self, key: str) -> bytes | None:
        with self._lock:
            pdf = self._memory.get(key)
            if pdf is not None:
                self._memory.move_to_end(key)
                self.stats.memory_hits += 1
                return pdf
        if self.cache_dir is None:
            return None
        try:
            pdf = (self.cache_dir / f"{key}.pdf").read_bytes()
        except OSError:
            return None
        with self._lock:
            self.stats.disk_hits += 1
        self._remember(key, pdf)
        return pdf

    def _remember(self, key: str, pdf: bytes) -> None:
        with self._lock:
            self._memory[key] = pdf
            self._memory.move_to_end(key)
            while len(self._memory) > self.cache_entries:
                self._memory.popitem(last=False)

    def _store(self, key: str, pdf: bytes) -> None:
        self._remember(key, pdf)
        if self.cache_dir is None:
            return
        try:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            partial = self.cache_dir / f".{key}.{threading.get_ident()}.tmp"
            partial.write_bytes(pdf)
            os.replace(partial, self.cache_dir / f"{key}.pdf")
            self._prune()
        except OSError:
            # The cache is an optimisation: a read-only or full disk must not fail the request.
            logger.warning("could not write the PDF cache in %s", self.cache_dir, exc_info=True)

    def _prune(self) -> None:
        assert self.cache_dir is not None
        files = sorted(self.cache_dir.glob("*.pdf"), key=lambda p: p.stat().st_mtime_ns)
        for old in files[: max(0, len(files) - 4 * self.cache_entries)]:
            old.unlink(missing_ok=True)


def _timestamp(document: Document) -> datetime:
    """The PDF's creation date: the issue date, so the same document always gives the same bytes."""
    moment = document.issued_at or document.date or document.created_at or _EPOCH
    return moment.replace(microsecond=0)  # typst takes whole seconds
