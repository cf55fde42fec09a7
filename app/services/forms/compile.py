"""From what an administrator uploads (XLSForm or XForm) to validated XForm bytes.

XLSForms go through pyxform; every XForm, converted or uploaded, goes through
ODK Validate (JavaRosa) so that what Collect downloads is what Collect can open.
"""
import dataclasses
import hashlib
import os
import re
import tempfile
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import PurePath

from pyxform.errors import PyXFormError
from pyxform.validators.odk_validate import ODKValidateError, check_xform
from pyxform.xls2json_backends import get_xlsform
from pyxform.xls2xform import convert

XLSFORM_TYPES = {".xlsx": ".xlsx", ".xlsm": ".xlsx", ".xls": ".xls", ".csv": ".csv", ".md": ".md"}
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"   # legacy .xls
_ZIP = b"PK\x03\x04"                          # .xlsx

# XPath 1.0 core functions. JavaRosa lacks a few (local-name, lang, ...) that Enketo and
# ODK Web Forms evaluate, so a form using them is published with a warning, not refused.
_XPATH_CORE_FUNCTIONS = frozenset("""
    last position count id local-name namespace-uri name string concat starts-with contains
    substring-before substring-after substring string-length normalize-space translate boolean
    not true false lang number sum floor ceiling round""".split())
_UNHANDLED_FUNCTION = re.compile(r"cannot handle function '([^']+)'")


class FormRejected(ValueError):
    """The upload cannot be published; the message is for the person publishing."""


@dataclass
class CompiledForm:
    xml: bytes
    source: bytes | None            # the XLSForm, kept for download and audit
    warnings: list[str] = field(default_factory=list)
    itemsets_csv: bytes | None = None


def compile_form(file_name: str, data: bytes, *, validate: bool = True) -> CompiledForm:
    kind = _kind(file_name, data)
    if kind == "xform":
        compiled = CompiledForm(xml=data, source=None)
    else:
        compiled = _convert_xlsform(file_name, data, kind)
    if validate:
        compiled.warnings += _validated(compiled.xml)
    return compiled


# ODK Validate starts a Java process, about a second a form; its verdict is a function of the XForm's bytes
# alone, so an XForm published again unchanged (the same form to another project, a draft published as it
# was tested) reuses it. Only passes are kept (a refusal raises, and is cheap to meet again).
_VALIDATED: dict[str, list[str]] = {}
_VALIDATED_KEPT = 64


def _validated(xml: bytes) -> list[str]:
    """ODK Validate's warnings for this XForm (FormRejected when it fails), from memory when already met."""
    key = hashlib.sha256(xml).hexdigest()
    if key not in _VALIDATED:
        warnings = _odk_validate(xml)
        if len(_VALIDATED) >= _VALIDATED_KEPT:
            _VALIDATED.pop(next(iter(_VALIDATED)))
        _VALIDATED[key] = warnings
    return list(_VALIDATED[key])


def _kind(file_name: str, data: bytes) -> str:
    """'xform' or a pyxform file type; the content wins over a misleading extension."""
    if data.startswith(_OLE2):
        return ".xls"
    if data.startswith(_ZIP):
        return ".xlsx"
    suffix = PurePath(file_name).suffix.lower()
    if suffix in XLSFORM_TYPES:
        return XLSFORM_TYPES[suffix]
    if suffix == ".xml" or data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return "xform"
    raise FormRejected(f"{file_name}: not an XLSForm (.xlsx, .xls, .csv, .md) or an XForm (.xml).")


def _convert_xlsform(file_name: str, data: bytes, file_type: str) -> CompiledForm:
    warnings: list[str] = []
    try:
        workbook = get_xlsform(xlsform=BytesIO(data), file_type=file_type)
        # As pyxform does for files on disk: without a form_id setting, the file name is the ID.
        workbook.fallback_form_name = PurePath(file_name).stem
        result = convert(xlsform=dataclasses.asdict(workbook), warnings=warnings, validate=False)
    except PyXFormError as e:
        raise FormRejected(f"{file_name}: {e}") from None
    except Exception as e:  # corrupt workbooks surface as zipfile, xlrd or openpyxl errors
        raise FormRejected(
            f"{file_name}: the file could not be read as an XLSForm ({type(e).__name__}: {e}).") from None
    itemsets = result.itemsets.encode("utf-8") if result.itemsets else None
    return CompiledForm(xml=result.xform.encode("utf-8"), source=data, warnings=warnings, itemsets_csv=itemsets)


def _odk_validate(xml: bytes) -> list[str]:
    fd, path = tempfile.mkstemp(suffix=".xml", prefix="dixian-validate-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(xml)
        return check_xform(path)
    except ODKValidateError as e:
        missing = set(_UNHANDLED_FUNCTION.findall(str(e)))
        if missing and missing <= _XPATH_CORE_FUNCTIONS:
            names = ", ".join(sorted(f"{m}()" for m in missing))
            return [f"ODK Collect cannot evaluate {names}; web forms can. Test the form on a device."]
        raise FormRejected(str(e).strip()) from None
    except OSError as e:  # no java on PATH
        raise FormRejected(f"ODK Validate could not run: {e}") from None
    finally:
        os.unlink(path)
