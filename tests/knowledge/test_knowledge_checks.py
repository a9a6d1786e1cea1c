"""The checks must catch what they are for (tested on made-up notes and a tiny source)."""

from pathlib import Path

from kkshared.knowledge import Source, SourceTexts, check_legal_note, legal_note_from_dict

ROW = (
    "Juridisk vurdering: Det er muligt, at afholde samtaler telefonisk, digitalt eller på anden "
    "må-\n"
    "de, når personen deltager i virksomhedspraktik, jf. LAB § 16 a, stk. 5, § 17, stk. 2."
)


def _texts(tmp_path: Path) -> SourceTexts:
    (tmp_path / "seed.txt").write_text(ROW, encoding="utf-8")
    return SourceTexts(tmp_path)


def _note(**changes):
    raw = {
        "id": "n1",
        "title": "Telefoniske samtaler",
        "questions": ["Må samtalen være telefonisk?"],
        "answer": "Ja, under virksomhedspraktik, jf. LAB § 16 a, stk. 5 og § 17, stk. 2.",
        "references": ["LAB § 16 a, stk. 5", "§ 17, stk. 2"],
        "source": {
            "file": "seed.txt",
            "date": "2017",
            "quote": "samtaler telefonisk, digitalt eller på anden måde",
        },
        "date": "2017",
        "office": "1. kontor",
        "status": "skal revurderes",
    }
    raw.update(changes)
    return legal_note_from_dict(raw)


def test_a_correct_note_passes(tmp_path):
    assert check_legal_note(_note(), _texts(tmp_path)) == []


def test_a_quote_absent_from_the_source_fails(tmp_path):
    note = _note(
        source={
            "file": "seed.txt",
            "date": "2017",
            "quote": "samtaler altid ved personligt fremmøde",
        }
    )
    assert any("quote not found" in p for p in check_legal_note(note, _texts(tmp_path)))


def test_an_answer_citing_a_reference_not_among_the_notes_fails(tmp_path):
    note = _note(answer="Ja, jf. LAB § 16 a, stk. 5 og LAB § 18.")
    assert any("LAB §18" in p for p in check_legal_note(note, _texts(tmp_path)))


def test_a_reference_not_in_the_source_row_fails(tmp_path):
    note = _note(references=["LAB § 16 a, stk. 5", "LAS § 13"], answer="Se LAB § 16 a, stk. 5.")
    assert any("LAS § 13" in p for p in check_legal_note(note, _texts(tmp_path)))


def test_a_long_quote_fails(tmp_path):
    source = Source(file="seed.txt", date="2017", quote=" ".join(["ord"] * 31))
    note = _note(source={"file": source.file, "date": source.date, "quote": source.quote})
    assert any("more than 30 words" in p for p in check_legal_note(note, _texts(tmp_path)))


def test_status_notice_shows_a_danish_date_for_jurist_answers():
    from kkshared.knowledge import status_notice

    note = _note(status="besvaret af jurist", date="2026-11-22")
    assert (
        status_notice(note)
        == "Svaret er givet af juristerne i centralforvaltningen den 22. november 2026."
    )
    assert "2017" in status_notice(_note())
