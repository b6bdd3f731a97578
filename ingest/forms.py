"""The two forms of the article assistant's admin pages: the article to analyse, and the review
checklist built from one analysis (a field or two per proposal, each proposal ticked to accept)."""

import re
from dataclasses import dataclass, field

from django import forms
from django.contrib.admin.widgets import AdminDateWidget

from companies.models import Alias, Company, Deal, Participation
from core.partial_dates import DatePrecision, parse_partial_date
from ingest.drafts import (
    AliasChoice,
    ArticleDrafts,
    CompanyChoice,
    DealChoice,
    ExcerptChoice,
    NoiseChoice,
    PartyChoice,
    SourceChoice,
    StoryChoice,
    matched_source,
    reviewer_needed,
)
from ingest.text import article_from_html
from sources.anchoring import normalise_line_ends
from sources.models import Excerpt, Source, Story

MAX_ARTICLE_BYTES = 2 * 1024 * 1024  # a long article is some 50 KB; a saved page with its markup a few MB at most
ARTICLE_SUFFIXES = (".txt", ".html", ".htm")


class ArticleForm(forms.Form):
    """The article: a text file or saved web page, or pasted text."""

    article_file = forms.FileField(
        required=False,
        label="Article file",
        help_text="A UTF-8 .txt file, or a web page saved as .html (its article text is extracted; the raw "
        "page is archived with the source, with its SHA-256).",
    )
    text = forms.CharField(
        required=False,
        label="Or paste the text",
        widget=forms.Textarea(attrs={"rows": 12, "cols": 90}),
        help_text="Line ends are stored as single line breaks, as in every archived text.",
    )
    published_date = forms.DateField(
        required=False,
        widget=AdminDateWidget,
        help_text="If you know it. A date the text itself states is shown beside it.",
    )

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("article_file")
        cleaned["metadata"], cleaned["html_sha256"], cleaned["html"] = {}, "", ""
        if upload:
            html, cleaned["text"] = self._read(upload)
            if html:
                article = article_from_html(html)
                cleaned["html"] = article.html
                cleaned["text"], cleaned["metadata"], cleaned["html_sha256"] = (
                    article.text,
                    article.metadata,
                    article.html_sha256,
                )
                if not article.text.strip():
                    raise forms.ValidationError({"article_file": "No article text was found in the page; paste it."})
        else:
            cleaned["text"] = normalise_line_ends(cleaned.get("text") or "")
        if not self.errors and not cleaned["text"].strip():
            raise forms.ValidationError("Upload the article's file or paste its text.")
        return cleaned

    def _read(self, upload) -> tuple[str, str]:
        name = upload.name.lower()
        if not name.endswith(ARTICLE_SUFFIXES):
            raise forms.ValidationError({"article_file": "Upload a .txt file or a saved web page (.html)."})
        if upload.size > MAX_ARTICLE_BYTES:
            raise forms.ValidationError({"article_file": f"The file is over {MAX_ARTICLE_BYTES // 1024 // 1024} MB."})
        try:
            content = upload.read().decode("utf-8")
        except UnicodeDecodeError:
            raise forms.ValidationError(
                {"article_file": "The file is not UTF-8 text; save it as UTF-8 and upload it again."}
            ) from None
        return (content, "") if name.endswith((".html", ".htm")) else ("", content)


# -- The review checklist --------------------------------------------------------------------


@dataclass
class Proposal:
    """One line of the checklist: what the analysis proposes, the form fields to judge it, and
    why it needs a reviewer (then it is unticked, and creating it is refused)."""

    prefix: str
    data: dict
    reviewer: list[str] = field(default_factory=list)
    bound: dict = field(default_factory=dict)


def guessed_kind(name: str) -> str:
    """A first guess at a new company's kind from the words in its name."""
    words = set(re.findall(r"[a-z]+", name.lower()))
    guesses = (
        ({"motor", "motors", "auto", "automotive", "automobile", "cars"}, Company.Kind.AUTOMAKER),
        ({"capital", "ventures", "fund", "investment", "investments", "partners"}, Company.Kind.INVESTOR),
        ({"technology", "technologies", "tech", "software", "ai"}, Company.Kind.TECH),
        ({"group", "holding", "holdings"}, Company.Kind.OTHER),
    )
    return next((kind for keys, kind in guesses if words & keys), Company.Kind.OTHER)


def alias_proposals(analysis: dict) -> list[dict]:
    """Fuzzy mentions of tracker companies (misspellings, spun spellings), one per spelling."""
    seen, found = set(), []
    for mention in analysis["mentions"]:
        key = (mention["company"], mention["text"].lower())
        if mention["match"] == "fuzzy" and mention["company"] and key not in seen:
            seen.add(key)
            found.append(mention)
    return found


def company_proposals(analysis: dict) -> list[dict]:
    """Names that look like companies but are not in the tracker, one per name."""
    seen, found = set(), []
    names = [(m["text"], m.get("kind")) for m in analysis["mentions"] if m["match"] == "new" and not m["company"]]
    names += [(p["name"], None) for c in analysis["candidates"] for p in c["parties"] if not p["company"]]
    for name, kind in names:
        if name.lower() not in seen:
            seen.add(name.lower())
            found.append({"name": name, "kind": kind or guessed_kind(name)})
    return found


def conflict_note(conflicts: list[dict]) -> str:
    return "; ".join(f"{c['field']}: the tracker has {c['tracker']}, the article {c['article']}" for c in conflicts)


def target_deal(candidate: dict) -> str:
    """The existing deal a candidate describes (corroborates, or contradicts on some field)."""
    return candidate["deal"] or next((c["deal"] for c in candidate["conflicts"]), "") or ""


def proposed_title(candidate: dict) -> str:
    names = " and ".join(party["name"] for party in candidate["parties"][:3]) or "Unnamed parties"
    kind = dict(Deal.Kind.choices).get(candidate["kind"], candidate["kind"] or "deal").lower()
    return f"{names}: {kind}"[:250]


def proposed_claim(candidate: dict) -> str:
    stated = ["parties", "kind", "status"]
    stated += ["amount"] if candidate["amount"] else []
    stated += ["date"] if candidate["date"] else []
    return ", ".join(stated)


def choices_with_blank(choices) -> list:
    return [("", "—"), *choices]


class ReviewForm(forms.Form):
    """The checklist. Its fields are made from `analysis`, which the page reads from the session
    (ingest/admin_views.py): the proposals themselves (offsets, companies, deals) are never taken
    from the browser, only the editor's judgement of each."""

    send_for_review = forms.BooleanField(
        required=False, help_text="Create the records in review instead of as drafts, for a reviewer to publish."
    )

    def __init__(self, *args, analysis: dict, text: str, metadata: dict, published_date: str, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.analysis, self.text, self.user = analysis, text, user
        self.matched = matched_source(analysis)
        self.companies = {c.slug: c for c in Company.objects.filter(slug__in=self._company_slugs())}
        deal_slugs = {target_deal(candidate) for candidate in analysis["candidates"]} - {""}
        self.deals = {d.slug: d for d in Deal.objects.filter(slug__in=deal_slugs)}
        self._source_fields(metadata, published_date)
        self._story_fields()
        self.noise = [self._noise(i, span) for i, span in enumerate(analysis["noise"])]
        self.aliases = [self._alias(i, mention) for i, mention in enumerate(alias_proposals(analysis))]
        self.new_companies = [self._company(i, name) for i, name in enumerate(company_proposals(analysis))]
        self.candidates = [self._candidate(i, candidate) for i, candidate in enumerate(analysis["candidates"])]

    def _company_slugs(self) -> set[str]:
        slugs = {m["company"] for m in self.analysis["mentions"] if m["company"]}
        return slugs | {p["company"] for c in self.analysis["candidates"] for p in c["parties"] if p["company"]}

    def _add(self, proposal: Proposal, **fields: forms.Field) -> Proposal:
        for name, form_field in fields.items():
            self.fields[f"{proposal.prefix}_{name}"] = form_field
        return proposal

    def _source_fields(self, metadata: dict, published_date: str) -> None:
        date = published_date or metadata.get("date", "")[:10]
        stated = "stated" if published_date else ""
        initial = {
            "title": metadata.get("title", ""),
            "publisher": metadata.get("site", ""),
            "author": metadata.get("author", ""),
            "url": metadata.get("url", ""),
            "published_date": date,
            "published_date_precision": DatePrecision.DAY if date else "",
            "date_basis": stated,
        }
        self.suggested_date = "" if published_date else metadata.get("date", "")
        self.fields.update(
            source_title=forms.CharField(max_length=300, label="Title"),
            source_slug=forms.SlugField(
                max_length=120, required=False, label="Slug", help_text="Left empty: from the title."
            ),
            source_publisher=forms.CharField(max_length=200, required=False, label="Publisher"),
            source_author=forms.CharField(max_length=200, required=False, label="Author"),
            source_url=forms.URLField(max_length=500, required=False, label="Address", assume_scheme="https"),
            source_published_date=forms.DateField(required=False, label="Published", widget=AdminDateWidget),
            source_published_date_precision=forms.ChoiceField(
                choices=choices_with_blank(DatePrecision.choices), required=False, label="Precision"
            ),
            source_date_basis=forms.ChoiceField(
                choices=choices_with_blank(Source.DateBasis.choices), required=False, label="Date basis"
            ),
            source_date_note=forms.CharField(max_length=300, required=False, label="Date note"),
        )
        for name, value in initial.items():
            self.fields[f"source_{name}"].initial = value

    def _story_fields(self) -> None:
        story = self.analysis["story"]
        self.story_reviewer: list[str] = []
        if self.matched is None:
            return
        if self.matched.story is None:
            probe = Story(title=self.matched.title, slug="probe")
            self.story_reviewer = reviewer_needed(user=self.user, part=probe, related={"sources": [self.matched]})
        relations = Source.StoryRelation
        relation = story.get("relation") if story.get("relation") in relations.values else relations.REWRITE
        self.fields["story_join"] = forms.BooleanField(required=False, initial=not self.story_reviewer)
        self.fields["story_relation"] = forms.ChoiceField(choices=relations.choices, initial=relation)
        self.fields["story_title"] = forms.CharField(max_length=250, required=False, initial=self.matched.title)

    def _noise(self, index: int, span: dict) -> Proposal:
        return self._add(
            Proposal(f"noise_{index}", {**span, "text": self.text[span["start"] : span["end"]]}),
            accept=forms.BooleanField(required=False, initial=True),
            label=forms.CharField(max_length=120, initial=span["label"]),
        )

    def _alias(self, index: int, mention: dict) -> Proposal:
        company = self.companies.get(mention["company"])
        reviewer = reviewer_needed(user=self.user, part=Alias(company=company, name=mention["text"])) if company else []
        return self._add(
            Proposal(f"alias_{index}", {**mention, "company_record": company}, reviewer),
            accept=forms.BooleanField(required=False, initial=company is not None and not reviewer),
            name=forms.CharField(max_length=200, initial=mention["text"]),
            kind=forms.ChoiceField(choices=Alias.Kind.choices, initial=Alias.Kind.MISSPELLING),
        )

    def _company(self, index: int, proposal: dict) -> Proposal:
        return self._add(
            Proposal(f"company_{index}", proposal),
            accept=forms.BooleanField(required=False, initial=True),
            name=forms.CharField(max_length=200, initial=proposal["name"]),
            kind=forms.ChoiceField(choices=Company.Kind.choices, initial=proposal["kind"]),
        )

    def _candidate(self, index: int, candidate: dict) -> Proposal:
        deal = self.deals.get(target_deal(candidate))
        targets = [("new", "a new deal"), ("none", "no deal (excerpt only)")]
        reviewer = []
        if deal is not None:
            targets.insert(0, (deal.slug, f"the tracker's deal “{deal}” ({deal.get_editorial_state_display()})"))
            probe = Excerpt(source=Source(text=self.text), quote=candidate["quote"])
            reviewer = reviewer_needed(user=self.user, part=probe, related={"deals": [deal], "companies": []})
        stance = Excerpt.Stance.CONTRADICTS if candidate["conflicts"] else Excerpt.Stance.SUPPORTS
        proposal = Proposal(f"candidate_{index}", {**candidate, "deal_record": deal}, reviewer)
        self._add(
            proposal,
            accept=forms.BooleanField(required=False, initial=not reviewer),
            target=forms.ChoiceField(choices=targets, initial=targets[0][0], widget=forms.RadioSelect),
            stance=forms.ChoiceField(choices=Excerpt.Stance.choices, initial=stance),
            claim=forms.CharField(max_length=200, required=False, initial=proposed_claim(candidate)),
            note=forms.CharField(
                required=False, initial=conflict_note(candidate["conflicts"]), widget=forms.Textarea(attrs={"rows": 2})
            ),
            **self._deal_fields(candidate),
        )
        proposal.parties = [self._party(proposal.prefix, j, party) for j, party in enumerate(candidate["parties"])]
        return proposal

    def _deal_fields(self, candidate: dict) -> dict[str, forms.Field]:
        kind = candidate["kind"] if candidate["kind"] in Deal.Kind.values else Deal.Kind.PARTNERSHIP
        status = candidate["status"] if candidate["status"] in Deal.Status.values else Deal.Status.ANNOUNCED
        return {
            "title": forms.CharField(max_length=250, required=False, initial=proposed_title(candidate)),
            "kind": forms.ChoiceField(choices=Deal.Kind.choices, initial=kind),
            "status": forms.ChoiceField(choices=Deal.Status.choices, initial=status),
            "round_name": forms.CharField(max_length=40, required=False, initial=candidate.get("round_name", "")),
            "amount": forms.DecimalField(max_digits=20, decimal_places=2, required=False, initial=candidate["amount"]),
            "currency": forms.CharField(max_length=3, required=False, initial=candidate["currency"] or ""),
            "amount_note": forms.CharField(max_length=200, required=False, initial=candidate["amount_note"]),
            "date": forms.CharField(
                max_length=10, required=False, initial=candidate["date"] or "", help_text="YYYY, YYYY-MM or YYYY-MM-DD"
            ),
        }

    def _party(self, prefix: str, index: int, party: dict) -> Proposal:
        company = self.companies.get(party["company"]) if party["company"] else None
        role = party["role"] if party["role"] in Participation.Role.values else Participation.Role.PARTNER
        return self._add(
            Proposal(f"{prefix}_party_{index}", {**party, "company_record": company}),
            accept=forms.BooleanField(required=False, initial=True),
            role=forms.ChoiceField(choices=Participation.Role.choices, initial=role),
        )

    # -- Rendering and reading back ------------------------------------------------------------

    def bind_rows(self) -> None:
        """Give each proposal its bound fields by short name, for the template."""
        for proposal in [*self.noise, *self.aliases, *self.new_companies, *self.candidates]:
            proposal.bound = self._bound(proposal.prefix)
            for party in getattr(proposal, "parties", []):
                party.bound = self._bound(party.prefix)

    def _bound(self, prefix: str) -> dict:
        start = f"{prefix}_"
        return {
            name[len(start) :]: self[name]
            for name in self.fields
            if name.startswith(start) and "_party_" not in name[len(start) :]
        }

    def value(self, prefix: str, name: str):
        return self.cleaned_data.get(f"{prefix}_{name}")

    def accepted(self, proposals: list[Proposal]) -> list[Proposal]:
        return [proposal for proposal in proposals if self.value(proposal.prefix, "accept")]

    def clean(self):
        cleaned = super().clean()
        accepted_companies = {p.data["name"].lower() for p in self.new_companies if cleaned.get(f"{p.prefix}_accept")}
        for proposal in self.candidates:
            if not cleaned.get(f"{proposal.prefix}_accept") or cleaned.get(f"{proposal.prefix}_target") != "new":
                continue
            self._check_new_deal(proposal, cleaned, accepted_companies)
        return cleaned

    def _check_new_deal(self, proposal: Proposal, cleaned: dict, accepted_companies: set[str]) -> None:
        prefix = proposal.prefix
        if not cleaned.get(f"{prefix}_title"):
            self.add_error(f"{prefix}_title", "A new deal needs a title.")
        if cleaned.get(f"{prefix}_date"):
            try:
                parse_partial_date(cleaned[f"{prefix}_date"])
            except ValueError as error:
                self.add_error(f"{prefix}_date", str(error))
        for party in proposal.parties:
            name = party.data["name"]
            if (
                cleaned.get(f"{party.prefix}_accept")
                and not party.data["company"]
                and name.lower() not in accepted_companies
            ):
                self.add_error(
                    f"{party.prefix}_accept",
                    f"“{name}” is not in the tracker: accept it as a new company, or untick it.",
                )

    def drafts(self) -> ArticleDrafts:
        """The editor's choices, for ingest/drafts.py."""
        return ArticleDrafts(
            source=self._source_choice(),
            story=StoryChoice(
                join=bool(self.cleaned_data.get("story_join")), new_title=self.cleaned_data.get("story_title") or ""
            ),
            noise=[
                NoiseChoice(int(p.prefix.split("_")[1]), self.value(p.prefix, "label"))
                for p in self.accepted(self.noise)
            ],
            companies=[
                CompanyChoice(
                    key=p.data["name"].lower(), name=self.value(p.prefix, "name"), kind=self.value(p.prefix, "kind")
                )
                for p in self.accepted(self.new_companies)
            ],
            aliases=[
                AliasChoice(
                    name=self.value(p.prefix, "name"), company=p.data["company"], kind=self.value(p.prefix, "kind")
                )
                for p in self.accepted(self.aliases)
            ],
            excerpts=[self._excerpt_choice(p) for p in self.accepted(self.candidates)],
            send_for_review=bool(self.cleaned_data.get("send_for_review")),
        )

    def _source_choice(self) -> SourceChoice:
        fields = {name: self.cleaned_data.get(f"source_{name}") or "" for name in SourceChoice.__dataclass_fields__}
        fields["published_date"] = self.cleaned_data.get("source_published_date")
        fields["story_relation"] = self.cleaned_data.get("story_relation") or Source.StoryRelation.ORIGINAL
        return SourceChoice(**fields)

    def _excerpt_choice(self, proposal: Proposal) -> ExcerptChoice:
        prefix, target = proposal.prefix, self.value(proposal.prefix, "target")
        choice = ExcerptChoice(
            index=int(prefix.split("_")[1]),
            stance=self.value(prefix, "stance"),
            claim=self.value(prefix, "claim"),
            note=self.value(prefix, "note"),
            deal=target if target not in ("new", "none") else "",
        )
        if target == "new":
            choice.new_deal = self._deal_choice(proposal)
        return choice

    def _deal_choice(self, proposal: Proposal) -> DealChoice:
        prefix = proposal.prefix
        date, precision = parse_partial_date(self.value(prefix, "date")) if self.value(prefix, "date") else (None, "")
        parties = [
            PartyChoice(
                role=self.value(party.prefix, "role"),
                company=party.data["company"] or "",
                new_company="" if party.data["company"] else party.data["name"].lower(),
            )
            for party in proposal.parties
            if self.value(party.prefix, "accept")
        ]
        return DealChoice(
            title=self.value(prefix, "title"),
            kind=self.value(prefix, "kind"),
            status=self.value(prefix, "status"),
            round_name=self.value(prefix, "round_name") or "",
            amount=self.value(prefix, "amount"),
            currency=(self.value(prefix, "currency") or "").upper(),
            amount_note=self.value(prefix, "amount_note") or "",
            date=date,
            date_precision=precision,
            parties=parties,
        )
