"""The requirements vocabulary: the one set of questions and answers shared by the wizard, the JSON API,
the recommender and the catalog's curated fits.

The names and values here are a public API contract (``/api/v1``): add values with care, never rename them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    help: str


@dataclass(frozen=True)
class Question:
    name: str
    label: str
    help: str
    choices: tuple[Choice, ...]
    required: bool = False
    is_boolean: bool = False
    # The question is only asked (and only counts) when the goal is one of these; None means always.
    only_for_goals: frozenset[str] | None = None
    # ... and only when the systems involved are one of these; None means always.
    only_for_scopes: frozenset[str] | None = None
    # A fact of the situation (the systems, the goal, where Dynamics 365 runs, what the team runs...) rather than a
    # preference: what-ifs that would change a better fit change preferences first, and label a change of facts.
    fact: bool = False

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(choice.value for choice in self.choices)

    def choice(self, value: str) -> Choice:
        for choice in self.choices:
            if choice.value == value:
                return choice
        raise KeyError(value)

    def applies_to(self, goal: str | None, scope: str | None = None) -> bool:
        """Whether the question is asked for this goal and these systems."""
        if self.only_for_goals is not None and goal not in self.only_for_goals:
            return False
        return self.only_for_scopes is None or scope in self.only_for_scopes


QUESTIONS: tuple[Question, ...] = (
    Question(
        name="scope",
        label="Systems involved",
        help="Which Dynamics 365 apps take part, and whether the other side is outside Dynamics 365.",
        required=True,
        fact=True,
        choices=(
            Choice(
                "fno_external",
                "Finance and operations apps with another system",
                "Finance, Supply Chain Management, Commerce and the like, talking to a partner, "
                "legacy or custom-built system.",
            ),
            Choice(
                "ce_external",
                "Customer engagement apps (Dataverse) with another system",
                "Sales, Customer Service, Field Service or a model-driven Power App, talking to a "
                "system outside Dynamics 365.",
            ),
            Choice(
                "fno_dataverse",
                "Finance and operations apps with Dataverse",
                "Connecting the two halves of Dynamics 365: finance and operations apps and the "
                "Dataverse platform behind the customer engagement apps.",
            ),
        ),
    ),
    Question(
        name="goal",
        label="What the integration is for",
        help="The main job the integration has to do. Pick the closest one.",
        required=True,
        fact=True,
        choices=(
            Choice(
                "data_sync",
                "Exchange or synchronise data",
                "Records such as customers, orders or products move between systems, or one system "
                "reads another's data.",
            ),
            Choice(
                "invoke_logic",
                "Run business logic in Dynamics 365",
                "Another system asks Dynamics 365 to do something (post, confirm, calculate) and "
                "gets a result, not just a row.",
            ),
            Choice(
                "call_external_service",
                "Call an outside service from Dynamics 365",
                "Dynamics 365 looks something up or triggers work in another service, such as a "
                "price feed, an address check or a tax engine.",
            ),
            Choice(
                "event_notification",
                "Tell other systems when something happens",
                "A business event in Dynamics 365 (an order confirmed, a case closed) must reach "
                "other systems or flows.",
            ),
            Choice(
                "embed_ui",
                "Show another app inside Dynamics 365",
                "Users should see or work with another application's screens or data without "
                "leaving the Dynamics 365 form.",
            ),
            Choice(
                "reporting_visuals",
                "Reports, dashboards and visuals",
                "Charts, dashboards or analytics, possibly over data from several sources, shown "
                "to Dynamics 365 users.",
            ),
            Choice(
                "regulatory_documents",
                "Regulatory and electronic documents",
                "Documents in formats set by authorities or trading partners: e-invoices, tax "
                "declarations, payment and bank files.",
            ),
            Choice(
                "office_productivity",
                "Work in Excel, Word or Outlook",
                "Users pull data out to analyse or edit it in Office, or bring data in from "
                "spreadsheets and documents.",
            ),
            Choice(
                "communication_channels",
                "Phone, chat and messaging channels",
                "Agents handle calls, chats or messages from a channel provider inside the Dynamics 365 app.",
            ),
        ),
    ),
    Question(
        name="direction",
        label="Direction of the flow",
        help="Seen from Dynamics 365: does information come in, go out, or both?",
        fact=True,
        choices=(
            Choice("inbound", "Into Dynamics 365", "Another system sends or writes data into Dynamics 365."),
            Choice("outbound", "Out of Dynamics 365", "Dynamics 365 sends or exposes data to another system."),
            Choice(
                "bidirectional",
                "Both ways",
                "Both sides create and change the same information and each must see the other's changes.",
            ),
        ),
    ),
    Question(
        name="timing",
        label="How fast the other side needs it",
        help="Synchronous means the caller waits for the answer; near real time means within seconds "
        "or minutes without waiting.",
        choices=(
            Choice(
                "synchronous",
                "Immediately, and the caller waits",
                "A user or process cannot go on until the other system answers, like a stock check at checkout.",
            ),
            Choice(
                "near_real_time",
                "Within seconds or minutes",
                "Changes should flow soon after they happen, but nobody waits for them.",
            ),
            Choice(
                "scheduled_batch",
                "On a schedule",
                "Hourly, nightly or period-end runs are fine; data is collected and moved in bulk.",
            ),
        ),
    ),
    Question(
        name="volume",
        label="How much data",
        help="A rough size helps pick a pattern that stays inside the platform's service protection limits.",
        fact=True,
        choices=(
            Choice("low", "Low", "Up to a few thousand records or calls a day, small payloads."),
            Choice("medium", "Medium", "Tens of thousands of records a day, or regular bursts."),
            Choice(
                "high",
                "High",
                "Hundreds of thousands of records or more in a run, or a constant heavy stream.",
            ),
        ),
    ),
    Question(
        name="deployment",
        label="Where Dynamics 365 runs",
        help="Some patterns need the Microsoft cloud service and are not available on-premises.",
        fact=True,
        choices=(
            Choice("cloud", "Cloud", "The Microsoft-hosted service."),
            Choice(
                "on_premises",
                "On-premises",
                "Installed on the customer's own infrastructure: finance and operations apps as local business "
                "data, or Dynamics 365 Customer Engagement (on-premises).",
            ),
        ),
    ),
    Question(
        name="data_residency",
        label="Copy the data or read it where it lives",
        help="Asked for data exchange only.",
        only_for_goals=frozenset({"data_sync"}),
        choices=(
            Choice(
                "replicate",
                "Keep a copy on both sides",
                "Each system keeps its own copy, so it can work with the data offline, report on it "
                "and run its own logic.",
            ),
            Choice(
                "live_access",
                "Read it live, without copying",
                "The data stays in its home system and is read or changed there on demand.",
            ),
        ),
    ),
    Question(
        name="transformations",
        label="Where data is reshaped",
        help="Asked for data exchange only: formats, mappings and enrichment between the two sides.",
        only_for_goals=frozenset({"data_sync"}),
        choices=(
            Choice("none", "Hardly any", "Both sides already agree on the shape of the data."),
            Choice(
                "in_dynamics",
                "Inside Dynamics 365",
                "Mappings or transformations should be configured in Dynamics 365 itself.",
            ),
            Choice(
                "external",
                "In middleware or the other system",
                "An integration platform, Azure service or the other system does the mapping.",
            ),
        ),
    ),
    Question(
        name="ui_kind",
        label="What should appear in Dynamics 365",
        help="Asked for embedding UI only.",
        only_for_goals=frozenset({"embed_ui"}),
        choices=(
            Choice(
                "existing_web_app",
                "An existing web application",
                "A page of another system that already runs in a browser, shown as it is.",
            ),
            Choice(
                "custom_component",
                "A custom control built for the form",
                "A purpose-built visual control (a map, a timeline, a gauge) that reads and writes form data.",
            ),
            Choice(
                "low_code_app",
                "A low-code app",
                "A small app made by makers with Power Apps and connectors.",
            ),
        ),
    ),
    Question(
        name="prefers_low_code",
        label="Prefer low-code",
        help="Should makers be able to build and change it with configuration rather than code?",
        is_boolean=True,
        choices=(
            Choice("true", "Yes, prefer low-code", "Configuration, Power Platform and connectors over custom code."),
            Choice("false", "No, code is fine", "The team writes and maintains code (X++, C#, JavaScript)."),
        ),
    ),
    Question(
        name="needs_custom_logic",
        label="Needs custom business logic",
        help="Does the integration have to run logic of its own in Dynamics 365, beyond reading and writing records?",
        is_boolean=True,
        choices=(
            Choice(
                "true",
                "Yes, custom logic",
                "Validation, calculations or multi-step actions written for this integration.",
            ),
            Choice("false", "No, records only", "Standard create, read, update and delete of records is enough."),
        ),
    ),
    Question(
        name="trigger",
        label="What starts it",
        help="What in Dynamics 365 sets the flow off: a step of a business process, or any change to a record. "
        "Asked for events, and for data leaving Dynamics 365.",
        only_for_goals=frozenset({"event_notification", "data_sync"}),
        fact=True,
        choices=(
            Choice(
                "business_event",
                "A business process step",
                "A standard step that the app already announces: an invoice posted, a sales order confirmed, a "
                "purchase order approved, a workflow step completed.",
            ),
            Choice(
                "record_change",
                "A record changes",
                "A row is created, updated or deleted (a vendor's bank account, an on-hand quantity, a contact's "
                "address), whatever process did it.",
            ),
            Choice(
                "custom_event",
                "An event of our own",
                "The team defines and raises its own event because no standard one exists.",
            ),
        ),
    ),
    Question(
        name="lives_in",
        label="Where the data or logic lives",
        help="For finance and operations with Dataverse: which of the two apps owns the records, or runs the logic, "
        "that the other side needs.",
        only_for_scopes=frozenset({"fno_dataverse"}),
        fact=True,
        choices=(
            Choice(
                "fno",
                "Finance and operations apps",
                "The records or the business logic belong to finance and operations; Dataverse or a model-driven "
                "app needs them.",
            ),
            Choice(
                "dataverse",
                "Dataverse",
                "The records or the logic belong to Dataverse (customer engagement or model-driven apps); finance "
                "and operations needs them.",
            ),
        ),
    ),
    Question(
        name="consumer",
        label="Who uses the data",
        help="Asked for data exchange: what reads the data on the other side.",
        only_for_goals=frozenset({"data_sync"}),
        fact=True,
        choices=(
            Choice(
                "analytics",
                "Analytics",
                "A data lake, Microsoft Fabric, a data warehouse, reporting or machine learning reads it.",
            ),
            Choice(
                "operational",
                "Another business application",
                "An operational system (a web shop, a warehouse system, a partner's ERP) acts on it.",
            ),
        ),
    ),
    Question(
        name="team_platform",
        label="What the team already runs",
        help="An integration platform the team already has and knows; building on it is usually cheaper than "
        "adding another.",
        only_for_goals=frozenset(
            {"data_sync", "invoke_logic", "call_external_service", "event_notification", "regulatory_documents"}
        ),
        fact=True,
        choices=(
            Choice(
                "azure_integration_services",
                "Azure Integration Services",
                "Logic Apps (perhaps with an integration account for B2B and EDI), Service Bus, API Management, "
                "Azure Functions.",
            ),
            Choice("data_factory", "Azure Data Factory", "Data Factory or Synapse pipelines that move data in bulk."),
            Choice("power_platform", "Power Platform", "Power Automate, Power Apps and dataflows, built by makers."),
            Choice("none", "Nothing yet", "No integration platform in place."),
        ),
    ),
    Question(
        name="document_kind",
        label="Whose format",
        help="Asked for regulatory and electronic documents: who sets the format, an authority or your trading "
        "partners.",
        only_for_goals=frozenset({"regulatory_documents"}),
        fact=True,
        choices=(
            Choice(
                "authority",
                "Set by an authority",
                "E-invoices, tax declarations, audit files or bank formats that a government, tax office or bank "
                "prescribes and changes.",
            ),
            Choice(
                "trading_partner",
                "Agreed with trading partners (EDI)",
                "Orders, ship notices and invoices exchanged with customers or suppliers as X12, EDIFACT or "
                "similar, often over AS2, with acknowledgements.",
            ),
        ),
    ),
)

QUESTIONS_BY_NAME: Mapping[str, Question] = {question.name: question for question in QUESTIONS}
QUESTION_NAMES: tuple[str, ...] = tuple(QUESTIONS_BY_NAME)


# The answer codec: the one place that turns stored answers (booleans stay booleans) into the vocabulary's strings
# (fits, forms, URLs and exports use "true"/"false") and back, and either into the label a person reads.

NO_PREFERENCE_LABEL = "No preference"


def encode_answer(value: str | bool) -> str:
    """The vocabulary string of a stored answer: booleans become "true"/"false", strings stay as they are."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def decode_answer(question: Question, text: str) -> str | bool | None:
    """The stored form of a vocabulary string: "" is unanswered (None), booleans come back as booleans."""
    if text == "":
        return None
    return text == "true" if question.is_boolean else text


def answer_label(name: str, value: object) -> str:
    """What a person reads for an answer, stored or encoded; an unknown question or value reads as itself."""
    if value is None or value == "":
        return NO_PREFERENCE_LABEL
    question = QUESTIONS_BY_NAME.get(name)
    text = encode_answer(value) if isinstance(value, bool | str) else str(value)
    if question is None:
        return text
    try:
        return question.choice(text).label
    except KeyError:
        return text


def question_label(name: str) -> str:
    question = QUESTIONS_BY_NAME.get(name)
    return question.label if question else name


# Optional numbers for a capacity check (patterns.ranking.capacity): a field, what it means, and its sane maximum.


@dataclass(frozen=True)
class CapacityField:
    name: str
    label: str
    help: str
    maximum: float
    whole: bool = True  # a whole number (counts) or any number (sizes)


CAPACITY_FIELDS: tuple[CapacityField, ...] = (
    CapacityField("records_per_day", "Records per day", "On an average day, how many records move.", 1_000_000_000),
    CapacityField(
        "peak_records_per_hour",
        "Records in the busiest hour",
        "At the peak, how many records in one hour.",
        100_000_000,
    ),
    CapacityField(
        "record_size_kb",
        "Size of one record or message (KB)",
        "The payload of one record as it travels, in kilobytes.",
        1_048_576,
        whole=False,
    ),
    CapacityField(
        "initial_load_records",
        "Records in the initial load",
        "How many records must be copied once before going live.",
        10_000_000_000,
    ),
    CapacityField("tables", "Tables or entities", "How many tables or data entities take part.", 100_000),
    CapacityField(
        "concurrent_clients", "Callers at the same time", "How many clients or threads call at once.", 100_000
    ),
    CapacityField(
        "legal_entities",
        "Legal entities",
        "How many finance and operations legal entities (companies) the data spans.",
        100_000,
    ),
    CapacityField(
        "rows_per_query",
        "Rows one live query returns",
        "When data is read where it lives, how many rows a single query or list must bring back.",
        100_000_000,
    ),
)
CAPACITY_BY_NAME: Mapping[str, CapacityField] = {field.name: field for field in CAPACITY_FIELDS}
# The goals whose patterns have curated limits to check numbers against: system-to-system traffic (data moving,
# events leaving, calls either way, documents exchanged), not what people see on a screen.
CAPACITY_GOALS = frozenset(
    {"data_sync", "event_notification", "invoke_logic", "call_external_service", "regulatory_documents"}
)
# Records per day at which a derived volume becomes medium and high (the volume question's help text).
VOLUME_FROM_RECORDS = (("high", 100_000), ("medium", 5_000), ("low", 0))


@dataclass(frozen=True)
class Capacity:
    records_per_day: int | None = None
    peak_records_per_hour: int | None = None
    record_size_kb: float | None = None
    initial_load_records: int | None = None
    tables: int | None = None
    concurrent_clients: int | None = None
    legal_entities: int | None = None
    rows_per_query: int | None = None

    def as_dict(self) -> dict[str, int | float]:
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None}

    @property
    def peak_hourly_records(self) -> float | None:
        """Records in the busiest hour, or the day's records spread evenly when only those are known."""
        if self.peak_records_per_hour is not None:
            return float(self.peak_records_per_hour)
        return None if self.records_per_day is None else self.records_per_day / 24

    def derived_volume(self) -> str | None:
        """The volume answer the records per day imply (the peak hour alone says too little about a day)."""
        if self.records_per_day is None:
            return None
        return next(volume for volume, floor in VOLUME_FROM_RECORDS if self.records_per_day >= floor)


def _capacity_from(raw: object, errors: dict[str, list[str]]) -> Capacity | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        errors.setdefault("capacity", []).append("Expected an object of numbers.")
        return None
    values: dict[str, int | float] = {}
    for name, value in raw.items():
        field = CAPACITY_BY_NAME.get(str(name))
        where = f"capacity.{name}"
        if field is None:
            errors.setdefault(where, []).append(f"Unknown field. Allowed fields: {', '.join(CAPACITY_BY_NAME)}.")
        elif value is None:
            continue
        elif (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or (field.whole and not (isinstance(value, int) or (isinstance(value, float) and value.is_integer())))
        ):  # a whole number may come as 900.0, as JSON Schema's "integer" allows
            errors.setdefault(where, []).append("Expected a whole number." if field.whole else "Expected a number.")
        elif not 0 <= value <= field.maximum or value != value:  # value != value: NaN
            errors.setdefault(where, []).append(f"Must be from 0 to {field.maximum:,.0f}.")
        else:
            values[field.name] = int(value) if field.whole else value + 0  # -0.0 reads as 0
    daily, peak = values.get("records_per_day"), values.get("peak_records_per_hour")
    if daily is not None and peak is not None and not daily / 24 <= peak <= daily:
        errors.setdefault("capacity.peak_records_per_hour", []).append(
            "The busiest hour must hold at least an average hour (records per day / 24) and at most the whole day."
        )
    return Capacity(**values) if values else None  # type: ignore[arg-type]


class RequirementsError(ValueError):
    """Invalid requirements; ``errors`` maps each field to its messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{field}: {' '.join(messages)}" for field, messages in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Requirements:
    scope: str
    goal: str
    direction: str | None = None
    timing: str | None = None
    volume: str | None = None
    deployment: str | None = None
    data_residency: str | None = None
    transformations: str | None = None
    ui_kind: str | None = None
    prefers_low_code: bool | None = None
    needs_custom_logic: bool | None = None
    trigger: str | None = None
    lives_in: str | None = None
    consumer: str | None = None
    team_platform: str | None = None
    document_kind: str | None = None
    capacity: Capacity | None = None  # optional numbers; not a question, so never part of ``answers()``

    def answers(self) -> dict[str, str]:
        """The answered questions that apply to this goal, as vocabulary strings, in question order."""
        result: dict[str, str] = {}
        for question in QUESTIONS:
            value = getattr(self, question.name)
            if value is None or not question.applies_to(self.goal, self.scope):
                continue
            result[question.name] = encode_answer(value)
        return result

    def labelled(self) -> list[tuple[Question, str]]:
        """(question, answer label) for the answered questions that apply, in question order."""
        return [(QUESTIONS_BY_NAME[name], answer_label(name, value)) for name, value in self.answers().items()]

    def numbers_labelled(self) -> list[tuple[CapacityField, str]]:
        """(field, value) for the numbers given, in field order."""
        given = self.capacity.as_dict() if self.capacity else {}
        return [(field, f"{given[field.name]:,}") for field in CAPACITY_FIELDS if field.name in given]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form with only the answered questions (booleans stay booleans) and the numbers, if any."""
        result = {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None}
        if self.capacity is not None:
            result["capacity"] = self.capacity.as_dict()
        return result

    @classmethod
    def from_mapping(cls, data: object) -> Requirements:
        """Validate a mapping (parsed JSON or stored answers) strictly.

        Unknown fields, unknown values and wrong types are errors; ``None`` means unanswered. Answers to
        questions that don't apply to the goal are dropped, since the wizard never asks them.
        """
        if not isinstance(data, Mapping):
            raise RequirementsError({"non_field_errors": ["Expected an object of answers."]})
        errors: dict[str, list[str]] = {}
        capacity = _capacity_from(data.get("capacity"), errors)
        for name in data:
            if name not in QUESTIONS_BY_NAME and name != "capacity":
                errors.setdefault(str(name), []).append(
                    f"Unknown field. Allowed fields: {', '.join(QUESTION_NAMES)}, capacity."
                )
        values: dict[str, Any] = {}
        for question in QUESTIONS:
            raw = data.get(question.name)
            if raw is None:
                if question.required:
                    errors.setdefault(question.name, []).append("This field is required.")
                continue
            if question.is_boolean:
                if not isinstance(raw, bool):
                    errors.setdefault(question.name, []).append("Expected true or false.")
                    continue
            elif not isinstance(raw, str):
                errors.setdefault(question.name, []).append(f"Expected a string, one of: {', '.join(question.values)}.")
                continue
            elif raw not in question.values:
                errors.setdefault(question.name, []).append(
                    f"Unknown value {raw!r}. Allowed values: {', '.join(question.values)}."
                )
                continue
            values[question.name] = raw
        if errors:
            raise RequirementsError(errors)
        goal, scope = values["goal"], values["scope"]
        for name in list(values):
            if not QUESTIONS_BY_NAME[name].applies_to(goal, scope):
                del values[name]
        if goal not in CAPACITY_GOALS:
            capacity = None  # the numbers only matter where limits are curated: the wizard never asks them otherwise
        if capacity is not None and "volume" not in values and (derived := capacity.derived_volume()):
            values["volume"] = derived  # the numbers answer the volume question when it wasn't answered
        return cls(**values, capacity=capacity)
