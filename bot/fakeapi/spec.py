"""Check Bot API requests against Telegram's published spec (api.json) and its text rules.

``SpecValidator`` reads the machine-readable spec (format: ``methods``/``types``, each with
``fields`` of ``{name, types, required, description}``) and reports, for one request, what
Telegram would refuse: an unknown method, missing required or unknown fields, wrong base
types (nested objects such as InlineKeyboardMarkup are checked recursively), and the limits the
spec only states in prose ("1-4096 characters after entities parsing", "1-64 bytes"). Text with
``parse_mode=HTML`` is measured after parsing and must be valid Telegram HTML.

``builtin_problems`` applies the same text rules without the spec file, for the few methods the
fake implements, so a checkout without ``api.json`` still catches over-long or broken messages.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from bot.content.html import html_problems, visible_length
from bot.fakeapi.models import UploadedFile
from bot.fakeapi.text import plain_text

PARSE_MODES = frozenset({"html", "markdownv2", "markdown"})
_RANGE = re.compile(r"(\d+)-(\d+) (characters|bytes)")
_DISCRIMINATOR = re.compile(r"(?:must be|always) [“\"]?([a-z_]+)")
_DISCRIMINATOR_FIELDS = frozenset({"type", "status", "source"})
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_INTEGER = re.compile(r"-?\d+")
# InlineKeyboardButton: "Exactly one of the fields other than text, icon_custom_emoji_id, and
# style must be used to specify the type of the button."
_BUTTON_DECORATION = frozenset({"text", "icon_custom_emoji_id", "style"})


@dataclass(frozen=True, slots=True)
class TextLimit:
    """A length rule for one String field, as the spec's prose states it."""

    low: int
    high: int
    unit: Literal["characters", "bytes"]
    after_entities: bool


def text_problems(where: str, value: str, limit: TextLimit, parse_mode: str | None) -> list[str]:
    """Return what Telegram would refuse about this text under this limit."""
    html = bool(limit.after_entities and parse_mode and parse_mode.lower() == "html")
    if html:
        broken = html_problems(value)
        if broken:
            return [f"{where}: can't parse entities: {problem}" for problem in broken]
    if limit.unit == "bytes":
        size = len(value.encode("utf-8"))
    else:
        size = visible_length(value) if html else len(value)
    after = " after HTML parsing" if html else ""
    if size > limit.high:
        return [f"{where}: {size} {limit.unit}{after}, Telegram allows {limit.low}-{limit.high}"]
    visible = plain_text(value, "HTML") if html else value
    if limit.low > 0 and (size < limit.low or (limit.after_entities and not visible.strip())):
        return [f"{where}: must not be empty (Telegram allows {limit.low}-{limit.high})"]
    return []


def button_problems(where: str, button: Mapping[str, Any]) -> list[str]:
    """Return the rules Telegram enforces on one InlineKeyboardButton beyond its types."""
    actions = [name for name in button if name not in _BUTTON_DECORATION]
    if len(actions) != 1:
        found = ", ".join(actions) or "none"
        return [f"{where}: needs exactly one action field (url, callback_data, ...), has {found}"]
    return []


def command_problems(where: str, command: Mapping[str, Any]) -> list[str]:
    """Return the rules Telegram enforces on one BotCommand beyond its length."""
    name = command.get("command")
    if isinstance(name, str) and not _COMMAND.fullmatch(name):
        return [f"{where}.command: only lowercase letters, digits and _ are allowed ({name!r})"]
    return []


# Text rules for the methods the fake implements, used when api.json is not available.
_BUILTIN_LIMITS: dict[tuple[str, str], TextLimit] = {
    ("sendMessage", "text"): TextLimit(1, 4096, "characters", after_entities=True),
    ("editMessageText", "text"): TextLimit(1, 4096, "characters", after_entities=True),
    ("sendDocument", "caption"): TextLimit(0, 1024, "characters", after_entities=True),
    ("sendPhoto", "caption"): TextLimit(0, 1024, "characters", after_entities=True),
    ("editMessageCaption", "caption"): TextLimit(0, 1024, "characters", after_entities=True),
    ("answerCallbackQuery", "text"): TextLimit(0, 200, "characters", after_entities=False),
}
_BUILTIN_REQUIRED: dict[str, tuple[str, ...]] = {
    "sendMessage": ("chat_id", "text"),
    "editMessageText": ("text",),
    "sendDocument": ("chat_id", "document"),
    "sendPhoto": ("chat_id", "photo"),
    "deleteMessage": ("chat_id", "message_id"),
    "answerCallbackQuery": ("callback_query_id",),
    "sendChatAction": ("chat_id", "action"),
    "setMyCommands": ("commands",),
    "getChat": ("chat_id",),
    "getFile": ("file_id",),
    "setWebhook": ("url",),
}
_CALLBACK_DATA = TextLimit(1, 64, "bytes", after_entities=False)
_COMMAND_DESCRIPTION = TextLimit(1, 256, "characters", after_entities=False)


def builtin_problems(method: str, params: Mapping[str, Any]) -> list[str]:
    """Return Telegram's runtime rules broken by a decoded request (no spec file needed)."""
    problems = [
        f"{method}: required field '{name}' is missing"
        for name in _BUILTIN_REQUIRED.get(method, ())
        if name not in params
    ]
    parse_mode = params.get("parse_mode")
    if isinstance(parse_mode, str) and parse_mode.lower() not in PARSE_MODES:
        problems.append(f"{method}.parse_mode: unsupported parse mode {parse_mode!r}")
    for (owner, name), limit in _BUILTIN_LIMITS.items():
        value = params.get(name)
        if owner == method and isinstance(value, str):
            mode = parse_mode if isinstance(parse_mode, str) else None
            problems.extend(text_problems(f"{method}.{name}", value, limit, mode))
    markup = params.get("reply_markup")
    rows = markup.get("inline_keyboard") if isinstance(markup, dict) else None
    for r, row in enumerate(rows if isinstance(rows, list) else []):
        for c, button in enumerate(row if isinstance(row, list) else []):
            where = f"{method}.reply_markup.inline_keyboard[{r}][{c}]"
            if not isinstance(button, dict):
                continue
            problems.extend(button_problems(where, button))
            data = button.get("callback_data")
            if isinstance(data, str):
                problems.extend(
                    text_problems(f"{where}.callback_data", data, _CALLBACK_DATA, None)
                )
    commands = params.get("commands")
    for i, command in enumerate(commands if isinstance(commands, list) else []):
        if isinstance(command, dict):
            problems.extend(command_problems(f"{method}.commands[{i}]", command))
            text = command.get("description")
            if isinstance(text, str):
                where = f"{method}.commands[{i}].description"
                problems.extend(text_problems(where, text, _COMMAND_DESCRIPTION, None))
    return problems


class SpecValidator:
    """Check requests (and update objects) against the machine-readable Bot API spec."""

    def __init__(self, api_json: Path) -> None:
        """Load the spec from api.json (PaulSonOfLars/telegram-bot-api-spec format)."""
        spec = json.loads(api_json.read_text(encoding="utf-8"))
        self.version: str = str(spec.get("version", "unknown"))
        self._methods: dict[str, dict[str, Any]] = {
            name.lower(): method for name, method in spec["methods"].items()
        }
        self._types: dict[str, dict[str, Any]] = spec["types"]
        self._limits: dict[tuple[str, str], TextLimit] = {}
        # Subtypes tell themselves apart by one field ("type", "status", "source").
        self._discriminators: dict[str, tuple[str, str]] = {}
        for name, spec_type in self._types.items():
            for spec_field in spec_type.get("fields", []) if spec_type.get("subtype_of") else []:
                match = _DISCRIMINATOR.search(spec_field["description"])
                if spec_field["name"] in _DISCRIMINATOR_FIELDS and match:
                    self._discriminators[name] = (spec_field["name"], match.group(1))
                    break
        for owner in [*spec["methods"].values(), *spec["types"].values()]:
            for spec_field in owner.get("fields", []):
                match = _RANGE.search(spec_field["description"])
                if match and "String" in spec_field["types"]:
                    self._limits[(owner["name"], spec_field["name"])] = TextLimit(
                        low=int(match.group(1)),
                        high=int(match.group(2)),
                        unit="bytes" if match.group(3) == "bytes" else "characters",
                        after_entities="after entit" in spec_field["description"],
                    )

    def has_method(self, method: str) -> bool:
        """Return True when the spec knows this method (names are case-insensitive)."""
        return method.lower() in self._methods

    def method_name(self, method: str) -> str | None:
        """Return the spec's spelling of a method name, or None when it does not exist."""
        found = self._methods.get(method.lower())
        return None if found is None else str(found["name"])

    def problems(self, method: str, params: Mapping[str, object]) -> list[str]:
        """Return everything Telegram would refuse in this request (empty list == valid)."""
        spec = self._methods.get(method.lower())
        if spec is None:
            return [f"{method}: no such method in {self.version}"]
        fields = spec.get("fields", [])
        return self._fields_problems(spec["name"], spec["name"], fields, params, True)

    def type_problems(self, type_name: str, value: object) -> list[str]:
        """Return how a JSON value (e.g. an Update the fake produced) differs from a type."""
        return self._value_problems(type_name, [type_name], value, wire=False)

    def _fields_problems(
        self,
        where: str,
        owner: str,
        fields: Sequence[Mapping[str, Any]],
        values: Mapping[str, object],
        wire: bool,
    ) -> list[str]:
        problems: list[str] = []
        known = {spec_field["name"]: spec_field for spec_field in fields}
        for name, required_field in known.items():
            if required_field["required"] and values.get(name) is None:
                problems.append(f"{where}: required field '{name}' is missing")
        for name, value in values.items():
            spec_field = known.get(name)
            if spec_field is None:
                problems.append(f"{where}: unknown field '{name}'")
                continue
            if value is None:
                continue
            path = f"{where}.{name}"
            found = self._value_problems(path, spec_field["types"], value, wire)
            problems.extend(found)
            if found or not isinstance(value, str):
                continue
            problems.extend(self._string_problems(path, owner, name, value, values, spec_field))
        if owner == "InlineKeyboardButton":
            problems.extend(button_problems(where, values))
        elif owner == "BotCommand":
            problems.extend(command_problems(where, values))
        return problems

    def _string_problems(
        self,
        where: str,
        owner: str,
        name: str,
        value: str,
        siblings: Mapping[str, object],
        spec_field: Mapping[str, Any],
    ) -> list[str]:
        if name == "parse_mode" or name.endswith("_parse_mode"):
            if value.lower() not in PARSE_MODES:
                return [f"{where}: unsupported parse mode {value!r}"]
            return []
        if name in _DISCRIMINATOR_FIELDS and self._types.get(owner, {}).get("subtype_of"):
            match = _DISCRIMINATOR.search(spec_field["description"])
            if match and value != match.group(1):
                return [f"{where}: must be {match.group(1)!r} for {owner}, got {value!r}"]
        limit = self._limits.get((owner, name))
        if limit is None:
            return []
        mode = siblings.get(f"{name}_parse_mode", siblings.get("parse_mode"))
        return text_problems(where, value, limit, mode if isinstance(mode, str) else None)

    def _value_problems(
        self, where: str, types: Sequence[str], value: object, wire: bool
    ) -> list[str]:
        deep: list[list[str]] = []
        for type_name in types:
            found = self._check_one(where, type_name, value, wire)
            if found == []:
                return []
            if found is not None:
                deep.append(found)
        if deep:
            return min(deep, key=len)
        return [f"{where}: expected {' or '.join(types)}, got {_describe(value)}"]

    def _check_one(
        self, where: str, type_name: str, value: object, wire: bool
    ) -> list[str] | None:
        """Return problems, [] when it fits, or None when the value is not even that kind."""
        if wire and isinstance(value, str) and type_name not in ("String", "InputFile"):
            # Form-encoded requests carry numbers, booleans and JSON objects as strings.
            decoded = _decode_wire(type_name, value)
            if decoded is None:
                return None
            value = decoded[0]
        if type_name == "String":
            return [] if isinstance(value, str) else None
        if type_name == "Integer":
            return [] if isinstance(value, int) and not isinstance(value, bool) else None
        if type_name == "Float":
            return [] if isinstance(value, int | float) and not isinstance(value, bool) else None
        if type_name == "Boolean":
            return [] if isinstance(value, bool) else None
        if type_name == "InputFile":
            ok = isinstance(value, UploadedFile) or (
                isinstance(value, str) and value.startswith("attach://")
            )
            return [] if ok else None
        if type_name.startswith("Array of "):
            if not isinstance(value, list):
                return None
            item_type = type_name.removeprefix("Array of ")
            problems: list[str] = []
            for i, item in enumerate(value):
                problems.extend(self._value_problems(f"{where}[{i}]", [item_type], item, False))
            return problems
        spec_type = self._types.get(type_name)
        if spec_type is None:
            return []  # a type the spec does not describe: nothing to check against
        if spec_type.get("subtypes"):
            return self._union_problems(where, spec_type["subtypes"], value)
        if not isinstance(value, dict):
            return None
        return self._fields_problems(where, type_name, spec_type.get("fields", []), value, False)

    def _union_problems(self, where: str, subtypes: list[str], value: object) -> list[str]:
        """Check a value against the subtype its discriminator names, else any subtype."""
        keys = [self._discriminators[sub] for sub in subtypes if sub in self._discriminators]
        if isinstance(value, dict) and keys and len(keys) == len(subtypes):
            field_name = keys[0][0]
            for sub, (_, expected) in zip(subtypes, keys, strict=True):
                if value.get(field_name) == expected:
                    return self._value_problems(where, [sub], value, wire=False)
            allowed = ", ".join(repr(expected) for _, expected in keys)
            got = value.get(field_name)
            return [f"{where}.{field_name}: must be one of {allowed}, got {got!r}"]
        return self._value_problems(where, subtypes, value, wire=False)


def find_spec(repo_root: Path) -> Path | None:
    """Return ``../shared/telegram-bot-api/api.json`` next to the repo, or None if absent."""
    path = repo_root.parent / "shared" / "telegram-bot-api" / "api.json"
    return path if path.is_file() else None


def load_validator(api_json: Path | None) -> SpecValidator | None:
    """Return a validator for this spec file, or None when there is no file to read."""
    if api_json is None or not api_json.is_file():
        return None
    return SpecValidator(api_json)


def _decode_wire(type_name: str, value: str) -> tuple[object] | None:
    if type_name == "Integer":
        return (int(value),) if _INTEGER.fullmatch(value) else None
    if type_name == "Float":
        try:
            return (float(value),)
        except ValueError:
            return None
    if type_name == "Boolean":
        lowered = value.lower()
        return (lowered == "true",) if lowered in ("true", "false") else None
    try:
        return (json.loads(value),)
    except ValueError:
        return None


def _describe(value: object) -> str:
    if isinstance(value, UploadedFile):
        return "an uploaded file"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"string {shown!r}"
    return type(value).__name__
