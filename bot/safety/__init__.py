"""Safety layer: the crisis and abuse screen, the grounding intent, helplines and safety texts.

Everything here is pure (no Telegram, no database, no clock): handlers call `SafetyScreen.screen`
on every free-text message first, then render texts (a locale's safety/) and helplines.

May import: ``bot.content`` and ``bot.ops`` only.
"""

from bot.safety.helplines import CountryHelplines, Helpline, Helplines
from bot.safety.screen import SafetyScreen, Screening
from bot.safety.texts import SafetyText, SafetyTexts

__all__ = [
    "CountryHelplines",
    "Helpline",
    "Helplines",
    "SafetyScreen",
    "SafetyText",
    "SafetyTexts",
    "Screening",
]
