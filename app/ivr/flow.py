"""The call flow: greeting, language, identification, department menu, hand-off (R1, R3, R9).

Each webhook is one method here, taking the parsed request (`CallInput`) and answering TwiML.
State between webhooks travels in the URL (`?lang=hi&attempt=2`) or lives on the interaction
row (customer, language, department), found again by CallSid; nothing is kept in memory.

    incoming ─ known caller ─────────────────────────────────────────┐
        └─ unknown ─ /ivr/language ─ /ivr/account ─┬─ match ─ /ivr/remember ─┤
                                                    └─ skip / not found ──────┤
                                                                   /ivr/menu ─ hand_off
                                                                        └─ after_hours
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from app.clock import now
from app.customers import phones
from app.customers import services as customers
from app.customers.models import Customer
from app.customers.services import Caller
from app.extensions import db
from app.floor import cache, hours, prompts
from app.floor import departments as departments_
from app.floor.departments import DepartmentView
from app.floor.languages import Language, is_supported, language, offered
from app.interactions import services as interactions
from app.interactions.models import Interaction
from app.interactions.newcall import NewCall
from app.ivr import fastpath, matching, twiml
from app.ivr.after_hours import after_hours
from app.ivr.twiml import Listen, Spoken
from app.queue.entry import hand_off
from app.telephony import TwiML, VoiceResponse, public_url
from config import AppSettings, app_settings

log = logging.getLogger(__name__)

MAX_ACCOUNT_DIGITS = 32
MAX_QUERY_ATTEMPT = 99
ASCII_DIGITS = "0123456789"  # str.isdigit() also accepts "²", which int() refuses


@dataclass(frozen=True)
class CallInput:
    """The parts of a Twilio request the flow uses, untrusted and unparsed."""

    call_sid: str
    from_number: str = ""
    to_number: str = ""
    direction: str = "inbound"
    digits: str = ""
    speech: str = ""
    lang: str = ""
    attempt: str = ""


@dataclass(frozen=True)
class FlowSettings:
    organisation: str
    default_language: str
    region: str
    max_attempts: int
    no_input_attempts: int
    languages: list[str]
    gather_timeout: int
    account_timeout: int

    @classmethod
    def from_settings(cls, settings: AppSettings) -> FlowSettings:
        return cls(
            organisation=settings.ORGANISATION_NAME,
            default_language=language(settings.DEFAULT_LANGUAGE).code,
            region=settings.DEFAULT_REGION,
            max_attempts=max(1, settings.IVR_MAX_ATTEMPTS),
            no_input_attempts=max(1, settings.IVR_NO_INPUT_ATTEMPTS),
            languages=offered(settings.IVR_LANGUAGES),
            gather_timeout=settings.IVR_GATHER_TIMEOUT,
            account_timeout=settings.IVR_ACCOUNT_TIMEOUT,
        )


def caller_kind(raw: str) -> str:
    """How the caller presented: a phone number, withheld, or one of our softphones."""
    value = (raw or "").strip().lower()
    if value.startswith(("client:", "sip:")):
        return "softphone"
    if value in phones.WITHHELD:
        return "withheld"
    return "number"


class CallFlow:
    def __init__(self, settings: FlowSettings) -> None:
        self.settings = settings

    # -- the webhooks ----------------------------------------------------------------------

    def incoming(self, call: CallInput) -> VoiceResponse | str:
        """The first webhook, through the fast path (app/ivr/fastpath.py): it looks the
        caller up, runs `_greet` and writes the call's row behind the answer."""
        kind = caller_kind(call.from_number)
        first = fastpath.FirstCall(
            call_sid=call.call_sid, from_number=call.from_number[:64],
            to_number=call.to_number[:64], direction=call.direction[:32] or "inbound",
            caller_id=call.from_number if kind == "number" else None,
            region=self.settings.region)
        return fastpath.answer(first, functools.partial(self._greet, kind))

    def _greet(self, kind: str, customer: Caller | None, interaction: Interaction | NewCall
               ) -> fastpath.Answer:
        if customer is not None:
            lang = language(customer.language, self.settings.default_language)
            interaction.customer_id = customer.id
            interaction.language = lang.code
            interactions.add_event(interaction, "greeted", language=lang.code, known=True,
                                   caller=kind)
            interactions.add_event(interaction, "identified", how="caller_id",
                                   customer_id=customer.id)
            if len(departments_.active_departments()) > 1:
                # The usual answer: the greeting and the menu, the same for every caller of
                # this language but for their name.
                return fastpath.Templated(
                    f"greeting.known+menu:{lang.code}",
                    lambda name: self._menu_question(lang, 1, [self._greeting(lang, name)]),
                    {"name": customer.name})
            return self._menu(interaction, lang, 1, lead=[self._greeting(lang, customer.name)])

        lang = language(self.settings.default_language)
        greeting = self._say("greeting.unknown", lang, organisation=self.settings.organisation)
        if not departments_.active_departments():
            # Nobody to put them through to: say so now, not after the account questions.
            interactions.add_event(interaction, "greeted", language=lang.code, known=False,
                                   caller=kind, unavailable="no_departments")
            return twiml.prefixed([greeting], self._unavailable(lang, interaction))
        interactions.add_event(interaction, "greeted", language=lang.code, known=False,
                               caller=kind)
        if len(self.settings.languages) < 2:
            question, ask = "account", functools.partial(self._ask_account, lang, 1,
                                                         lead=[greeting])
        else:
            question, ask = "language", functools.partial(self._ask_language, 1,
                                                          lead=[greeting])
        # The same document for every caller we do not know.
        return fastpath.Templated(f"greeting.unknown+{question}:{lang.code}", ask)

    def choose_language(self, call: CallInput) -> VoiceResponse:
        interaction = self._interaction(call)
        attempt = self._attempt(call)
        options = self.settings.languages
        digits = call.digits.strip()
        default = language(self.settings.default_language)
        if len(digits) == 1 and digits in ASCII_DIGITS and 1 <= int(digits) <= len(options):
            chosen, how = language(options[int(digits) - 1]), "key"
        elif digits and attempt < self.settings.max_attempts:
            return self._commit(self._ask_language(
                attempt + 1, lead=[self._say("common.invalid", default)]))
        else:
            # Silence means the caller is content with the language they were greeted in.
            chosen, how = default, "default"
        interaction.language = chosen.code
        interactions.add_event(interaction, "language_chosen", language=chosen.code, how=how)
        if how == "default" and not digits:
            # A caller who says nothing is not asked for an account number too: the menu
            # comes next, so that silence reaches the queue within 30 s of the greeting (R3,
            # R4); the agent can still identify them.
            interactions.add_event(interaction, "identification_skipped", why="no_input")
            return self._commit(self._menu(interaction, chosen, 1))
        return self._commit(self._ask_account(chosen, 1))

    def account(self, call: CallInput) -> VoiceResponse:
        interaction = self._interaction(call)
        lang = self._language(call, interaction)
        attempt = self._attempt(call)
        raw = call.digits.strip()[:MAX_ACCOUNT_DIGITS * 2]
        if "*" in raw:
            interactions.add_event(interaction, "identification_skipped")
            return self._commit(self._menu(interaction, lang, 1))
        digits = "".join(ch for ch in raw if ch in ASCII_DIGITS)[:MAX_ACCOUNT_DIGITS]
        customer = customers.find_by_account_number(digits) if digits else None
        if customer is None:
            if digits:
                interactions.add_event(interaction, "account_not_found", attempt=attempt)
            if attempt < self._attempts(heard=bool(digits)):
                why = "account.not_found" if digits else "common.not_heard"
                return self._commit(self._ask_account(lang, attempt + 1,
                                                      lead=[self._say(why, lang)]))
            # "We could not find your account" only to a caller who keyed one.
            lead = [self._say("account.give_up", lang)] if digits else []
            return self._commit(self._menu(interaction, lang, 1, lead=lead))

        interaction.customer_id = customer.id
        interactions.add_event(interaction, "identified", how="account_number",
                               customer_id=customer.id)
        found = self._say("account.found", lang, name=customer.name)
        number = self._linkable_number(call, interaction)
        if number is not None and customers.find_by_phone(number) is not customer:
            return self._commit(twiml.speak_then_listen(
                [found], [self._say("account.remember_offer", lang)],
                Listen(self._url("/ivr/remember", lang=lang.code), num_digits=1,
                       timeout=self.settings.gather_timeout),
            ))
        return self._commit(self._menu(interaction, lang, 1, lead=[found]))

    def remember(self, call: CallInput) -> VoiceResponse:
        """The caller's consent (or not) to remember the number they are calling from."""
        interaction = self._interaction(call)
        lang = self._language(call, interaction)
        customer = db.session.get(Customer, interaction.customer_id) \
            if interaction.customer_id else None
        number = self._linkable_number(call, interaction)
        lead: list[Spoken] = []
        if call.digits.strip() == "1" and customer is not None and number is not None:
            customers.link_phone(customer, number, "ivr")
            interactions.add_event(interaction, "phone_linked", customer_id=customer.id,
                                   number=number)
            lead.append(self._say("account.remembered", lang))
        else:
            # No answer is no consent.
            interactions.add_event(interaction, "phone_not_linked")
            lead.append(self._say("account.not_remembered", lang))
        return self._commit(self._menu(interaction, lang, 1, lead=lead))

    def menu(self, call: CallInput) -> VoiceResponse:
        interaction = self._interaction(call)
        lang = self._language(call, interaction)
        attempt = self._attempt(call)
        active = departments_.active_departments()
        if not active:
            return self._commit(self._unavailable(lang, interaction, record=True))
        chosen, how = self._match(call, lang, active)
        if chosen is not None:
            return self._commit(self._route(interaction, chosen, lang, how))
        heard = bool(call.digits.strip() or call.speech.strip())
        interactions.add_event(interaction, "menu_invalid" if heard else "menu_no_input",
                               attempt=attempt, digits=call.digits.strip()[:8],
                               said=call.speech.strip()[:200])
        if attempt < self._attempts(heard):
            why = self._say("common.invalid" if heard else "common.not_heard", lang)
            return self._commit(self._menu(interaction, lang, attempt + 1, lead=[why]))
        fallback = departments_.default_of(active)
        explain = self._say("menu.to_default", lang, department=fallback.name_in(lang.code))
        return self._commit(self._route(interaction, fallback, lang, "default", lead=[explain]))

    # -- steps -----------------------------------------------------------------------------

    def _ask_language(self, attempt: int, lead: Sequence[Spoken] = ()) -> VoiceResponse:
        def build() -> tuple[TwiML, ...]:
            options = [
                self._say("language.option", language(code), key=str(index))
                for index, code in enumerate(self.settings.languages, start=1)
            ]
            return twiml.listening(options, Listen(
                self._url("/ivr/language", attempt=attempt), num_digits=1,
                timeout=self.settings.gather_timeout))

        return twiml.speak_then(lead, cache.cache().get(f"twiml.language:{attempt}", build))

    def _ask_account(self, lang: Language, attempt: int,
                     lead: Sequence[Spoken] = ()) -> VoiceResponse:
        def build() -> tuple[TwiML, ...]:
            return twiml.listening([self._say("account.ask", lang)], Listen(
                self._url("/ivr/account", lang=lang.code, attempt=attempt),
                finish_on_key="#", timeout=self.settings.account_timeout))

        return twiml.speak_then(
            lead, cache.cache().get(f"twiml.account:{lang.code}:{attempt}", build))

    def _menu(self, interaction: Interaction | NewCall, lang: Language, attempt: int,
              lead: Sequence[Spoken] = ()) -> VoiceResponse:
        active = departments_.active_departments()
        if not active:
            return twiml.prefixed(lead, self._unavailable(lang, interaction, record=True))
        if len(active) == 1:
            # One department: a menu of one choice would only keep the caller waiting.
            return self._route(interaction, active[0], lang, "only", lead=lead)
        return self._menu_question(lang, attempt, lead)

    def _menu_question(self, lang: Language, attempt: int, lead: Sequence[Spoken]
                       ) -> VoiceResponse:
        """`lead`, then the menu of the active departments (two or more of them)."""

        def build() -> tuple[TwiML, ...]:
            active = departments_.active_departments()
            options = [self._say("menu.intro", lang)] + [
                self._say("menu.option", lang, department=d.name_in(lang.code), key=d.menu_key)
                for d in active
            ]
            return twiml.listening(options, Listen(
                self._url("/ivr/menu", lang=lang.code, attempt=attempt), input="dtmf speech",
                num_digits=1, timeout=self.settings.gather_timeout,
                speech_language=lang.speech_language, hints=matching.hints(active, lang.code)))

        # Prompts, departments and settings only: kept per configuration version (and
        # rebuilt every time when Redis, which holds the version, is unreachable).
        return twiml.speak_then(
            lead, cache.cache().get(f"twiml.menu:{lang.code}:{attempt}", build))

    def _match(self, call: CallInput, lang: Language,
               active: list[DepartmentView]) -> tuple[DepartmentView | None, str]:
        if call.digits.strip():
            return matching.by_key(call.digits, active), "key"
        if call.speech.strip():
            return matching.by_speech(call.speech, lang.code, active), "speech"
        return None, ""

    def _route(self, interaction: Interaction | NewCall, department: DepartmentView, lang: Language,
               how: str, lead: Sequence[Spoken] = ()) -> VoiceResponse:
        cache.confirm_version()  # a hand-off cannot be taken back: no assumed configuration
        # The queue and voicemail need the row's id: a first webhook's row, kept out of the
        # session until now, joins it here (a no-op for a row already there).
        interaction = interactions.joined(interaction)
        interaction.department_id = department.id
        interaction.language = lang.code
        interactions.add_event(interaction, "department_chosen", department=department.slug,
                               how=how)
        if not hours.is_open(department.hours, department.timezone, department.holidays, now()):
            interactions.add_event(interaction, "after_hours", department=department.slug)
            return twiml.prefixed(lead, after_hours(interaction, department, lang.code))
        interactions.add_event(interaction, "handed_off", department=department.slug)
        return twiml.prefixed(lead, hand_off(interaction, department, lang.code))

    def _unavailable(self, lang: Language, interaction: Interaction | NewCall,
                     record: bool = False) -> VoiceResponse:
        cache.confirm_version()  # the voicemail box writes: no assumed configuration
        log.error("call %s: no active departments are configured", interaction.call_sid)
        if record:
            interactions.add_event(interaction, "no_departments")
        # Nobody to put them through to, but a message is still taken: the general box.
        from app.voicemail import take_message  # voicemail depends on the IVR, not the reverse
        from app.voicemail.boxes import GENERAL

        interaction = interactions.joined(interaction)  # the callback links to the row's id
        db.session.flush()
        return take_message(GENERAL, lang.code, interaction,
                            preface=prompts.text("menu.unavailable", lang.code))

    # -- helpers ---------------------------------------------------------------------------

    def _interaction(self, call: CallInput) -> Interaction:
        return interactions.open_interaction(
            call.call_sid, from_number=call.from_number[:64], to_number=call.to_number[:64],
            direction=call.direction[:32] or "inbound",
        )

    def _language(self, call: CallInput, interaction: Interaction) -> Language:
        """The caller's language: the URL's, else the one on record, else the default."""
        for code in (call.lang, interaction.language):
            if is_supported(code):
                return language(code)
        return language(self.settings.default_language)

    def _attempts(self, heard: bool) -> int:
        """How many times a question is asked: a caller who said nothing this time is moved
        on sooner (IVR_NO_INPUT_ATTEMPTS), so that silence never costs a minute of menus."""
        if heard:
            return self.settings.max_attempts
        return min(self.settings.max_attempts, self.settings.no_input_attempts)

    def _attempt(self, call: CallInput) -> int:
        raw = call.attempt.strip()
        value = int(raw) if raw and len(raw) <= 2 and set(raw) <= set(ASCII_DIGITS) else 1
        return min(max(value, 1), MAX_QUERY_ATTEMPT)

    def _linkable_number(self, call: CallInput, interaction: Interaction) -> str | None:
        raw = call.from_number or interaction.from_number
        if caller_kind(raw) != "number":
            return None
        return phones.normalise(raw, self.settings.region)

    def _say(self, key: str, lang: Language, /, **values: Any) -> Spoken:
        return Spoken(prompts.text(key, lang.code, **values), lang)

    def _greeting(self, lang: Language, name: str) -> Spoken:
        return self._say("greeting.known", lang, name=name,
                         organisation=self.settings.organisation)

    def _url(self, path: str, **query: Any) -> str:
        return public_url(f"{path}?{urlencode(query)}" if query else path)

    def _commit(self, response: VoiceResponse) -> VoiceResponse:
        db.session.commit()
        return response


def call_flow() -> CallFlow:
    return CallFlow(FlowSettings.from_settings(app_settings()))
