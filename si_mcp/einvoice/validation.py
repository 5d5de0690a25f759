"""Offline validation of e-invoices with the official CEN EN 16931 artefacts (schematron compiled to XSLT), run by
Saxon with every external resource refused, and for a Peppol BIS 3 UBL the BIS 3 rules of :mod:`.peppol_rules`.
Fails closed: without the artefacts, or when Saxon cannot run them,
:class:`ValidationUnavailable` is raised, never "valid".

Compiling the UBL artefact takes about a third of a second, so a :class:`Validator` compiles it once and keeps it;
each document then takes a few milliseconds.
"""

from __future__ import annotations

import threading
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from .violations import Violation

__all__ = ["ARTEFACTS", "CII_RULES", "UBL_RULES", "ValidationUnavailable", "Validator", "Violation"]

ARTEFACTS = Path(__file__).parent / "artefacts"
UBL_RULES = "EN16931-UBL-validation.xslt"
CII_RULES = "EN16931-CII-validation.xslt"
_SVRL = "{http://purl.oclc.org/dsdl/svrl}"
_NO_PROTOCOLS = ("http://saxon.sf.net/feature/allowedProtocols", "")  # no file, http or other fetch from documents


class ValidationUnavailable(RuntimeError):
    """The validator cannot run (artefacts missing, Saxon failing): nothing may be called valid."""


class Validator:
    """The CEN rules for one syntax (UBL by default, or ``CII_RULES``), compiled once. Safe to share between threads
    (one document at a time)."""

    def __init__(self, artefacts: Path = ARTEFACTS, rules: str = UBL_RULES) -> None:
        self._path = artefacts / rules
        self._lock = threading.Lock()
        self._processor: Any = None
        self._executable: Any = None

    def _compiled(self) -> Any:
        if self._executable is not None:
            return self._executable
        try:
            stylesheet = self._path.read_text(encoding="utf-8")
        except OSError as error:
            raise ValidationUnavailable(
                f"the EN 16931 validation artefact is missing ({self._path}): {error}"
            ) from None
        try:
            from saxonche import PySaxonProcessor

            processor = PySaxonProcessor(license=False)
            processor.set_configuration_property(*_NO_PROTOCOLS)
            executable = processor.new_xslt30_processor().compile_stylesheet(stylesheet_text=stylesheet)
        except Exception as error:  # saxonche raises its own PySaxonApiError, among others
            raise ValidationUnavailable(f"the EN 16931 rules could not be compiled: {error}") from None
        if executable is None:
            raise ValidationUnavailable("the EN 16931 rules could not be compiled")
        self._processor, self._executable = processor, executable
        return executable

    def check(self, xml: bytes) -> list[Violation]:
        """Every failed assertion of the EN 16931 rules on ``xml`` (fatal ones and warnings), in document order."""
        with self._lock:
            executable = self._compiled()
            try:
                node = self._processor.parse_xml(xml_text=xml.decode("utf-8"))
                report = executable.transform_to_string(xdm_node=node)
            except Exception as error:
                raise ValidationUnavailable(f"the EN 16931 rules could not be run: {error}") from None
        if not report:
            raise ValidationUnavailable("the EN 16931 rules produced no report")
        found = _violations(report)
        if self._path.name == UBL_RULES:  # a UBL that claims Peppol BIS 3 also meets the BIS 3 rules si-mcp checks
            from .peppol_rules import peppol_violations

            found += peppol_violations(xml)
        return found

    def fatal(self, xml: bytes) -> list[Violation]:
        return [violation for violation in self.check(xml) if violation.flag == "fatal"]


def _violations(report: str) -> list[Violation]:
    root = ET.fromstring(report.encode("utf-8"))
    if root.tag != f"{_SVRL}schematron-output":
        raise ValidationUnavailable("the EN 16931 rules produced something other than a validation report")
    found = []
    for failed in root.iter(f"{_SVRL}failed-assert"):
        text = " ".join("".join(failed.itertext()).split())
        found.append(
            Violation(
                rule=failed.get("id", "?"),
                flag=failed.get("flag", "fatal"),
                location=failed.get("location", ""),
                text=text,
            )
        )
    return found
