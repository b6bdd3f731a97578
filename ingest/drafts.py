"""Turning an analysed article and the editor's choices into draft records, all at once.

The review page (ingest/admin_views.py) shows an analysis (ingest/analysis.py's dict) and lets
the editor accept, edit or reject each proposal; `article_drafts_create` then writes what was
accepted in one transaction, through the models' own validation (full_clean, the quote anchoring
of sources/anchoring.py) and the parts rules of core/parts.py, as drafts or in review, never
published. Any refusal writes nothing.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.text import slugify

from companies.models import Alias, Company, Deal, Participation
from core.editorial import REVIEWED_STATES, EditorialState, can_publish, transition_problems
from core.parts import part_change, part_changes_problems, permission_problems
from sources.models import Excerpt, NoiseSpan, Source, Story, text_sha256

# History rows say where a change came from; simple-history keeps at most 100 characters.
CHANGE_REASON = "Article assistant"


class DraftsRefused(Exception):
    """Nothing was written; `problems` says why, one line each."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(" ".join(problems))


@dataclass
class SourceChoice:
    title: str
    slug: str = ""
    publisher: str = ""
    author: str = ""
    url: str = ""
    published_date: datetime.date | None = None
    published_date_precision: str = ""
    date_basis: str = ""
    date_note: str = ""
    story_relation: str = Source.StoryRelation.ORIGINAL


@dataclass
class StoryChoice:
    """Join the story the analysis matched (`join`), or, when the matched source has none, create
    one titled `new_title` grouping both."""

    join: bool = False
    new_title: str = ""


@dataclass
class NoiseChoice:
    index: int  # into analysis["noise"]
    label: str


@dataclass
class CompanyChoice:
    key: str  # the name as the article writes it: how candidates' parties refer to it
    name: str
    kind: str
    slug: str = ""


@dataclass
class AliasChoice:
    name: str
    company: str  # slug
    kind: str = Alias.Kind.MISSPELLING


@dataclass
class PartyChoice:
    role: str
    company: str = ""  # slug of a tracker company
    new_company: str = ""  # or the key of a CompanyChoice


@dataclass
class DealChoice:
    title: str
    kind: str
    status: str
    round_name: str = ""
    amount: Decimal | None = None
    currency: str = ""
    amount_note: str = ""
    date: datetime.date | None = None
    date_precision: str = ""
    parties: list[PartyChoice] = field(default_factory=list)


@dataclass
class ExcerptChoice:
    index: int  # into analysis["candidates"]
    stance: str = Excerpt.Stance.SUPPORTS
    claim: str = ""
    note: str = ""
    deal: str = ""  # slug of an existing deal it corroborates or contradicts
    new_deal: DealChoice | None = None


@dataclass
class ArticleDrafts:
    source: SourceChoice
    story: StoryChoice = field(default_factory=StoryChoice)
    noise: list[NoiseChoice] = field(default_factory=list)
    companies: list[CompanyChoice] = field(default_factory=list)
    aliases: list[AliasChoice] = field(default_factory=list)
    excerpts: list[ExcerptChoice] = field(default_factory=list)
    send_for_review: bool = False


@dataclass
class Created:
    source: Source
    companies: list[Company] = field(default_factory=list)
    aliases: list[Alias] = field(default_factory=list)
    deals: list[Deal] = field(default_factory=list)
    excerpts: list[Excerpt] = field(default_factory=list)
    noise: list[NoiseSpan] = field(default_factory=list)
    story: Story | None = None


def unique_slug(model: type[models.Model], text: str, *, taken: set[str] | None = None, limit: int = 100) -> str:
    """A slug for a new record from `text`, with -2, -3… when one is taken."""
    base = slugify(text)[:limit].strip("-") or model._meta.model_name
    slug, number = base, 1
    while model._default_manager.filter(slug=slug).exists() or slug in (taken or set()):
        number += 1
        slug = f"{base}-{number}"
    return slug


def matched_source(analysis: dict) -> Source | None:
    """The archived source the analysis found this article to be a version of, if any."""
    story = analysis.get("story") or {}
    if story.get("verdict") != "version_of" or not story.get("candidates"):
        return None
    return Source.objects.select_related("story").filter(slug=story["candidates"][0]["source"]).first()


def reviewer_needed(*, user, part: models.Model, related: dict | None = None) -> list[str]:
    """Why `user` may not add `part` (a published or retracted parent): shown beside a proposal
    on the review page, and asked again when the drafts are created."""
    return permission_problems(user, part_change(part, related=related))


def _save(record: models.Model, *, user, what: str) -> None:
    """Validate and save `record` as an editor's form would, attributed to `user`."""
    try:
        record.full_clean()
    except ValidationError as error:
        lines = [
            f"{name}: {' '.join(messages)}" if name != "__all__" else " ".join(messages)
            for name, messages in error.message_dict.items()
        ]
        raise DraftsRefused([f"{what}: {line}" for line in lines]) from None
    record._history_user = user
    record._change_reason = getattr(record, "_change_reason", CHANGE_REASON)
    record.save()


def _check_parts(*, user, part: models.Model, related: dict | None = None) -> None:
    problems = part_changes_problems(user=user, changes=[part_change(part, related=related)])
    if problems:
        raise DraftsRefused(problems)


def _need(user, model: type[models.Model], action: str = "add") -> None:
    if not user.has_perm(f"{model._meta.app_label}.{action}_{model._meta.model_name}"):
        raise DraftsRefused([f"You may not {action} {model._meta.verbose_name_plural}."])


def article_drafts_create(*, user, text: str, analysis: dict, drafts: ArticleDrafts, html: str = "") -> Created:
    """Create everything the editor accepted, in one transaction, or raise DraftsRefused and
    write nothing. `html` is the saved web page the text was extracted from, archived with the
    source."""
    if text_sha256(text) != analysis.get("sha256"):
        raise DraftsRefused(["The text is not the one analysed; analyse the article again."])
    if analysis.get("duplicate_of") or Source.objects.filter(sha256=text_sha256(text)).exists():
        raise DraftsRefused(["This text is already archived; nothing was created."])
    state = EditorialState.IN_REVIEW if drafts.send_for_review else EditorialState.DRAFT
    with transaction.atomic():
        writer = _Writer(user=user, text=text, analysis=analysis, state=state, html=html)
        return writer.write(drafts)


class _Writer:
    """The writes of `article_drafts_create`, in an order where each record's parents exist."""

    def __init__(self, *, user, text: str, analysis: dict, state: str, html: str):
        self.user, self.text, self.analysis, self.state, self.html = user, text, analysis, state, html
        self.reason = f"{CHANGE_REASON}, raw HTML SHA-256 {text_sha256(html)}" if html else CHANGE_REASON
        self.new_companies: dict[str, Company] = {}

    def curated(self, record, *, what: str) -> None:
        record.editorial_state = self.state
        problems = transition_problems(record, self.state, self.user)
        if problems:
            raise DraftsRefused(problems)
        record._change_reason = self.reason
        _save(record, user=self.user, what=what)

    def write(self, drafts: ArticleDrafts) -> Created:
        companies = [self.company(choice) for choice in drafts.companies]
        aliases = [self.alias(choice) for choice in drafts.aliases]
        source, story = self.source(drafts.source, drafts.story)
        created = Created(source=source, companies=companies, aliases=aliases, story=story)
        created.noise = [self.noise(source, choice) for choice in drafts.noise]
        for choice in drafts.excerpts:
            deal = self.deal(choice.new_deal, created) if choice.new_deal else None
            created.excerpts.append(self.excerpt(source, choice, deal))
        return created

    def company(self, choice: CompanyChoice) -> Company:
        _need(self.user, Company)
        taken = {company.slug for company in self.new_companies.values()}
        slug = choice.slug or unique_slug(Company, choice.name, taken=taken)
        company = Company(name=choice.name, slug=slug, kind=choice.kind)
        self.curated(company, what=f"New company “{choice.name}”")
        self.new_companies[choice.key] = company
        return company

    def alias(self, choice: AliasChoice) -> Alias:
        _need(self.user, Alias)
        company = self.new_companies.get(choice.company) or Company.objects.filter(slug=choice.company).first()
        if company is None:
            raise DraftsRefused([f"Alias “{choice.name}”: no company “{choice.company}” in the tracker."])
        alias = Alias(company=company, name=choice.name, kind=choice.kind)
        _check_parts(user=self.user, part=alias)
        _save(alias, user=self.user, what=f"Alias “{choice.name}” of {company}")
        return alias

    def source(self, choice: SourceChoice, story_choice: StoryChoice) -> tuple[Source, Story | None]:
        _need(self.user, Source)
        fields = {name: getattr(choice, name) for name in SourceChoice.__dataclass_fields__}
        fields["slug"] = choice.slug or unique_slug(Source, choice.title)
        source = Source(**fields, text=self.text, raw_html=self.html)
        story = self.story(source, story_choice)
        self.curated(source, what="Source")
        return source, story

    def story(self, source: Source, choice: StoryChoice) -> Story | None:
        matched = matched_source(self.analysis)
        if not choice.join or matched is None:
            source.story_relation = Source.StoryRelation.ORIGINAL  # a story of its own
            return None
        if matched.story is not None:
            source.story = matched.story  # the story row itself is unchanged
            return None
        _need(self.user, Story)
        title = choice.new_title or matched.title
        story = Story(slug=unique_slug(Story, title), title=title, note="Grouped by the article assistant.")
        _check_parts(user=self.user, part=story, related={"sources": [matched]})
        if matched.stored_editorial_state in REVIEWED_STATES and not can_publish(self.user, Source):
            raise DraftsRefused(
                [
                    f"Only reviewers can change the {matched.get_editorial_state_display().lower()} "
                    f"source “{matched}” to group it into a story."
                ]
            )
        _save(story, user=self.user, what=f"Story “{title}”")
        matched.story = story
        matched._change_reason = CHANGE_REASON
        _save(matched, user=self.user, what=f"Source “{matched}”")
        source.story = story
        return story

    def noise(self, source: Source, choice: NoiseChoice) -> NoiseSpan:
        span = self.analysis["noise"][choice.index]
        noise = NoiseSpan(source=source, label=choice.label, text=self.text[span["start"] : span["end"]])
        noise.start = span["start"]
        _save(noise, user=self.user, what=f"Noise “{choice.label}”")
        return noise

    def deal(self, choice: DealChoice, created: Created) -> Deal:
        _need(self.user, Deal)
        taken = {deal.slug for deal in created.deals}
        deal = Deal(
            slug=unique_slug(Deal, choice.title, taken=taken),
            **{name: getattr(choice, name) for name in DealChoice.__dataclass_fields__ if name != "parties"},
        )
        self.curated(deal, what=f"New deal “{choice.title}”")
        for party in choice.parties:
            self.participation(deal, party)
        created.deals.append(deal)
        return deal

    def participation(self, deal: Deal, party: PartyChoice) -> Participation:
        company = self.new_companies.get(party.new_company) if party.new_company else None
        company = company or Company.objects.filter(slug=party.company).first()
        if company is None:
            name = party.new_company or party.company
            raise DraftsRefused([f"Deal “{deal}”: the party “{name}” is neither in the tracker nor accepted as new."])
        participation = Participation(deal=deal, company=company, role=party.role)
        _save(participation, user=self.user, what=f"Deal “{deal}”, party {company}")
        return participation

    def excerpt(self, source: Source, choice: ExcerptChoice, new_deal: Deal | None) -> Excerpt:
        _need(self.user, Excerpt)
        candidate = self.analysis["candidates"][choice.index]
        deals = [new_deal] if new_deal else list(Deal.objects.filter(slug=choice.deal))
        if choice.deal and not deals:
            raise DraftsRefused([f"Excerpt “{candidate['quote'][:60]}”: no deal “{choice.deal}” in the tracker."])
        excerpt = Excerpt(
            source=source,
            quote=candidate["quote"],
            start=candidate["start"],
            stance=choice.stance,
            claim=choice.claim,
            note=choice.note,
        )
        _check_parts(user=self.user, part=excerpt, related={"deals": deals, "companies": []})
        _save(excerpt, user=self.user, what=f"Excerpt “{candidate['quote'][:60]}”")
        excerpt.deals.set(deals)
        return excerpt
