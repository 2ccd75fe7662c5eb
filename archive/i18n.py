"""The language the command line speaks: Vietnamese or English, through gettext.

English is the source language: every sentence is written in English in the
code, wrapped in ``_()`` (or ``ngettext()`` where a count decides the form),
and ``archive/locale/vi/LC_MESSAGES/archive.po`` holds its Vietnamese. The
language is chosen once per command, before click reads the arguments (so
``--help`` is translated too): ``$ARCHIVE_LANG`` (vi or en), else the system
locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``, as POSIX orders them), else the
archive's ``language`` setting, else English.

Help texts (docstrings and ``help=``) are English in the code and translated
when a command is shown (:func:`localize`), from the originals kept aside, so
one process (a test runner) can switch language between commands.

Click's own words ("Usage:", "Options:", "Error: No such option") are
looked up by click with the standard library's domain-less
``gettext.gettext``/``ngettext``, bound as the module-level names ``_`` and
``ngettext`` of each click module when click is imported. The global gettext
domain (``textdomain``) would take its language from the environment only and
change it for every library in the process; instead :func:`bind_click` points
those names of click's modules at this module's functions, and the Vietnamese
of click's messages is in our catalog beside ours.
"""

from __future__ import annotations

import gettext as stdlib_gettext
import inspect
import io
import locale
import os
import sys
from pathlib import Path
from typing import Any

LANGUAGES = ("vi", "en")
DOMAIN = "archive"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"

_current: stdlib_gettext.NullTranslations = stdlib_gettext.NullTranslations()
_language = "en"
_loaded: dict[str, stdlib_gettext.NullTranslations] = {}


def N_(message: str) -> str:  # noqa: N802 - the name gettext's tools look for
    """Mark a sentence for the catalog where it is defined; :func:`_` translates it where used."""
    return message


def _(message: str) -> str:
    """The sentence in the current language (the English itself when there is none)."""
    return _current.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form for count n in the current language (Vietnamese has one form)."""
    return _current.ngettext(singular, plural, n)


def language() -> str:
    return _language


# How each language writes a number: Vietnamese groups thousands with a dot and puts a comma
# before the decimals (1.234,5 MB), as its clerks write them on paper; English the other way.
_SEPARATORS = {
    "vi": str.maketrans({",": ".", ".": ","}),
    "en": str.maketrans({}),
}


def number(value: float, digits: int = 0, lang: str | None = None) -> str:
    """value with digits decimals, as lang (default: the current language) writes numbers.

    The web pages speak Vietnamese whatever the server's locale, and pass ``lang="vi"``.
    """
    return f"{value:,.{digits}f}".translate(_SEPARATORS[lang or _language])


def from_locale_name(name: str | None) -> str | None:
    """'vi_VN.UTF-8' → 'vi', 'en_GB' → 'en', 'Vietnamese_Vietnam' (Windows) → 'vi'; else None."""
    if not name:
        return None
    head = name.split(".")[0].split("@")[0].replace("-", "_").split("_")[0].lower()
    if head in ("vi", "vietnamese"):
        return "vi"
    if head in ("en", "english"):
        return "en"
    return None


def system_language() -> str | None:
    """The language of the system locale, or None when it names neither (C, POSIX, fr_FR)."""
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable)
        if value:  # the first one set decides, as POSIX orders them
            return from_locale_name(value)
    if sys.platform == "win32":  # no variables there: the user's regional setting
        return from_locale_name(locale.getlocale()[0])
    return None


def choose(archive_setting: Any = None) -> str:
    """$ARCHIVE_LANG, else the system locale, else the archive's setting, else English.

    archive_setting: a callable giving the archive's ``language`` setting (or
    None); it is called only when the first two do not decide, and whatever it
    raises is ignored: a language never makes a command fail.
    """
    chosen = (os.environ.get("ARCHIVE_LANG") or "").strip().lower()
    if chosen in LANGUAGES:
        return chosen
    found = system_language()
    if found:
        return found
    if callable(archive_setting):
        try:
            stored = (archive_setting() or "").strip().lower()
        except Exception:  # an unreadable archive speaks English; the command says why
            stored = ""
        if stored in LANGUAGES:
            return stored
    return "en"


def translations(lang: str) -> stdlib_gettext.NullTranslations:
    """The catalog of lang: the compiled .mo a wheel ships, else the .po of a checkout."""
    if lang in _loaded:
        return _loaded[lang]
    folder = LOCALE_DIR / lang / "LC_MESSAGES"
    mo, po = folder / f"{DOMAIN}.mo", folder / f"{DOMAIN}.po"
    found: stdlib_gettext.NullTranslations = stdlib_gettext.NullTranslations()
    try:
        if mo.is_file():
            with mo.open("rb") as handle:
                found = stdlib_gettext.GNUTranslations(handle)
        elif po.is_file():
            from archive.pofile import mo_bytes, read_po

            found = stdlib_gettext.GNUTranslations(io.BytesIO(mo_bytes(read_po(po))))
    except (OSError, ValueError):  # a damaged catalog: English rather than no command
        found = stdlib_gettext.NullTranslations()
    _loaded[lang] = found
    return found


def activate(lang: str) -> None:
    """Speak lang from now on, click's words included."""
    global _current, _language
    _language = lang if lang in LANGUAGES else "en"
    _current = translations(_language) if _language != "en" else stdlib_gettext.NullTranslations()
    bind_click()


# Click's words that it passes to gettext through a variable, so no extractor finds them
# in click's source: marked here for the catalog (click 8.2+: an option's "[required]").
CLICK_WORDS = (N_("required"),)


def bind_click() -> None:
    """Point click's module-level ``_``/``ngettext`` (the stdlib's functions) at ours."""
    for name, module in list(sys.modules.items()):
        if name != "click" and not name.startswith("click."):
            continue
        if getattr(module, "_", None) is stdlib_gettext.gettext:
            module._ = _  # type: ignore[attr-defined]
        if getattr(module, "ngettext", None) is stdlib_gettext.ngettext:
            module.ngettext = ngettext  # type: ignore[attr-defined]


# The placeholders click makes from a value's type when an option names none
# (``--title TEXT``), and a group's ``COMMAND [ARGS]...``: words of the usage line too.
TYPE_PLACEHOLDERS = {
    "TEXT": N_("TEXT"),
    "INTEGER": N_("INTEGER"),
    "FLOAT": N_("FLOAT"),
    "INTEGER RANGE": N_("INTEGER RANGE"),
    "FLOAT RANGE": N_("FLOAT RANGE"),
    "PATH": N_("PATH"),
    "FILE": N_("FILE"),
    "DIRECTORY": N_("DIRECTORY"),
    "FILENAME": N_("FILENAME"),
}
SUBCOMMAND_PLACEHOLDER = N_("COMMAND [ARGS]...")


def localize(command: Any) -> None:
    """Translate the help of command, its parameters and its subcommands, from the English."""
    originals = command.__dict__.setdefault("_english", {})
    for attr in ("help", "short_help", "epilog"):
        if attr not in originals:
            originals[attr] = getattr(command, attr, None)
        text = originals[attr]
        setattr(command, attr, _(inspect.cleandoc(text)) if text else text)
    options = originals.setdefault("options_metavar", command.options_metavar)
    command.options_metavar = _(options) if options else options
    if getattr(command, "subcommand_metavar", None):
        originals.setdefault("subcommand_metavar", command.subcommand_metavar)
        if originals["subcommand_metavar"] == SUBCOMMAND_PLACEHOLDER:
            command.subcommand_metavar = _(SUBCOMMAND_PLACEHOLDER)
    for param in command.params:
        english = param.__dict__.setdefault("_english_help", getattr(param, "help", None))
        if english:
            param.help = _(english)
        _localize_metavar(param)
    cached = getattr(command, "_help_option", None)  # click keeps the --help it made (8.1.8+)
    if cached is not None:
        cached.help = _("Show this message and exit.")
    for sub in getattr(command, "commands", {}).values():
        localize(sub)


def _english_metavar(param: Any) -> str | None:
    """The placeholder a parameter shows in usage lines, as written in English.

    An option's is its ``metavar=``; an argument's is its name in capitals (what
    click shows when none is given), which help texts refer to by that word.
    """
    english = param.__dict__.get("_english_metavar")
    if english is None:
        explicit = param.metavar
        english = explicit or ""
        if not explicit and param.param_type_name == "argument" and not _type_metavar(param):
            english = param.name.upper()
        param.__dict__["_english_metavar"] = english
        param.__dict__["_explicit_metavar"] = explicit is not None
    return english or None


def _type_metavar(param: Any) -> str | None:
    """A placeholder the parameter's type makes itself ({a|b} of a choice), or None."""
    try:
        return param.type.get_metavar(param=param, ctx=None)
    except TypeError:  # click before 8.2 takes the parameter only
        return param.type.get_metavar(param)


def _localize_metavar(param: Any) -> None:
    english = _english_metavar(param)
    if english is None:
        _localize_type_metavar(param)
        return
    word = _(english)
    if param.param_type_name == "argument" and not param.__dict__["_explicit_metavar"]:
        # click's own decoration of a name-derived placeholder: [OPTIONAL], MANY...
        if not param.required:
            word = f"[{word}]"
        if param.nargs != 1:
            word += "..."
    param.metavar = word


def _localize_type_metavar(param: Any) -> None:
    """``--title TEXT`` in the reader's language: the word click would take from the type."""
    if param.param_type_name != "option" or param.is_flag or param.count:
        return
    if _type_metavar(param):  # a choice's {a|b}, a date's formats: not words
        return
    english = param.type.name.upper()
    if english in TYPE_PLACEHOLDERS:
        param.metavar = _(english) + ("..." if param.nargs != 1 else "")


def help_texts(command: Any) -> list[str]:
    """Every English help text of command and its subcommands: the catalog's help msgids."""
    texts: list[str] = []
    originals = command.__dict__.get("_english", {})
    for attr in ("help", "short_help", "epilog"):
        text = originals.get(attr, getattr(command, attr, None))
        if text:
            texts.append(inspect.cleandoc(text))
    options = originals.get("options_metavar", command.options_metavar)
    if options:
        texts.append(options)
    for param in command.params:
        text = param.__dict__.get("_english_help", getattr(param, "help", None))
        if text:
            texts.append(text)
        if (metavar := _english_metavar(param)) and not metavar.startswith("YYYY"):
            texts.append(metavar)
    for sub in _subcommands(command):
        texts.extend(help_texts(sub))
    return texts


def _subcommands(command: Any) -> list[Any]:
    """Every subcommand of a group, loaded if it is loaded lazily (archive.cli.ArchiveGroup)."""
    if not hasattr(command, "list_commands"):
        return []
    import click  # only a group gets here, and click is imported already then

    ctx = click.Context(command)
    found = (command.get_command(ctx, name) for name in command.list_commands(ctx))
    return [sub for sub in found if sub is not None]
