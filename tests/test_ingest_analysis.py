"""The article assistant's engine (issue #11): story versions, page noise, company mentions,
candidate deals and their match against the tracker, and the command's JSON."""

import datetime
import json
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from companies.models import Alias, Company, Deal, Participation
from ingest.amounts import amount_of_sentence
from ingest.analysis import analyse_article
from ingest.dates import find_dates
from ingest.mentions import proposed_company_kind
from ingest.stories import SOURCE_INDEX
from sources.models import Source, Story

DATA = Path(__file__).parent / "data" / "ingest"


def read(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def fresh_index():
    SOURCE_INDEX.__init__()  # the index lives in the process; each test has its own database
    yield
    SOURCE_INDEX.__init__()


def company(slug: str, name: str, kind: str = "tech") -> Company:
    return Company.objects.create(slug=slug, name=name, kind=kind)


def archived(slug: str, text: str, story: Story | None = None) -> Source:
    return Source.objects.create(slug=slug, title=slug, text=text, story=story)


@pytest.fixture
def tracker(db):
    hanwei = company("hanwei-technology", "Hanwei Technology")
    kestrel = company("kestrel-auto", "Kestrel Auto", "automaker")
    Alias.objects.create(company=hanwei, name="Hanwei", kind="short")
    deal = Deal.objects.create(
        slug="hanwei-kestrel-joint-venture", title="Hanwei and Kestrel form an EV venture", kind="joint_venture",
        status="announced", amount=Decimal("290000000"), currency="USD",
    )  # fmt: skip
    Participation.objects.create(deal=deal, company=kestrel, role="minority_shareholder")
    Participation.objects.create(deal=deal, company=hanwei, role="partner")
    story = Story.objects.create(slug="hanwei-kestrel-venture", title="Hanwei and Kestrel's venture")
    archived("hanwei-original", read("original.txt"), story)
    archived("kestrel-analysis", read("same_event.txt"))
    return deal


def test_an_archived_text_is_named_as_its_duplicate_and_nothing_else_is_offered(tracker):
    analysis = analyse_article(text=read("original.txt"))
    assert analysis["duplicate_of"] == "hanwei-original"
    assert analysis["mentions"] == [] and analysis["candidates"] == []


def test_a_rewrite_and_a_spun_copy_are_versions_of_the_story_and_another_article_on_the_event_is_not(tracker):
    Source.objects.filter(slug="kestrel-analysis").delete()
    rewrite = analyse_article(text=read("rewrite.txt"))["story"]
    spun = analyse_article(text=read("spun.txt"))["story"]
    assert (rewrite["verdict"], rewrite["story"]) == ("version_of", "hanwei-kestrel-venture")
    assert (spun["verdict"], spun["story"]) == ("version_of", "hanwei-kestrel-venture")
    assert spun["candidates"][0]["source"] == "hanwei-original" and spun["candidates"][0]["aligned"]
    Source.objects.filter(slug="hanwei-original").delete()
    archived("kestrel-analysis", read("same_event.txt"))
    assert analyse_article(text=read("original.txt"))["story"]["verdict"] == "new"


def test_aligned_passages_point_at_matching_sentences(tracker):
    text = read("rewrite.txt")
    candidate = analyse_article(text=text)["story"]["candidates"][0]
    theirs = Source.objects.get(slug=candidate["source"]).text
    pairs = [(text[a:b], theirs[c:d]) for a, b, c, d in candidate["aligned"]]
    assert any("RMB 2 billion" in ours and "RMB 2 billion" in other for ours, other in pairs)


def test_page_noise_is_labelled_for_readers_and_never_holds_a_fact_sentence(db):
    text = read("page_dump.txt")
    noise = analyse_article(text=text)["noise"]
    labels = {n["label"] for n in noise}
    assert {"Newsletter or subscription promotion", "Photo credit", "Other stories on the page"} <= labels
    hidden = "".join(text[n["start"] : n["end"]] for n in noise)
    assert (
        "Advertisement" in hidden
        and "Most Read" in hidden
        and "Ten cheap city cars" in hidden
        and "Share this article" in hidden
    )
    for fact in ("acquired the lidar supplier", "300 engineers", "completed last month"):
        assert fact not in hidden


def test_a_saved_page_is_read_through_trafilatura_with_metadata_as_suggestions(db):
    from ingest.text import article_from_html

    article = article_from_html(read("page.html"))
    assert "Most Read" not in article.text and "Home" not in article.text
    assert article.metadata["author"] == "Mei Ling Tan" and article.metadata["site"] == "Daily Wheel"
    assert len(article.html_sha256) == 64
    analysis = analyse_article(html=read("page.html"))
    candidate = analysis["candidates"][0]
    assert article.text[candidate["start"] : candidate["end"]] == candidate["quote"]


def test_mentions_match_whole_words_only(db):
    company("alibaba", "Alibaba")
    ali = company("ali", "Ali")
    company("360", "360")
    Alias.objects.create(company=ali, name="ALI Corp")
    text = "Alibaba sold 3600 cars; 360 bought a stake. ali corp and Ali agreed."
    found = [(m["text"], m["company"], m["match"]) for m in analyse_article(text=text)["mentions"]]
    assert ("Alibaba", "alibaba", "name") in found and ("360", "360", "name") in found
    assert ("ali corp", "ali", "alias") in found and ("Ali", "ali", "name") in found
    assert not any(t in ("3600", "Alibab") or (c == "ali" and t == "Alibaba") for t, c, _ in found)
    assert sum(1 for _, c, _ in found if c == "360") == 1


def test_a_misspelling_is_offered_as_an_alias_and_an_unknown_company_as_new(tracker):
    mentions = analyse_article(text=read("spun.txt"))["mentions"]
    fuzzy = [m for m in mentions if m["match"] == "fuzzy"]
    assert fuzzy and all(m["company"] == "hanwei-technology" for m in fuzzy)
    assert any(m["text"] == "Hanwie" for m in fuzzy)
    new = [m for m in analyse_article(text="Shares rose after the startup Fennel Mobility raised funds for its EV plan.")[  # noqa: E501 (a pattern or table row reads best on one line)
        "mentions"] if m["match"] == "new"]  # fmt: skip
    assert [m["text"] for m in new] == ["Fennel Mobility"] and new[0]["company"] is None
    text = "Shares rose after the startup Fennel Mobility raised funds for its EV plan."
    assert proposed_company_kind(text=text, start=new[0]["start"], end=new[0]["end"]) == "ev_startup"


@pytest.mark.parametrize(
    ("sentence", "amount", "currency", "note"),
    [
        ("It raised $465.8 million in a series D round.", Decimal("465800000"), "USD", ""),
        ("It pledged US$1.5 billion to the unit.", Decimal("1500000000"), "USD", ""),
        ("They will invest RMB 2 billion (about $290 million) in it.", Decimal("2000000000"), "CNY", "290000000 USD"),
        ("It raised more than $100 million.", Decimal("100000000"), "USD", "at least 100000000 USD"),
        ("The market may reach 1 trillion yuan a year.", Decimal("1000000000000"), "CNY", ""),
        ("It paid €40m for the plant.", Decimal("40000000"), "EUR", ""),
        ("It sold 3,600 cars in May.", None, None, ""),
    ],
)
def test_amounts_keep_the_stated_currency_and_note_bounds_and_conversions(sentence, amount, currency, note):
    found, amount_note = amount_of_sentence(sentence)
    assert (found.value if found else None) == amount
    assert (found.currency if found else None) == currency
    assert note in amount_note


@pytest.mark.parametrize(
    ("phrase", "iso", "precision", "basis"),
    [
        ("On April 18, it said", "2021-04-18", "day", "inferred"),
        ("On December 18, it said", "2020-12-18", "day", "inferred"),  # never after the article
        ("announced March 31, 2021", "2021-03-31", "day", "stated"),
        ("in April the round closed", "2021-04", "month", "inferred"),
        ("in June the round closed", "2020-06", "month", "inferred"),  # June 2021 is after the article
        ("last month, reports said", "2021-04", "month", "inferred"),
        ("confirmed on Tuesday", "2021-05-04", "day", "inferred"),
        ("in 2019 it formed", "2019", "year", "stated"),
        ("Dec 2020 saw it", "2020-12", "month", "stated"),
        ("may well happen", None, None, None),
    ],
)
def test_dates_keep_their_precision_against_the_article_date(phrase, iso, precision, basis):
    dates = [d for d in find_dates(phrase, base=datetime.date(2021, 5, 10)) if d.value]
    got = (dates[0].iso(), dates[0].precision, dates[0].basis) if dates else (None, None, None)
    assert got == (iso, precision, basis)


def test_a_candidate_is_parsed_and_its_quote_sits_at_its_offsets(tracker):
    text = read("original.txt")
    Source.objects.all().delete()
    candidates = analyse_article(text=text, published_date=datetime.date(2024, 5, 2))["candidates"]
    for candidate in candidates:
        assert text[candidate["start"] : candidate["end"]] == candidate["quote"]
    funding = next(c for c in candidates if c["kind"] == "funding_round")
    assert (funding["amount"], funding["currency"], funding["date"], funding["date_basis"]) == (
        "100000000", "USD", "2024-04-18", "inferred")  # fmt: skip
    assert "at least 100000000 USD" in funding["amount_note"]


def test_an_existing_deal_is_matched_and_its_differing_values_are_conflicts(tracker):
    Source.objects.all().delete()
    candidates = analyse_article(text=read("rewrite.txt"))["candidates"]
    matched = [c for c in candidates if c["deal"] == "hanwei-kestrel-joint-venture"]
    assert matched
    conflicts = {(k["field"], k["tracker"], k["article"]) for c in matched for k in c["conflicts"]}
    assert ("currency", "USD", "CNY") in conflicts
    assert ("role", "kestrel-auto: minority_shareholder", "kestrel-auto: controlling_shareholder") in conflicts


def test_the_command_prints_the_analysis_as_json_with_exactly_the_documented_keys(tracker, tmp_path):
    path = tmp_path / "article.txt"
    path.write_text(read("rewrite.txt"), encoding="utf-8")
    out = StringIO()
    call_command("analyse_article", str(path), "--published-date", "2024-05-02", "--format", "json", stdout=out)
    analysis = json.loads(out.getvalue())
    assert set(analysis) == {"sha256", "duplicate_of", "story", "noise", "mentions", "candidates", "published_date"}
    assert analysis["published_date"] == {"date": "2024-05-02", "basis": "given"}
    assert set(analysis["story"]) == {"verdict", "story", "relation", "candidates"}
    assert set(analysis["story"]["candidates"][0]) == {"source", "story", "score", "aligned"}
    assert all(set(m) == {"start", "end", "text", "company", "match", "score"} for m in analysis["mentions"])
    keys = {"start", "end", "quote", "kind", "status", "parties", "amount", "currency", "amount_note", "date",
            "date_precision", "date_basis", "deal", "conflicts"}  # fmt: skip
    assert analysis["candidates"] and all(set(c) == keys for c in analysis["candidates"])
    assert all(set(p) == {"company", "name", "role"} for c in analysis["candidates"] for p in c["parties"])
    assert all(
        set(k) == {"deal", "field", "tracker", "article"} for c in analysis["candidates"] for k in c["conflicts"]
    )
    human = StringIO()
    call_command("analyse_article", str(path), stdout=human)
    assert "Story: a version of “hanwei-kestrel-venture”" in human.getvalue()


def hidden_text(text: str, noise: list[dict]) -> str:
    return "\n".join(text[n["start"] : n["end"]] for n in noise)


def test_an_article_naming_only_unknown_companies_keeps_its_facts_out_of_noise(db):
    text = read("unknown_companies.txt")
    analysis = analyse_article(text=text)
    hidden = hidden_text(text, analysis["noise"])
    for fact in ("invested $40 million", "build a pack plant", "plans to deliver its first vans", "By Jun Okafor"):
        assert fact not in hidden
    assert "Read more" in hidden and "Rain closes coastal roads" in hidden
    stake = next(c for c in analysis["candidates"] if "invested $40 million" in c["quote"])
    assert (stake["kind"], stake["amount"], stake["currency"]) == ("investment", "40000000", "USD")
    assert {"Tidewater Cells", "Orrin"} <= {p["name"] for p in stake["parties"]}
    assert any("plans to deliver" in c["quote"] for c in analysis["candidates"])


def test_prose_after_a_most_read_list_is_not_page_tail(db):
    text = read("brightline.txt")
    hidden = hidden_text(text, analyse_article(text=text)["noise"])
    assert "Five things to know about solid-state batteries" in hidden and "Sign up for our newsletter" in hidden
    assert "Xiaomi set up its electric-vehicle subsidiary" not in hidden and "Xiaomee, as one local site" not in hidden
    company("xiaomi", "Xiaomi")
    SOURCE_INDEX.__init__()
    analysis = analyse_article(text=text)
    assert "Xiaomi set up" not in hidden_text(text, analysis["noise"])
    assert any(c["quote"].startswith("Xiaomi set up its electric-vehicle subsidiary") for c in analysis["candidates"])


def test_the_relation_tells_a_syndicated_copy_a_spun_copy_and_a_rewrite_apart(tracker):
    Source.objects.filter(slug="kestrel-analysis").delete()
    original = read("original.txt")
    syndicated = "Wire copy: " + original + "\nThis story was carried from a wire service.\n"
    relations = {name: analyse_article(text=text)["story"]["relation"]
                 for name, text in [("syndicated", syndicated), ("spun", read("spun.txt")), ("rewrite", read("rewrite.txt"))]}  # noqa: E501 (a pattern or table row reads best on one line)  # fmt: skip
    assert relations == {"syndicated": "syndicated", "spun": "machine_spun", "rewrite": "rewrite"}


def test_of_two_figures_the_committed_whole_is_the_amount_and_a_total_to_date_is_not(db):
    text = read("two_figures.txt")
    candidates = analyse_article(text=text)["candidates"]
    pledge = next(c for c in candidates if "initial €200 million" in c["quote"])
    assert (pledge["amount"], pledge["currency"]) == ("2000000000", "EUR")
    assert "€200 million" in pledge["amount_note"]
    round_ = next(c for c in candidates if "raised €50 million" in c["quote"])
    assert (round_["kind"], round_["amount"]) == ("funding_round", "50000000")
    roles = {p["name"]: p["role"] for p in round_["parties"]}
    assert roles.get("Ostra Capital") == "lead_investor" and roles.get("Marrow Drive") == "funded"


def test_a_second_figure_in_the_quote_that_matches_the_tracker_is_no_conflict(tracker):
    Source.objects.all().delete()
    text = "Hanwei Technology and Kestrel Auto will put an initial $90 million and $290 million in all into their EV joint venture."  # noqa: E501 (a pattern or table row reads best on one line)
    sentence = "Hanwei Technology and Kestrel Auto formed an EV joint venture with an initial $290 million, and plan to add $50 million next year."  # noqa: E501 (a pattern or table row reads best on one line)
    for article in (text, sentence):
        matched = [
            c for c in analyse_article(text=article)["candidates"] if c["deal"] == "hanwei-kestrel-joint-venture"
        ]
        assert matched and not [k for c in matched for k in c["conflicts"] if k["field"] in ("amount", "currency")]


def test_in_a_funding_round_the_party_raising_is_funded_and_the_leader_leads(db):
    text = (
        "Brightline Motors, an electric van startup, said on Tuesday that Quanta Ventures had led its $120 million "
        "series B round.\n\nIn May, Kite Capital led a $30 million series A round in the EV charging startup Volt Nest."
    )
    company("brightline-motors", "Brightline Motors", "ev_startup")
    for name in ("Quanta Ventures", "Kite Capital", "Volt Nest"):
        company(name.lower().replace(" ", "-"), name, "investor")
    rounds = [c for c in analyse_article(text=text)["candidates"] if c["kind"] == "funding_round"]
    roles = {p["name"]: p["role"] for c in rounds for p in c["parties"]}
    assert roles == {"Brightline Motors": "funded", "Quanta Ventures": "lead_investor", "Kite Capital": "lead_investor",
                     "Volt Nest": "funded"}  # fmt: skip


def test_the_analysis_says_which_date_it_read_the_article_as_of(db):
    stated = "Orrin raised $5 million for its electric vans on Monday.\nThis story was updated on May 10, 2021.\n"
    assert analyse_article(text=stated, published_date=datetime.date(2021, 6, 1))["published_date"] == {
        "date": "2021-05-10", "basis": "stated"}  # fmt: skip
    plain = "Orrin raised $5 million for its electric vans on Monday."
    assert analyse_article(text=plain, published_date=datetime.date(2021, 6, 1))["published_date"] == {
        "date": "2021-06-01", "basis": "given"}  # fmt: skip
    assert analyse_article(text=plain)["published_date"] == {"date": None, "basis": None}


def test_follow_up_sentences_without_a_deal_word_are_candidates_of_the_same_kind(db):
    text = (
        "Orrin, the electric van startup, raised $40 million in a series A round led by Gull Partners. "
        "The round would make Gull Partners the largest shareholder of Orrin.\n\n"
        "Tidewater Cells paid a visit to the carmaker Pell Auto last week for talks on electric trucks. "
        "Tidewater Cells confirmed the visit on Monday.\n\n"
        "Gull Partners confirmed the weather was fine."
    )
    candidates = analyse_article(text=text)["candidates"]
    kinds = [(c["quote"], c["kind"]) for c in candidates]
    assert any(q.startswith("The round would make Gull Partners") and k == "funding_round" for q, k in kinds)
    assert any(q.startswith("Tidewater Cells confirmed the visit") and k == "partnership" for q, k in kinds)
    assert not any(c["quote"].startswith("Gull Partners confirmed the weather") for c in candidates)


def test_a_move_stated_as_not_made_is_no_candidate_and_a_denied_report_stays_a_rumour(db):
    for slug, name in [("harrow-motors", "Harrow Motors"), ("quill-systems", "Quill Systems"),
                       ("fenwick-capital", "Fenwick Capital"), ("xiaomi", "Xiaomi"),
                       ("northwind-auto", "Northwind Auto"), ("larkspur-capital", "Larkspur Capital")]:  # fmt: skip
        company(slug, name)
    quotes = {c["quote"]: c for c in analyse_article(text=read("denials.txt"))["candidates"]}
    starts = [q[:28] for q in quotes]
    assert "Quill Systems, the Hangzhou " in starts  # the reported talks
    assert quotes["Harrow Motors denied the reports on Thursday and said it had no plans to sell shares."][
        "status"] == "rumoured"  # fmt: skip
    assert "Quill Systems did not say ho" in starts  # not saying how much is no denial of the move
    assert "Harrow Motors is not only a " in starts
    assert "Quill Systems has ruled out " not in starts and "Fenwick Capital, which back" not in starts
    northwind = analyse_article(text=read("northwind.txt"))["candidates"]
    assert any(c["quote"].startswith("Northwind Auto, a startup") for c in northwind)
    assert not any("is not among the investors" in c["quote"] for c in northwind)


def relations_against(archived_files: dict[str, str], article: str) -> str | None:
    SOURCE_INDEX.__init__()
    Source.objects.all().delete()
    for name, relation in archived_files.items():
        Source.objects.create(slug=name.removesuffix(".txt").replace("_", "-"), title=name, text=read(name),
                              story_relation=relation)  # fmt: skip
    return analyse_article(text=read(article))["story"]


def test_relations_are_told_apart_on_articles_written_for_the_test(db):
    original = {"corvid_original.txt": "original"}
    names = ("corvid_syndicated.txt", "corvid_spun.txt", "corvid_rewrite.txt", "corvid_same_event.txt")
    verdicts = {name: relations_against(original, name) for name in names}
    assert {name: (v["verdict"], v["relation"]) for name, v in verdicts.items()} == {
        "corvid_syndicated.txt": ("version_of", "syndicated"), "corvid_spun.txt": ("version_of", "machine_spun"),
        "corvid_rewrite.txt": ("version_of", "rewrite"), "corvid_same_event.txt": ("new", None)}  # fmt: skip
    # Set against the copy the tracker holds as machine-spun, the text it was spun from is the original.
    assert relations_against({"corvid_spun.txt": "machine_spun"}, "corvid_original.txt")["relation"] == "original"
    # A spun copy set against a rewrite (its original not archived) is told by the spinner's marks.
    assert relations_against({"rewrite.txt": "rewrite"}, "spun.txt")["relation"] == "machine_spun"
    assert relations_against({"spun.txt": "machine_spun"}, "rewrite.txt")["relation"] == "rewrite"


def test_other_stories_headlines_between_paragraphs_are_noise_and_a_subheading_is_not(db):
    text = read("inline_links.txt")
    noise = analyse_article(text=text)["noise"]
    assert [(text[n["start"] : n["end"]].strip(), n["label"]) for n in noise] == [
        ("Coastal ferry operators order hybrid boats for island routes", "Link to a related story")
    ]


def test_headlines_and_sentences_naming_nobody_are_not_candidates(db):
    company("pell-auto", "Pell Auto", "automaker")
    text = (
        "Pell Auto invests in electric city cars\n\n"
        "Pell Auto, the carmaker based in Xiamen, said on Friday that it will invest $50 million in city cars.\n"
        "Many carmakers have announced plans to make electric vehicles in recent months.\n"
        "Orrin Mobility, an untracked startup, also plans to launch electric vans next year.\n"
        "This article first appeared in the print edition as: Pell Auto invests in electric cars.\n"
    )
    quotes = [c["quote"][:20] for c in analyse_article(text=text)["candidates"]]
    assert quotes == ["Pell Auto, the carma", "Orrin Mobility, an u"]
