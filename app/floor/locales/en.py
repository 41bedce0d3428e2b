"""English: the source language. Its texts are the ones each package registers with its
prompt keys (`floor.prompts.register_defaults`), so this module holds the row only."""

from app.floor.locales import Language

LANGUAGE = Language(
    code="en", name="English", voice="Polly.Joanna", say_language="en-US",
    speech_language="en-US",
    digits=("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"),
    menu_order=1,
)
