import pytest

from llrc.lib.identifiers import (
    normalise_ark,
    normalise_date,
    normalise_doi,
    normalise_handle,
    normalise_isbn,
    normalise_issn,
    normalise_url,
    parse_partial_date,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("978-92-820-1234-6", None),
        ("9789231001307", "9789231001307"),
        ("0-306-40615-2", "0306406152"),
        ("080442957X", "080442957X"),
    ],
)
def test_isbn_check_digit(raw, expected):
    if expected is None:
        with pytest.raises(ValueError, match="wrong check digit"):
            normalise_isbn(raw)
    else:
        assert normalise_isbn(raw) == expected


def test_isbn_wrong_length_is_refused():
    with pytest.raises(ValueError, match="10 or 13 digits"):
        normalise_isbn("12345")


def test_issn_check_digit():
    assert normalise_issn("00207713") == "0020-7713"
    assert normalise_issn("2434-561x") == "2434-561X"
    with pytest.raises(ValueError, match="wrong check digit"):
        normalise_issn("0020-7714")


def test_doi_forms_are_normalised_and_malformed_refused():
    assert (
        normalise_doi("https://doi.org/10.1007/S11159-019-09800-3") == "10.1007/s11159-019-09800-3"
    )
    assert normalise_doi("doi:10.1234/abc") == "10.1234/abc"
    with pytest.raises(ValueError, match="malformed"):
        normalise_doi("11.1234/abc")
    with pytest.raises(ValueError, match="malformed"):
        normalise_doi("10.12/abc")


def test_url_handle_ark():
    assert normalise_url("https://example.org/a") == "https://example.org/a"
    with pytest.raises(ValueError, match="absolute"):
        normalise_url("ftp://example.org")
    assert normalise_handle("https://hdl.handle.net/10568/123") == "10568/123"
    with pytest.raises(ValueError):
        normalise_handle("not a handle")
    assert normalise_ark("https://n2t.net/ark:/13030/tf5p30086k") == "ark:/13030/tf5p30086k"
    with pytest.raises(ValueError):
        normalise_ark("ark:/1/x")


@pytest.mark.parametrize("raw", ["2015", "2015-02", "2016-02-29"])
def test_partial_dates_that_exist(raw):
    assert parse_partial_date(raw)[0] == int(raw[:4])


@pytest.mark.parametrize(
    ("raw", "stored", "parts"),
    [
        ("２０１５－０３", "2015-03", (2015, 3, None)),  # typed with a Chinese input method
        ("٢٠١٥", "2015", (2015, None, None)),  # Arabic-Indic digits
        (" 2015-03-01 ", "2015-03-01", (2015, 3, 1)),
    ],
)
def test_dates_typed_in_other_digits_are_stored_in_ascii(raw, stored, parts):
    assert normalise_date(raw) == stored
    assert parse_partial_date(raw) == parts


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("2015-02-30", "does not exist"),
        ("2015-13", "no month 13"),
        ("2015/01/01", "YYYY"),
        ("2023-02-29", "does not exist"),
    ],
)
def test_dates_that_do_not_exist_are_refused(raw, message):
    with pytest.raises(ValueError, match=message):
        parse_partial_date(raw)
