"""The analysis as lines a person reads (the command's default output)."""


def analysis_lines(analysis: dict) -> list[str]:
    lines = [f"SHA-256: {analysis['sha256']}"]
    published = analysis.get("published_date") or {}
    if published.get("date"):
        lines.append(f"Published: {published['date']} ({published['basis']})")
    if analysis["duplicate_of"]:
        return [*lines, f"Already archived as source “{analysis['duplicate_of']}”: nothing else to offer."]
    story = analysis["story"]
    if story["verdict"] == "new":
        lines.append("Story: a new story (no archived source is a version of it).")
    else:
        lines.append(f"Story: a version of “{story['story'] or 'a source without a story yet'}” ({story['relation']}).")
    lines += [
        f"  {c['source']}: score {c['score']:.2f}, {len(c['aligned'])} aligned sentences" for c in story["candidates"]
    ]
    lines.append(f"Page noise: {len(analysis['noise'])} spans")
    lines += [f"  {n['start']}–{n['end']}: {n['label']}" for n in analysis["noise"]]
    lines.append(f"Companies named: {len(analysis['mentions'])} mentions")
    for m in analysis["mentions"]:
        target = m["company"] or "new company"
        lines.append(f"  {m['start']}–{m['end']} “{m['text']}” → {target} ({m['match']}, {m['score']:.2f})")
    lines.append(f"Candidate excerpts: {len(analysis['candidates'])}")
    for c in analysis["candidates"]:
        parties = ", ".join(f"{p['name']} ({p['role'] or '?'})" for p in c["parties"])
        amount = f"{c['currency']} {c['amount']}" if c["amount"] else "no amount"
        lines.append(
            f"  {c['start']}–{c['end']} {c['kind']}, {c['status']}: {parties}; {amount}; date {c['date'] or '—'}"
        )
        lines.append(f"    “{c['quote']}”")
        if c["deal"]:
            lines.append(f"    describes the tracked deal “{c['deal']}”")
        lines += [
            f"    conflict on {k['field']}: tracker {k['tracker']}, article {k['article']}" for k in c["conflicts"]
        ]
    return lines
